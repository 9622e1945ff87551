"""Is a recent count above (or below) its own baseline by more than chance?

The test compares two Poisson rates, the recent window's and the baseline's, conditionally
on their sum (the classic exact test for two Poisson counts): if the rate did not change,
of the ``n = recent + baseline`` events, each falls in the recent window with probability
``p0 = window / (window + baseline span)``, so ``recent ~ Binomial(n, p0)``. It needs no
smoothing when the baseline is 0 and is exact for small counts.

Units are not events: one order line of 50 units is one decision, not 50. Counts of units
are a compound Poisson whose variance is ``dispersion = Σq² / Σq`` times the mean, so the
test runs on ``units / dispersion`` effective events (the binomial tail extended to
non-whole counts with the regularised incomplete beta). With one unit per event it is the
plain exact test.

Many products are tested at once, so the p values are adjusted with Benjamini-Hochberg
(:func:`benjamini_hochberg`) and a change is reported when its q value is below alpha.

Example::

    test = rate_test(np.array([30.0]), np.array([40.0]), window=7, span=28)
    test.ratio  # array([3.]): 30 in 7 days against 10 expected
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betainc


@dataclass(frozen=True)
class RateTest:
    """Per entity: the expected recent count from the baseline, the ratio (NaN when the
    baseline is 0), the z score, and the one- and two-sided p values."""

    expected: np.ndarray
    ratio: np.ndarray
    z: np.ndarray
    p_up: np.ndarray
    p_down: np.ndarray

    @property
    def p(self) -> np.ndarray:
        """Two-sided p values."""
        return np.asarray(np.minimum(1.0, 2.0 * np.minimum(self.p_up, self.p_down)))


def rate_test(
    recent: np.ndarray,
    baseline: np.ndarray,
    window: float,
    span: float,
    dispersion: np.ndarray | None = None,
) -> RateTest:
    """Test each recent count (over ``window`` days) against its baseline count (over the
    ``span`` days before).

    Args:
        recent: the recent window's counts (units).
        baseline: the baseline's counts (units), same shape.
        window: the recent window's length in days.
        span: the baseline's length in days.
        dispersion: ``Σq² / Σq`` per entity (1 = one unit per event); None for all 1.
    """
    recent = np.asarray(recent, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    phi = np.ones_like(recent) if dispersion is None else np.maximum(dispersion, 1.0)
    p0 = window / (window + span)
    x = recent / phi
    n = (recent + baseline) / phi
    expected = baseline * window / span
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, recent / expected, np.nan)
        z = np.where(n > 0, (x - n * p0) / np.sqrt(n * p0 * (1 - p0)), 0.0)
        # P(X >= x) = I_p0(x, n - x + 1); P(X <= x) = 1 - I_p0(x + 1, n - x)
        p_up = np.where(x > 0, betainc(np.maximum(x, 1e-12), n - x + 1, p0), 1.0)
        p_down = np.where(x < n, 1.0 - betainc(x + 1, np.maximum(n - x, 1e-12), p0), 1.0)
    return RateTest(expected, ratio, z, np.clip(p_up, 0.0, 1.0), np.clip(p_down, 0.0, 1.0))


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q values (false discovery rate adjusted p values), same order."""
    p = np.asarray(p, dtype=np.float64)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out
