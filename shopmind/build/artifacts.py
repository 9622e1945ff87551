"""``shopmind build``: derive serving artifacts from the store, and swap them in atomically.

A build holds the interaction matrix and popularity (``events.matrix``) and the search
index with its catalog columns (``search.persist``).

A build is written into ``HOME/builds/.tmp-ID``, renamed to ``HOME/builds/ID`` when it is
complete, and only then named in ``HOME/builds/CURRENT`` (replaced atomically), so a
reader never sees a half-written build. The newest ``keep`` builds are kept for rollback.

The manifest holds every file's SHA-256. A build is checked once per process before it is
served: a build whose files are damaged or missing (a disk fault, a hand edit) is refused
with an error in the log, and the newest older build that checks out serves instead.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tarfile
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from tqdm import tqdm

from shopmind.config import EventsConfig, RankConfig, RecommendConfig, SearchConfig
from shopmind.embed import resolve_encoder
from shopmind.errors import NotFound
from shopmind.events.matrix import Interactions, build_interactions
from shopmind.files import sha256_of, write_text_atomic
from shopmind.rank import Ranker
from shopmind.recommend import Hybrid, Recommender
from shopmind.recommend.engine import RecommendEngine, search_vectors
from shopmind.recommend.factors import Factors
from shopmind.search import SearchEngine
from shopmind.search.persist import load_search, save_search
from shopmind.store import Store
from shopmind.store.cache import ProductCache

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
RECOMMEND = "recommend.npz"
TOGETHER = "together.npz"


@dataclass(frozen=True)
class BuildManifest:
    """What a build holds."""

    id: str
    created_at: float
    products: int
    events: int
    visitors: int
    items: int
    interactions: int
    seconds: float
    event_weights: dict[str, float]
    half_life_days: float
    files: dict[str, str] = field(default_factory=dict)  # relative path -> SHA-256

    def as_dict(self) -> dict[str, Any]:
        """The manifest as a JSON-ready dict."""
        return asdict(self)


def builds_dir(home: Path) -> Path:
    """The folder that holds builds."""
    return home / "builds"


def models_dir(home: Path) -> Path:
    """The folder that holds tuned encoders (:mod:`shopmind.embed.models`)."""
    return home / "models"


def ranker_path(home: Path) -> Path:
    """The trained ranker's file (``shopmind train ranker`` writes it)."""
    return models_dir(home) / "ranker.pt"


def open_ranker(
    home: Path, store: Store, engine: SearchEngine | None, config: RankConfig
) -> Ranker:
    """The trained ranker over the store's catalog and the engine's product vectors.

    Raises:
        NotFound: no ranker has been trained in this home.
    """
    path = ranker_path(home)
    if not path.exists():
        raise NotFound(f"no trained ranker in {home}; run: shopmind train ranker --home {home}")
    return Ranker.load(path, store.all_products(), search_vectors(engine), config)


