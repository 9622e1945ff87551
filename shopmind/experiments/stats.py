"""The statistics an experiment report stands on.

- :func:`compare`: the difference of two variants' means with a confidence interval
  (Welch's normal approximation) and, beside the fixed-horizon p-value, an *always-valid*
  one from the mixture sequential probability ratio test (mSPRT, Johari et al. 2017,
  "Peeking at A/B tests"). The always-valid p-value may be read after every visitor, every
  day, as often as the shop likes, and the chance that an A/A test ever shows p < alpha stays
  below alpha; the fixed-horizon one may be read once.
- :func:`cuped`: variance reduction with each unit's pre-period value of the metric as the
  covariate (Deng et al. 2013); the adjusted values have the same mean and less variance.
- :func:`sample_ratio`: the sample-ratio-mismatch check (a chi-square test of the units each
  variant got against the shares it was meant to get); a small p means the assignment or the
  logging is broken and no metric of the experiment can be trusted.

The mSPRT's mixture is normal, centred on no effect, with standard deviation ``tau`` =
``effect`` × the pooled standard deviation of one unit's outcome (the effect size the test is
tuned to find fastest, 0.1 by default); it is scale-free, so the same rule serves a click
rate, a conversion or revenue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

ALPHA = 0.05
SRM_ALPHA = 0.001  # the usual threshold: an SRM alarm must be rare on a sound experiment
MIXTURE_EFFECT = 0.1
BURN_IN = 30  # looks before the sequential test may speak: variances from fewer units are noise


def z_score(level: float) -> float:
    """The two-sided normal quantile of a confidence ``level`` (1.96 for 0.95)."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


@dataclass(frozen=True)
class Estimate:
    """One variant's mean with its confidence interval."""

    n: int
    mean: float
    low: float
    high: float

    def as_dict(self) -> dict[str, Any]:
        return _finite(asdict(self))


