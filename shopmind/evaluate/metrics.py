"""Ranking metrics as small pure functions (the evaluators call these, nothing else does)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of gains in ranked order: sum of g_i / log2(i + 1)."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def ndcg_at_k(gains: Mapping[str, float], ranked: Sequence[str], k: int) -> float:
    """nDCG@k of a ranking, given each id's gain (unlisted ids gain 0).

    Returns 0.0 when no id has a positive gain.
    """
    ideal = dcg_at_k(sorted(gains.values(), reverse=True), k)
    if ideal <= 0:
        return 0.0
    return dcg_at_k([gains.get(i, 0.0) for i in ranked], k) / ideal


def recall_at_k(relevant: set[str], ranked: Sequence[str], k: int) -> float:
    """The share of relevant ids found in the top k (0.0 when nothing is relevant)."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]
