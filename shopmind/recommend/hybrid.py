"""A weighted blend of recommenders, each one's scores standardised per visitor.

Standardising (z-scores over the catalog, per visitor) puts EASE's weights, co-occurrence
counts, cosine similarities and a transformer's logits on one scale; the blend weights are
then chosen on held-out next products (``choose_weights``), never on the test targets.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Self

import numpy as np

from shopmind.recommend.base import FloatArray, Histories, Recommender, mask_seen, ndcg_at_10

logger = logging.getLogger(__name__)

GRID: tuple[float, ...] = (0.0, 0.1, 0.2, 0.5, 1.0, 2.0)


def standardise(scores: np.ndarray) -> np.ndarray:
    """Per row: subtract the mean, divide by the standard deviation (in place, float32)."""
    scores -= scores.mean(axis=1, keepdims=True)
    scores /= scores.std(axis=1, keepdims=True) + 1e-9
    return scores


class Hybrid(Recommender):
    """Score = Σ weight × standardised component score."""

    name = "hybrid"

    def __init__(
        self,
        components: Mapping[str, Recommender] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        self.components = dict(components or {})
        self.weights = {n: float((weights or {}).get(n, 1.0)) for n in self.components}

    def params(self) -> dict[str, Any]:
        return {"weights": self.weights}

    def fit(
        self,
        train: Histories,
        n_items: int,
        item_vectors: FloatArray | None = None,
        keep: Collection[str] = (),
    ) -> Self:
        """Fit every component except those named in ``keep`` (fitted elsewhere already)."""
        self.n_items = n_items
        for name, model in self.components.items():
            if name in keep:
                continue
            logger.info("hybrid: fitting %s", name)
            model.fit(train, n_items, item_vectors)
        return self

    def parts(self, histories: Histories) -> dict[str, np.ndarray]:
        """Each weighted component's standardised scores."""
        return {
            name: standardise(model.score(histories))
            for name, model in self.components.items()
            if self.weights.get(name, 0.0) > 0
        }

    def score(self, histories: Histories) -> FloatArray:
        total = np.zeros((len(histories), self.n_items), dtype=np.float32)
        for name, part in self.parts(histories).items():
            total += self.weights[name] * part
        return total

    def choose_weights(
        self,
        histories: Histories,
        targets: np.ndarray,
        grid: Sequence[float] = GRID,
        rounds: int = 2,
    ) -> dict[str, float]:
        """Coordinate ascent on NDCG@10 of held-out next products; sets and returns weights."""
        names = list(self.components)
        saved = dict(self.weights)
        self.weights = dict.fromkeys(names, 1.0)
        parts = self.parts(histories)
        self.weights = saved
        mask = mask_seen(np.zeros((len(histories), self.n_items), dtype=np.float32), histories)
        solo = {n: ndcg_at_10(parts[n] + mask, targets) for n in names}
        anchor = max(names, key=lambda n: solo[n])
        weights = {n: (1.0 if n == anchor else 0.0) for n in names}

        def value(w: dict[str, float]) -> float:
            total = mask.copy()
            for n, p in parts.items():
                if w[n]:
                    total += w[n] * p
            return ndcg_at_10(total, targets)

        best = value(weights)
        for _ in range(rounds):
            changed = False
            for name in names:
                if name == anchor:
                    continue
                for g in grid:
                    trial = {**weights, name: g}
                    v = value(trial)
                    if v > best + 1e-6:
                        best, weights, changed = v, trial, True
            if not changed:
                break
        logger.info("hybrid weights %s (valid NDCG@10 %.4f; alone %s)", weights, best, solo)
        self.weights = weights
        return weights

    def _state(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        specs = {}
        for name, model in self.components.items():
            specs[name] = {"kind": model.name, "params": model.params(), "n_items": model.n_items}
            out.update({f"{name}/{k}": v for k, v in model._state().items()})
        out["__components__"] = np.frombuffer(json.dumps(specs).encode(), dtype=np.uint8)
        return out

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        from shopmind.recommend.factory import make_recommender

        specs = json.loads(bytes(state["__components__"]).decode())
        self.components = {}
        for name, spec in specs.items():
            model = make_recommender(spec["kind"], **spec["params"])
            model.n_items = int(spec["n_items"])
            prefix = f"{name}/"
            model._restore({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})
            self.components[name] = model
