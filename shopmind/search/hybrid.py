"""Fusing the lexical and the dense retriever: small pure functions over score vectors.

- :func:`rrf`: reciprocal-rank fusion (Cormack et al. 2009), rank-based and scale-free.
- :func:`convex`: a weighted sum of scores each scaled to [0, 1] within the query's
  candidates, so a weight means the same thing for every query.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RRF_K = 60


def ranks_of(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """1-based rank of each candidate by descending score (ties keep index order)."""
    order = np.argsort(-scores[candidates], kind="stable")
    ranks = np.empty(len(candidates), dtype=np.int64)
    ranks[order] = np.arange(1, len(candidates) + 1)
    return ranks


def rrf(
    score_lists: Sequence[np.ndarray],
    candidates: np.ndarray,
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> np.ndarray:
    """Reciprocal-rank fusion of several retrievers' scores over the same candidates.

    A retriever contributes ``w / (k + rank)`` only where its score is positive.
    """
    weights = list(weights) if weights is not None else [1.0] * len(score_lists)
    fused = np.zeros(len(candidates), dtype=np.float64)
    for scores, w in zip(score_lists, weights, strict=True):
        ranks = ranks_of(scores, candidates)
        hit = scores[candidates] > 0
        fused += np.where(hit, w / (k + ranks), 0.0)
    return fused


def scaled(scores: np.ndarray) -> np.ndarray:
    """Scores min-max scaled to [0, 1] (all equal -> all 0)."""
    if not len(scores):
        return scores.astype(np.float64)
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo <= 1e-12:
        return np.zeros(len(scores), dtype=np.float64)
    return (scores.astype(np.float64) - lo) / (hi - lo)


def convex(lexical: np.ndarray, dense: np.ndarray, alpha: float) -> np.ndarray:
    """``alpha * lexical + (1 - alpha) * dense``, each scaled to [0, 1] over the candidates."""
    return alpha * scaled(lexical) + (1.0 - alpha) * scaled(dense)
