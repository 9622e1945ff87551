"""README's test command pins the numeric libraries' threads itself (see tests/__init__.py)."""

from __future__ import annotations

import os


def test_numeric_threads_are_pinned_without_the_caller_exporting_them() -> None:
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        assert os.environ.get(name), name
    import torch

    assert torch.get_num_threads() == int(os.environ["OMP_NUM_THREADS"])
