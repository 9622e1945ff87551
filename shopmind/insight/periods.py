"""Calendar buckets for event times, in UTC: days, weeks (Monday to Sunday) and months.

Every analysis of the shop's history counts events per bucket with integer bucket numbers,
so that bucketing a whole event log is one array operation:

- a day number is whole days since 1970-01-01;
- a week number counts weeks that start on a Monday (week 0 began on Monday 1969-12-29), so
  a week ends on a Sunday, as the forecasts' weeks do;
- a month number is months since January 1970.

Example::

    >>> month_label(int(month_numbers(day_numbers(np.array([1_293_840_000.0])))[0]))
    '2011-01'
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

import numpy as np

DAY_S = 86_400
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Period = Literal["week", "month"]
_EPOCH = date(1970, 1, 1)


def day_numbers(ts: np.ndarray) -> np.ndarray:
    """Whole UTC days since 1970-01-01 of epoch seconds (finite values only)."""
    return np.floor(np.asarray(ts, dtype=np.float64) / DAY_S).astype(np.int64)


def weekdays(days: np.ndarray) -> np.ndarray:
    """0 for Monday ... 6 for Sunday (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def week_numbers(days: np.ndarray) -> np.ndarray:
    """Monday-to-Sunday weeks: week ``w`` starts on day ``7 * w - 3``."""
    return (np.asarray(days, dtype=np.int64) + 3) // 7


def month_numbers(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of day numbers."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return months.astype(np.int64)


def period_numbers(days: np.ndarray, period: Period) -> np.ndarray:
    """Week or month numbers of day numbers."""
    return week_numbers(days) if period == "week" else month_numbers(days)


def day_label(day: int) -> str:
    """``2011-01-31`` for a day number."""
    return (_EPOCH + timedelta(days=int(day))).isoformat()


def week_label(week: int) -> str:
    """The date of the week's Monday, ``2011-01-31``."""
    return day_label(7 * int(week) - 3)


def month_label(month: int) -> str:
    """``2011-01`` for a month number."""
    year, index = divmod(int(month), 12)
    return f"{1970 + year:04d}-{index + 1:02d}"


def period_label(number: int, period: Period) -> str:
    """The label of a week or month number."""
    return week_label(number) if period == "week" else month_label(number)


def iso_day(ts: float) -> str:
    """The UTC day of epoch seconds, ``2011-01-31``."""
    return datetime.fromtimestamp(ts, UTC).date().isoformat()
