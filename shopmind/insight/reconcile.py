"""Make product forecasts add up: reconcile them with their category and shop totals.

Forecasting each product and each category on its own gives numbers that do not add up.
Reconciliation finds the coherent forecasts (every aggregate the sum of its products) closest
to all base forecasts, weighing each by how uncertain it is (weighted least squares with the
variance taken from the width of its own 80% interval, the diagonal "MinT-wls" of Wickramasuriya,
Athanasopoulos & Hyndman 2019): a confident category total moves its uncertain products more
than they move it. Intervals keep their width around the moved point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from shopmind.insight.forecasters import Z80, Forecast


def summing_matrix(groups: Sequence[npt.NDArray[np.int64]], bottom: int) -> npt.NDArray[np.float64]:
    """The rows of each aggregate (a group of bottom series) above an identity for the bottom."""
    s = np.zeros((len(groups) + bottom, bottom))
    for k, members in enumerate(groups):
        s[k, members] = 1.0
    s[len(groups) :] = np.eye(bottom)
    return s


def reconcile(
    bottom: Forecast, aggregates: Forecast, groups: Sequence[npt.NDArray[np.int64]]
) -> Forecast:
    """Coherent bottom-level forecasts from base forecasts of the bottom and the aggregates.

    Args:
        bottom: forecasts of the bottom series (products), ``(n, horizon)``.
        aggregates: forecasts of the aggregates, ``(len(groups), horizon)``.
        groups: for each aggregate, the bottom rows it sums.
    """
    n = bottom.mean.shape[0]
    if not groups:
        return bottom
    s = summing_matrix(groups, n)
    base = np.vstack([aggregates.mean, bottom.mean])
    width = np.vstack([aggregates.upper - aggregates.lower, bottom.upper - bottom.lower])
    variance = (width / (2 * Z80)) ** 2
    out = np.empty_like(bottom.mean)
    for h in range(base.shape[1]):
        v = np.maximum(variance[:, h], 1e-6 * max(float(variance[:, h].max()), 1e-9))
        winv = 1.0 / v
        gram = s.T @ (s * winv[:, None])
        out[:, h] = np.linalg.solve(gram, s.T @ (winv * base[:, h]))
    shift = out - bottom.mean
    return Forecast(out, bottom.lower + shift, bottom.upper + shift).clipped()
