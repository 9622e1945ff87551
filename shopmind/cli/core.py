"""The ``shopmind`` command line: subcommands follow the data's path.

``ingest`` → ``build`` → ``serve``; ``demo`` does all three on the bundled demo shop.
Commands with ``--json`` end with one JSON object on the last line of stdout.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from shopmind import __version__
from shopmind.config import CONFIG_ENV, ENV_PREFIX, LOG_FORMAT, Settings, load
from shopmind.errors import ConfigError, NotFound, ShopmindError
from shopmind.search import SORT_ORDERS, Filters
from shopmind.store import Store, open_store

if TYPE_CHECKING:
    from shopmind.build import BuildManifest
    from shopmind.evaluate.runs import RunKind
    from shopmind.recommend.engine import Pick, RecommendEngine

F = TypeVar("F", bound=Callable[..., Any])
_PATH_ARGS = {
    "products", "judgments", "train_judgments", "lists", "folder", "data", "qa", "train_qa",
    "off_shop",
}  # fmt: skip
logger = logging.getLogger("shopmind")


class _Ctx:
    def __init__(self, home: str | None, config: str | None) -> None:
        self.home = home
        self.config = config
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load(config_file=self.config, home=self.home)
        return self._settings

    @contextmanager
    def store(self) -> Iterator[Store]:
        settings = self.settings
        settings.home.mkdir(parents=True, exist_ok=True)
        store = open_store(settings.store_url, settings.store)
        try:
            yield store
        finally:
            store.close()


pass_ctx = click.make_pass_decorator(_Ctx)


def _emit(data: dict[str, Any], as_json: bool, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        click.echo(text)


class _Group(click.Group):
    """Turns shopmind's domain errors into a clear message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShopmindError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    default=None,
    help="Data home folder (default: $SHOPMIND_HOME or ./shopmind-data).",
)
@click.option(
    "--config", type=click.Path(dir_okay=False), default=None, help="A TOML settings file."
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(__version__, prog_name="shopmind")
@click.pass_context
def main(ctx: click.Context, home: str | None, config: str | None, verbose: int) -> None:
    """shopmind: search and recommendations for a shop, on its own data."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format=LOG_FORMAT)
    ctx.obj = _Ctx(home, config)


# -- ingest ----------------------------------------------------------------------------------
@main.group()
def ingest() -> None:
    """Load products or behaviour events from files (CSV, JSONL, Parquet, RecBole)."""


def _ingest_options(func: F) -> F:
    func = click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="FIELD=COLUMN",
        help="Read FIELD from COLUMN (repeatable), e.g. --map id=product_uid.",
    )(func)
    func = click.option(
        "--skip-invalid",
        is_flag=True,
        help="Store the valid rows; write rejected ones to a report file in HOME/rejects.",
    )(func)
    func = click.option("--json", "as_json", is_flag=True, help="End with a JSON summary.")(func)
    return click.argument("file", type=click.Path(dir_okay=False))(func)


@ingest.command("products")
@_ingest_options
@click.option(
    "--partial", is_flag=True, help="Rows update only their columns of existing products."
)
@pass_ctx
def ingest_products_cmd(
    obj: _Ctx, file: str, mapping: tuple[str, ...], skip_invalid: bool, as_json: bool, partial: bool
) -> None:
    """Upsert products from FILE (by id); all rows or none unless --skip-invalid."""
    from shopmind.ingest import ingest_products

    with obj.store() as store:
        report = ingest_products(
            store,
            file,
            obj.settings.ingest,
            mapping=mapping,
            skip_invalid=skip_invalid,
            partial=partial,
            reject_dir=obj.settings.home / "rejects",
        )
    _emit(report.as_dict(), as_json, report.render())


@ingest.command("events")
@_ingest_options
@click.option(
    "--type",
    "default_type",
    default=None,
    help="The event type of every row, for files without a type column.",
)
@pass_ctx
def ingest_events_cmd(
    obj: _Ctx,
    file: str,
    mapping: tuple[str, ...],
    skip_invalid: bool,
    as_json: bool,
    default_type: str | None,
) -> None:
    """Append behaviour events from FILE; re-sent event ids are skipped."""
    from shopmind.ingest import ingest_events

    with obj.store() as store:
        report = ingest_events(
            store,
            file,
            obj.settings.ingest,
            mapping=mapping,
            skip_invalid=skip_invalid,
            default_type=default_type,
            reject_dir=obj.settings.home / "rejects",
        )
    _emit(report.as_dict(), as_json, report.render())


# -- catalog ---------------------------------------------------------------------------------
@main.group()
def products() -> None:
    """Look at and change the stored catalog."""


@products.command("list")
@click.option("--offset", default=0, type=click.IntRange(min=0))
@click.option("--limit", default=20, type=click.IntRange(1, 10_000))
@click.option("--category", default=None, help="Only this category and its subtree.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def products_list(obj: _Ctx, offset: int, limit: int, category: str | None, as_json: bool) -> None:
    """List products in id order, a page at a time."""
    with obj.store() as store:
        page = store.list_products(offset, limit, category)
    data = {
        "total": page.total,
        "offset": offset,
        "limit": limit,
        "items": [p.model_dump(mode="json") for p in page.items],
    }
    lines = [f"{p.id}\t{p.title}\t{p.category or ''}\t{p.price or ''}" for p in page.items]
    lines.append(f"-- {offset + 1}-{offset + len(page.items)} of {page.total}")
    _emit(data, as_json, "\n".join(lines))


@products.command("get")
@click.argument("product_id")
@pass_ctx
def products_get(obj: _Ctx, product_id: str) -> None:
    """Show one product as JSON."""
    with obj.store() as store:
        product = store.get_product(product_id)
    click.echo(json.dumps(product.model_dump(mode="json"), ensure_ascii=False, indent=2))


@products.command("delete")
@click.argument("product_ids", nargs=-1, required=True)
@pass_ctx
def products_delete(obj: _Ctx, product_ids: tuple[str, ...]) -> None:
    """Delete products by id (their events are kept)."""
    with obj.store() as store:
        deleted = store.delete_products(list(product_ids))
    click.echo(f"deleted {deleted} of {len(product_ids)} product(s)")


# -- stats, build, config --------------------------------------------------------------------
@main.command()
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def stats(obj: _Ctx, as_json: bool) -> None:
    """Counts over the store, the latest data-quality findings and the current build."""
    from shopmind.build import current_build

    with obj.store() as store:
        data: dict[str, Any] = store.stats().as_dict()
        reports = store.ingest_reports(limit=5)
    data["home"] = str(obj.settings.home)
    data["latest_ingests"] = [
        {k: r[k] for k in ("kind", "source", "inserted", "updated", "rejected", "quality")}
        for r in reports
    ]
    try:
        data["build"] = current_build(obj.settings.home).as_dict()
    except NotFound:
        data["build"] = None
    by_type = ", ".join(f"{k}={v:,}" for k, v in data["events_by_type"].items()) or "none"
    text = "\n".join(
        [
            f"home: {data['home']} (schema {data['schema_version']})",
            f"products: {data['products']:,}",
            f"events: {data['events']:,} ({by_type})",
            f"visitors: {data['visitors']:,}",
            f"events about products not in the catalog: {data['unknown_item_events']:,}",
            f"build: {data['build']['id'] if data['build'] else 'none (run shopmind build)'}",
        ]
    )
    _emit(data, as_json, text)


def _forget_answers_before(settings: Settings, store: Store, before: float) -> None:
    """Retention for the request log too: its answers name visitors as the events do."""
    from shopmind.experiments.book import FILE, ExperimentBook
    from shopmind.store.sidedb import has_book

    if has_book(settings.home, store.url, FILE):
        with ExperimentBook.open(settings.home, store.url) as book:
            gone = book.delete_before(before)
        logger.info("retention: %d logged answers deleted", gone)


def _full_build(
    settings: Settings,
    store: Store,
    engine: Literal["local", "spark"] = "local",
    master: str = "local[2]",
    events: Path | None = None,
) -> BuildManifest:
    """A build with the search index (and vectors) and the recommendation models."""
    from shopmind.build import run_build

    days = settings.privacy.events_days
    if days:
        before = time.time() - days * 86_400
        gone = store.delete_events_before(before, actor="retention")
        logger.info("retention: %d events older than %d days deleted", gone, days)
        _forget_answers_before(settings, store, before)
    return run_build(
        store,
        settings.home,
        settings.events,
        search=settings.search,
        recommend=settings.recommend,
        engine=engine,
        master=master,
        events=events,
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="spark: the interaction matrix and bought-together counts as Spark jobs.",
)
@click.option(
    "--master",
    default="local[2]",
    show_default=True,
    help="With --engine spark: the Spark master (spark://HOST:7077, yarn, k8s://...).",
)
@click.option(
    "--events",
    "events_parquet",
    type=click.Path(exists=True, path_type=Path),
    help="With --engine spark: read the events from this Parquet export, not the store.",
)
@pass_ctx
def build(
    obj: _Ctx,
    as_json: bool,
    engine: Literal["local", "spark"],
    master: str,
    events_parquet: Path | None,
) -> None:
    """Build the serving artifacts (interaction matrix, popularity) and swap them in; with
    events, the visitor profiles too (as ``analyze profiles``)."""
    from shopmind.insight.profiles import refresh_profiles

    with obj.store() as store:
        manifest = _full_build(obj.settings, store, engine, master, events_parquet)
        profiled = len(refresh_profiles(store, obj.settings).visitors) if manifest.events else 0
    text = (
        f"build {manifest.id}: {manifest.visitors:,} visitors x {manifest.items:,} products, "
        f"{manifest.interactions:,} interactions from {manifest.events:,} events "
        f"in {manifest.seconds:.2f} s; profiles of {profiled:,} visitors"
    )
    _emit({**manifest.as_dict(), "profiled_visitors": profiled}, as_json, text)


@main.command()
@click.argument("query")
@click.option("-k", "--k", "k", default=10, type=click.IntRange(1, 100), help="Hits to show.")
@click.option("--offset", default=0, type=click.IntRange(min=0))
@click.option("--category", default=None, help="Only this category and its subtree.")
@click.option("--brand", "brands", multiple=True, help="Only these brands (repeatable).")
@click.option("--price-min", type=click.FloatRange(min=0), default=None)
@click.option("--price-max", type=click.FloatRange(min=0), default=None)
@click.option("--in-stock/--out-of-stock", "in_stock", default=None)
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance")
@click.option("--json", "as_json", is_flag=True, help="End with the same JSON as GET /search.")
@pass_ctx
def search(
    obj: _Ctx,
    query: str,
    k: int,
    offset: int,
    category: str | None,
    brands: tuple[str, ...],
    price_min: float | None,
    price_max: float | None,
    in_stock: bool | None,
    sort: str,
    as_json: bool,
) -> None:
    """Search the catalog (the current build's index, or the store indexed now)."""
    from shopmind.build import open_search

    filters = Filters(category, brands, price_min, price_max, in_stock)
    with obj.store() as store:
        result = open_search(obj.settings.home, store, obj.settings.search).search(
            query, k=k, offset=offset, filters=filters, sort=sort
        )
        data = result.as_dict()
    lines = [
        f"{n + offset + 1:>3}. {h['id']}  {h['title']}  ({h['score']:.3f})"
        for n, h in enumerate(data["hits"])
    ]
    lines.append(f"-- {data['total']:,} matching products")
    _emit(data, as_json, "\n".join(lines))


def _recommend_engine(obj: _Ctx, store: Store) -> RecommendEngine:
    from shopmind.build import open_recommend, open_search

    settings = obj.settings
    search = open_search(settings.home, store, settings.search)
    return open_recommend(settings.home, store, settings.events, settings.recommend, search)


def _emit_picks(picks: list[Pick], as_json: bool) -> None:
    data = {
        "items": [
            {"id": p.id, "title": p.title, "score": p.score, "reasons": p.reasons.as_dict()}
            for p in picks
        ]
    }
    lines = [f"{n + 1:>3}. {p.id}  {p.title}  ({p.score:.3f})" for n, p in enumerate(picks)]
    _emit(data, as_json, "\n".join(lines))


@main.command()
@click.option("--user", help="The visitor's user_id.")
@click.option("--session", help="An anonymous visitor's session_id.")
@click.option("-k", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of GET /recommend.")
@pass_ctx
def recommend(obj: _Ctx, user: str | None, session: str | None, k: int, as_json: bool) -> None:
    """Products for one visitor, from their stored events, with reasons."""
    if user is None and session is None:
        raise click.UsageError("give --user USER_ID or --session SESSION_ID")
    visitor = user if user is not None else f"~{session}"
    with obj.store() as store:
        engine = _recommend_engine(obj, store)
        events = store.list_events(
            visitor=visitor, limit=obj.settings.recommend.history, types=engine.history_types
        )
        _emit_picks(engine.recommend(events, k), as_json)


@main.command()
@click.argument("item")
@click.option("-k", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of GET /similar.")
@pass_ctx
def similar(obj: _Ctx, item: str, k: int, as_json: bool) -> None:
    """Products like ITEM (co-behaviour and text), with reasons."""
    with obj.store() as store:
        _emit_picks(_recommend_engine(obj, store).similar(item, k), as_json)


@main.command("bought-together")
@click.argument("item")
@click.option("-k", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of GET /bought-together.")
@pass_ctx
def bought_together(obj: _Ctx, item: str, k: int, as_json: bool) -> None:
    """Products carted or bought with ITEM in the same visit, with reasons."""
    with obj.store() as store:
        _emit_picks(_recommend_engine(obj, store).bought_together(item, k), as_json)


# -- train and models ------------------------------------------------------------------------
def _set_home(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        obj = ctx.find_object(_Ctx)
        assert obj is not None
        obj.home = value
        obj._settings = None


def _home_option(func: F) -> F:
    """``--home`` also after the command (``shopmind train encoder --home DIR``)."""
    return click.option(
        "--home",
        type=click.Path(file_okay=False),
        default=None,
        expose_value=False,
        callback=_set_home,
        help="Data home folder (the same as shopmind --home).",
    )(func)


@main.group()
def train() -> None:
    """Tune models on the shop's own signals."""


@train.command("encoder")
@click.option(
    "--judgments",
    "judgments_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Graded query-product judgments (the HomeDepot format) to train on.",
)
@click.option(
    "--from-events",
    is_flag=True,
    help="Train on searches followed by a click, cart or purchase (the default without "
    "--judgments).",
)
@click.option("--no-activate", is_flag=True, help="Keep the model without activating it.")
@click.option("--json", "as_json", is_flag=True, help="End with the training report as JSON.")
@_home_option
@pass_ctx
def train_encoder(
    obj: _Ctx, judgments_file: str | None, from_events: bool, no_activate: bool, as_json: bool
) -> None:
    """Tune the search encoder (MiniLM's query tower; an adapter over USE for Chinese
    catalogs), then activate it in a new build (products are re-embedded unless only the
    queries' side was tuned); the old model is kept."""
    from shopmind.build import models_dir
    from shopmind.embed import resolve_encoder
    from shopmind.embed.models import ModelRegistry
    from shopmind.errors import TrainingError
    from shopmind.evaluate import read_judgments
    from shopmind.search import SearchEngine
    from shopmind.search.tune import tune_search
    from shopmind.train import Pairs, pairs_from_events, pairs_from_judgments

    settings = obj.settings
    with obj.store() as store:
        products = store.all_products()
        catalog = {p.id for p in products}
        pairs = Pairs()
        if judgments_file is not None:
            judged = read_judgments(judgments_file).queries
            pairs = pairs.merged(
                pairs_from_judgments(judged, catalog, settings.train.min_relevance)
            )
        if from_events or judgments_file is None:
            events = (e for batch in store.iter_events() for e in batch)
            pairs = pairs.merged(pairs_from_events(events, catalog))
        base = resolve_encoder(settings.search.encoder, products)
        if base is None:
            raise TrainingError("search.encoder is 'none': there is no encoder to train")
        registry = ModelRegistry(models_dir(settings.home))
        cache = settings.home / "cache" / "embeddings"
        served = SearchEngine.from_products(
            products, encoder=base, config=settings.search, cache=cache
        )
        # a tuned model's product vectors land in the cache (the build reuses them; a
        # query tower's are the pretrained ones already there), and the fusion weight is
        # learned on the held-out anchors
        trained, _ = tune_search(
            products, pairs, served, registry, settings.train, cache, settings.ingest.progress
        )
        click.echo(trained.report.render(), err=not as_json)
        info = registry.get(trained.info.name)
        build_id = None if no_activate else _activate(obj, store, info.name)
    data = {"model": info.name, "encoder": info.encoder_name, "build": build_id}
    text = f"model {info.name} " + (f"active in build {build_id}" if build_id else "kept")
    report = {**trained.report.as_dict(), "search": info.search}
    _emit({**data, "report": report}, as_json, text)


def _train_ranker(settings: Settings, store: Store) -> tuple[Path, dict[str, Any]]:
    """Train the ranker on the store's events, save it where serving looks; its report."""
    from shopmind.build import open_search, ranker_path
    from shopmind.rank import train_ranker
    from shopmind.recommend.engine import search_vectors

    products = store.all_products()
    try:
        vectors = search_vectors(open_search(settings.home, store, settings.search))
    except NotFound:
        vectors = None  # no build yet: the ranker learns without text similarity
    events = (e for batch in store.iter_events() for e in batch)
    ranker, _ = train_ranker(events, products, vectors, settings.rank, settings.ingest.progress)
    path = ranker_path(settings.home)
    ranker.save(path)
    return path, ranker.report


@train.command("ranker")
@click.option("--json", "as_json", is_flag=True, help="End with the training report as JSON.")
@_home_option
@pass_ctx
def train_ranker_cmd(obj: _Ctx, as_json: bool) -> None:
    """Train the CTR/CVR ranker on the shop's impressions, clicks and purchases; serving
    picks it up within a second (turn it off with rank.enabled = false)."""
    settings = obj.settings
    with obj.store() as store:
        path, summary = _train_ranker(settings, store)
    text = (
        f"ranker trained on {summary['impressions']:,} impressions (click rate "
        f"{summary['click_rate']:.3f}): validation AUC {summary['best_auc']:.4f} "
        f"(logistic regression {summary['baseline_auc']:.4f}) after "
        f"{summary['epochs']:.2f} epochs (all nets together) in {summary['seconds']:.1f} s "
        f"({summary['stopped']}); "
        f"saved to {path}"
    )
    _emit({**summary, "path": str(path)}, as_json, text)


def _activate(obj: _Ctx, store: Store, name: str) -> str:
    """Activate a model in a new build (serving picks it up); the catalog's vectors come
    from the model's cache, encoding only what is not there yet."""
    from shopmind.build import models_dir
    from shopmind.embed.models import PRETRAINED, ModelRegistry

    settings = obj.settings
    registry = ModelRegistry(models_dir(settings.home))
    previous = registry.active()
    registry.activate(name)
    try:
        manifest = _full_build(settings, store)
    except BaseException:
        registry.activate(previous.name if previous is not None else PRETRAINED)
        raise
    return manifest.id


@main.group()
def models() -> None:
    """The tuned encoders in the home: list them, activate one or roll back."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@_home_option
@pass_ctx
def models_list(obj: _Ctx, as_json: bool) -> None:
    """The trained models, oldest first; the active one is marked."""
    from shopmind.build import models_dir
    from shopmind.embed.models import PRETRAINED, ModelRegistry

    registry = ModelRegistry(models_dir(obj.settings.home))
    active = registry.active()
    rows = []
    lines = [f"{'*' if active is None else ' '} {PRETRAINED:28} the pretrained encoders"]
    for info in registry.list():
        report = info.report
        is_active = active is not None and active.name == info.name
        rows.append(
            {
                "name": info.name,
                "kind": info.kind,
                "base": info.base,
                "active": is_active,
                "created_at": info.created_at,
                "pairs": report.get("train_pairs"),
                "valid_ndcg@10": [report.get("untuned_ndcg@10"), report.get("best_ndcg@10")],
            }
        )
        lines.append(
            f"{'*' if is_active else ' '} {info.name:28} {info.kind} of {info.base}, "
            f"{report.get('train_pairs', 0):,} pairs, validation nDCG@10 "
            f"{report.get('untuned_ndcg@10', 0):.4f} -> {report.get('best_ndcg@10', 0):.4f}"
        )
    data = {"active": active.name if active else PRETRAINED, "models": rows}
    _emit(data, as_json, "\n".join(lines))


@models.command("activate")
@click.argument("name")
@_home_option
@pass_ctx
def models_activate(obj: _Ctx, name: str) -> None:
    """Serve with model NAME (``pretrained`` rolls back to the pretrained encoders) in a
    new build, swapped in whole; product vectors not in the model's cache are encoded."""
    from shopmind.build import models_dir
    from shopmind.embed.models import PRETRAINED, ModelRegistry

    if name != PRETRAINED:
        ModelRegistry(models_dir(obj.settings.home)).get(name)  # fail before building
    with obj.store() as store:
        build_id = _activate(obj, store, name)
    click.echo(f"model {name} active in build {build_id}")


@main.group()
def evaluate() -> None:
    """Measure relevance offline against baselines run in the same process.

    Every run's result is kept in HOME/evaluations/ (GET /evaluations lists them).
    """


def _keep_run(home: Path, kind: RunKind, command: dict[str, Any], result: dict[str, Any]) -> None:
    """Save an evaluation run's result in ``HOME/evaluations`` and say where; paths among
    the arguments are kept absolute."""
    from shopmind.evaluate.runs import save_run

    args = {
        k: str(Path(v).resolve()) if k in _PATH_ARGS and isinstance(v, str) else v
        for k, v in command.items()
    }
    path = save_run(home, kind, args, result)
    click.echo(f"run saved to {path}", err=True)


@evaluate.command("search")
@click.option("--products", "products_file", required=True, type=click.Path(dir_okay=False))
@click.option("--judgments", "judgments_file", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--train-judgments",
    "train_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also tune the encoder on these judgments (queries of --judgments are left out) "
    "and score the tuned pipeline as shopmind_tuned.",
)
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", help="For --products.")
@click.option(
    "--lists",
    "lists_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write each query's served list (the ids GET /search?k=100 returns) as JSON lines.",
)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@click.pass_context
def evaluate_search(
    ctx: click.Context,
    products_file: str,
    judgments_file: str,
    train_file: str | None,
    mapping: tuple[str, ...],
    lists_file: str | None,
    as_json: bool,
) -> None:
    """nDCG@10 and recall@10/@100 of the served list (what GET /search shows), vs plain BM25.

    shopmind is scored on the list a shopper sees (its full-catalog ranking is reported
    beside it as shopmind_catalog). Uses a temporary home unless --home is given. The
    judgments are only scored, never learned from; with --train-judgments, a tuned model
    is trained on the other file's queries only, and scored next to the untuned pipeline.
    """
    from shopmind.evaluate import (
        bm25_baseline,
        dense_baseline,
        evaluate_methods,
        read_judgments,
        served_scorer,
    )
    from shopmind.index import product_fields

    obj: _Ctx = ctx.obj
    judgments = read_judgments(judgments_file)
    # the run is kept in the home the CLI runs with, never in the temporary one
    keep = load(config_file=obj.config, home=obj.home).home
    with catalog_engine(obj, products_file, mapping) as (products, engine):
        settings = obj.settings
        ids = [p.id for p in products]
        texts = [" ".join(product_fields(p).values()) for p in products]
        methods = {"shopmind": served_scorer(engine), "bm25": bm25_baseline(ids, texts)}
        if engine.dense is not None:
            methods["dense"] = dense_baseline(engine.dense)
        training = None
        if train_file is not None:
            tuned, training = _tuned_engine(settings, products, engine, train_file, judgments)
            methods["shopmind_tuned"] = served_scorer(tuned)
        with _list_writer(lists_file) as on_list:
            result = evaluate_methods(
                ids, judgments, methods, progress=settings.ingest.progress, on_list=on_list
            )
    result["encoder"] = engine.dense.encoder.name if engine.dense is not None else None
    if training is not None:
        result["training"] = training
    result["notes"] = [
        f"shopmind = BM25F (measures, stems, typos, codes) fused by {settings.search.fusion} "
        "with dense retrieval by the encoder, scored on the list GET /search returns "
        "(k=100, no visitor, filters, ads or ranker); shopmind_catalog = the same scores "
        "ranking the whole catalog; dense = the same encoder alone, cosine",
        "recall counts judged >= 2.5 products in a list's top k; unjudged products are "
        "unknown, not irrelevant; irrelevant@10 = the share of a list's first 10 judged "
        "below 2; shown_p50 = the median length of a query's list (for shopmind, the page's "
        "total)",
    ]
    lines = [f"{result['queries']:,} queries ({result['ndcg_queries']:,} for nDCG)"]
    for name, m in result["methods"].items():
        lines.append(
            f"  {name:16} nDCG@10 {m['ndcg@10']:.4f}  recall@10 {m['recall@10']:.4f}  "
            f"recall@100 {m['recall@100']:.4f}  irrelevant@10 {m['irrelevant@10']:.4f}  "
            f"shown p50 {m['shown_p50']:g}"
        )
    lat = result["latency_ms"]
    lines.append(f"  shopmind latency p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms")
    command = {
        "products": products_file,
        "judgments": judgments_file,
        "train_judgments": train_file,
        "map": list(mapping),
        "lists": lists_file,
    }
    _keep_run(keep, "search", command, result)
    _emit(result, as_json, "\n".join(lines))


@contextmanager
def catalog_engine(
    obj: _Ctx, products_file: str, mapping: tuple[str, ...]
) -> Iterator[tuple[list[Any], Any]]:
    """The products of ``products_file`` and a search engine over them, built in the CLI's
    home or, without one, a temporary home removed afterwards (``evaluate search`` and
    ``evaluate experiments`` score such engines)."""
    import tempfile

    from shopmind.embed import resolve_encoder
    from shopmind.ingest import ingest_products
    from shopmind.search import SearchEngine

    with tempfile.TemporaryDirectory(prefix="shopmind-eval-") as tmp:
        if obj.home is None:
            obj.home = tmp
        settings = obj.settings
        with obj.store() as store:
            ingest_products(store, products_file, settings.ingest, mapping=mapping)
            products = store.all_products()
        encoder = resolve_encoder(settings.search.encoder, products)
        engine = SearchEngine.from_products(
            products,
            encoder=encoder,
            config=settings.search,
            cache=settings.home / "cache" / "embeddings",
        )
        yield products, engine


@contextmanager
def _list_writer(path: str | None) -> Iterator[Callable[[str, str, list[str]], None] | None]:
    """A sink for served lists that writes them to ``path`` as JSON lines (none without)."""
    if path is None:
        yield None
        return
    with open(path, "w", encoding="utf-8") as fh:

        def write(method: str, query: str, ids: list[str]) -> None:
            fh.write(json.dumps({"method": method, "query": query, "ids": ids}) + "\n")

        yield write


def _tuned_engine(
    settings: Settings,
    products: list[Any],
    untuned: Any,
    train_file: str,
    scored: Any,
) -> tuple[Any, dict[str, Any]]:
    """The search engine with an encoder tuned on ``train_file`` (none of ``scored``'s
    queries; hard negatives from the ``untuned`` engine's top), and a training summary."""
    from shopmind.build import models_dir
    from shopmind.embed.models import ModelRegistry
    from shopmind.evaluate import read_judgments
    from shopmind.search.tune import tune_search
    from shopmind.train import pairs_from_judgments, query_key

    queries = read_judgments(train_file).queries
    pairs = pairs_from_judgments(queries, {p.id for p in products}, settings.train.min_relevance)
    shared = len({query_key(q) for q in queries} & {query_key(q) for q in scored.queries})
    if shared:
        logger.warning("%d training queries are also scored; they are left out of training", shared)
    pairs = pairs.without(scored.queries)
    registry = ModelRegistry(models_dir(settings.home))
    cache = settings.home / "cache" / "embeddings"
    trained, tuned = tune_search(
        products, pairs, untuned, registry, settings.train, cache, settings.ingest.progress
    )
    report = trained.report
    click.echo(report.render(), err=True)
    summary = {
        "model": trained.info.name,
        "kind": trained.info.kind,
        "train_queries": len(queries),
        "shared_queries_left_out": shared,
        "train_pairs": report.train_pairs,
        "valid_ndcg@10": [report.untuned, report.best],
        "epochs": report.epochs,
        "seconds": report.seconds,
        "stopped": report.stopped,
        "alpha": tuned.config.alpha,
    }
    return tuned, summary


@evaluate.command("recommend")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@click.option("--sample", default=10_000, show_default=True, help="Valid visitors for choices.")
@pass_ctx
def evaluate_recommend_cmd(obj: _Ctx, folder: str, as_json: bool, sample: int) -> None:
    """Next-product prediction (full ranking) vs popular, ItemKNN and EASE.

    FOLDER holds NAME.item, NAME.valid.inter and NAME.test.inter (RecBole atomic files).
    Models train on the valid histories; choices are made on the valid targets only; the
    test targets are reported.
    """
    from shopmind.evaluate.recommend import evaluate_recommend

    settings = obj.settings
    cache = settings.home / "cache" / "embeddings" if obj.home is not None else None
    result = evaluate_recommend(
        folder, cache=cache, sample=sample, progress=settings.ingest.progress
    )
    lines = [f"{result['users']:,} visitors, {result['items']:,} products ({result['encoder']})"]
    for name, m in result["methods"].items():
        lines.append(
            f"  {name:10} recall@10 {m['recall@10']:.4f}  NDCG@10 {m['ndcg@10']:.4f}  "
            f"recall@50 {m['recall@50']:.4f}  coverage@10 {m['coverage@10']:.3f}"
        )
    lines.append(f"  trained in {result['train_seconds']:.0f} s")
    _keep_run(settings.home, "recommend", {"folder": folder, "sample": sample}, result)
    _emit(result, as_json, "\n".join(lines))


@evaluate.command("ctr")
@click.option(
    "--dataset",
    type=click.Choice(["movielens-100k", "criteo", "avazu", "aliccp", "shop"]),
    required=True,
    help="The log's format; 'shop' replays the impressions stored in --home.",
)
@click.option(
    "--data",
    type=click.Path(exists=True),
    default=None,
    help="The dataset's folder (or file for criteo and avazu); not used with 'shop'.",
)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object.")
@pass_ctx
def evaluate_ctr_cmd(obj: _Ctx, dataset: str, data: str | None, as_json: bool) -> None:
    """The deep CTR/CVR model against LightGBM and logistic regression, on the same rows:
    AUC, GAUC and LogLoss on the test part (time-ordered where the data has time)."""
    from shopmind.evaluate.ctr import evaluate_ctr
    from shopmind.rank import load_dataset

    settings = obj.settings
    config = settings.rank
    if dataset == "shop":
        from shopmind.build import open_search
        from shopmind.rank import ShopFeatures, shop_data
        from shopmind.recommend.engine import search_vectors

        with obj.store() as store:
            try:
                vectors = search_vectors(open_search(settings.home, store, settings.search))
            except NotFound:
                vectors = None
            features = ShopFeatures(store.all_products(), vectors, config.history)
            events = (e for batch in store.iter_events() for e in batch)
            loaded = shop_data(events, features, config, test=0.1).data
    else:
        if data is None:
            raise click.UsageError(f"--data DIR is needed for --dataset {dataset}")
        loaded = load_dataset(dataset, Path(data), config.history, config.min_count)
    result = evaluate_ctr(loaded, config, settings.ingest.progress)
    lines = [f"{result['dataset']}: {result['rows']:,} rows ({', '.join(result['notes'])})"]
    for name, m in result["methods"].items():
        extra = f"  ctcvr AUC {m['ctcvr_auc']:.4f}" if "ctcvr_auc" in m else ""
        lines.append(
            f"  {name:9} AUC {m['auc']:.4f}  GAUC {m['gauc']:.4f}  LogLoss {m['logloss']:.4f}"
            + extra
            + (f"  ({m['method']})" if "method" in m else "")
        )
    t = result["training"]
    lines.append(f"  trained {t['epochs']} epochs in {t['seconds']} s ({t['stopped']})")
    _keep_run(settings.home, "ctr", {"dataset": dataset, "data": data}, result)
    _emit(result, as_json, "\n".join(lines))


@main.group()
def analyze() -> None:
    """The owner's picture: segments, funnels, cohorts, searches, trends, forecasts, stock."""


@main.command("config")
@pass_ctx
def show_config(obj: _Ctx) -> None:
    """Print the effective settings (defaults, file, environment) as JSON."""
    click.echo(json.dumps(obj.settings.model_dump(mode="json"), indent=2))


# -- serve and demo --------------------------------------------------------------------------
_MATH_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _keys_live(settings: Settings) -> bool:
    """Whether the home has a live API key (then the API asks for keys)."""
    from shopmind.security.keys import KeyBook, keys_path

    settings.home.mkdir(parents=True, exist_ok=True)
    book = KeyBook(keys_path(settings.home))
    try:
        return book.any_live()
    finally:
        book.close()


def _check_exposure(settings: Settings, bind: str) -> None:
    """Refuse to serve beyond this machine with no live API key: the API would be open."""
    if bind not in LOOPBACK and not _keys_live(settings):
        raise ConfigError(
            f"serving on {bind} would open the API to the network with no API key; make one "
            f"first: shopmind --home {settings.home} keys create --scope admin (or serve on "
            "127.0.0.1)"
        )


def _limit_loaded_math(threads: int) -> None:
    """Math libraries loaded before the environment said how many threads: told now."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)


def _serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    config: str | None = None,
    workers: int | None = None,
) -> None:
    import uvicorn

    from shopmind.serve import create_app
    from shopmind.serve.app import WORKER_LOG_ENV

    _check_exposure(settings, host or settings.serve.host)
    processes = workers or settings.serve.workers
    # few math threads per process (serve.math_threads): concurrent requests use the cores
    # (measured on 2 cores: 2 threads per call, spinning between kernels, cost a process
    # the gain of a second one, and a third of /recommend's CPU); before the libraries load,
    # and for those already loaded when the app starts (serve.app)
    for name in _MATH_THREADS:
        os.environ.setdefault(name, str(settings.serve.math_threads))
    given = os.environ["OPENBLAS_NUM_THREADS"]
    _limit_loaded_math(int(given) if given.isdigit() else settings.serve.math_threads)
    if processes > 1:
        # migrate the store once, here, before the processes open it together
        open_store(settings.store_url, settings.store).close()
        # each process loads the settings itself: from the same home and file as this one
        os.environ["SHOPMIND_HOME"] = str(settings.home.resolve())
        if config is not None:
            os.environ[CONFIG_ENV] = str(Path(config).resolve())
        os.environ[WORKER_LOG_ENV] = str(logging.getLogger().level)  # -v reaches them too
        # and how many they are (--workers too): each takes its share of the cores
        os.environ[f"{ENV_PREFIX}SERVE__WORKERS"] = str(processes)
        from shopmind.serve.processes import serve_processes

        # each process listens on a socket of its own (SO_REUSEPORT), so a burst of
        # keep-alive connections spreads over them (one shared socket gave them all to one)
        serve_processes(
            host or settings.serve.host,
            port or settings.serve.port,
            processes,
            settings.serve.log_level,
        )
        return
    from shopmind.serve.wire import OneSend

    uvicorn.run(
        create_app(settings),
        host=host or settings.serve.host,
        port=port or settings.serve.port,
        log_level=settings.serve.log_level,
        http=OneSend,
    )


_WORKERS = click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Server processes (default serve.workers, 1); use the cores for throughput.",
)


@main.command()
@click.option("--host", default=None, help="Bind address (default 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(1, 65_535), help="Default 8000.")
@_WORKERS
@pass_ctx
def serve(obj: _Ctx, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs) until stopped."""
    _serve(obj.settings, host, port, obj.config, workers)


@main.command()
@click.option("--host", default=None, help="Bind address (default 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(1, 65_535), help="Default 8000.")
@click.option("--no-serve", is_flag=True, help="Build the demo home and exit.")
@_WORKERS
@pass_ctx
def demo(
    obj: _Ctx, host: str | None, port: int | None, no_serve: bool, workers: int | None
) -> None:
    """Build the bundled demo shop into the home if it is empty, then serve it."""
    from shopmind.demo import build_demo

    settings = obj.settings
    with obj.store() as store:
        if store.count_products() == 0 and store.count_events() == 0:
            products_report, events_report = build_demo(store, settings)
            click.echo(products_report.render(), err=True)
            click.echo(events_report.render(), err=True)
            manifest = _full_build(settings, store)
            click.echo(f"build {manifest.id} ready", err=True)
            _, ranked = _train_ranker(settings, store)
            click.echo(
                f"ranker trained on {ranked['impressions']:,} impressions "
                f"(validation AUC {ranked['best_auc']:.3f})",
                err=True,
            )
        else:
            click.echo(f"{settings.home} already holds a shop; serving it as it is", err=True)
    if not no_serve:
        where = f"http://{host or settings.serve.host}:{port or settings.serve.port}"
        click.echo(f"shopmind demo at {where} (API docs at {where}/docs); Ctrl-C stops", err=True)
        if not _keys_live(settings):
            click.echo("no API keys: the API is open, to this machine only", err=True)
        _serve(settings, host, port, obj.config, workers)
