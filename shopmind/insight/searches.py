"""Search analytics: what shoppers search, what finds nothing, what finds much but wins no
click, and what is rising — each with what to fix.

A search's *follow-up* is its session's events after it, up to the next search or
``FOLLOW_S`` later: a ``click`` (or ``ad_click``) there makes the search *clicked*, a
``cart`` or ``purchase`` *carted*. Queries are grouped as typed, trimmed, lower-cased and
with spaces collapsed.

**Result counts** come from the search event's context when the shop logs them
(``results``, ``result_count``, ``hits`` or ``total``; the median of a query's logged
counts), else from running the query again now against the search engine when one is given
(``results_from`` says which, per query: ``logged``, ``search engine`` or None).

**Fixes**:

- a zero-result query that searchers reformulated, in the same session within
  ``FOLLOW_S``, into a query with results → ``add a synonym "QUERY" -> "REFORMULATION"``;
- else one whose unknown words are near a catalog word (a close spelling among the titles,
  brands and categories) → ``add a synonym "WORD" -> "CATALOG WORD"``;
- else → ``missing product: consider stocking "QUERY"``;
- a query with at least ``many`` results, searched ``min_searches`` times or more and never
  clicked → ``relevance: check the top results / pin a product``.

Example::

    report = search_report(read_log(store), store.all_products(), engine_runner(engine))
    [(i.stats.query, i.fix.text) for i in report.zero_results]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopmind.catalog import Product
from shopmind.errors import ShopmindError
from shopmind.insight.eventlog import EventLog
from shopmind.insight.searchfixes import Fix, near_word, relevance_fix, synonym_fix, vocabulary
from shopmind.insight.trends import Trend, normal_query, trends
from shopmind.search import SearchEngine

FOLLOW_S = 1_800.0
RERUN_LIMIT = 5_000  # distinct queries run again at most (the most searched first)

QueryRunner = Callable[[str], tuple[int, list[str]] | None]
"""Runs a query now: (how many products it matches, the first few product ids), or None."""


@dataclass(frozen=True)
class QueryStats:
    """One query's numbers."""

    query: str
    searches: int
    visitors: int
    clicked: int
    carted: int
    results: int | None
    results_from: str | None

    def as_dict(self) -> dict[str, Any]:
        """``{"query", "searches", "visitors", "click_rate", "cart_rate", "results",
        "results_from"}``."""
        return {
            "query": self.query,
            "searches": self.searches,
            "visitors": self.visitors,
            "click_rate": round(self.clicked / self.searches, 4),
            "cart_rate": round(self.carted / self.searches, 4),
            "results": self.results,
            "results_from": self.results_from,
        }


@dataclass(frozen=True)
class QueryIssue:
    """A query worth fixing and the fix."""

    stats: QueryStats
    fix: Fix

    def as_dict(self) -> dict[str, Any]:
        """The query's numbers plus ``fix``."""
        return {**self.stats.as_dict(), "fix": self.fix.as_dict()}


