"""Commands of experiments: ``evaluate experiments --simulate`` (registered on the groups
of :mod:`shopmind.cli.core`)."""

from __future__ import annotations

from typing import Any

import click
import numpy as np

from shopmind.cli.core import _Ctx, _emit, _keep_run, catalog_engine, evaluate, pass_ctx
from shopmind.errors import InvalidInput, RowError


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
