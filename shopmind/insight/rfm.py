"""The classic RFM rule: quintile scores of recency, frequency and monetary value.

Each customer gets 1-5 on each of R (5 = bought most recently), F (5 = most orders) and
M (5 = most spent) by the quintile of their value among the customers scored together
(ties share the average rank); the RFM score is R + F + M (3-15). It is the baseline the
buy-again model has to beat, and a profile shows the three scores.

Example::

    r, f, m = rfm_scores(recency_days, frequency, monetary)
    score = r + f + m
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def quintile(values: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """1-5 by the quintile of each value among all (int8); NaN ranks lowest."""
    if not len(values):
        return np.zeros(0, dtype=np.int8)
    filled = np.where(np.isnan(values), -np.inf if higher_is_better else np.inf, values)
    signed = filled if higher_is_better else -filled
    pct = rankdata(signed, method="average") / len(values)
    scores: np.ndarray = np.clip(np.ceil(pct * 5), 1, 5).astype(np.int8)
    return scores


def rfm_scores(
    recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The R, F and M quintile scores of customers scored together."""
    return (
        quintile(recency_days, higher_is_better=False),
        quintile(frequency),
        quintile(monetary),
    )
