"""The view → click → cart → purchase funnel, overall and by category, source and device.

**The unit** is a *session × product pair*: one visitor's session (see
:mod:`shopmind.insight.eventlog`) and one product they viewed, clicked, carted or bought in it.
A pair reaches a step when it has that step's event (an ``ad_click`` is a click) *or a
later one*: a cart without a logged click still counts as clicked, so the counts never grow
along the funnel and each step-to-step rate is a share. Shops that log only purchases (a
transaction file) show rates of 1: there is nothing before the purchase to measure. The
``sessions`` funnel counts the sessions whose furthest pair reached each step.

**Category** is the top level of the product's category path (``(not in catalog)`` for a
product the catalog lacks). **Device** is the context ``device`` of the pair's first funnel
event, else ``unknown``.

**Source** is where the pair came from, read from the pair's events up to its first funnel
event (the impressions and ad events of the same product in the same session included):

1. a context label the shop sent: ``source``, ``from`` or ``list`` (``search``;
   ``recommendation``, ``recommend``, ``similar``, ``bought-together``, ``trending``...;
   ``ad``, ``sponsored``; ``direct``; any other word counts as ``other``);
2. else ``ad`` for an ``ad_impression``/``ad_click`` (or a context ``ad`` token);
3. else ``search`` for an event carrying the ``query`` it came from, or an ``impression``
   logged right after a search (no other event type between them in the session: the
   search's result list);
4. else ``recommendation`` for any other ``impression`` (a list the shop showed);
5. else ``direct``.

With several labels the strongest wins in the order ad, search, recommendation, other, direct.

Example::

    report = funnels(read_log(store), store.all_products())
    report.overall.conversion  # purchases per viewed session × product pair
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from shopmind.catalog import Product
from shopmind.insight.eventlog import EventLog

STEPS: tuple[str, ...] = ("view", "click", "cart", "purchase")
SOURCES: tuple[str, ...] = ("ad", "search", "recommendation", "other", "direct")
UNIT = "session × product"
NOT_IN_CATALOG = "(not in catalog)"
UNCATEGORISED = "(uncategorised)"
_LABELS = {
    "search": "search", "query": "search", "search_results": "search", "serp": "search",
    "recommendation": "recommendation", "recommendations": "recommendation",
    "recommend": "recommendation", "recommended": "recommendation", "rec": "recommendation",
    "recs": "recommendation", "similar": "recommendation", "bought-together": "recommendation",
    "bought_together": "recommendation", "trending": "recommendation",
    "for-you": "recommendation", "for_you": "recommendation",
    "ad": "ad", "ads": "ad", "sponsored": "ad", "direct": "direct", "none": "direct",
}  # fmt: skip
# a label the shop sent outranks anything inferred; among equals: ad > search > rec > other
_RANK = {"ad": 4, "search": 3, "recommendation": 2, "other": 1, "direct": 0}
_EXPLICIT = 10


def source_of_label(label: str) -> str:
    """The source a context label names (``other`` for a word not known)."""
    return _LABELS.get(label.strip().lower(), "other")


@dataclass(frozen=True)
class Funnel:
    """How many units reached each step (``STEPS`` order)."""

    units: tuple[int, ...]

    @property
    def rates(self) -> list[float | None]:
        """Step-to-step rates: click/view, cart/click, purchase/cart (None after 0)."""
        return [b / a if a else None for a, b in zip(self.units, self.units[1:], strict=False)]

    @property
    def conversion(self) -> float | None:
        """Purchases per viewed unit."""
        return self.units[-1] / self.units[0] if self.units[0] else None

    def as_dict(self) -> dict[str, Any]:
        """``{"units": [4 counts], "rates": [3 shares], "conversion"}``."""
        return {
            "units": list(self.units),
            "rates": [None if r is None else round(r, 4) for r in self.rates],
            "conversion": None if self.conversion is None else round(self.conversion, 4),
        }


@dataclass(frozen=True)
class FunnelReport:
    """The funnel overall, of sessions, and by category, source and device."""

    overall: Funnel
    sessions: Funnel
    by_category: dict[str, Funnel]
    by_source: dict[str, Funnel]
    by_device: dict[str, Funnel]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``GET /insight/funnels``, ``analyze funnels --json``)."""

        def table(groups: dict[str, Funnel]) -> dict[str, Any]:
            return {name: f.as_dict() for name, f in groups.items()}

        return {
            "unit": UNIT,
            "steps": list(STEPS),
            "overall": self.overall.as_dict(),
            "sessions": self.sessions.as_dict(),
            "by_category": table(self.by_category),
            "by_source": table(self.by_source),
            "by_device": table(self.by_device),
        }