def _finite(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready: a NaN or infinite number (no data yet) becomes None."""
    return {
        k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in data.items()
    }


def estimate(values: Sequence[float] | Array, level: float = 1 - ALPHA) -> Estimate:
    """The mean of ``values`` and its normal confidence interval at ``level``."""
    y = np.asarray(values, dtype=np.float64)
    n = int(y.size)
    if n == 0:
        return Estimate(0, math.nan, math.nan, math.nan)
    mean = float(y.mean())
    half = z_score(level) * math.sqrt(float(y.var(ddof=1)) / n) if n > 1 else math.inf
    return Estimate(n, mean, mean - half, mean + half)


@dataclass(frozen=True)
class Comparison:
    """A treatment against the control: the difference of means (treatment - control).

    Attributes:
        lift: the difference relative to the control's mean (None when that is 0).
        p_value: the fixed-horizon two-sided p-value (valid when read once).
        always_valid_p: the mSPRT p-value (valid however often it is read).
        significant: ``always_valid_p < alpha``.
    """

    control: Estimate
    treatment: Estimate
    difference: float
    low: float
    high: float
    lift: float | None
    p_value: float
    always_valid_p: float
    significant: bool

    def as_dict(self) -> dict[str, Any]:
        out = _finite(asdict(self))
        out["control"] = self.control.as_dict()
        out["treatment"] = self.treatment.as_dict()
        return out


def mixture_ratio(difference: Array, variance: Array, tau2: Array | float) -> Array:
    """The mSPRT likelihood ratio of an observed difference with the given sampling variance
    against no effect, under a normal mixture N(0, tau2) over the effect (vectorised)."""
    v = np.maximum(np.asarray(variance, dtype=np.float64), 1e-300)
    t = np.asarray(tau2, dtype=np.float64)
    d = np.asarray(difference, dtype=np.float64)
    t = np.broadcast_to(t, v.shape)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log = 0.5 * np.log(v / (v + t)) + t * d * d / (2 * v * (v + t))
    log = np.where(t > 0, log, 0.0)  # no spread in the data yet: no evidence either way
    return np.asarray(np.exp(np.minimum(log, 700.0)))


def always_valid_p(ratios: Array) -> Array:
    """The always-valid p-value after each look: the running minimum of 1 / ratio, capped at 1."""
    inverse = np.minimum(1.0, 1.0 / np.maximum(np.asarray(ratios, dtype=np.float64), 1e-300))
    return np.minimum.accumulate(inverse)


def mixture_tau2(pooled_variance: float, effect: float = MIXTURE_EFFECT) -> float:
    """The mixture's variance: (``effect`` × the pooled standard deviation)²."""
    return max(pooled_variance, 1e-12) * effect * effect


def compare(
    control: Sequence[float] | Array,
    treatment: Sequence[float] | Array,
    alpha: float = ALPHA,
    effect: float = MIXTURE_EFFECT,
) -> Comparison:
    """Treatment against control on per-unit outcomes (one value per visitor or request)."""
    from scipy.stats import norm

    a = np.asarray(control, dtype=np.float64)
    b = np.asarray(treatment, dtype=np.float64)
    ea, eb = estimate(a, 1 - alpha), estimate(b, 1 - alpha)
    if a.size < 2 or b.size < 2:
        nan = math.nan
        return Comparison(ea, eb, nan, nan, nan, None, 1.0, 1.0, False)
    va, vb = float(a.var(ddof=1)), float(b.var(ddof=1))
    variance = va / a.size + vb / b.size
    diff = eb.mean - ea.mean
    half = z_score(1 - alpha) * math.sqrt(variance)
    p = float(2 * norm.sf(abs(diff) / math.sqrt(variance))) if variance > 0 else 1.0
    tau2 = mixture_tau2((va + vb) / 2, effect)
    ratio = float(mixture_ratio(np.array([diff]), np.array([variance]), tau2)[0])
    avp = min(1.0, 1.0 / ratio) if ratio > 0 else 1.0
    lift = diff / ea.mean if ea.mean else None
    return Comparison(ea, eb, diff, diff - half, diff + half, lift, p, avp, avp < alpha)


def sequential_p(control: Array, treatment: Array, effect: float = MIXTURE_EFFECT) -> float:
    """The always-valid p-value of a comparison looked at after every pair of units in the
    order given (the running minimum over all looks); both arrays have the same length."""
    n = min(control.size, treatment.size)
    ratios = paired_ratios(control[:n], treatment[:n], effect)
    return float(always_valid_p(ratios)[-1])


def paired_ratios(
    control: Array, treatment: Array, effect: float = MIXTURE_EFFECT, burn_in: int = BURN_IN
) -> Array:
    """The mSPRT ratio after each look, for two streams that grow one unit each per look.

    The variances (of the estimate and of the mixture) are estimated from the data seen so
    far, never from later data; the first ``burn_in`` looks get ratio 1.
    """
    n = np.arange(1, control.size + 1, dtype=np.float64)
    out = np.ones(control.size)
    if control.size <= burn_in:
        return out
    ma, mb = _running_mean_var(control), _running_mean_var(treatment)
    pooled = (ma[1] + mb[1]) / 2
    ratios = mixture_ratio(mb[0] - ma[0], 2 * pooled / n, pooled * effect * effect)
    out[burn_in:] = ratios[burn_in:]
    return out


def one_sample_ratios(
    values: Array, effect: float = MIXTURE_EFFECT, burn_in: int = BURN_IN
) -> Array:
    """The mSPRT ratio after each value for "the mean of ``values`` is 0" (interleaving's
    per-impression preference, +1 / -1 / 0), variances from the data seen so far. The first
    ``burn_in`` looks get ratio 1."""
    n = np.arange(1, values.size + 1, dtype=np.float64)
    out = np.ones(values.size)
    if values.size <= burn_in:
        return out
    mean, var = _running_mean_var(values)
    ratios = mixture_ratio(mean, var / n, var * effect * effect)
    out[burn_in:] = ratios[burn_in:]
    return out


def _running_mean_var(y: Array) -> tuple[Array, Array]:
    """Running mean and (sample) variance after each element (variance 0 for the first)."""
    n = np.arange(1, y.size + 1, dtype=np.float64)
    s1 = np.cumsum(y)
    s2 = np.cumsum(y * y)
    mean = s1 / n
    var = np.zeros_like(mean)
    more = n > 1
    var[more] = np.maximum(s2[more] - n[more] * mean[more] ** 2, 0.0) / (n[more] - 1)
    return mean, var


@dataclass(frozen=True)
class Cuped:
    """CUPED-adjusted outcomes and how much variance the adjustment removed."""

    adjusted: Array
    theta: float
    variance_reduction: float  # 1 - var(adjusted) / var(raw), 0 when nothing was removed


def cuped(outcome: Sequence[float] | Array, covariate: Sequence[float] | Array) -> Cuped:
    """Adjust per-unit outcomes by their pre-period covariate: y - theta (x - mean x), with
    theta = cov(x, y) / var(x) over all variants together (so no variant's mean moves)."""
    y = np.asarray(outcome, dtype=np.float64)
    x = np.asarray(covariate, dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"outcome has {y.size} units, covariate {x.size}; give one per unit")
    if y.size < 2:
        return Cuped(y.copy(), 0.0, 0.0)
    vx = float(x.var())
    if vx <= 0:
        return Cuped(y.copy(), 0.0, 0.0)
    theta = float(np.mean((x - x.mean()) * (y - y.mean())) / vx)
    adjusted = y - theta * (x - x.mean())
    vy = float(y.var())
    reduction = 1 - float(adjusted.var()) / vy if vy > 0 else 0.0
    return Cuped(adjusted, theta, max(reduction, 0.0))


@dataclass(frozen=True)
class SampleRatio:
    """The sample-ratio-mismatch check."""

    observed: dict[str, int]
    expected_share: dict[str, float]
    p_value: float
    mismatch: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sample_ratio(observed: dict[str, int], shares: dict[str, float]) -> SampleRatio:
    """Chi-square test of the units per variant against the shares they were meant to get."""
    from scipy.stats import chisquare

    names = list(shares)
    total_share = sum(shares.values())
    counts = np.array([observed.get(n, 0) for n in names], dtype=np.float64)
    total = counts.sum()
    if total == 0 or len(names) < 2:
        return SampleRatio(dict(observed), dict(shares), 1.0, False)
    expected = np.array([shares[n] / total_share for n in names]) * total
    p = float(chisquare(counts, expected).pvalue)
    return SampleRatio(dict(observed), dict(shares), p, p < SRM_ALPHA)
