"""Matrix factorisation from the ``implicit`` package: ALS (Hu, Koren, Volinsky 2008) and BPR.

A visitor's vector is folded in from their history at request time (ALS: the exact
least-squares solve for the fixed product factors; BPR: the mean of their products'
factors), so new visitors and new events need no retraining.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, Self

import numpy as np
from threadpoolctl import threadpool_limits

from shopmind.recommend.base import FloatArray, Histories, Recommender, rows_product

logger = logging.getLogger(__name__)


class Factors(Recommender):
    """ALS or BPR product factors; scores are visitor vector · product factors."""

    name = "als"

    def __init__(
        self,
        kind: Literal["als", "bpr"] = "als",
        factors: int = 64,
        regularization: float = 0.05,
        iterations: int = 15,
        alpha: float = 2.0,
        seed: int = 42,
    ) -> None:
        self.kind = kind
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.alpha = alpha
        self.seed = seed
        self.item_factors = np.zeros((0, factors), dtype=np.float32)
        self._gram: np.ndarray | None = None

    @property
    def gram(self) -> np.ndarray:
        """Yᵀ Y, kept: it is the same for every visitor, and costs a pass over the catalog."""
        if self._gram is None or self._gram.shape[0] != self.item_factors.shape[1]:
            y = self.item_factors
            self._gram = (y.T @ y).astype(np.float32)
        return self._gram

    def params(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "factors": self.factors,
            "regularization": self.regularization,
            "iterations": self.iterations,
            "alpha": self.alpha,
            "seed": self.seed,
        }

    def fit(self, train: Histories, n_items: int, item_vectors: FloatArray | None = None) -> Self:
        from implicit.cpu.als import AlternatingLeastSquares
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        self.n_items = n_items
        x = train.matrix(n_items).astype(np.float32)
        limits = threadpool_limits(1, "blas")  # implicit runs its own threads; it asks for 1
        model: AlternatingLeastSquares | BayesianPersonalizedRanking
        if self.kind == "als":
            x.data = 1.0 + self.alpha * x.data
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                iterations=self.iterations,
                random_state=self.seed,
            )
        else:
            model = BayesianPersonalizedRanking(
                factors=self.factors,
                regularization=self.regularization,
                iterations=self.iterations,
                random_state=self.seed,
            )
        try:
            model.fit(x, show_progress=False)
        finally:
            limits.restore_original_limits()
        self.item_factors = np.asarray(model.item_factors, dtype=np.float32)
        self._gram = None
        return self

    @classmethod
    def fitted(cls, item_factors: np.ndarray, **params: Any) -> Self:
        """A model whose product factors were computed elsewhere (Spark MLlib's ALS)."""
        model = cls(**params)
        model.item_factors = np.ascontiguousarray(item_factors, dtype=np.float32)
        model.n_items = model.item_factors.shape[0]
        return model

    def contributions(self, items: np.ndarray, weights: np.ndarray, target: int) -> np.ndarray:
        """How much each history event adds to ``target``'s score.

        ALS's folded-in visitor vector is ``A⁻¹ Σ cⱼ yⱼ``, so event j adds exactly
        ``cⱼ (A⁻¹ yⱼ) · y_target``; BPR's mean adds ``yⱼ · y_target / n``.
        """
        y = self.item_factors
        yh = y[items]
        if self.kind == "bpr":
            return np.asarray(yh @ y[target] / max(len(items), 1), dtype=np.float64)
        conf = 1.0 + self.alpha * np.asarray(weights, dtype=np.float32)
        a = self.gram + (yh.T * (conf - 1.0)) @ yh
        a += self.regularization * np.eye(y.shape[1], dtype=np.float32)
        return np.asarray(conf * (yh @ np.linalg.solve(a, y[target])), dtype=np.float64)

    def user_vectors(self, histories: Histories) -> np.ndarray:
        """Each history's visitor vector, folded in against the fixed product factors."""
        y = self.item_factors
        out = np.zeros((len(histories), y.shape[1]), dtype=np.float32)
        if self.kind == "bpr":
            for row, items in enumerate(histories.items):
                if len(items):
                    out[row] = y[items].mean(axis=0)
            if y.shape[1] == self.factors + 1:  # implicit's BPR keeps a bias column
                out[:, -1] = 1.0
            return out
        gram = self.gram
        eye = self.regularization * np.eye(y.shape[1], dtype=np.float32)
        for row, items in enumerate(histories.items):
            if not len(items):
                continue
            conf = 1.0 + self.alpha * histories.weight(row)
            yh = y[items]
            a = gram + (yh.T * (conf - 1.0)) @ yh + eye
            out[row] = np.linalg.solve(a, yh.T @ conf)
        return out

    def score(self, histories: Histories) -> FloatArray:
        return rows_product(self.user_vectors(histories), self.item_factors.T)

    def _state(self) -> dict[str, np.ndarray]:
        return {"item_factors": self.item_factors}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.item_factors = state["item_factors"]
        self._gram = None


class BPR(Factors):
    """Bayesian personalised ranking factors (``implicit``)."""

    name = "bpr"

    def __init__(self, **params: Any) -> None:
        params.setdefault("kind", "bpr")
        params.setdefault("regularization", 0.01)
        params.setdefault("iterations", 100)
        super().__init__(**params)
