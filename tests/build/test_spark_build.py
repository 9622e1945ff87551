"""``build --engine spark``: Spark (``local[2]``, a real JVM) computes the interaction matrix
with its time decay and the bought-together counts, and the build's artifacts equal the
local build's on the demo shop (zh + en, views to purchases, ratings, sessions)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from shopmind.build import run_build
from shopmind.config import RecommendConfig, Settings
from shopmind.demo import write_demo_files
from shopmind.ingest import ingest_events, ingest_products
from shopmind.store import Store

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="needs pyspark and Java 17 (./install.sh --dev installs them)",
)


def _artifacts(home: Path) -> Path:
    return home / "builds" / (home / "builds" / "CURRENT").read_text().strip()


def test_the_spark_build_writes_the_local_builds_artifacts(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    products, events = write_demo_files(tmp_path / "demo", visitors=120)
    ingest_products(store, products, settings.ingest)
    ingest_events(store, events, settings.ingest)
    local_home, spark_home = tmp_path / "local", tmp_path / "spark"
    config = RecommendConfig()
    local = run_build(store, local_home, settings.events, recommend=config)
    spark = run_build(store, spark_home, settings.events, recommend=config, engine="spark")
    assert (spark.visitors, spark.items, spark.interactions) == (
        local.visitors,
        local.items,
        local.interactions,
    )
    a, b = _artifacts(local_home), _artifacts(spark_home)
    for name in ("visitors.json", "items.json"):
        assert json.loads((a / name).read_text()) == json.loads((b / name).read_text())
    m1, m2 = sp.load_npz(a / "interactions.npz"), sp.load_npz(b / "interactions.npz")
    assert (m1 != 0).nnz == (m2 != 0).nnz and abs(m1 - m2).max() <= 1e-4 * abs(m1).max()
    t1, t2 = sp.load_npz(a / "together.npz"), sp.load_npz(b / "together.npz")
    assert t1.nnz > 0 and (t1 != t2).nnz == 0  # the same counts, pair by pair
    np.testing.assert_allclose(
        np.load(a / "popularity.npy"), np.load(b / "popularity.npy"), rtol=1e-5
    )


def test_the_spark_build_reads_a_parquet_export(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    from shopmind.build.spark import export_events

    products, events = write_demo_files(tmp_path / "demo", visitors=40)
    ingest_products(store, products, settings.ingest)
    ingest_events(store, events, settings.ingest)
    export = export_events(store, tmp_path / "export", rows_per_file=500)
    assert len(list(export.glob("*.parquet"))) > 1
    built = run_build(store, tmp_path / "home", settings.events, engine="spark", events=export)
    assert built.interactions > 0 and built.visitors > 0


def _same_category_neighbours(factors: np.ndarray, categories: list[str]) -> float:
    """How often a product's nearest product in factor space shares its category."""
    seen = np.linalg.norm(factors, axis=1) > 0
    unit = factors[seen] / np.linalg.norm(factors[seen], axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    cats = np.asarray(categories)[seen]
    return float(np.mean(cats[sims.argmax(axis=1)] == cats))


def test_the_spark_build_fits_als_with_mllib(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    from shopmind.build import load_recommend
    from shopmind.recommend.factors import Factors

    products, events = write_demo_files(tmp_path / "demo", visitors=150)
    ingest_products(store, products, settings.ingest)
    ingest_events(store, events, settings.ingest)
    config = RecommendConfig(weights={"als": 1.0, "popular": 0.1}, als_factors=16)
    catalog = store.all_products()
    ids, categories = [p.id for p in catalog], [p.category or "" for p in catalog]
    found = {}
    for engine in ("local", "spark"):
        home = tmp_path / engine
        run_build(store, home, settings.events, recommend=config, engine=engine)  # type: ignore[arg-type]
        model = load_recommend(home, ids)
        assert model is not None
        als = model.components["als"]
        assert isinstance(als, Factors) and als.item_factors.shape == (len(ids), 16)
        found[engine] = als.item_factors
    # different solvers (implicit's conjugate gradient, MLlib's normal equations), the same
    # model: both put a product next to products of its own category
    local = _same_category_neighbours(found["local"], categories)
    spark = _same_category_neighbours(found["spark"], categories)
    chance = max(categories.count(c) for c in set(categories)) / len(categories)
    assert spark > 2 * chance and spark >= local - 0.15, (local, spark, chance)
