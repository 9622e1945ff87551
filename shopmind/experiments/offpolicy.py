"""Off-policy evaluation: a candidate ranking's click rate, estimated from logged traffic.

Logged requests are slates: per request and position, the product shown, the probability
with which the serving (logging) policy put it there, and whether it was clicked. Under the
position-based click model (a click needs the position to be looked at, and the product to
attract), the expected clicks of a policy are a sum over (product, position) pairs, so a
pair's click may be reweighted by how much more often the candidate policy would show that
product at that position (the item-position estimator, Li et al. 2018):

- ``ips``: mean over requests of sum_i w_i c_i, with w_i = pi_new(d_i, i) / pi_log(d_i, i).
  Unbiased where the logging policy gave every pair the candidate shows a chance.
- ``snips``: per position, sum w c / sum w (self-normalised): a little bias, much less variance.
- ``dr``: doubly robust: a click model's prediction of the candidate's clicks, corrected by
  the weighted residuals of the logged clicks; right when either the propensities or the
  click model is right.
- ``naive``: the logged click rate, as if the candidate would get what the logged lists got.

Confidence intervals: normal over requests for ``ips``, ``dr`` and ``naive``; a seeded
bootstrap over requests for ``snips``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopmind.experiments.stats import ALPHA, z_score

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Slates:
    """Logged slates, one row per request, one column per position (``k`` columns).

    Attributes:
        clicks: 1 where the shown product was clicked.
        logging: pi_log of each shown product at its position (> 0 where shown).
        target: pi_new of the same product at the same position (0 where the candidate
            policy would not show it there).
        predicted: a click model's click probability of each shown product at its position.
        predicted_target: the same model's expected clicks of the candidate's list, per
            position (sum over products of pi_new(d, i) q(d, i)).
    """

    clicks: Array
    logging: Array
    target: Array
    predicted: Array | None = None
    predicted_target: Array | None = None

    def __post_init__(self) -> None:
        shape = self.clicks.shape
        for name in ("logging", "target", "predicted", "predicted_target"):
            value = getattr(self, name)
            if value is not None and value.shape != shape:
                raise ValueError(
                    f"{name} has shape {value.shape}, clicks {shape}; give one per slot"
                )
        if np.any(self.logging[self.clicks > 0] <= 0):
            raise ValueError("a clicked slot has logging propensity 0; log the propensity shown")


def _interval(per_request: Array, alpha: float) -> dict[str, float]:
    n = per_request.size
    mean = float(per_request.mean()) if n else float("nan")
    half = (
        z_score(1 - alpha) * float(per_request.std(ddof=1)) / np.sqrt(n) if n > 1 else float("inf")
    )
    return {"value": mean, "low": mean - half, "high": mean + half}


def _snips_value(clicks: Array, weights: Array) -> float:
    total = weights.sum(axis=0)
    hits = (weights * clicks).sum(axis=0)
    per_position = np.divide(hits, total, out=np.zeros_like(hits), where=total > 0)
    return float(per_position.sum())


def estimate(
    slates: Slates, alpha: float = ALPHA, boot: int = 200, seed: int = 0
) -> dict[str, Any]:
    """Every estimator's value and confidence interval (expected clicks per request)."""
    clicks = slates.clicks.astype(np.float64)
    weights = np.divide(
        slates.target, slates.logging, out=np.zeros_like(slates.target), where=slates.logging > 0
    )
    n = clicks.shape[0]
    out: dict[str, Any] = {
        "requests": int(n),
        "naive": _interval(clicks.sum(axis=1), alpha),
        "ips": _interval((weights * clicks).sum(axis=1), alpha),
        "matched_share": float((slates.target > 0).mean()) if n else 0.0,
        "max_weight": float(weights.max()) if n else 0.0,
    }
    point = _snips_value(clicks, weights)
    rng = np.random.default_rng(seed)
    draws = [
        _snips_value(clicks[rows], weights[rows])
        for rows in (rng.integers(0, n, n) for _ in range(boot if n > 1 else 0))
    ]
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2]) if draws else (point, point)
    out["snips"] = {"value": point, "low": float(low), "high": float(high)}
    if slates.predicted is not None and slates.predicted_target is not None:
        per = slates.predicted_target.sum(axis=1) + (weights * (clicks - slates.predicted)).sum(
            axis=1
        )
        out["dr"] = _interval(per, alpha)
        out["direct"] = _interval(slates.predicted_target.sum(axis=1), alpha)
    return out


Predict = Callable[[Hashable, Sequence[str]], Array]


def fit_position_model(
    clicks: Array, shown: Sequence[tuple[Hashable, Sequence[str]]], randomized: Any = None
) -> Predict:
    """A position-based click model fitted on a log, for the doubly robust estimate.

    ``shown`` holds each logged request's key (its query) and list; ``clicks`` the clicks per
    position. Examination per position comes from the ``randomized`` requests when the log
    has them (where every product is equally likely at every position, a position's click
    rate is proportional to its examination), else from all; attraction per (query,
    product) is its clicks over its expected looks, shrunk toward the log's mean. Returns
    ``predict(query, items)``: each position's click probability.
    """
    pick = np.asarray(randomized, dtype=bool) if randomized is not None else None
    rows = clicks[pick] if pick is not None and pick.any() else clicks
    per_position = rows.mean(axis=0) if rows.size else np.ones(clicks.shape[1])
    exam = np.clip(per_position / max(float(per_position[0]), 1e-9), 1e-3, 1.0)
    hits: dict[tuple[Hashable, str], float] = {}
    looks: dict[tuple[Hashable, str], float] = {}
    for row, (query, items) in enumerate(shown):
        for i, item in enumerate(items[: clicks.shape[1]]):
            key = (query, item)
            hits[key] = hits.get(key, 0.0) + float(clicks[row, i])
            looks[key] = looks.get(key, 0.0) + float(exam[i])
    prior = float(sum(hits.values()) / max(sum(looks.values()), 1e-9))
    strength = 2.0

    def predict(query: Hashable, items: Sequence[str]) -> Array:
        out = np.zeros(len(items))
        for i, item in enumerate(items[: exam.size]):
            key = (query, item)
            attract = (hits.get(key, 0.0) + strength * prior) / (looks.get(key, 0.0) + strength)
            out[i] = exam[i] * min(attract, 1.0)
        return out

    return predict
