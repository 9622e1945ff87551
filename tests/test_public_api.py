"""The public names: each package's ``__all__`` is sorted, complete and resolvable."""

from __future__ import annotations

import importlib
import importlib.metadata
from types import ModuleType

import pytest

import shopmind

STAGES = (
    "shopmind.catalog",
    "shopmind.events",
    "shopmind.store",
    "shopmind.ingest",
    "shopmind.sources",
    "shopmind.build",
    "shopmind.serve",
    "shopmind.demo",
    "shopmind.embed",
    "shopmind.index",
    "shopmind.search",
    "shopmind.explain",
    "shopmind.evaluate",
    "shopmind.ads",
    "shopmind.rank",
)

EXPECTED: dict[str, set[str]] = {
    "shopmind": {
        "Event",
        "InvalidInput",
        "Product",
        "Settings",
        "ShopmindError",
        "Store",
        "ingest_events",
        "ingest_products",
        "load",
        "open_store",
    },
    "shopmind.catalog": {"Product", "ProductPatch", "FIELD_FIXES", "detect_language"},
    "shopmind.events": {"Event", "EVENT_TYPES", "FIELD_FIXES", "StoredEvent"},
    "shopmind.store": {"Store", "SQLiteStore", "open_store", "LATEST_VERSION", "WriteResult"},
    "shopmind.ingest": {"IngestReport", "ingest_products", "ingest_events", "ingest_event_batch"},
    "shopmind.sources": {"open_source", "read_chunks", "parse_mapping", "SourceFile"},
    "shopmind.build": {"run_build", "current_build", "BuildManifest"},
    "shopmind.serve": {"create_app"},
    "shopmind.demo": {"build_demo", "demo_products", "simulate_events", "visitor_tastes"},
    "shopmind.embed": {"Encoder", "HashingEncoder", "make_encoder", "choose_encoder_name"},
    "shopmind.index": {"LexicalIndex", "VectorIndex", "analyze", "top_k"},
    "shopmind.search": {"SearchEngine", "LiveSearch", "Dense", "retrieve", "rrf", "convex"},
    "shopmind.explain": {"Node"},
    "shopmind.evaluate": {"evaluate_methods", "ndcg_at_k", "bm25_baseline", "dense_baseline"},
    "shopmind.ads": {"AdServer", "CampaignBook", "CampaignIn", "SponsoredHit", "run_auction"},
    "shopmind.rank": {"CtrModel", "Ranker", "fit_ctr", "load_dataset", "train_ranker"},
}


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then everything else."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", ["shopmind", *STAGES])
def test_all_is_sorted_unique_and_resolves(name: str) -> None:
    module = _module(name)
    exported = list(module.__all__)
    assert exported, f"{name}.__all__ is empty"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    assert exported == sorted(exported, key=_isort_key), f"{name}.__all__ is not sorted"
    for attr in exported:
        assert getattr(module, attr, None) is not None, f"{name}.{attr} does not resolve"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_main_names_are_public(name: str) -> None:
    missing = EXPECTED[name] - set(_module(name).__all__)
    assert not missing, f"{name}.__all__ lacks {sorted(missing)}"


def test_top_level_all_is_plainly_sorted() -> None:
    assert list(shopmind.__all__) == sorted(shopmind.__all__)


def test_star_import() -> None:
    namespace: dict[str, object] = {}
    exec("from shopmind import *", namespace)
    for attr in shopmind.__all__:
        assert attr in namespace


def test_top_level_names_are_the_stage_objects() -> None:
    from shopmind.catalog import Product
    from shopmind.config import load
    from shopmind.events import Event
    from shopmind.ingest import ingest_products
    from shopmind.store import open_store

    assert shopmind.Product is Product
    assert shopmind.Event is Event
    assert shopmind.load is load
    assert shopmind.ingest_products is ingest_products
    assert shopmind.open_store is open_store


def test_errors_share_one_base() -> None:
    for attr in ("ConfigError", "Conflict", "InvalidFile", "InvalidInput", "NotFound"):
        assert issubclass(getattr(shopmind, attr), shopmind.ShopmindError)
    assert issubclass(shopmind.SchemaVersionError, shopmind.StoreError)
    assert issubclass(shopmind.InvalidFile, shopmind.InvalidInput)


def test_version_matches_the_package_metadata() -> None:
    assert shopmind.__version__ == importlib.metadata.version("shopmind")
