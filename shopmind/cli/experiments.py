"""Commands of experiments: ``experiments start|list|stop|report``, ``evaluate experiments
--simulate`` and ``evaluate replay`` (registered on the groups of :mod:`shopmind.cli.core`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from shopmind.cli.core import _Ctx, _emit, _keep_run, catalog_engine, evaluate, main, pass_ctx
from shopmind.errors import InvalidInput, NotFound, RowError

if TYPE_CHECKING:
    from shopmind.experiments.book import LoggedRequest
    from shopmind.store import Store

REPLAYED = ("/search", "/similar", "/bought-together", "/recommend")  # evaluate replay --route


@evaluate.command("experiments")
@click.option("--simulate", is_flag=True, help="Run the simulation (the only mode so far).")
@click.option("--products", "products_file", type=click.Path(dir_okay=False))
@click.option("--judgments", "judgments_file", type=click.Path(dir_okay=False))
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", help="For --products.")
@click.option("--runs", default=40, show_default=True, help="Repetitions of each verdict race.")
@click.option("--seed", default=0, show_default=True, help="The simulation's seed.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def evaluate_experiments_cmd(
    obj: _Ctx,
    simulate: bool,
    products_file: str | None,
    judgments_file: str | None,
    mapping: tuple[str, ...],
    runs: int,
    seed: int,
    as_json: bool,
) -> None:
    """Prove the experiment methods on simulated shoppers: a position-based click model over
    graded judgments meets shopmind's search and plain BM25. Measures the searches that
    interleaving and an A/B test need for a verdict, the A/A false-positive rate with daily
    peeking, off-policy estimates against the true click rate, and exploration."""
    from shopmind.evaluate import bm25_baseline, read_judgments
    from shopmind.evaluate.clicks import ClickModel
    from shopmind.evaluate.experiments import Plan, simulate_experiments
    from shopmind.index import product_fields
    from shopmind.index.topk import top_k

    missing = [
        RowError(1, name, f"--{name} is required", f"give --{name} FILE (a CSV)")
        for name, value in (("products", products_file), ("judgments", judgments_file))
        if value is None
    ]
    if not simulate:
        missing.insert(
            0,
            RowError(1, "simulate", "only the simulation runs offline", "add --simulate"),
        )
    if missing:
        raise InvalidInput(missing, source="evaluate experiments")
    assert products_file is not None and judgments_file is not None
    judgments = read_judgments(judgments_file)
    plan = Plan(runs=runs, seed=seed)
    depth = 2 * plan.k
    keep = obj.settings.home if obj.home is not None else None
    with catalog_engine(obj, products_file, mapping) as (products, engine):
        ids = [p.id for p in products]
        bm25 = bm25_baseline(ids, [" ".join(product_fields(p).values()) for p in products])
        shopmind: dict[str, list[str]] = {}
        plain: dict[str, list[str]] = {}
        for query in judgments.queries:
            shown, _, _ = engine.served(query, depth)
            shopmind[query] = [ids[int(r)] for r in shown]
            scores = bm25(query)
            assert isinstance(scores, np.ndarray)  # bm25 ranks the whole catalog
            plain[query] = [ids[int(r)] for r in top_k(scores, depth) if scores[int(r)] > 0]
        progress = obj.settings.ingest.progress
    model = ClickModel(judgments.queries)
    result = simulate_experiments(model, shopmind, plain, plan, progress=progress)
    result["rankers"] = {"a": "shopmind (the served search list)", "b": "bm25"}
    if keep is not None:
        command = {"products": products_file, "judgments": judgments_file, "runs": runs}
        _keep_run(keep, "experiments", {**command, "seed": seed}, result)
    _emit(result, as_json, render(result))


def render(result: dict[str, Any]) -> str:
    """The simulation's summary for a person."""
    inter, ab, ope, explore = (
        result["interleaving"],
        result["ab"],
        result["ope"],
        result["exploration"],
    )
    lines = [
        f"{result['queries']:,} judged queries; true clicks per search: "
        f"shopmind {result['true_ctr']['a']:.4f}, bm25 {result['true_ctr']['b']:.4f}",
        f"  interleaving: verdict after {inter['queries_to_verdict']:,} searches (median of "
        f"{inter['runs']}; right {inter['right']:.0%}, decided {inter['decided']:.0%})",
        f"  A/B test:     verdict after {ab['queries_to_verdict']:,} searches (right "
        f"{ab['right']:.0%}, decided {ab['decided']:.0%}); "
        f"{result['ab_over_interleaving']:.1f}x interleaving's",
        f"  ceiling under this click model (fixed horizon): both lists' clicks per shopper "
        f"{result['ceiling']['paired_clicks']:.1f}x, no click noise "
        f"{result['ceiling']['noiseless']:.1f}x fewer searches than the A/B test",
        f"  A/A false positives with daily peeking: always-valid "
        f"{result['aa']['always_valid']:.1%}, t-test {result['aa']['t_test_peeking_daily']:.1%}",
        f"  off-policy, shopmind's clicks per search: true {ope['true_ctr']:.4f}, naive "
        f"{ope['naive']:.4f}, IPS {ope['ips']:.4f}, SNIPS {ope['snips']:.4f}, DR {ope['dr']:.4f}",
    ]
    if explore.get("queries"):
        p50 = explore["searches_to_surface_p50"]
        lines.append(
            f"  exploration: {explore['surfaced_share']:.0%} of {explore['queries']} good "
            f"off-page products surfaced (median {p50} searches), none without it; clicks "
            f"per search {explore['clicks_per_search']:.4f} vs "
            f"{explore['clicks_per_search_without']:.4f}"
        )
    return "\n".join(lines)