def run_build(
    store: Store,
    home: Path,
    config: EventsConfig,
    keep: int = 3,
    search: SearchConfig | None = None,
    recommend: RecommendConfig | None = None,
    engine: Literal["local", "spark"] = "local",
    master: str = "local[2]",
    events: Path | None = None,
) -> BuildManifest:
    """Build the search index, the interaction matrix and popularity, and make them current.

    With ``recommend``, the recommendation models are fitted too (``recommend.npz``), so a
    server starts without fitting them; serving never sees a half-written build.

    Product vectors are built when ``search`` names an encoder (``auto`` picks one by the
    catalog's languages); they are cached in ``HOME/cache/embeddings`` so a rebuild only
    encodes new or changed products. Without ``search`` the build is lexical only.

    ``engine="spark"`` computes the interaction matrix, the bought-together counts and (when
    the blend weighs ``als``) the ALS factors as Spark jobs on ``master`` (``build.spark``),
    from the store's events or from the Parquet export ``events``; the artifacts are the
    same as the local build's.
    """
    started = time.perf_counter()
    root = builds_dir(home)
    root.mkdir(parents=True, exist_ok=True)
    build_id = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() // 1000 % 1_000_000:06d}"
    products = store.all_products()
    catalog = [p.id for p in products]
    total = store.count_events()
    together = None
    prefit: dict[str, Recommender] = {}
    if engine == "spark":
        from shopmind.build.spark import build_parts

        als = None
        if recommend is not None and recommend.weights.get("als", 0) > 0:
            als = Factors(factors=recommend.als_factors, iterations=recommend.als_iterations)
        parts = build_parts(store, config, catalog, master, events, als)
        inter, together = parts.interactions, parts.together
        if parts.als is not None:
            prefit["als"] = parts.als
    else:
        with tqdm(total=total, desc="build: read events", unit=" events", disable=None) as bar:

            def batches() -> Any:
                for batch in store.iter_events():
                    bar.update(len(batch))
                    yield batch

            inter = build_interactions(batches(), config, items=catalog)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    _write(tmp, inter)
    encoder = None
    if search is not None:
        encoder = resolve_encoder(search.encoder, products, models_dir(home))
    _, index = save_search(tmp, products, encoder, home / "cache" / "embeddings", search)
    if recommend is not None:
        vectors = (index.ids, index.vectors) if index is not None else None
        fitted = RecommendEngine.fit(
            store, config, recommend, vectors, products=products, interactions=inter,
            together=together, prefit=prefit,
        )  # fmt: skip
        fitted.model.save(tmp / RECOMMEND)
        sp.save_npz(tmp / TOGETHER, fitted.together)  # products carted or bought together
    manifest = BuildManifest(
        id=build_id,
        created_at=time.time(),
        products=len(catalog),
        events=total,
        visitors=inter.shape[0],
        items=inter.shape[1],
        interactions=int(inter.matrix.nnz),
        seconds=round(time.perf_counter() - started, 3),
        event_weights=dict(config.weights),
        half_life_days=config.half_life_days,
        files=_checksums(tmp),
    )
    (tmp / "manifest.json").write_text(json.dumps(manifest.as_dict(), indent=2))
    final = root / build_id
    os.rename(tmp, final)
    point_current(root, build_id)
    prune(root, keep)
    publish(store, home, build_id, keep)
    logger.info("build %s: %d visitors x %d items", build_id, *inter.shape)
    return manifest


def publish(store: Store, home: Path, build_id: str, keep: int = 3) -> None:
    """Publish the home's build ``build_id`` into ``store`` for serving nodes with homes of
    their own (``build.share``); a no-op for a store that does not share builds."""
    if not store.shares_builds:
        return
    folder = builds_dir(home) / build_id
    with tempfile.TemporaryDirectory(dir=builds_dir(home), prefix=".publish-") as scratch:
        archive = Path(scratch) / f"{build_id}.tar"
        with tarfile.open(archive, "w") as tar:  # the arrays inside are compressed already
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=path.relative_to(folder).as_posix())
        store.publish_build(build_id, archive, keep)
    logger.info("build %s published to the shared store", build_id)


def _write(folder: Path, inter: Interactions) -> None:
    sp.save_npz(folder / "interactions.npz", inter.matrix)
    np.save(folder / "popularity.npy", inter.popularity())
    (folder / "visitors.json").write_text(json.dumps(inter.visitors, ensure_ascii=False))
    (folder / "items.json").write_text(json.dumps(inter.items, ensure_ascii=False))


def point_current(root: Path, build_id: str) -> None:
    """Name ``build_id`` in ``root/CURRENT`` (replaced atomically)."""
    write_text_atomic(root / CURRENT, build_id + "\n")


