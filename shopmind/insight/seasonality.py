"""Seasonality of a daily series: the weekday cycle, and the yearly one on a long history.

- **Weekly**: the weekday profile (each weekday's mean over the series' mean, 1.0 =
  average), and whether the cycle is real: the series minus its centred 7-day moving
  average (which removes the trend but not the cycle) is tested for autocorrelation at lag
  7 (``z = acf × √n``, one-sided, white noise gives ``acf ~ N(0, 1/n)``). ``strength`` is
  ``1 − Var(remainder) / Var(detrended)``, the share of the detrended variance the weekday
  means explain (0 none, 1 all; the measure of Wang, Smith & Hyndman 2006).
- **Yearly**: on weekly totals, autocorrelation at lag 52 of the series minus its linear
  trend, checked only with at least two years (104 full weeks) of history; the weeks of the
  year that peak are named.

Example::

    seasonality(daily_units, first_day)["weekly"]["peaks"]  # e.g. ["Thu", "Tue"]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm

from shopmind.insight.periods import WEEKDAYS, week_label, week_numbers, weekdays

MIN_DAYS = 28
MIN_WEEKS = 104
PEAK = 1.1  # a weekday at least 10% above the average peaks; 10% below is a low


def _acf(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    denom = float(np.dot(x, x))
    return float(np.dot(x[:-lag], x[lag:]) / denom) if denom > 0 and x.size > lag else 0.0


def weekly(daily: np.ndarray, first_day: int, alpha: float = 0.01) -> dict[str, Any]:
    """The weekday cycle of a daily series starting on ``first_day`` (a day number)."""
    n = daily.size
    if n < MIN_DAYS:
        return {"checked": False, "reason": f"needs {MIN_DAYS} days of history, has {n}"}
    wd = weekdays(np.arange(first_day, first_day + n))
    mean = float(daily.mean())
    index = [float(daily[wd == d].mean() / mean) if mean > 0 else 0.0 for d in range(7)]
    trend = np.convolve(daily, np.ones(7) / 7, mode="valid")  # centred on days 3 .. n-4
    detrended = daily[3 : n - 3] - trend
    wd_mid = wd[3 : n - 3]
    means = np.array([detrended[wd_mid == d].mean() for d in range(7)])
    seasonal = (means - means.mean())[wd_mid]
    remainder = detrended - seasonal
    var = float(detrended.var())
    strength = max(0.0, 1.0 - float(remainder.var()) / var) if var > 0 else 0.0
    acf = _acf(detrended, 7)
    z = acf * float(np.sqrt(detrended.size))
    p = float(norm.sf(z))
    order = np.argsort(index)[::-1]
    return {
        "checked": True,
        "detected": bool(p < alpha and acf > 0),
        "strength": round(strength, 4),
        "acf_lag7": round(acf, 4),
        "z": round(z, 3),
        "p": p,
        "profile": {WEEKDAYS[d]: round(index[d], 4) for d in range(7)},
        "peaks": [WEEKDAYS[d] for d in order if index[d] >= PEAK],
        "lows": [WEEKDAYS[d] for d in order[::-1] if index[d] <= 2 - PEAK],
    }


def yearly(daily: np.ndarray, first_day: int, alpha: float = 0.01) -> dict[str, Any]:
    """The yearly cycle of a daily series, on its full Monday-to-Sunday weeks."""
    days = np.arange(first_day, first_day + daily.size)
    weeks = week_numbers(days)
    full = np.flatnonzero(np.bincount(weeks - weeks[0]) == 7) + weeks[0]
    n = full.size
    if n < MIN_WEEKS:
        return {"checked": False, "reason": f"needs {MIN_WEEKS} full weeks of history, has {n}"}
    totals = np.bincount(weeks - weeks[0], weights=daily)[full - weeks[0]]
    t = np.arange(n, dtype=np.float64)
    detrended = totals - np.polyval(np.polyfit(t, totals, 1), t)
    acf = _acf(detrended, 52)
    z = acf * float(np.sqrt(n))
    p = float(norm.sf(z))
    mean = float(totals.mean()) or 1.0
    top = np.argsort(totals)[::-1][:4]
    return {
        "checked": True,
        "detected": bool(p < alpha and acf > 0),
        "acf_lag52": round(acf, 4),
        "z": round(z, 3),
        "p": p,
        "peak_weeks": [
            {"week": week_label(int(full[i])), "index": round(float(totals[i]) / mean, 3)}
            for i in top
        ],
    }


def seasonality(daily: np.ndarray, first_day: int, alpha: float = 0.01) -> dict[str, Any]:
    """``{"weekly": ..., "yearly": ...}`` of a daily series (see the module docstring)."""
    return {"weekly": weekly(daily, first_day, alpha), "yearly": yearly(daily, first_day, alpha)}
