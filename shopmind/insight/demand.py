"""What a global demand model sees of each series at a forecast origin.

Every feature is computed from the periods before the origin only, and divided by the
series' own level (its mean over the last 8 periods, or over its life when those are empty),
so one model learns from best sellers and slow movers alike: recent lags and rolling means,
spread and share of empty periods, age and time since the last sale, how many orders carried
it lately against before and what those orders would bring at its typical order size, its
price lately against its usual price (a promotion or a price rise), and the whole shop's
momentum; then the horizon and the target period's calendar (the weekday for days; week of
the year and month where two years of history show seasons). The target is demand divided by
the same level.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopmind.insight.series import Panel

LAGS = 8
WINDOWS = (4, 8, 13, 26)
LEVEL_WINDOW = 8
FEATURE_NAMES: tuple[str, ...] = (
    *(f"lag{k}" for k in range(1, LAGS + 1)),
    *(f"mean{w}" for w in WINDOWS),
    "std8",
    "empty8",
    "median8",
    "log_level",
    "age",
    "since_sale",
    "orders4_vs13",
    "orders4_typical_size",
    "price4_vs_life",
    "shop_last_vs8",
    "shop4_vs13",
    "horizon",
)


@dataclass
class Snapshot:
    """The features of every series at one origin."""

    x: npt.NDArray[np.float64]  # (series, features) without the horizon column
    level: npt.NDArray[np.float64]  # the scale of each series
    alive: npt.NDArray[np.bool_]  # series that had sold before the origin

    def with_horizon(
        self, h: int, rows: npt.NDArray[np.bool_] | None = None, calendar: Sequence[float] = ()
    ) -> npt.NDArray[Any]:
        """The feature rows for horizon ``h`` (1-based), then the target period's calendar."""
        x = self.x if rows is None else self.x[rows]
        return np.column_stack(
            [x, np.full(len(x), float(h)), *(np.full(len(x), c) for c in calendar)]
        )


def calendar(panel: Panel, period: int) -> tuple[float, ...]:
    """The calendar of a (target) period, known ahead so no leak: for days the weekday, and
    where the history covers two years (so a season has been seen to repeat) the week of the
    year and the month. With less history a week number only names one past week, and the
    model would learn it as a date, not a season."""
    day = panel.period_start(period)
    out: tuple[float, ...] = (float(day.weekday()),) if panel.freq == "D" else ()
    if panel.periods * panel.days_per_period >= 2 * 365:
        out = (*out, float(day.isocalendar().week), float(day.month))
    return out


def snapshot(panel: Panel, origin: int) -> Snapshot:
    """Features at ``origin``: the periods ``[0, origin)`` are known, nothing after."""
    units = panel.units[:, :origin]
    n = units.shape[0]
    first = panel.first_sale()
    age = (origin - first).astype(np.float64)
    alive = age > 0
    recent = units[:, max(0, origin - LEVEL_WINDOW) :]
    life_mean = units.sum(axis=1) / np.maximum(age, 1.0)
    level = recent.mean(axis=1)
    level = np.where(level > 0, level, life_mean) + 1e-3
    cols: list[npt.NDArray[np.float64]] = []
    for k in range(1, LAGS + 1):
        cols.append(units[:, origin - k] / level if origin - k >= 0 else np.full(n, np.nan))
    for w in WINDOWS:
        cols.append(units[:, max(0, origin - w) :].mean(axis=1) / level)
    cols.append(recent.std(axis=1) / level)
    cols.append((recent == 0).mean(axis=1))
    cols.append(np.median(recent, axis=1) / level)
    cols.append(np.log1p(level))
    cols.append(age)
    sold_at = np.where(units > 0, np.arange(origin)[None, :], -1).max(axis=1)
    cols.append((origin - 1 - sold_at).astype(np.float64))
    orders = panel.lines[:, :origin]
    cols.append(
        _ratio(orders[:, max(0, origin - 4) :].mean(1), orders[:, max(0, origin - 13) :].mean(1))
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        size = np.where(orders > 0, units / np.where(orders > 0, orders, 1), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a series with no order yet
        typical = np.nan_to_num(np.nanmedian(size, axis=1))
    cols.append(orders[:, max(0, origin - 4) :].mean(1) * typical / level)
    price = panel.price()[:, :origin]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a series with no price yet
        cols.append(_ratio(np.nanmean(price[:, max(0, origin - 4) :], 1), np.nanmean(price, 1)))
    shop = panel.units[:, :origin].sum(axis=0)
    cols.append(np.full(n, _ratio1(shop[-1], shop[max(0, origin - 8) :].mean())))
    cols.append(
        np.full(n, _ratio1(shop[max(0, origin - 4) :].mean(), shop[max(0, origin - 13) :].mean()))
    )
    return Snapshot(np.column_stack(cols), level, alive)


def _ratio(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def _ratio1(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")
