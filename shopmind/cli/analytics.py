"""Commands of shop analytics: ``analyze funnels``, ``cohorts``, ``searches``, ``trends``.

Each reads the whole event log once (:func:`shopmind.insight.eventlog.read_log`) and prints
a table; with ``--json`` the last stdout line is the report as one JSON object, the same
one ``GET /insight/...`` answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from shopmind.cli.core import _Ctx, _emit, analyze, pass_ctx
from shopmind.insight.trends import SIGNALS

if TYPE_CHECKING:
    from shopmind.insight.funnels import Funnel
    from shopmind.insight.searches import QueryRunner
    from shopmind.insight.trends import Trend
    from shopmind.store import Store

SHOWN_OFFSETS = 12  # retention columns the table prints
_JSON = click.option("--json", "as_json", is_flag=True, help="End with the report as JSON.")


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def _funnel_row(name: str, f: Funnel) -> str:
    units = "  ".join(f"{u:>8,}" for u in f.units)
    rates = " ".join(_pct(r) for r in f.rates)
    return f"  {name[:22]:22} {units}   {rates}   {_pct(f.conversion)}"


@analyze.command("funnels")
@_JSON
@pass_ctx
def funnels_cmd(obj: _Ctx, as_json: bool) -> None:
    """View → click → cart → purchase, per session × product pair: overall and by category,
    source (search, recommendation, ad, direct) and device."""
    from shopmind.insight.eventlog import read_log
    from shopmind.insight.funnels import STEPS, UNIT, funnels

    with obj.store() as store:
        report = funnels(read_log(store, obj.settings.ingest.progress), store.all_products())
    head = f"  {'':22} " + "  ".join(f"{s:>8}" for s in STEPS)
    head += "   click% cart%  buy%     conversion"
    lines = [f"unit: {UNIT} pairs (a later step counts the earlier ones as reached)", head]
    lines.append(_funnel_row("all pairs", report.overall))
    lines.append(_funnel_row("sessions", report.sessions))
    for title, groups in (
        ("by category", report.by_category),
        ("by source", report.by_source),
        ("by device", report.by_device),
    ):
        lines.append(title)
        lines += [_funnel_row(name, f) for name, f in groups.items()]
    _emit(report.as_dict(), as_json, "\n".join(lines))


@analyze.command("cohorts")
@click.option(
    "--period",
    type=click.Choice(["week", "month"]),
    default="month",
    show_default=True,
    help="Cohort and retention period (weeks run Monday to Sunday, UTC).",
)
@_JSON
@pass_ctx
def cohorts_cmd(obj: _Ctx, period: str, as_json: bool) -> None:
    """Retention by first-purchase cohort: each cohort's size and the share of its customers
    buying again 1, 2, ... periods later."""
    from shopmind.insight.cohorts import cohorts
    from shopmind.insight.eventlog import read_log

    with obj.store() as store:
        log = read_log(store, obj.settings.ingest.progress)
    report = cohorts(log, "week" if period == "week" else "month")
    shown = min(len(report.average), SHOWN_OFFSETS)
    offsets = " ".join(f"{'+' + str(k):>6}" for k in range(1, shown + 1))
    lines = [
        f"{report.customers:,} customers by first {period} "
        f"({report.anonymous_buyers:,} anonymous buyers left out)",
        f"  {'cohort':10} {'size':>6}  {offsets}",
    ]
    for c in report.cohorts:
        cells = " ".join(_pct(r) for r in c.retention[:shown])
        lines.append(f"  {c.label:10} {c.size:>6,}  {cells}")
    lines.append(f"  {'average':10} {'':>6}  " + " ".join(_pct(a) for a in report.average[:shown]))
    if shown < len(report.average):
        lines.append(f"  (+{shown + 1} to +{len(report.average)} are in --json)")
    if report.last_period_partial:
        lines.append(f"  (the last {period} is not over yet: its shares are still growing)")
    _emit(report.as_dict(), as_json, "\n".join(lines))


def _runner(obj: _Ctx, store: Store) -> QueryRunner | None:
    """The current build's search engine as a query runner; the catalog indexed in memory
    (words only) without a build; None for an empty catalog."""
    from shopmind.build import current_build, open_search
    from shopmind.errors import NotFound
    from shopmind.insight.searches import engine_runner
    from shopmind.search import SearchEngine

    try:
        current_build(obj.settings.home)
        engine = open_search(obj.settings.home, store, obj.settings.search)
    except NotFound:
        products = store.all_products()
        if not products:
            return None
        engine = SearchEngine.from_products(products, config=obj.settings.search)
    return engine_runner(engine)


@analyze.command("searches")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 1_000))
@click.option(
    "--many",
    default=10,
    show_default=True,
    type=click.IntRange(1),
    help="Results from which a never-clicked query is a relevance problem.",
)
@click.option(
    "--rerun/--no-rerun",
    default=True,
    show_default=True,
    help="Run queries whose result count was not logged against the search index now.",
)
@_JSON
@pass_ctx
def searches_cmd(obj: _Ctx, top: int, many: int, rerun: bool, as_json: bool) -> None:
    """Top queries, zero-result queries, queries with many results and no clicks, and rising
    queries, each with what to fix."""
    from shopmind.insight.eventlog import read_log
    from shopmind.insight.searches import search_report

    with obj.store() as store:
        log = read_log(store, obj.settings.ingest.progress)
        runner = _runner(obj, store) if rerun else None
        report = search_report(log, store.all_products(), runner, top=top, many=many)
    lines = [f"{report.searches:,} searches, {report.queries:,} distinct queries"]
    lines.append("top queries (searches, click rate, results)")
    for s in report.top:
        results = "?" if s.results is None else f"{s.results:,}"
        lines.append(f"  {s.searches:>6,}  {_pct(s.clicked / s.searches)}  {results:>6}  {s.query}")
    for title, issues in (
        ("zero results", report.zero_results),
        (f"{many}+ results, no clicks", report.no_clicks),
    ):
        lines.append(title)
        lines += [f"  {i.stats.searches:>6,}  {i.stats.query}: {i.fix.text}" for i in issues]
    lines.append("rising")
    lines += [_trend_line(t) for t in report.rising]
    lines += [f"note: {n}" for n in report.notes]
    _emit(report.as_dict(), as_json, "\n".join(lines))


def _trend_line(t: Trend) -> str:
    change = "new" if t.change_pct is None else f"{t.change_pct:+.0f}%"
    bars = _spark(t.weekly)
    return (
        f"  {change:>7}  {t.recent:>8,.0f} vs {t.expected:>8,.1f}  q={t.q:.2g}  {bars}  {t.label}"
    )


def _spark(values: list[float]) -> str:
    ticks = "▁▂▃▄▅▆▇█"
    top = max(values, default=0.0)
    if top <= 0:
        return ticks[0] * len(values)
    return "".join(ticks[min(7, int(v / top * 7.999))] for v in values)


@analyze.command("trends")
@click.option("--window", default=7, show_default=True, type=click.IntRange(1, 365))
@click.option("--baseline", default=28, show_default=True, type=click.IntRange(1, 3_650))
@click.option(
    "--on",
    "signal",
    multiple=True,
    type=click.Choice(SIGNALS),
    help="Events counted for products and categories (repeatable; default purchase).",
)
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 1_000))
@_JSON
@pass_ctx
def trends_cmd(
    obj: _Ctx, window: int, baseline: int, signal: tuple[str, ...], top: int, as_json: bool
) -> None:
    """Trending and declining products, categories and queries against their own baseline
    (exact Poisson-rate test, Benjamini-Hochberg), and the seasonality of the signal."""
    from shopmind.insight.eventlog import read_log
    from shopmind.insight.trends import trends

    with obj.store() as store:
        report = trends(
            read_log(store, obj.settings.ingest.progress),
            store.all_products(),
            window=window,
            baseline=baseline,
            signal=signal or ("purchase",),
            top=top,
        )
    lines = [
        f"as of {report.as_of}: last {report.window} days against the {report.baseline} "
        f"before ({', '.join(report.signal)}; q <= {report.alpha})"
    ]
    for direction, groups in (("rising", report.rising), ("declining", report.declining)):
        for kind, items in groups.items():
            lines.append(f"{direction} {kind} ({report.tested.get(kind, 0):,} tested)")
            lines += [_trend_line(t) for t in items]
    lines += _season_lines(report.seasonality)
    lines += [f"note: {n}" for n in report.notes]
    _emit(report.as_dict(), as_json, "\n".join(lines))


def _season_lines(season: dict[str, Any]) -> list[str]:
    out = []
    week = season.get("weekly", {})
    if week.get("checked"):
        found = "detected" if week["detected"] else "not detected"
        profile = " ".join(f"{d} {v:.2f}" for d, v in week["profile"].items())
        out.append(
            f"weekly cycle {found} (strength {week['strength']:.2f}, lag-7 acf "
            f"{week['acf_lag7']:.2f}, p {week['p']:.2g}): {profile}"
        )
    elif week:
        out.append(f"weekly cycle not checked: {week['reason']}")
    year = season.get("yearly", {})
    if year and not year.get("checked"):
        out.append(f"yearly cycle not checked: {year['reason']}")
    elif year:
        found = "detected" if year["detected"] else "not detected"
        out.append(f"yearly cycle {found} (lag-52 acf {year['acf_lag52']:.2f})")
    return out