def _reached(level: np.ndarray, group: np.ndarray, names: list[str]) -> dict[str, Funnel]:
    """Per group: how many units reached each step (a unit at level k reached 0..k)."""
    n = len(STEPS)
    counts = np.bincount(group * n + level, minlength=len(names) * n).reshape(len(names), n)
    cumulative = counts[:, ::-1].cumsum(axis=1)[:, ::-1]
    out = {
        names[g]: Funnel(tuple(int(c) for c in cumulative[g]))
        for g in range(len(names))
        if cumulative[g, 0]
    }
    return dict(sorted(out.items(), key=lambda kv: (-kv[1].units[0], kv[0])))


def _search_results(log: EventLog) -> np.ndarray:
    """A mask of impressions logged right after a search in the same session."""
    impression = log.kind == log.code("impression")
    order = np.argsort(log.session, kind="stable")  # time order within each session
    kind, session = log.kind[order], log.session[order]
    pos = np.arange(order.size)
    last = np.maximum.accumulate(np.where(kind != log.code("impression"), pos, -1))
    ok = last >= 0
    lead = np.where(ok, last, 0)
    follows = ok & (session[lead] == session) & (kind[lead] == log.code("search"))
    out = np.zeros(order.size, dtype=bool)
    out[order] = follows
    return np.asarray(out & impression)


def _hints(log: EventLog) -> np.ndarray:
    """Each event's source priority (-1: says nothing); see the module docstring."""
    hint = np.full(len(log), -1, dtype=np.int64)
    hint[log.kind == log.code("impression")] = _RANK["recommendation"]
    has_query = np.fromiter((q is not None for q in log.query), bool, len(log))
    hint[has_query & ~log.of("search") | _search_results(log)] = _RANK["search"]
    hint[log.of("ad_impression", "ad_click") | log.ad] = _RANK["ad"]
    for i, label in enumerate(log.label):
        if label is not None:
            hint[i] = _EXPLICIT + _RANK[source_of_label(label)]
    return hint


def funnels(log: EventLog, products: Iterable[Product]) -> FunnelReport:
    """The funnel report of an event log over a catalog (see the module docstring)."""
    n_items = max(len(log.items), 1)
    step = np.full(len(log), -1, dtype=np.int64)
    for at_step, name in enumerate(STEPS):
        step[log.kind == log.code(name)] = at_step
    step[log.kind == log.code("ad_click")] = STEPS.index("click")
    funnel = (step >= 0) & (log.item >= 0)
    key = log.session * n_items + log.item
    pairs, first, inverse = np.unique(key[funnel], return_index=True, return_inverse=True)
    n_pairs = pairs.size
    level = np.zeros(n_pairs, dtype=np.int64)
    np.maximum.at(level, inverse, step[funnel])
    rows = np.flatnonzero(funnel)
    start = np.full(n_pairs, np.inf)
    np.fmin.at(start, inverse, log.ts[rows])

    # source: the strongest hint among the pair's events up to its first funnel event
    item_rows = np.flatnonzero(log.item >= 0)
    at = np.searchsorted(pairs, key[item_rows])
    at_ok = at < n_pairs
    mine = np.zeros(item_rows.size, dtype=bool)
    mine[at_ok] = pairs[at[at_ok]] == key[item_rows][at_ok]
    item_rows, at = item_rows[mine], at[mine]
    t = log.ts[item_rows]
    before = np.isnan(t) | ~np.isfinite(start[at]) | (t <= start[at])
    best = np.full(n_pairs, _RANK["direct"], dtype=np.int64)
    np.maximum.at(best, at[before], _hints(log)[item_rows[before]])
    source_names = list(SOURCES)
    of_rank = np.zeros(_EXPLICIT, dtype=np.int64)
    for name, r in _RANK.items():
        of_rank[r] = source_names.index(name)
    source = of_rank[best % _EXPLICIT]

    first_rows = rows[first]
    device = log.device[first_rows]
    tops = _top_categories(log, products)
    categories = sorted(set(tops))
    cat_code = np.asarray([categories.index(c) for c in tops], dtype=np.int64)
    category = cat_code[log.item[first_rows]] if tops else np.zeros(n_pairs, dtype=np.int64)

    sessions, session_of = np.unique(log.session[first_rows], return_inverse=True)
    session_level = np.zeros(sessions.size, dtype=np.int64)
    np.maximum.at(session_level, session_of, level)
    return FunnelReport(
        overall=_whole(level),
        sessions=_whole(session_level),
        by_category=_reached(level, category, categories or ["all"]),
        by_source=_reached(level, source, source_names),
        by_device=_reached(level, device, log.devices),
    )


def _whole(level: np.ndarray) -> Funnel:
    counts = np.bincount(level, minlength=len(STEPS))[::-1].cumsum()[::-1]
    return Funnel(tuple(int(c) for c in counts))


def _top_categories(log: EventLog, products: Iterable[Product]) -> list[str]:
    """The top-level category of each product code of the log."""
    top = {p.id: (p.category.split(" > ")[0] if p.category else UNCATEGORISED) for p in products}
    return [top.get(pid, NOT_IN_CATALOG) for pid in log.items]
