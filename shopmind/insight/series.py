"""Demand series: sales lines bucketed into weeks (ending on Sunday) or days, per product.

A :class:`Panel` holds one row per product and one column per period: units sold, invoice
lines (how many orders carried it) and revenue. A last period that the data does not cover to
its end (a week whose Sunday is after the last sale's day) is dropped: a partial week would
read as a fall in demand. Products are ordered by units sold, most first, so the first ``top``
rows are the series a report is about; the rest still teach a global model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from shopmind.errors import TrainingError
from shopmind.insight.transactions import Sales

Freq = Literal["W", "D"]
FREQS: tuple[str, ...] = ("W", "D")
_EPOCH = date(1970, 1, 1)
_MONDAY = 4  # 1970-01-05 was a Monday: day 4 since the epoch


@dataclass
class Panel:
    """Demand per product per period."""

    ids: list[str]
    start: date  # the first day of the first period
    freq: Freq
    units: npt.NDArray[np.float64]  # (products, periods)
    lines: npt.NDArray[np.float64]  # invoice lines carrying the product
    revenue: npt.NDArray[np.float64]

    @property
    def periods(self) -> int:
        """How many periods the panel covers."""
        return int(self.units.shape[1])

    @property
    def days_per_period(self) -> int:
        """7 for weeks, 1 for days."""
        return 7 if self.freq == "W" else 1

    def period_start(self, index: int) -> date:
        """The first day of period ``index`` (may be past the panel's end, for forecasts)."""
        return self.start + timedelta(days=index * self.days_per_period)

    def period_end(self, index: int) -> date:
        """The last day of period ``index`` (a Sunday for weeks)."""
        return self.period_start(index) + timedelta(days=self.days_per_period - 1)

    def first_sale(self) -> npt.NDArray[np.int64]:
        """Each series' first period with a sale (the panel's length where none)."""
        sold = self.units > 0
        return np.where(sold.any(axis=1), sold.argmax(axis=1), self.periods).astype(np.int64)

    def price(self) -> npt.NDArray[np.float64]:
        """Mean unit price per product and period (NaN where nothing sold)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.units > 0, self.revenue / self.units, np.nan)

    def aggregate(self, groups: list[npt.NDArray[np.int64]], names: list[str]) -> Panel:
        """A panel of sums: one row per group of this panel's rows."""
        return Panel(
            names,
            self.start,
            self.freq,
            np.array([self.units[g].sum(axis=0) for g in groups]).reshape(len(groups), -1),
            np.array([self.lines[g].sum(axis=0) for g in groups]).reshape(len(groups), -1),
            np.array([self.revenue[g].sum(axis=0) for g in groups]).reshape(len(groups), -1),
        )

    def stack(self, other: Panel) -> Panel:
        """This panel's rows, then ``other``'s (same periods)."""
        return Panel(
            self.ids + other.ids,
            self.start,
            self.freq,
            np.vstack([self.units, other.units]),
            np.vstack([self.lines, other.lines]),
            np.vstack([self.revenue, other.revenue]),
        )

    def head(self, top: int) -> Panel:
        """The first ``top`` series (the best sellers)."""
        return Panel(
            self.ids[:top],
            self.start,
            self.freq,
            self.units[:top],
            self.lines[:top],
            self.revenue[:top],
        )


def build_panel(sales: Sales, freq: Freq = "W") -> Panel:
    """Bucket sales lines into a panel, best sellers first.

    Raises:
        TrainingError: the sales cover less than one full period.
    """
    if freq not in FREQS:
        raise TrainingError(f"freq {freq!r}: use W (weeks ending on Sunday) or D (days)")
    days = sales.day
    if freq == "W":
        first = int(days.min()) - (int(days.min()) - _MONDAY) % 7
        period = (days - first) // 7
        last_day = int(days.max())
        complete = (last_day - first) % 7 == 6  # the last week reaches its Sunday
        count = int(period.max()) + (1 if complete else 0)
    else:
        first = int(days.min())
        period = days - first
        count = int(period.max()) + 1
    if count < 1:
        raise TrainingError(
            f"the sales cover less than one full {'week' if freq == 'W' else 'day'} "
            f"({sales.first_day} to {sales.last_day}); forecasts need a longer history"
        )
    codes, inverse = np.unique(sales.item.astype(str), return_inverse=True)
    units_total = np.bincount(inverse, weights=sales.quantity, minlength=len(codes))
    order = np.lexsort((codes, -units_total))
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = np.arange(len(codes))
    keep = period < count
    rows, cols = rank[inverse[keep]], period[keep]
    shape = (len(codes), count)
    units = np.zeros(shape)
    lines = np.zeros(shape)
    revenue = np.zeros(shape)
    np.add.at(units, (rows, cols), sales.quantity[keep])
    np.add.at(lines, (rows, cols), 1.0)
    np.add.at(revenue, (rows, cols), sales.quantity[keep] * np.nan_to_num(sales.price[keep]))
    start = _EPOCH + timedelta(days=first)
    return Panel([str(c) for c in codes[order]], start, freq, units, lines, revenue)