def _read_document(path: str) -> dict[str, Any]:
    """A JSON or TOML file as a dict; InvalidFile names the file and what is wrong."""
    import json
    import tomllib
    from pathlib import Path

    from shopmind.errors import InvalidFile

    file = Path(path)
    if not file.is_file():
        raise InvalidFile("no such file; check the path", source=path)
    text = file.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if file.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        kind = "TOML" if file.suffix.lower() == ".toml" else "JSON"
        raise InvalidFile(f"not valid {kind}: {err}", source=path) from None
    if not isinstance(data, dict):
        raise InvalidFile("the file must hold one object", source=path)
    return data


@contextmanager
def _book(obj: _Ctx) -> Iterator[Any]:
    from shopmind.experiments.book import ExperimentBook

    settings = obj.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    book = ExperimentBook.open(settings.home, settings.store_url, settings.store.busy_timeout_ms)
    try:
        yield book
    finally:
        book.close()


@main.group()
def experiments() -> None:
    """A/B tests and interleaving on the shop's own traffic (as /experiments does)."""


@experiments.command("start")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the stored experiment as JSON.")
@pass_ctx
def experiments_start(obj: _Ctx, file: str, as_json: bool) -> None:
    """Start the experiment FILE defines (JSON or TOML: name, variants with share and
    settings, and optionally kind, layer, traffic, routes, primary, guardrails)."""
    from shopmind.experiments.spec import check_spec

    spec = check_spec(_read_document(file), obj.settings)
    with _book(obj) as book:
        got = book.start(spec).as_dict()
    text = f"experiment {spec.name} running on {got['buckets']} of layer {spec.layer}"
    _emit(got, as_json, text)


@experiments.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def experiments_list(obj: _Ctx, as_json: bool) -> None:
    """Every experiment, newest first."""
    with _book(obj) as book:
        found = [e.as_dict() for e in book.experiments()]
    lines = [
        f"{e['name']:24} {e['status']:8} {e['kind']:12} layer {e['layer']}, "
        f"{len(e['variants'])} variants, {e['primary']}"
        for e in found
    ]
    _emit({"experiments": found}, as_json, "\n".join(lines) or "no experiments yet")


@experiments.command("stop")
@click.argument("name")
@pass_ctx
def experiments_stop(obj: _Ctx, name: str) -> None:
    """Stop experiment NAME: its visitors get the settings again; its report stays."""
    with _book(obj) as book:
        book.stop(name)
    click.echo(f"experiment {name} stopped")


@experiments.command("report")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def experiments_report(obj: _Ctx, name: str, as_json: bool) -> None:
    """Experiment NAME's report: per-variant metrics with confidence intervals, CUPED, the
    sample-ratio check, the always-valid p-value and the guardrails."""
    from shopmind.experiments.report import report_for

    with _book(obj) as book, obj.store() as store:
        report = report_for(book, store, name, obj.settings.experiments.purchase_window_hours)
    _emit(report, as_json, render_report(report))


