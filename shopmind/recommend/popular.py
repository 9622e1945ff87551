"""Most popular products: the same list for everyone, weighted by event type and age.

The event weights carry the time decay (``events.half_life_days``), so the list is
"trending" when the shop's events are decayed and all-time popular when they are not.
"""

from __future__ import annotations

from typing import Self

import numpy as np

from shopmind.recommend.base import FloatArray, Histories, Recommender


class Popular(Recommender):
    """Scores each product by its total (decayed) event weight in the training histories."""

    name = "popular"

    def __init__(self) -> None:
        self.counts = np.zeros(0, dtype=np.float32)

    def fit(self, train: Histories, n_items: int, item_vectors: FloatArray | None = None) -> Self:
        self.n_items = n_items
        matrix = train.matrix(n_items)
        self.counts = np.asarray(matrix.sum(axis=0), dtype=np.float32).ravel()
        return self

    def score(self, histories: Histories) -> FloatArray:
        return np.tile(np.log1p(self.counts), (len(histories), 1))

    def _state(self) -> dict[str, np.ndarray]:
        return {"counts": self.counts}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.counts = state["counts"]
