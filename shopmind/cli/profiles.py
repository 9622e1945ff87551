"""Commands of visitor profiles and segments: ``profile``, ``analyze profiles``,
``analyze segments`` and ``evaluate buy-again``."""

from __future__ import annotations

from typing import Any

import click

from shopmind.cli.core import _Ctx, _emit, analyze, evaluate, main, pass_ctx
from shopmind.errors import NotFound

PROFILE_EVENTS = 1_000  # newest events of a visitor a profile reads


@main.command("profile")
@click.argument("visitor")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the JSON of GET /visitors/{id}/profile."
)
@pass_ctx
def profile_cmd(obj: _Ctx, visitor: str, as_json: bool) -> None:
    """A visitor's profile: interests, RFM, lifecycle stage, buy-again chance, sessions.

    VISITOR is a user_id, or ~SESSION_ID for an anonymous visitor.
    """
    from shopmind.insight.profilebook import ProfileBook, profiles_path
    from shopmind.insight.profiles import interest_types
    from shopmind.insight.profileview import profile_json

    settings = obj.settings
    config = settings.profiles
    try:
        book = ProfileBook.load(profiles_path(settings.home))
    except NotFound:
        book = ProfileBook.empty(config.days, config.session_minutes)
    with obj.store() as store:
        events = store.list_events(visitor=visitor, limit=PROFILE_EVENTS)
        products = store.get_products(sorted({e.item_id for e in events if e.item_id}))
        data = profile_json(
            visitor, events, products, book, interest_types(settings.events), config.sessions
        )
    _emit(data, as_json, _render_profile(data))


def _render_profile(data: dict[str, Any]) -> str:
    rfm, buy = data["rfm"], data["buy_again"]
    score = rfm["score"]
    lines = [
        f"visitor {data['visitor']} (as of {data['as_of']}): {data['lifecycle']['stage']}",
        f"  recency {rfm['recency_days']} days, {rfm['frequency']} orders, "
        f"spent {rfm['monetary']}"
        + (f" (RFM {score['r']}{score['f']}{score['m']})" if score else ""),
        f"  buys again within {buy['days']} days: "
        + ("unknown" if buy["probability"] is None else f"{buy['probability']:.0%}"),
    ]
    top = list(data["interests"]["categories"]["top"].items())[:3]
    if top:
        lines.append("  categories: " + ", ".join(f"{c} {s:.0%}" for c, s in top))
    for c in data["interests"]["clusters"][:3]:
        lines.append(f"  interest: {c['name']} {c['share']:.0%}")
    for s in data["sessions"]:
        mark = " (bought)" if s["purchased"] else ""
        lines.append(
            f"  session {s['start']}: {s['events']} events, {len(s['products'])} products{mark}"
        )
    return "\n".join(lines)


@analyze.command("profiles")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def analyze_profiles(obj: _Ctx, as_json: bool) -> None:
    """Build every visitor's profile from the events and save it in the home (HOME/insight)."""
    from shopmind.insight.profiles import refresh_profiles, summary

    with obj.store() as store:
        data = summary(refresh_profiles(store, obj.settings))
    stages = ", ".join(f"{k} {v:,}" for k, v in data["stages"].items())
    text = (
        f"profiles of {data['visitors']:,} visitors ({data['customers']:,} customers) as of "
        f"{data['as_of']} in {data['seconds']:.1f} s: {stages}"
    )
    _emit(data, as_json, text)


def _k(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter("use auto or a whole number from 2") from None


@analyze.command("segments")
@click.option("--k", "k", default="auto", show_default=True, help="Segments: auto or a number.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def analyze_segments(obj: _Ctx, k: str, as_json: bool) -> None:
    """Group visitors by their profiles; name, size, revenue share and top products of each
    segment; the assignment is saved for targeting (HOME/insight/segments.json)."""
    from shopmind.insight.profilebook import ProfileBook, profiles_path
    from shopmind.insight.profiles import refresh_profiles
    from shopmind.insight.segments import find_segments, segments_path

    settings = obj.settings
    with obj.store() as store:
        try:
            book = ProfileBook.load(profiles_path(settings.home))
        except NotFound:
            book = refresh_profiles(store, settings)
        titles = {p.id: p.title for p in store.get_products(book.meta["items"]).values()}
    segments = find_segments(book, _k(k), settings.profiles.seed, titles)
    segments.save(segments_path(settings.home))
    report = segments.report
    lines = [f"{report['k']} segments of {report['visitors']:,} visitors ({report['chosen_by']})"]
    for s in report["segments"]:
        lines.append(
            f"  {s['segment']}: {s['name']:40} {s['visitors']:>8,} visitors  "
            f"{s['revenue_share']:6.1%} of revenue"
        )
    _emit(report, as_json, "\n".join(lines))


@evaluate.command("buy-again")
@click.option(
    "--days", default=None, type=click.IntRange(1, 365), help="N (default profiles.days)."
)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def evaluate_buy_again_cmd(obj: _Ctx, days: int | None, as_json: bool) -> None:
    """The buy-again model against the RFM rule on the store's events: trained at one
    cutoff, scored (AUC) at the cutoff N days later, whose labels end at the newest event."""
    from shopmind.insight.buyagain import evaluate_buy_again
    from shopmind.insight.profiles import read_history

    settings = obj.settings
    config = settings.profiles
    horizon = days if days is not None else config.days
    with obj.store() as store:
        history, categories = read_history(store, store.all_products(), settings.ingest.progress)
    gap = config.session_minutes * 60.0
    result = evaluate_buy_again(history, horizon, gap, categories, config.seed)
    lines = [f"{result['visitors']:,} customers, buying again within {horizon} days"]
    for name, m in result["methods"].items():
        lines.append(f"  {name:9} AUC {m['auc']:.4f}")
    _emit(result, as_json, "\n".join(lines))
