"""The English tuning path: a query tower trained against MiniLM's frozen product vectors.

Products go by shop-specific model names that never say what they are ("Zentro Pods 3"
is an earphone), as real catalogs do; the tower is trained on some queries per category
and scored on queries it never saw.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shopmind.catalog import Product
from shopmind.config import TrainConfig
from shopmind.embed import Encoder, encode_cached, shared_encoder
from shopmind.embed.models import ModelRegistry
from shopmind.train import Trained, train_model
from tests.train.named import Categories, category_pairs, mean_ndcg, named_catalog

CATEGORIES: Categories = {
    "earphones": (
        [
            "wireless earphones",
            "bluetooth earbuds",
            "noise cancelling headphones",
            "sport earphones",
            "in ear headset",
            "true wireless buds",
            "earbuds for music",
            "headphones for running",
        ],
        ["Zentro Pods {n}", "Vexa Air {n}", "Quill Tone {n}", "Ombra {n} Lite"],
    ),
    "kettle": (
        [
            "electric kettle",
            "water boiler",
            "tea kettle",
            "fast boil kettle",
            "stainless steel kettle",
            "kettle for tea",
            "cordless kettle",
            "hot water pot",
        ],
        ["Brava K{n}", "Heatrix {n}", "Solen {n} Litre", "Cuvo {n}"],
    ),
    "lamp": (
        [
            "desk lamp",
            "reading light",
            "led table lamp",
            "bedside lamp",
            "study lamp",
            "night light",
            "rechargeable lamp",
            "eye care lamp",
        ],
        ["Lumo D{n}", "Arcton {n}", "Nidra {n} Glow", "Faro {n}"],
    ),
    "backpack": (
        [
            "backpack",
            "laptop bag",
            "school bag",
            "travel rucksack",
            "hiking daypack",
            "commuter backpack",
            "waterproof backpack",
            "student bookbag",
        ],
        ["Trekka {n}", "Urbo Carry {n}", "Montis {n} Pack", "Rova {n}"],
    ),
}


@pytest.fixture(scope="module")
def minilm() -> Encoder:
    pytest.importorskip("sentence_transformers")
    return shared_encoder("minilm")


# small enough to train in seconds on the 80 products
SMALL = TrainConfig(min_pairs=10, valid_fraction=0.2, valid_fillers=0, batch_size=16, epochs=4)


def _tower_gains(
    minilm: Encoder, registry: ModelRegistry, config: TrainConfig, cache: Path | None = None
) -> tuple[Trained, Encoder, list[Product]]:
    """Train a tower on queries 0-4 of each category; it must rank queries 5-7 (never
    trained on) far better than the pretrained encoder. The model, its encoder, the
    catalog."""
    products, category = named_catalog(CATEGORIES, "en")
    trained = train_model(
        products,
        category_pairs(CATEGORIES, category, range(5)),
        minilm,
        registry,
        config,
        cache,
        progress=False,
    )
    assert trained.report.best > trained.report.untuned  # the validation curve shows it
    tuned = registry.encoder(trained.info.name)
    unseen = category_pairs(CATEGORIES, category, range(5, 8))
    before, after = mean_ndcg(minilm, products, unseen), mean_ndcg(tuned, products, unseen)
    assert after > before + 0.1, (before, after)
    return trained, tuned, products


def test_the_query_tower_ranks_unseen_queries_better(minilm: Encoder, tmp_path: Path) -> None:
    assert SMALL.method == "auto"  # a query tower is what auto picks for MiniLM
    cache = tmp_path / "cache"
    trained, tuned, products = _tower_gains(
        minilm, ModelRegistry(tmp_path / "models"), SMALL, cache
    )
    info = trained.info
    assert info.kind == "query" and info.base == "minilm"
    assert tuned.name == f"minilm@{info.name}"
    # products keep the pretrained vectors, read from the pretrained encoder's cache
    titles = [p.title for p in products]
    assert tuned.vectors_name == "minilm"
    assert np.allclose(tuned.encode_documents(titles[:5]), minilm.encode_documents(titles[:5]))
    assert sorted(p.name for p in cache.iterdir()) == ["minilm.npz"]
    assert np.array_equal(encode_cached(tuned, titles, cache), encode_cached(minilm, titles, cache))
    # only the queries move
    query = ["wireless earphones"]
    assert not np.allclose(tuned.encode_query(query), minilm.encode_query(query), atol=1e-3)


def test_a_query_tower_needs_a_trainable_encoder(tmp_path: Path) -> None:
    from shopmind.embed.hashing import HashingEncoder
    from shopmind.errors import TrainingError

    products, category = named_catalog(CATEGORIES, "en")
    config = TrainConfig(method="query", min_pairs=10)
    with pytest.raises(TrainingError, match=r"set train\.method to adapter"):
        train_model(
            products,
            category_pairs(CATEGORIES, category, range(5)),
            HashingEncoder(),
            ModelRegistry(tmp_path / "models"),
            config,
            progress=False,
        )


def test_train_encoder_activates_a_tower_without_encoding_the_catalog_again(
    minilm: Encoder, tmp_path: Path
) -> None:
    from tests.train.test_cli_train import _encoder_name, _ok

    products, category = named_catalog(CATEGORIES, "en")
    home = tmp_path / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text(
        "[ingest]\nprogress = false\n[search]\nmin_similarity = 0.2\n"
        "[train]\nmin_pairs = 10\nepochs = 4\nbatch_size = 16\n"
        "valid_fillers = 0\n",
        encoding="utf-8",
    )
    catalog = tmp_path / "products.csv"
    catalog.write_text(
        "id,title\n" + "".join(f"{p.id},{p.title}\n" for p in products), encoding="utf-8"
    )
    judged = tmp_path / "judgments.csv"
    pairs = category_pairs(CATEGORIES, category, range(5))
    judged.write_text(
        "query,product_id,relevance\n"
        + "".join(f"{q},{p},3\n" for q in pairs.anchors for p in sorted(pairs.positives[q])),
        encoding="utf-8",
    )
    _ok(home, "ingest", "products", str(catalog))
    _ok(home, "build")
    cache = home / "cache" / "embeddings"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert list(before) == ["minilm.npz"]

    trained = _ok(home, "train", "encoder", "--judgments", str(judged), "--json")
    assert trained["report"]["kind"] == "query"
    assert _encoder_name(home) == f"minilm@{trained['model']}"
    # the new build's product vectors came from the pretrained cache, untouched
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    hits = _ok(home, "search", "true wireless buds", "--json")["hits"]  # never trained on
    assert [category[h["id"]] for h in hits[:3]] == ["earphones"] * 3
    assert f"minilm@{trained['model']}" in json.dumps(hits[0]["reasons"])


def test_past_softmax_products_a_step_samples_the_catalog(minilm: Encoder, tmp_path: Path) -> None:
    sampled = SMALL.model_copy(update={"softmax_products": 20})  # below the catalog's 80
    _tower_gains(minilm, ModelRegistry(tmp_path / "models"), sampled)  # (the floor is 1,000)
