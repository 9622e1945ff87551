"""Confidence from a similarity, on the shop's own scale.

One rule places both what a question matches and how typical it is of the shop: measure
the value on the shop's own past questions, each asked again without itself; the shop's
10th percentile is doubtful (confidence 0.5) and its median is likely (0.9). A question
that matches less well than nine in ten of the shop's own is doubtful. A floor keeps the
doubtful point above what questions about nothing reach, so a shop with few past
questions, which have no near neighbours, does not call any match likely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DOUBT_QUANTILE = 10.0  # the shop's own percentile where confidence is 0.5
LIKELY = 0.9  # the confidence at the shop's median


@dataclass(frozen=True)
class Scale:
    """Confidence is ``sigmoid((value - doubt) / slope)``."""

    doubt: float = 0.6
    slope: float = 0.05

    @classmethod
    def from_own(cls, values: np.ndarray, floor: float = -math.inf) -> Scale:
        """The scale of the shop's own ``values``: 0.5 at their 10th percentile (or
        ``floor``, whichever is higher), :data:`LIKELY` at their median."""
        if not len(values):
            return cls(doubt=max(floor, cls.doubt), slope=cls.slope)
        doubt = max(float(np.percentile(values, DOUBT_QUANTILE)), floor)
        median = max(float(np.median(values)), doubt + 0.01)
        return cls(doubt, (median - doubt) / math.log(LIKELY / (1 - LIKELY)))

    @classmethod
    def between(cls, low: float, high: float) -> Scale:
        """0.5 halfway between ``low`` and ``high``, :data:`LIKELY` near ``high``."""
        doubt = 0.5 * (low + high)
        return cls(doubt, max(high - doubt, 0.01) / math.log(LIKELY / (1 - LIKELY)))

    def confidence(self, value: float) -> float:
        """One value as a confidence in [0, 1]."""
        return float(self.confidences(np.asarray([value]))[0])

    def confidences(self, values: np.ndarray) -> np.ndarray:
        """Many values as confidences in [0, 1]."""
        z = np.clip((np.asarray(values, dtype=np.float64) - self.doubt) / self.slope, -50, 50)
        return np.asarray(1.0 / (1.0 + np.exp(-z)))


__all__ = ["DOUBT_QUANTILE", "LIKELY", "Scale"]