def prune(root: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` builds (never the current one)."""
    current = (root / CURRENT).read_text().strip()
    builds = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in builds[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


def _checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): sha256_of(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def rehash(folder: Path, names: list[str]) -> None:
    """Record new checksums for files of a build rewritten in place (forgetting a visitor)."""
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    if data.get("files"):
        for name in names:
            data["files"][name] = sha256_of(folder / name)
        write_text_atomic(path, json.dumps(data, indent=2))


_CHECKED: dict[tuple[str, int], bool] = {}
_CHECK_LOCK = threading.Lock()


def intact(folder: Path) -> BuildManifest | None:
    """The build's manifest when every file matches its checksum (checked once per process
    and manifest version); None for a damaged, incomplete or unreadable build."""
    path = folder / "manifest.json"
    try:
        key = (str(folder), path.stat().st_mtime_ns)
        manifest = BuildManifest(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    with _CHECK_LOCK:
        known = _CHECKED.get(key)
    if known is None:
        known = all(
            (folder / name).is_file() and sha256_of(folder / name) == digest
            for name, digest in manifest.files.items()
        )
        with _CHECK_LOCK:
            _CHECKED[key] = known
    return manifest if known else None


def current_build(home: Path) -> BuildManifest:
    """The manifest of the current build, or of the newest older build that is intact when
    the current one is damaged; raises NotFound when there is none."""
    root = builds_dir(home)
    pointer = root / CURRENT
    if not pointer.is_file():
        raise NotFound(f"no build in {root}; run 'shopmind build'")
    wanted = pointer.read_text().strip()
    manifest = intact(root / wanted)
    if manifest is not None:
        return manifest
    older = sorted(
        (p.name for p in root.iterdir() if p.is_dir() and p.name < wanted),
        reverse=True,
    )
    for name in older:
        fallback = intact(root / name)
        if fallback is not None:
            logger.error("build %s is damaged (a checksum fails); serving build %s", wanted, name)
            return fallback
    raise NotFound(f"the build {wanted} in {root} is damaged and no older one is intact; "
                   "run 'shopmind build'")  # fmt: skip


def current_folder(home: Path) -> Path:
    """The folder of the current build; raises NotFound when there is none."""
    return builds_dir(home) / current_build(home).id


def load_interactions(home: Path) -> Interactions:
    """The current build's interaction matrix."""
    manifest = current_build(home)
    folder = builds_dir(home) / manifest.id
    matrix = sp.load_npz(folder / "interactions.npz").tocsr()
    visitors = json.loads((folder / "visitors.json").read_text())
    items = json.loads((folder / "items.json").read_text())
    return Interactions(matrix, visitors, items)


def open_search(home: Path, store: Store, config: SearchConfig | None = None) -> SearchEngine:
    """The current build's search engine, or one built now from the store without a build."""
    try:
        folder = current_folder(home)
    except NotFound:
        folder = None
    if folder is not None and (folder / "search").is_dir():
        items = json.loads((folder / "items.json").read_text())
        pop = np.load(folder / "popularity.npy")
        popularity = {pid: float(v) for pid, v in zip(items, pop, strict=True)}
        return load_search(folder, ProductCache(store), popularity, config, models_dir(home))
    logger.info("no build with a search index in %s: indexing the store in memory", home)
    products = store.all_products()
    encoder = None
    if config is not None and products:
        encoder = resolve_encoder(config.encoder, products, models_dir(home))
    return SearchEngine.from_products(
        products,
        encoder=encoder,
        config=config,
        cache=home / "cache" / "embeddings",
        lookup=ProductCache(store),
    )


def load_recommend(home: Path, product_ids: list[str]) -> Hybrid | None:
    """The current build's fitted recommendation models, if they were fitted on exactly
    these products (in this order); None otherwise (then serving fits its own)."""
    try:
        folder = current_folder(home)
    except NotFound:
        return None
    path = folder / RECOMMEND
    if not path.is_file():
        return None
    items = json.loads((folder / "items.json").read_text())
    if items[: len(product_ids)] != product_ids:
        logger.info("the build's recommendation models are for another catalog; refitting")
        return None
    model = Recommender.load(path)
    if not isinstance(model, Hybrid) or model.n_items != len(product_ids):
        return None
    return model


def open_recommend(
    home: Path,
    store: Store,
    events: EventsConfig,
    config: RecommendConfig,
    search: SearchEngine | None = None,
) -> RecommendEngine:
    """Recommendations over the store's catalog: the current build's fitted models when they
    are for this catalog, else fitted now; product vectors from ``search``'s dense index."""
    products = store.all_products()
    fitted = load_recommend(home, [p.id for p in products])
    vectors = search_vectors(search)
    return RecommendEngine.fit(store, events, config, vectors, fitted, products=products)
