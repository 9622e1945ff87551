"""Trending and declining products, categories and queries, each against its own baseline.

The recent window (the last ``window`` days up to the newest event's day) is compared with
the ``baseline`` days before it by the exact test of two Poisson rates, with the
quantity-weighted counts' dispersion taken into account and Benjamini-Hochberg over every
candidate of a kind (:mod:`shopmind.insight.significance`); raw counts never decide. A
candidate has at least ``min_events`` effective events in the two periods together. Window
and baseline are whole weeks by default (7 and 28 days), so the weekday cycle cancels out.

- Products count the signal's events (``purchase`` by default; any of view, click, cart,
  purchase), a purchase weighing its ``quantity`` (1 when absent); categories add up their
  products (the catalog's full category path); queries count ``search`` events, the query
  trimmed, lower-cased and its spaces collapsed (:func:`normal_query`).
- Each item has its recent count, the count its baseline rate predicts for the window, the
  ratio, z, p and q values, and its weekly totals over the last ``weeks`` weeks (each week
  ending on the window's last day weekday, oldest first) for a sparkline.
- Seasonality (weekday cycle, yearly cycle on two years) of the signal's daily total is
  reported beside (:mod:`shopmind.insight.seasonality`).

Example::

    report = trends(read_log(store), store.all_products())
    [t.label for t in report.rising["products"]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopmind.catalog import Product
from shopmind.errors import InvalidInput, RowError
from shopmind.insight.eventlog import EventLog
from shopmind.insight.periods import day_label, day_numbers
from shopmind.insight.seasonality import seasonality
from shopmind.insight.significance import benjamini_hochberg, rate_test

SIGNALS: tuple[str, ...] = ("view", "click", "cart", "purchase")
KINDS: tuple[str, ...] = ("products", "categories", "queries")


def normal_query(query: str) -> str:
    """A query as analytics groups it: trimmed, lower-cased, spaces collapsed."""
    return " ".join(query.casefold().split())


@dataclass(frozen=True)
class Trend:
    """One product, category or query whose recent count left its baseline."""

    key: str
    label: str
    recent: float
    expected: float
    ratio: float | None  # None when the baseline had nothing: new
    z: float
    p: float
    q: float
    weekly: list[float]

    @property
    def change_pct(self) -> float | None:
        """The change against the baseline in percent (None when the baseline is 0)."""
        return None if self.ratio is None else 100.0 * (self.ratio - 1.0)

    def as_dict(self) -> dict[str, Any]:
        """``{"id", "label", "recent", "expected", "ratio", "change_pct", "z", "p", "q",
        "weekly"}``."""
        change = self.change_pct
        return {
            "id": self.key,
            "label": self.label,
            "recent": round(self.recent, 3),
            "expected": round(self.expected, 3),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "change_pct": None if change is None else round(change, 1),
            "z": round(self.z, 3),
            "p": float(f"{self.p:.3g}"),
            "q": float(f"{self.q:.3g}"),
            "weekly": [round(w, 3) for w in self.weekly],
        }


@dataclass(frozen=True)
class TrendReport:
    """Rising and declining items per kind (``products``, ``categories``, ``queries``)."""

    as_of: str
    window: int
    baseline: int
    signal: tuple[str, ...]
    alpha: float
    tested: dict[str, int]
    rising: dict[str, list[Trend]]
    declining: dict[str, list[Trend]]
    seasonality: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``GET /insight/trends``, ``analyze trends --json``)."""
        return {
            "as_of": self.as_of,
            "window_days": self.window,
            "baseline_days": self.baseline,
            "signal": list(self.signal),
            "alpha": self.alpha,
            "tested": self.tested,
            "rising": {k: [t.as_dict() for t in v] for k, v in self.rising.items()},
            "declining": {k: [t.as_dict() for t in v] for k, v in self.declining.items()},
            "seasonality": self.seasonality,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class _Window:
    as_of: int
    window: int
    span: int
    weeks: int


def _changes(
    code: np.ndarray,
    day: np.ndarray,
    weight: np.ndarray,
    labels: Sequence[tuple[str, str]],
    w: _Window,
    alpha: float,
    min_events: float,
    top: int,
) -> tuple[list[Trend], list[Trend], int]:
    """Rising and declining entities (``code`` indexes ``labels``: (key, label)) and how
    many were tested."""
    n = len(labels)
    age = w.as_of - day  # 0 = the newest day
    recent_mask = (age >= 0) & (age < w.window)
    base_mask = (age >= w.window) & (age < w.window + w.span)
    both = recent_mask | base_mask
    recent = np.bincount(code[recent_mask], weights=weight[recent_mask], minlength=n)
    base = np.bincount(code[base_mask], weights=weight[base_mask], minlength=n)
    squares = np.bincount(code[both], weights=weight[both] ** 2, minlength=n)
    total = recent + base
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(total > 0, np.maximum(squares / total, 1.0), 1.0)
    candidates = np.flatnonzero(total / phi >= min_events)
    if candidates.size == 0:
        return [], [], 0
    test = rate_test(recent[candidates], base[candidates], w.window, w.span, phi[candidates])
    q = benjamini_hochberg(test.p)
    hit = q <= alpha
    up = np.flatnonzero(hit & (test.z > 0))
    down = np.flatnonzero(hit & (test.z < 0))
    up = up[np.argsort(-test.z[up], kind="stable")][:top]
    down = down[np.argsort(test.z[down], kind="stable")][:top]
    chosen = candidates[np.concatenate([up, down])]
    spark = np.zeros((chosen.size, w.weeks))
    row_of = np.full(n, -1)
    row_of[chosen] = np.arange(chosen.size)
    bucket = age // 7
    keep = (age >= 0) & (bucket < w.weeks) & (row_of[code] >= 0)
    np.add.at(spark, (row_of[code[keep]], w.weeks - 1 - bucket[keep]), weight[keep])

    def make(j: int) -> Trend:
        c = int(candidates[j])
        ratio = float(test.ratio[j])
        return Trend(
            key=labels[c][0],
            label=labels[c][1],
            recent=float(recent[c]),
            expected=float(test.expected[j]),
            ratio=None if np.isnan(ratio) else ratio,
            z=float(test.z[j]),
            p=float(test.p[j]),
            q=float(q[j]),
            weekly=[float(x) for x in spark[row_of[c]]],
        )

    return [make(int(j)) for j in up], [make(int(j)) for j in down], int(candidates.size)


def trends(
    log: EventLog,
    products: Iterable[Product],
    window: int = 7,
    baseline: int = 28,
    signal: Sequence[str] = ("purchase",),
    alpha: float = 0.05,
    min_events: float = 5.0,
    top: int = 20,
    weeks: int = 12,
) -> TrendReport:
    """Rising and declining products, categories and queries of an event log, and the
    seasonality of the signal (see the module docstring)."""
    signal = tuple(dict.fromkeys(signal))
    unknown = [s for s in signal if s not in SIGNALS]
    if unknown or window < 1 or baseline < 1:
        field, fix = (
            ("signal", f"use one of: {', '.join(SIGNALS)}")
            if unknown
            else (
                "window" if window < 1 else "baseline",
                "give a whole number of days of at least 1",
            )
        )
        problem = (
            f"{unknown[0]!r} is not an event type a trend can count"
            if unknown
            else ("must be at least 1 day")
        )
        raise InvalidInput([RowError(1, field, problem, fix)], source="trends request")
    timed = log.timed
    notes: list[str] = []
    empty: dict[str, list[Trend]] = {k: [] for k in KINDS}
    if not timed.any():
        notes.append("no event has a time: nothing to compare")
        return TrendReport("", window, 0, signal, alpha, {}, empty, dict(empty), {}, notes)
    day = np.zeros(len(log), dtype=np.int64)
    day[timed] = day_numbers(log.ts[timed])
    first, as_of = int(day[timed].min()), int(day[timed].max())
    span = min(baseline, as_of - window - first + 1)
    w = _Window(as_of, window, span, min(weeks, (as_of - first) // 7 + 1))
    seasonal: dict[str, Any] = {}
    rows = np.flatnonzero(timed & log.of(*signal) & (log.item >= 0))
    if rows.size:
        daily = np.bincount(day[rows] - first, weights=log.units[rows])
        seasonal = seasonality(daily, first)
    if span < 7:
        notes.append(
            f"the history covers {as_of - first + 1} days: trends need the {window}-day window "
            "plus at least 7 days of baseline before it"
        )
        return TrendReport(
            day_label(as_of), window, max(span, 0), signal, alpha, {}, empty, dict(empty),
            seasonal, notes,
        )  # fmt: skip
    if span < baseline:
        notes.append(f"the baseline is the {span} days the history has, not {baseline}")

    rising: dict[str, list[Trend]] = {}
    declining: dict[str, list[Trend]] = {}
    tested: dict[str, int] = {}
    args = (w, alpha, min_events, top)
    catalog = {p.id: p for p in products}
    titles = [(pid, catalog[pid].title if pid in catalog else pid) for pid in log.items]
    item, units, days = log.item[rows], log.units[rows], day[rows]
    rising["products"], declining["products"], tested["products"] = _changes(
        item, days, units, titles, *args
    )
    paths = [catalog[pid].category if pid in catalog else None for pid in log.items]
    names = sorted({p for p in paths if p})
    path_code = np.asarray([names.index(p) if p else -1 for p in paths] or [0], dtype=np.int64)
    cat = path_code[item] if paths else np.zeros(0, dtype=np.int64)
    known = cat >= 0
    rising["categories"], declining["categories"], tested["categories"] = _changes(
        cat[known], days[known], units[known], [(c, c) for c in names], *args
    )
    searches = np.flatnonzero(timed & log.of("search"))
    queries = [normal_query(log.query[i] or "") for i in searches.tolist()]
    distinct = sorted(set(queries))
    index = {q: i for i, q in enumerate(distinct)}
    qcode = np.asarray([index[q] for q in queries], dtype=np.int64)
    rising["queries"], declining["queries"], tested["queries"] = _changes(
        qcode, day[searches], np.ones(searches.size), [(q, q) for q in distinct], *args
    )
    return TrendReport(
        day_label(as_of), window, span, signal, alpha, tested, rising, declining, seasonal, notes
    )
