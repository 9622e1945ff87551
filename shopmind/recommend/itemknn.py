"""Item-based k-nearest neighbours: products co-occurring in the same visitors' histories.

Cosine similarity of the product columns with a shrink term for rare pairs, keeping each
product's ``neighbours`` most similar products (the classical ItemKNN baseline).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from shopmind.recommend.base import (
    FloatArray,
    Histories,
    Recommender,
    sparse_from_state,
    sparse_state,
)


def keep_top(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Each row's ``k`` largest entries of a sparse matrix (the rest dropped)."""
    matrix = matrix.tocsr()
    rows, cols, vals = [], [], []
    for r in range(matrix.shape[0]):
        lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
        if hi == lo:
            continue
        data = matrix.data[lo:hi]
        idx = matrix.indices[lo:hi]
        if hi - lo > k:
            pick = np.argpartition(-data, k - 1)[:k]
            data, idx = data[pick], idx[pick]
        rows.append(np.full(len(idx), r))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=matrix.shape,
        dtype=np.float32,
    )


class ItemKNN(Recommender):
    """Score = the visitor's products times their cosine neighbours."""

    name = "itemknn"

    def __init__(self, neighbours: int = 100, shrink: float = 10.0, recency: float = 1.0) -> None:
        if neighbours < 1:
            raise ValueError("neighbours must be at least 1")
        self.neighbours = neighbours
        self.shrink = shrink
        self.recency = recency
        self.sim = sp.csr_matrix((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours, "shrink": self.shrink, "recency": self.recency}

    def fit(self, train: Histories, n_items: int, item_vectors: FloatArray | None = None) -> Self:
        self.n_items = n_items
        x = train.matrix(n_items)
        x.data[:] = 1.0
        co = (x.T @ x).tocsr().astype(np.float32)
        co.setdiag(0)
        co.eliminate_zeros()
        norms = np.sqrt(np.asarray(x.sum(axis=0)).ravel()).astype(np.float32)
        coo = co.tocoo()
        coo.data = coo.data / (norms[coo.row] * norms[coo.col] + self.shrink)
        self.sim = keep_top(coo.tocsr(), self.neighbours).T.tocsr()
        return self

    def score(self, histories: Histories) -> FloatArray:
        x = histories.matrix(self.n_items, self.recency)
        return np.asarray((x @ self.sim).toarray(), dtype=np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        return sparse_state(self.sim)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.sim = sparse_from_state(state, self.n_items)
