"""The test suite. Before anything loads numpy, OpenBLAS or PyTorch, their thread pools are
pinned to one thread (unless the caller chose otherwise): float sums then add in one order,
so results (the ranker's scores and its top features, tuned models) do not depend on how many
cores the machine has, and README's test command passes as written on any machine."""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
