"""Retention by first-purchase cohort: of the customers who first bought in a period, the share
who bought again 1, 2, ... periods later (a heat map's rows).

- A customer is a signed-in visitor (a ``user_id``) with at least one ``purchase`` that has
  a time. Anonymous buyers (a ``session_id`` only) cannot be followed from one visit to the
  next, so they are left out and counted.
- Periods are calendar months or Monday-to-Sunday weeks, in UTC
  (:mod:`shopmind.insight.periods`).
- ``retention[k - 1]`` is the share of the cohort with a purchase in period ``cohort + k``;
  it is None where that period lies after the newest purchase's period (not seen yet). The
  newest period is usually still running, so its shares are low: ``last_period_partial``
  says whether the data ends before the period does.

Example::

    report = cohorts(read_log(store), period="month")
    report.cohorts[0].retention[0]  # share of the first cohort buying again the next month
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shopmind.insight.eventlog import EventLog
from shopmind.insight.periods import Period, day_numbers, period_label, period_numbers


@dataclass(frozen=True)
class Cohort:
    """One cohort: its first-purchase period, size and retention per later period."""

    label: str
    size: int
    retention: list[float | None]

    def as_dict(self) -> dict[str, Any]:
        """``{"cohort", "size", "retention"}``."""
        shares = [None if r is None else round(r, 4) for r in self.retention]
        return {"cohort": self.label, "size": self.size, "retention": shares}


@dataclass(frozen=True)
class CohortReport:
    """Every cohort, oldest first, and the size-weighted mean retention per offset."""

    period: Period
    customers: int
    anonymous_buyers: int
    cohorts: list[Cohort]
    average: list[float | None]
    last_period_partial: bool

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``GET /insight/cohorts``, ``analyze cohorts --json``)."""
        return {
            "period": self.period,
            "customers": self.customers,
            "anonymous_buyers_left_out": self.anonymous_buyers,
            "offsets": list(range(1, len(self.average) + 1)),
            "cohorts": [c.as_dict() for c in self.cohorts],
            "average": [None if a is None else round(a, 4) for a in self.average],
            "last_period_partial": self.last_period_partial,
        }


def cohorts(log: EventLog, period: Period = "month") -> CohortReport:
    """Retention of first-purchase cohorts by ``period`` (see the module docstring)."""
    anonymous = np.fromiter((v.startswith("~") for v in log.visitors), bool, len(log.visitors))
    bought = log.of("purchase") & log.timed
    anonymous_buyers = np.unique(log.visitor[bought & anonymous[log.visitor]]).size
    rows = np.flatnonzero(bought & ~anonymous[log.visitor])
    if rows.size == 0:
        return CohortReport(period, 0, anonymous_buyers, [], [], False)
    days = day_numbers(log.ts[rows])
    when = period_numbers(days, period)
    customers, who = np.unique(log.visitor[rows], return_inverse=True)
    first = np.full(customers.size, np.iinfo(np.int64).max)
    np.minimum.at(first, who, when)
    start, last = int(first.min()), int(when.max())
    span = last - start + 1
    # each customer's distinct (cohort, offset) cells
    cell = (first[who] - start) * span + (when - first[who])
    cells = np.unique(who * span * span + cell) % (span * span)
    cohort_of, offset = np.divmod(cells, span)
    counts = np.zeros((span, span), dtype=np.int64)
    np.add.at(counts, (cohort_of, offset), 1)
    sizes = counts[:, 0]
    out: list[Cohort] = []
    for c in range(span):
        if sizes[c] == 0:
            continue
        seen = span - 1 - c  # offsets 1..seen are observed
        retention: list[float | None] = [
            counts[c, k] / sizes[c] if k <= seen else None for k in range(1, span)
        ]
        out.append(Cohort(period_label(start + c, period), int(sizes[c]), retention))
    average: list[float | None] = []
    for k in range(1, span):
        observed = [c for c in range(span) if sizes[c] and k <= span - 1 - c]
        weight = sum(int(sizes[c]) for c in observed)
        average.append(sum(int(counts[c, k]) for c in observed) / weight if weight else None)
    last_day = int(days.max())
    partial = int(period_numbers(np.asarray([last_day + 1]), period)[0]) == last
    return CohortReport(period, int(customers.size), anonymous_buyers, out, average, partial)