def render_report(report: dict[str, Any]) -> str:
    """An experiment report for a person."""
    lines = [f"{report['experiment']['name']}: {report['metric']} (control {report['control']})"]
    for name, v in report["variants"].items():
        m = v["metric"]
        shown = "-" if m["mean"] is None else f"{m['mean']:.4f}"
        span = "" if m["low"] is None else f" [{m['low']:.4f}, {m['high']:.4f}]"
        lines.append(
            f"  {name:16} {v['visitors']:>7,} visitors  {shown}{span}  clicks {v['clicks']}, "
            f"carts {v['carts']}, purchases {v['purchases']}"
        )
    for name, c in report["comparisons"].items():
        adj = c["cuped"]
        lines.append(
            f"  {name} vs control: {adj['difference']:+.4f} (CUPED), always-valid p "
            f"{adj['always_valid_p']:.4f}{' significant' if c['significant'] else ''}"
        )
    srm = report["sample_ratio"]
    alarm = " MISMATCH: do not trust this experiment" if srm["mismatch"] else ""
    lines.append(
        f"  sample ratio p {srm['p_value']:.4f}{alarm}; unattributed events "
        f"{report['unattributed_events']}"
    )
    if "interleaving" in report:
        lines.append(f"  interleaving winner: {report['interleaving']['winner']}")
    return "\n".join(lines)


@evaluate.command("replay")
@click.option("--policy", "policy_file", required=True, type=click.Path(dir_okay=False),
              help="A TOML (or JSON) file of setting overrides: the candidate policy.")  # fmt: skip
@click.option("--route", default="/search", show_default=True,
              type=click.Choice(REPLAYED), help="Whose logged answers to replay.")  # fmt: skip
@click.option("--days", default=30.0, show_default=True, help="Replay this many recent days.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def evaluate_replay_cmd(
    obj: _Ctx, policy_file: str, route: str, days: float, as_json: bool
) -> None:
    """Estimate, from a route's logged answers and their clicks, the click rate a candidate
    policy (settings overrides) would get: IPS, SNIPS and doubly robust, with confidence
    intervals, beside the logged rate.

    /search ranks the logged query again; /similar and /bought-together the logged product;
    /recommend the visitor's events from before the answer (the ranker is not replayed)."""
    import time

    from shopmind.experiments.replay import replay
    from shopmind.experiments.report import events_since
    from shopmind.experiments.spec import check_overrides

    overrides = _read_document(policy_file)
    problems = check_overrides(overrides, obj.settings, "policy")
    if problems:
        raise InvalidInput(problems, source=policy_file)
    since = time.time() - days * 86_400
    with _book(obj) as book, obj.store() as store:
        candidate = _candidate(obj, store, route, overrides)
        result = replay(book.requests(since), events_since(store, since), candidate, route)
    result["policy"] = overrides
    if result.get("requests"):
        text = (
            f"{result['requests']:,} logged answers, {result['clicks']:,} clicks; clicks per "
            f"answer: logged {result['logged_ctr']:.4f}, candidate IPS {result['ips']['value']:.4f}"
            f", SNIPS {result['snips']['value']:.4f}, DR {result['dr']['value']:.4f} (the log "
            f"agrees with the candidate on {result['matched_share']:.0%} of its slots)"
        )
    else:
        text = result["note"]
    _emit(result, as_json, text)


def _candidate(
    obj: _Ctx, store: Store, route: str, overrides: dict[str, Any]
) -> Callable[[LoggedRequest], list[str]]:
    """The candidate policy's list (product ids, best first) for a logged answer."""
    from shopmind.build import open_recommend, open_search
    from shopmind.recommend.engine import Filters

    settings = obj.settings
    search = open_search(settings.home, store, settings.search)
    if route == "/search":
        engine = search.variant(overrides.get("search", {}))

        def searched(request: LoggedRequest) -> list[str]:
            rows, _, _ = engine.served(request.query or "", 10)
            return [engine.index.ids[int(r)] for r in rows]

        return searched
    recommend = open_recommend(
        settings.home, store, settings.events, settings.recommend, search
    ).variant(overrides.get("recommend", {}))
    history = settings.recommend.history

    def picked(request: LoggedRequest) -> list[str]:
        try:
            if route == "/similar":
                picks = recommend.similar(request.query or "", 10)
            elif route == "/bought-together":
                picks = recommend.bought_together(request.query or "", 10)
            else:  # the visitor's events before the answer, as it saw them
                newest = store.list_events(
                    visitor=request.visitor, limit=4 * history, types=recommend.history_types
                ) if request.visitor else []  # fmt: skip
                before = [e for e in newest if e.ts is not None and e.ts < request.ts]
                picks = recommend.recommend(before[:history], 10, Filters())
        except NotFound:  # a product deleted since: the candidate has no list for it
            return []
        return [p.id for p in picks]

    return picked
