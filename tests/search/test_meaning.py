"""The calibrated meaning floor, with the real multilingual encoder (USE) on a zh/en catalog.

tests/data/bilingual/ is a catalog written for these tests: 22 kinds of product, each sold
once with a Chinese and once with an English title, and queries in English, Chinese, pinyin
and traditional characters. No Chinese product-search set with judgments could be had
(../shared/data/README.md), so cross-lingual search is tested on this one.

Each case below is a product that shares no word with the query and that the former fixed
floor (0.3 cosine) hid: across languages the encoder's similarities run lower (pinyin and
traditional queries, now also read as the catalog's Chinese, pass either floor).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shopmind.catalog import Product
from shopmind.config import SearchConfig
from shopmind.demo import demo_products
from shopmind.embed import Encoder, make_encoder
from shopmind.index import LexicalIndex
from shopmind.search import SearchEngine
from shopmind.search.meaning import MIN_GROUP, MeaningFloor
from shopmind.search.query import read_as

BILINGUAL = Path(__file__).resolve().parents[1] / "data" / "bilingual"


def bilingual_products() -> list[Product]:
    """The bilingual test catalog."""
    with (BILINGUAL / "products.csv").open(encoding="utf-8", newline="") as fh:
        return [
            Product(
                id=r["id"],
                title=r["title"],
                category=r["category"],
                brand=r["brand"],
                price=float(r["price"]),
            )
            for r in csv.DictReader(fh)
        ]


@pytest.fixture(scope="module")
def use() -> Encoder:
    return make_encoder("use")


@pytest.fixture(scope="module")
def engine(use: Encoder) -> SearchEngine:
    return SearchEngine.from_products(bilingual_products(), encoder=use)


@pytest.fixture(scope="module")
def fixed(use: Encoder) -> SearchEngine:
    """The former behaviour: one cosine for every language pair."""
    return SearchEngine.from_products(
        bilingual_products(), encoder=use, config=SearchConfig(min_similarity=0.3)
    )


def _shown(engine: SearchEngine, q: str) -> list[str]:
    return [h.product.id for h in engine.search(q, k=10).hits]


@pytest.mark.parametrize(
    ("case", "query", "word_match", "by_meaning"),
    [
        ("en -> zh", "power bank", "pb-en", "pb-zh"),
        ("en -> zh", "sofa", "sf-en", "sf-zh"),
        ("en -> zh", "bathroom scale", "tm-en", "tm-zh"),
        ("zh -> en", "雨伞", "ub-zh", "ub-en"),
        ("zh -> en", "羽绒服", "dj-zh", "dj-en"),
        ("pinyin -> en", "shafa", "sf-zh", "sf-en"),
        ("pinyin -> en", "chongdianbao", "pb-zh", "pb-en"),
        ("traditional -> en", "沙發", "sf-zh", "sf-en"),
        ("traditional -> en", "檯燈", "dl-zh", "dl-en"),
    ],
)
def test_the_other_languages_product_reaches_the_page(
    engine: SearchEngine,
    fixed: SearchEngine,
    case: str,
    query: str,
    word_match: str,
    by_meaning: str,
) -> None:
    shown = _shown(engine, query)
    assert shown[0] == word_match, case
    assert by_meaning in shown, case
    if case in ("en -> zh", "zh -> en"):  # pinyin and traditional are now read as Chinese
        assert by_meaning not in _shown(fixed, query), "the fixed floor hid it (the bug)"
    hit = next(h for h in engine.search(query).hits if h.product.id == by_meaning)
    semantic = next(c for c in hit.reasons.children if c.label.startswith("semantic"))
    assert "found by meaning" in semantic.label
    deviations = next(c for c in semantic.children if c.label.startswith("standard deviations"))
    assert deviations.value is not None and deviations.value >= 2.0
    assert hit.reasons.find("lexical (BM25F)") is None  # no word of the query in it


@pytest.mark.parametrize("query", ["dishwasher safe", "lift-away", "T-fal"])
def test_a_query_only_one_product_answers_shows_nothing_else(
    engine: SearchEngine, query: str
) -> None:
    assert len(_shown(engine, query)) == 1


@pytest.mark.parametrize("query", ["banana", "xyz", "fishing rod", "香蕉"])
def test_a_query_the_catalog_cannot_answer_shows_nothing(engine: SearchEngine, query: str) -> None:
    """Some product always tops a query's similarities: standing out among them is not
    enough, the query's own vector must also beat what meaningless queries reach."""
    assert _shown(engine, query) == []


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("zh", "sofa", "sf-zh"),
        ("zh", "umbrella", "ub-zh"),
        ("zh", "yoga mat", "ym-zh"),
        ("en", "沙发", "sf-en"),
        ("en", "双肩包", "bp-en"),
        ("zh", "banana", None),
        ("en", "香蕉", None),
    ],
)
def test_a_one_language_catalog_answers_the_other_language_by_meaning(
    use: Encoder, language: str, query: str, expected: str | None
) -> None:
    products = [p for p in bilingual_products() if p.id.endswith(language)]
    shown = _shown(SearchEngine.from_products(products, encoder=use), query)
    assert shown == ([expected] if expected else [])


