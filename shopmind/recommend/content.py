"""Content-based: products whose text reads like the visitor's recent products.

Scores come from the language model's product vectors, so a product is recommendable
from its text the moment it is ingested (cold start), before anyone has touched it.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from shopmind.recommend.base import FloatArray, Histories, Recommender, rows_product


class Content(Recommender):
    """Score = cosine of each product's vector with the visitor's recency-weighted mean."""

    name = "content"

    def __init__(self, recency: float = 0.5) -> None:
        self.recency = recency
        self.vectors = np.zeros((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"recency": self.recency}

    def fit(self, train: Histories, n_items: int, item_vectors: FloatArray | None = None) -> Self:
        if item_vectors is None or len(item_vectors) != n_items:
            raise ValueError("content needs item_vectors: one language-model vector per product")
        self.n_items = n_items
        v = np.asarray(item_vectors, dtype=np.float32)
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        self.vectors = v / np.maximum(norms, 1e-12)
        return self

    def profile(self, histories: Histories) -> np.ndarray:
        """Each visitor's unit-length taste vector."""
        p = np.asarray(histories.matrix(self.n_items, self.recency) @ self.vectors)
        return np.asarray(p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-12))

    def score(self, histories: Histories) -> FloatArray:
        return rows_product(self.profile(histories), self.vectors.T)

    def _state(self) -> dict[str, np.ndarray]:
        return {"vectors": self.vectors}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.vectors = state["vectors"]
