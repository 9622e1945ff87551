"""Click-model metrics as small pure functions: AUC, GAUC (per visitor) and LogLoss."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (ties count half); 0.5 when one class is missing."""
    y = np.asarray(labels) > 0.5
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    ranks = rankdata(scores)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def gauc(labels: np.ndarray, scores: np.ndarray, groups: np.ndarray) -> float:
    """Group AUC: each visitor's AUC weighted by their rows, over visitors with both classes
    (0.5 when no visitor has both)."""
    y = np.asarray(labels) > 0.5
    order = np.argsort(groups, kind="stable")
    g, y, s = np.asarray(groups)[order], y[order], np.asarray(scores)[order]
    bounds = np.flatnonzero(np.diff(g)) + 1
    total = weight = 0.0
    for part in np.split(np.arange(len(g)), bounds):
        pos = int(y[part].sum())
        if 0 < pos < len(part):
            total += len(part) * auc(y[part], s[part])
            weight += len(part)
    return total / weight if weight else 0.5


def logloss(labels: np.ndarray, probs: np.ndarray, eps: float = 1e-7) -> float:
    """Mean binary cross-entropy of probabilities ``probs`` (clipped to [eps, 1 - eps])."""
    y = np.asarray(labels, dtype=np.float64)
    p = np.clip(np.asarray(probs, dtype=np.float64), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
