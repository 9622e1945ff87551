"""Sequence neighbours: products visitors touch right before or after each other.

Counts adjacent pairs in the behaviour sequences (both directions), and weights the
visitor's newest products most, so it follows what the visitor is doing *now*.
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


class Transitions(Recommender):
    """Score = recency-weighted history times the adjacent-pair counts."""

    name = "transitions"

    def __init__(self, recency: float = 0.3) -> None:
        self.recency = recency
        self.adjacency = sp.csr_matrix((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"recency": self.recency}

    def fit(self, train: Histories, n_items: int, item_vectors: FloatArray | None = None) -> Self:
        self.n_items = n_items
        src, dst = train.pairs()
        keep = src != dst
        src, dst = src[keep], dst[keep]
        ones = np.ones(len(src), dtype=np.float32)
        a = sp.csr_matrix((ones, (src, dst)), shape=(n_items, n_items), dtype=np.float32)
        self.adjacency = (a + a.T).tocsr()
        self.adjacency.sum_duplicates()
        return self

    def score(self, histories: Histories) -> FloatArray:
        x = histories.matrix(self.n_items, self.recency)
        return np.asarray((x @ self.adjacency).toarray(), dtype=np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        return sparse_state(self.adjacency)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.adjacency = sparse_from_state(state, self.n_items)