def test_noise_guards_are_per_encoder_and_language_pair(engine: SearchEngine) -> None:
    floor = engine.floor
    assert floor is not None
    guards = floor.guards
    assert set(guards) == {"latin", "cjk"}
    assert all(len(g) == len(floor.names) == 2 for g in guards.values())
    assert all(0.0 < float(v) < 0.3 for g in guards.values() for v in g)


def test_a_small_catalog_is_measured_as_one_language(use: Encoder) -> None:
    """Fewer than MIN_GROUP products of a language have no spread to measure them by: they
    are measured against the whole catalog, and a product nearly as similar as the word
    matches still shows (the relative path). In a catalog this small and this alike (ten
    kitchen products) weaker cross-lingual pairs stay hidden: frying pan / 平底锅 do."""
    products = bilingual_products()[:10]
    floor = MeaningFloor.build([p.language or "" for p in products])
    assert len(products) < MIN_GROUP and floor.names == ("all",)
    engine = SearchEngine.from_products(products, encoder=use)
    assert _shown(engine, "coffee machine") == ["cm-en", "cm-zh"]
    assert _shown(engine, "咖啡机") == ["cm-zh", "cm-en"]


def test_languages_are_measured_apart() -> None:
    floor = MeaningFloor.build(["zh"] * 30 + ["en"] * 25 + ["ja"] * 3)
    assert floor.names == ("en", "zh", "all")
    assert floor.language(0) == "zh" and floor.language(40) == "en"
    assert floor.language(56) == "all"  # a rare language against the whole catalog
    assert len(floor.samples[floor.names.index("all")]) == 58


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("dianfanbao", "电饭煲"),
        ("wuxian erji", "无线耳机"),
        ("Dianfanbao 4L", "电饭煲 4L"),
        ("電飯煲", "电饭煲"),
        ("sofa", None),  # an English title word is never read as pinyin
        ("rice cooker", None),
        ("lining", "李宁"),  # pinyin of a title word no English title uses
        ("fishing line", None),  # a word that is no pinyin: nothing is read as pinyin
        ("lining shoes", None),
    ],
)
def test_pinyin_and_traditional_are_read_as_the_catalogs_chinese(
    engine: SearchEngine, typed: str, read: str | None
) -> None:
    assert read_as(engine.index, typed) == read


def test_the_reading_is_explained_and_kept_in_a_build(engine: SearchEngine, tmp_path: Path) -> None:
    hit = engine.search("kafeiji").hits[0]
    assert hit.product.id == "cm-zh"
    assert hit.reasons.find("query read as: 咖啡机") is not None
    engine.index.save(tmp_path)
    assert LexicalIndex.load(tmp_path).hanzi == engine.index.hanzi
    assert engine.index.hanzi["kafeiji"] == "咖啡机"


def test_fusion_compares_each_language_on_its_own_scale(use: Encoder) -> None:
    """Across languages similarities run lower: fused raw, the demo's 电饭煲 came 18th for
    "rice cooker", below English pans no word of the query matches either."""
    products = [
        Product(id=str(r["id"]), title=str(r["title"]), category=str(r["category"]))
        for r in demo_products(42)
    ]
    engine = SearchEngine.from_products(products, encoder=use)
    first_page = [h.product.title for h in engine.search("rice cooker", k=10).hits]
    assert any("电饭煲" in t for t in first_page), first_page
    first_page = [h.product.title for h in engine.search("yoga mat", k=10).hits]
    assert any("瑜伽垫" in t for t in first_page), first_page