@dataclass(frozen=True)
class SearchReport:
    """Top, zero-result, clickless-with-many-results and rising queries."""

    searches: int
    queries: int
    top: list[QueryStats]
    zero_results: list[QueryIssue]
    no_clicks: list[QueryIssue]
    rising: list[Trend]
    results_from: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``GET /insight/searches``, ``analyze searches --json``)."""
        return {
            "searches": self.searches,
            "queries": self.queries,
            "results_from": self.results_from,
            "top": [s.as_dict() for s in self.top],
            "zero_results": [i.as_dict() for i in self.zero_results],
            "no_clicks": [i.as_dict() for i in self.no_clicks],
            "rising": [t.as_dict() for t in self.rising],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class _Follow:
    clicked: np.ndarray  # per search row
    carted: np.ndarray
    next_search: np.ndarray  # the row of the session's next search within FOLLOW_S, or -1


def _follow(log: EventLog, rows: np.ndarray) -> _Follow:
    """What followed each search (``rows``: the search events) in its session."""
    if len(rows) == 0:  # no search (an empty log too): nothing followed
        none = np.zeros(0, dtype=bool)
        return _Follow(none, none, np.zeros(0, dtype=np.int64))
    order = np.argsort(log.session, kind="stable")  # time order within each session
    session, ts = log.session[order], log.ts[order]
    is_search = log.kind[order] == log.code("search")
    pos = np.arange(order.size)
    last = np.maximum.accumulate(np.where(is_search, pos, -1))
    lead = np.where(last >= 0, last, 0)
    with np.errstate(invalid="ignore"):
        close = ~(ts - ts[lead] > FOLLOW_S)  # NaN times count as close
    after = (last >= 0) & (last != pos) & (session[lead] == session) & close
    clicked = np.zeros(order.size, dtype=bool)
    carted = np.zeros(order.size, dtype=bool)
    click = np.isin(log.kind[order], [log.code("click"), log.code("ad_click")])
    cart = np.isin(log.kind[order], [log.code("cart"), log.code("purchase")])
    clicked[lead[after & click]] = True
    carted[lead[after & cart]] = True
    nxt = np.minimum.accumulate(np.where(is_search, pos, order.size)[::-1])[::-1]
    following = np.append(nxt[1:], order.size)
    ok = following < order.size
    target = np.where(ok, following, 0)
    with np.errstate(invalid="ignore"):
        ok &= (session[target] == session) & ~(ts[target] - ts > FOLLOW_S)
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = pos
    at = rank[rows]
    next_row = np.where(ok[at], order[target[at]], -1)
    return _Follow(clicked[at], carted[at], next_row)


def search_report(
    log: EventLog,
    products: Iterable[Product],
    runner: QueryRunner | None = None,
    top: int = 20,
    many: int = 10,
    min_searches: int = 3,
    window: int = 7,
    baseline: int = 28,
) -> SearchReport:
    """The search report of an event log (see the module docstring)."""
    rows = np.flatnonzero(log.of("search"))
    queries = [normal_query(log.query[i] or "") for i in rows.tolist()]
    distinct = sorted(set(queries))
    code = {q: i for i, q in enumerate(distinct)}
    qcode = np.asarray([code[q] for q in queries], dtype=np.int64)
    n = len(distinct)
    follow = _follow(log, rows)
    searches = np.bincount(qcode, minlength=n)
    clicked = np.bincount(qcode, weights=follow.clicked, minlength=n).astype(np.int64)
    carted = np.bincount(qcode, weights=follow.carted, minlength=n).astype(np.int64)
    width = max(len(log.visitors), 1)
    visitors = np.bincount(np.unique(qcode * width + log.visitor[rows]) // width, minlength=n)
    counts, sources, tops = _result_counts(log, rows, qcode, distinct, searches, runner)
    stats = [
        QueryStats(
            q,
            int(searches[i]),
            int(visitors[i]),
            int(clicked[i]),
            int(carted[i]),
            counts[i],
            sources[i],
        )
        for i, q in enumerate(distinct)
    ]
    by_volume = sorted(range(n), key=lambda i: (-searches[i], distinct[i]))
    notes: list[str] = []
    if runner is None and all(s is None for s in sources):
        notes.append(
            "result counts are unknown: log them in the search event's context "
            '({"results": "12"}) or build the search index, so zero-result and '
            "clickless queries can be found"
        )
    zero = [i for i in by_volume if counts[i] == 0][:top]
    fixes = _zero_fixes(zero, distinct, rows, qcode, follow, counts, products) if zero else {}
    no_clicks = [
        QueryIssue(stats[i], relevance_fix(distinct[i], tops.get(i, [])))
        for i in by_volume
        if (counts[i] or 0) >= many and searches[i] >= min_searches and clicked[i] == 0
    ][:top]
    rising = trends(log, (), window=window, baseline=baseline).rising["queries"][:top]
    tally = Counter(s or "unknown" for s in sources)
    return SearchReport(
        searches=int(rows.size),
        queries=n,
        top=[stats[i] for i in by_volume[:top]],
        zero_results=[QueryIssue(stats[i], fixes[i]) for i in zero],
        no_clicks=no_clicks,
        rising=rising,
        results_from=dict(sorted(tally.items())),
        notes=notes,
    )


def _result_counts(
    log: EventLog,
    rows: np.ndarray,
    qcode: np.ndarray,
    distinct: list[str],
    searches: np.ndarray,
    runner: QueryRunner | None,
) -> tuple[list[int | None], list[str | None], dict[int, list[str]]]:
    """Per query: its result count, where the count came from, and (run again) its top ids."""
    logged = log.results[rows]
    has = ~np.isnan(logged)
    counts: list[int | None] = [None] * len(distinct)
    sources: list[str | None] = [None] * len(distinct)
    for i in np.unique(qcode[has]).tolist():
        counts[i] = int(np.median(logged[has & (qcode == i)]))
        sources[i] = "logged"
    tops: dict[int, list[str]] = {}
    if runner is not None:
        wanted = [i for i in np.argsort(-searches, kind="stable").tolist() if counts[i] is None]
        for i in wanted[:RERUN_LIMIT]:
            got = runner(distinct[i])
            if got is not None:
                counts[i], tops[i] = got
                sources[i] = "search engine"
    return counts, sources, tops


def _zero_fixes(
    zero: list[int],
    distinct: list[str],
    rows: np.ndarray,
    qcode: np.ndarray,
    follow: _Follow,
    counts: list[int | None],
    products: Iterable[Product],
) -> dict[int, Fix]:
    """The fix of each zero-result query: a reformulation, a near word, or a missing product."""
    query_of = dict(zip(rows.tolist(), qcode.tolist(), strict=True))  # search row -> query
    fixes: dict[int, Fix] = {}
    words: list[str] | None = None
    for i in zero:
        later = Counter(
            query_of[r]
            for r in follow.next_search[qcode == i].tolist()
            if r >= 0 and query_of[r] != i and (counts[query_of[r]] or 0) > 0
        )
        if later:
            to = distinct[later.most_common(1)[0][0]]
            fixes[i] = synonym_fix(distinct[i], to, "searchers typed it next")
            continue
        if words is None:
            words = vocabulary(products)
        near = near_word(distinct[i], words)
        if near is not None:
            fixes[i] = synonym_fix(near[0], near[1], "a near spelling in the catalog")
        else:
            fixes[i] = Fix(
                "missing product",
                f'missing product: consider stocking "{distinct[i]}" (nothing in the catalog '
                "matches it or a near word)",
            )
    return fixes


def engine_runner(engine: SearchEngine, top: int = 3) -> QueryRunner:
    """A :data:`QueryRunner` over a search engine: the query as ``GET /search`` serves it
    with no visitor and no filters (its ``total`` and first ``top`` products)."""

    def run(query: str) -> tuple[int, list[str]] | None:
        try:
            shown, _, total = engine.served(query, limit=top)
        except ShopmindError:
            return None  # a query the engine refuses (empty, too long) has no count
        return total, [engine.index.ids[r] for r in shown.tolist()]

    return run
