"""An approximate nearest-neighbour index over the product vectors, for large catalogs.

Exact search reads every vector for every query (2.5 ms on 55k products here; about 45 ms
on a million). An inverted file (IVF, Jégou et al. 2011, as faiss implements it) splits
the catalog into ``lists`` clusters by k-means; a query scans only the ``probes`` clusters
whose centroids are nearest to it, and scores the products there exactly (inner product
of unit vectors: cosine). What it misses are near products that fell into an unscanned
cluster; benchmarks/README.md measures that loss on the HomeDepot judgments.

The index is written next to the vectors in the build (``vectors.ivf``) and read back
with them; it never outlives the vectors it was made from (the row count is checked).
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

TRAIN_PER_LIST = 64  # k-means sees at most this many vectors per cluster (a sample)


def default_lists(n: int) -> int:
    """About √n clusters (faiss's rule of thumb lies between √n and 16√n; fewer train faster)."""
    return max(1, int(math.sqrt(n)))


@dataclass
class IvfIndex:
    """IVF-Flat over unit vectors; ``search`` returns rows of the vectors it was built from."""

    index: Any
    probes: int

    @classmethod
    def probing(cls, index: Any, probes: int) -> IvfIndex:
        """``index`` scanning ``probes`` clusters a query (0: a tenth of them, at least 8)."""
        probes = probes or max(8, int(index.nlist) // 10)
        index.nprobe = min(probes, int(index.nlist))
        return cls(index, probes)

    @property
    def rows(self) -> int:
        """How many vectors it holds."""
        return int(self.index.ntotal)

    @property
    def lists(self) -> int:
        """How many clusters it has."""
        return int(self.index.nlist)

    @classmethod
    def build(cls, vectors: np.ndarray, lists: int = 0, probes: int = 0, seed: int = 0) -> IvfIndex:
        """Cluster ``vectors`` (k-means on a seeded sample) and file every vector.

        Args:
            vectors: (n, dim) float32 unit vectors.
            lists: clusters (0: :func:`default_lists`).
            probes: clusters a query scans (0: a tenth of them, at least 8).
            seed: the k-means seed (the same vectors give the same index).
        """
        import faiss

        data = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = data.shape
        lists = min(lists or default_lists(n), n)
        # the factory's index owns its quantizer (one made here would be freed with this frame)
        index: Any = faiss.index_factory(dim, f"IVF{lists},Flat", faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = seed
        index.cp.max_points_per_centroid = TRAIN_PER_LIST
        sample = data
        if n > TRAIN_PER_LIST * lists:
            rng = np.random.default_rng(seed)
            sample = data[np.sort(rng.choice(n, TRAIN_PER_LIST * lists, replace=False))]
        index.train(sample)
        index.add(data)
        return cls.probing(index, probes)

    def fits(self, vectors: np.ndarray) -> bool:
        """Whether these clusters suit ``vectors``: the same width, and a catalog within half
        to twice the size they were made for (a re-index after writes keeps them)."""
        n, dim = vectors.shape
        return dim == int(self.index.d) and 0.5 <= default_lists(n) / self.lists <= 2.0

    def refilled(self, vectors: np.ndarray) -> IvfIndex:
        """A new index over ``vectors`` with these clusters: no k-means, only each vector
        filed under its nearest centroid (what a re-index after catalog writes needs)."""
        import faiss

        index: Any = faiss.clone_index(self.index)
        index.reset()
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return IvfIndex.probing(index, self.probes)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of (up to) the ``k`` most similar vectors in the scanned clusters, and
        their similarities, best first."""
        q = np.ascontiguousarray(np.asarray(query, dtype=np.float32)[None])
        sims, rows = self.index.search(q, min(k, self.rows))
        keep = rows[0] >= 0  # fewer than k in the scanned clusters: faiss pads with -1
        return rows[0][keep].astype(np.int64), sims[0][keep].astype(np.float32)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically."""
        import faiss

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ivf-")
        os.close(fd)
        try:
            faiss.write_index(self.index, tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, probes: int = 0) -> IvfIndex:
        """Read what :meth:`save` wrote; ``probes`` 0 keeps a tenth of the clusters."""
        import faiss

        return cls.probing(faiss.read_index(str(path)), probes)


__all__ = ["IvfIndex", "default_lists"]
