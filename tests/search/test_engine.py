"""The search engine: filters, facets, sorting, paging, reasons and input checks."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from shopmind.build import open_search, run_build
from shopmind.build.artifacts import rehash
from shopmind.catalog import Product
from shopmind.config import Settings
from shopmind.demo import demo_products
from shopmind.errors import InvalidInput
from shopmind.explain import Node
from shopmind.index.analyze import ANALYZER_VERSION
from shopmind.search import MAX_QUERY_CHARS, Filters, SearchEngine, SearchResult
from shopmind.store import Store


def _p(pid: str, title: str, **fields: Any) -> Product:
    return Product(id=pid, title=title, **fields)


def _day(month: int, day: int) -> datetime:
    return datetime(2025, month, day, tzinfo=UTC)


HEADPHONES = "Electronics > Audio > Headphones"
SHOP = [
    _p("h1", "QuietBeat Wireless Earbuds X2", brand="QuietBeat", category=HEADPHONES,
       price=59.99, in_stock=True, created_at=_day(1, 1)),
    _p("h2", "SonicArc Wireless Earbuds Pro", brand="SonicArc", category=HEADPHONES,
       price=129.0, in_stock=False, created_at=_day(3, 1)),
    _p("h3", "Auralis Wireless Headphones", brand="Auralis", category=HEADPHONES,
       price=249.0, in_stock=True, created_at=_day(2, 1)),
    _p("c1", "ShellCraft Wireless Charger 15W", brand="ShellCraft",
       category="Electronics > Phones > Accessories", price=25.0, in_stock=True,
       created_at=_day(4, 1)),
    _p("s1", "Lumora Wireless Mouse", brand="Lumora", category="Electronics Outlet",
       price=9.5, in_stock=True, created_at=_day(1, 15)),
    _p("n1", "Wireless Doorbell", category="Home & Kitchen", in_stock=True),
    _p("k1", "Kitchara Non-Stick Frying Pan 10-inch", brand="Kitchara",
       category="Home & Kitchen > Cookware", price=35.0, in_stock=True, created_at=_day(5, 1)),
]  # fmt: skip
WIRELESS = {"h1", "h2", "h3", "c1", "s1", "n1"}


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    popularity = {"h3": 9.0, "c1": 7.0, "h1": 5.0, "n1": 1.0}
    return SearchEngine.from_products(SHOP, popularity=popularity)


@pytest.fixture(scope="module")
def demo() -> list[Product]:
    return [Product.model_validate(p) for p in demo_products(42)]


@pytest.fixture(scope="module")
def demo_engine(demo: list[Product]) -> SearchEngine:
    return SearchEngine.from_products(demo)


def _ids(result: SearchResult) -> list[str]:
    return [h.product.id for h in result.hits]


def _field_of(call: Any) -> str:
    with pytest.raises(InvalidInput) as err:
        call()
    assert err.value.errors, str(err.value)
    field: str = err.value.errors[0].field
    return field


def _check_shape(tree: dict[str, Any]) -> None:
    assert set(tree) == {"label", "value", "children"}
    assert isinstance(tree["label"], str) and tree["label"]
    assert tree["value"] is None or isinstance(tree["value"], float)
    assert isinstance(tree["children"], list)
    for child in tree["children"]:
        _check_shape(child)


def _child(node: Node, label: str) -> Node:
    found = [c for c in node.children if c.label == label]
    assert len(found) == 1, [c.label for c in node.children]
    return found[0]


# -- matching and relevance -------------------------------------------------------------------
def test_all_matches_are_counted(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=100)
    assert set(_ids(result)) == WIRELESS
    assert result.total == len(WIRELESS)
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)


def test_best_title_match_first(engine: SearchEngine) -> None:
    assert set(_ids(engine.search("wireless earbuds", k=2))) == {"h1", "h2"}
    assert _ids(engine.search("sonicarc wireless earbuds pro", k=1)) == ["h2"]
    assert _ids(engine.search("auralis headphones", k=1)) == ["h3"]


def test_nothing_matches(engine: SearchEngine) -> None:
    result = engine.search("zzqqxx")
    assert result.hits == []
    assert result.total == 0
    assert result.facets["category"] == {}
    assert result.facets["brand"] == {}


def test_stopword_only_query_matches_nothing_without_error(engine: SearchEngine) -> None:
    result = engine.search("the and of")
    assert result.total == 0


def test_empty_catalog_searches_to_nothing() -> None:
    engine = SearchEngine.from_products([])
    result = engine.search("wireless", filters=Filters(category="Electronics", brands=("x",)))
    assert result.hits == []
    assert result.total == 0
    assert result.facets == {"category": {}, "brand": {}, "price": {}, "availability": {}}


def test_demo_catalog_english_and_chinese(demo_engine: SearchEngine, demo: list[Product]) -> None:
    result = demo_engine.search("wireless earbuds", k=4)
    assert len(result.hits) == 4
    assert all("Wireless Earbuds" in h.product.title for h in result.hits)
    zh = demo_engine.search("蓝牙耳机", k=4)
    expected = {p.id for p in demo if "蓝牙耳机" in p.title}
    assert len(expected) == 4
    assert set(_ids(zh)) == expected


def test_demo_catalog_typo(demo_engine: SearchEngine) -> None:
    result = demo_engine.search("wirless earbuds", k=3)
    assert all("Wireless Earbuds" in h.product.title for h in result.hits)


# -- filters ------------------------------------------------------------------------------------
def test_category_filter_takes_the_subtree_only(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=100, filters=Filters(category="Electronics"))
    assert set(_ids(result)) == {"h1", "h2", "h3", "c1"}  # not "Electronics Outlet"
    assert result.total == 4
    audio = engine.search("wireless", k=100, filters=Filters(category="Electronics > Audio"))
    assert set(_ids(audio)) == {"h1", "h2", "h3"}
    leaf = engine.search("wireless", filters=Filters(category="Home & Kitchen"))
    assert _ids(leaf) == ["n1"]


def test_brand_filter_is_case_insensitive(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=100, filters=Filters(brands=("quietbeat",)))
    assert _ids(result) == ["h1"]
    assert result.total == 1
    two = engine.search("wireless", k=100, filters=Filters(brands=("QUIETBEAT", "Auralis")))
    assert set(_ids(two)) == {"h1", "h3"}
    assert two.total == 2


def test_price_filters(engine: SearchEngine) -> None:
    band = engine.search("wireless", k=100, filters=Filters(price_min=25, price_max=129))
    assert set(_ids(band)) == {"c1", "h1", "h2"}  # bounds included; no price never matches
    assert band.total == 3
    cheap = engine.search("wireless", k=100, filters=Filters(price_max=20))
    assert _ids(cheap) == ["s1"]
    dear = engine.search("wireless", k=100, filters=Filters(price_min=200))
    assert _ids(dear) == ["h3"]
    exact = engine.search("wireless", k=100, filters=Filters(price_min=25, price_max=25))
    assert _ids(exact) == ["c1"]


def test_in_stock_filter(engine: SearchEngine) -> None:
    stocked = engine.search("wireless", k=100, filters=Filters(in_stock=True))
    assert set(_ids(stocked)) == WIRELESS - {"h2"}
    assert stocked.total == 5
    out = engine.search("wireless", k=100, filters=Filters(in_stock=False))
    assert _ids(out) == ["h2"]


def test_filters_combine(engine: SearchEngine) -> None:
    filters = Filters(category="Electronics", price_min=50, in_stock=True)
    result = engine.search("wireless", k=100, filters=filters)
    assert set(_ids(result)) == {"h1", "h3"}
    assert result.total == 2


def test_demo_filters_agree_with_the_products(
    demo_engine: SearchEngine, demo: list[Product]
) -> None:
    by_id = {p.id: p for p in demo}
    everything = demo_engine.search("earbuds headphones 耳机", k=100)
    assert everything.total > 20
    matched = {h.product.id for h in everything.hits}
    assert len(matched) == everything.total
    filters = Filters(category="Electronics > Audio", price_max=100.0, in_stock=True)
    result = demo_engine.search("earbuds headphones 耳机", k=100, filters=filters)
    expected = {
        pid
        for pid in matched
        if (by_id[pid].category or "").startswith("Electronics > Audio")
        and by_id[pid].price is not None
        and by_id[pid].price <= 100
        and by_id[pid].in_stock
    }
    assert expected
    assert set(_ids(result)) == expected
    assert result.total == len(expected)


# -- facets ------------------------------------------------------------------------------------
def test_facets_count_over_all_matches_not_the_page(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=2)
    assert len(result.hits) == 2
    assert result.facets["category"] == {
        "Electronics": 4,
        "Electronics > Audio": 3,
        "Electronics > Audio > Headphones": 3,
        "Electronics > Phones": 1,
        "Electronics > Phones > Accessories": 1,
        "Electronics Outlet": 1,
        "Home & Kitchen": 1,
    }
    assert result.facets["brand"] == {
        "QuietBeat": 1,
        "SonicArc": 1,
        "Auralis": 1,
        "ShellCraft": 1,
        "Lumora": 1,
    }
    assert result.facets["price"] == {"0-10": 1, "10-50": 1, "50-100": 1, "100-500": 2}
    assert result.facets["availability"] == {"in_stock": 5, "out_of_stock": 1}


def test_facets_follow_the_filters(engine: SearchEngine) -> None:
    result = engine.search("wireless", filters=Filters(category="Electronics > Audio"))
    assert result.facets["category"] == {
        "Electronics": 3,
        "Electronics > Audio": 3,
        "Electronics > Audio > Headphones": 3,
    }
    assert result.facets["availability"] == {"in_stock": 2, "out_of_stock": 1}


def test_expensive_price_band() -> None:
    shop = [_p("a", "Gold Watch", price=1500.0), _p("b", "Gold Ring", price=999.99)]
    result = SearchEngine.from_products(shop).search("gold")
    assert result.facets["price"] == {"1000-": 1, "500-1000": 1}


def test_brand_facet_and_filter_ignore_case() -> None:
    shop = [_p("a", "Desk Lamp", brand="Lumora"), _p("b", "Floor Lamp", brand="LUMORA")]
    engine = SearchEngine.from_products(shop)
    assert sum(engine.search("lamp").facets["brand"].values()) == 2
    assert engine.search("lamp", filters=Filters(brands=("lumora",))).total == 2


def test_demo_facets_add_up(demo_engine: SearchEngine) -> None:
    result = demo_engine.search("wireless", k=3)
    assert sum(result.facets["availability"].values()) == result.total
    top = {c: n for c, n in result.facets["category"].items() if " > " not in c}
    assert sum(top.values()) == result.total
    assert sum(result.facets["price"].values()) == result.total


# -- sorting and paging ------------------------------------------------------------------------
def test_sort_price_ascending_puts_unpriced_last(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=100, sort="price_asc")
    assert _ids(result) == ["s1", "c1", "h1", "h2", "h3", "n1"]


def test_sort_price_descending_puts_unpriced_last(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=100, sort="price_desc")
    assert _ids(result) == ["h3", "h2", "h1", "c1", "s1", "n1"]


def test_sort_newest(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=100, sort="newest")
    assert _ids(result) == ["c1", "h2", "h3", "s1", "h1", "n1"]


def test_sort_popularity(engine: SearchEngine) -> None:
    result = engine.search("wireless", k=100, sort="popularity")
    assert _ids(result)[:4] == ["h3", "c1", "h1", "n1"]
    assert set(_ids(result)[4:]) == {"h2", "s1"}


def test_sort_applies_before_paging(engine: SearchEngine) -> None:
    first = engine.search("wireless", k=2, sort="price_asc")
    assert _ids(first) == ["s1", "c1"]
    assert first.total == 6


def test_paging_with_offset(engine: SearchEngine) -> None:
    full = _ids(engine.search("wireless", k=100))
    pages = [_ids(engine.search("wireless", k=2, offset=o)) for o in (0, 2, 4)]
    assert [pid for page in pages for pid in page] == full
    beyond = engine.search("wireless", k=2, offset=10)
    assert beyond.hits == []
    assert beyond.total == 6
    sorted_page = engine.search("wireless", k=2, offset=2, sort="price_desc")
    assert _ids(sorted_page) == ["h1", "c1"]


# -- reasons -----------------------------------------------------------------------------------
def test_reasons_tree_shape(engine: SearchEngine) -> None:
    result = engine.search("wireless earbuds", k=3)
    for hit in result.hits:
        tree = hit.reasons.as_dict()
        _check_shape(tree)
        assert tree["label"] == f"search hit {hit.product.id}"
        assert tree["value"] == pytest.approx(hit.score, abs=1e-5)
    wire = result.as_dict()
    assert wire["hits"][0]["reasons"] == result.hits[0].reasons.as_dict()


def test_reasons_lexical_branch(engine: SearchEngine) -> None:
    result = engine.search("quietbeat earbuds", k=2)
    hit = result.hits[0]
    assert hit.product.id == "h1"
    lexical = _child(hit.reasons, "lexical (BM25F)")
    assert lexical.value == pytest.approx(hit.score, abs=1e-5)
    assert _child(lexical, "rank").value == 1.0
    terms = _child(lexical, "matched terms")
    labels = {c.label for c in terms.children}
    assert labels == {"title/brand: quietbeat", "title: earbud"}
    total = sum(c.value or 0.0 for c in terms.children)
    assert total == pytest.approx(hit.score, rel=1e-4)
    second = _child(result.hits[1].reasons, "lexical (BM25F)")
    assert _child(second, "rank").value == 2.0


def test_reasons_name_a_description_match() -> None:
    shop = [_p("a", "Desk Lamp", description="warm white LED"), _p("b", "Floor Lamp")]
    result = SearchEngine.from_products(shop).search("warm lamp")
    assert _ids(result)[0] == "a"
    terms = _child(_child(result.hits[0].reasons, "lexical (BM25F)"), "matched terms")
    assert {c.label for c in terms.children} == {"description/attributes: warm", "title: lamp"}


def test_reasons_rank_is_the_relevance_rank_under_another_sort(engine: SearchEngine) -> None:
    relevance = engine.search("wireless earbuds", k=100).hits
    score = {h.product.id: h.score for h in relevance}
    result = engine.search("wireless earbuds", k=100, sort="price_asc")
    assert [h.product.id for h in result.hits] != [h.product.id for h in relevance]
    for hit in result.hits:
        rank = _child(_child(hit.reasons, "lexical (BM25F)"), "rank").value
        assert rank is not None
        above = sum(s > hit.score for s in score.values())  # ties may share a rank
        level = sum(s >= hit.score for s in score.values())
        assert above < rank <= level, (hit.product.id, rank)
    assert _child(result.hits[0].reasons, "sorted by price_asc").children == []


def test_reasons_rank_is_the_position_when_scores_differ() -> None:
    shop = [_p("a", "lamp"), _p("b", "lamp shade"), _p("c", "red lamp shade base")]
    result = SearchEngine.from_products(shop).search("lamp", sort="newest")
    ranks = {
        h.product.id: _child(_child(h.reasons, "lexical (BM25F)"), "rank").value
        for h in result.hits
    }
    assert ranks == {"a": 1, "b": 2, "c": 3}


def test_reasons_show_query_expansions_for_a_typo(engine: SearchEngine) -> None:
    hit = engine.search("wirless earbuds", k=1).hits[0]
    assert hit.product.id in {"h1", "h2"}
    branch = _child(hit.reasons, "query expansions")
    assert [c.label for c in branch.children] == ["typo: wirless → wireless"]
    assert branch.children[0].value == pytest.approx(0.6)
    plain = engine.search("wireless earbuds", k=1).hits[0]
    assert plain.reasons.find("query expansions") is None
    assert plain.reasons.find("filters") is None


def test_reasons_show_a_code_prefix_expansion() -> None:
    shop = [_p("b", "Everbilt 1/2 in. Hex Bolt 740000801"), _p("n", "Everbilt Hex Nut 750000122")]
    hit = SearchEngine.from_products(shop).search("7400008").hits[0]
    assert hit.product.id == "b"
    branch = _child(hit.reasons, "query expansions")
    assert [(c.label, c.value) for c in branch.children] == [("prefix: 7400008 → 740000801", 0.8)]
    terms = _child(_child(hit.reasons, "lexical (BM25F)"), "matched terms")
    assert [c.label for c in terms.children] == ["title: 740000801"]


def test_reasons_show_the_filters(engine: SearchEngine) -> None:
    filters = Filters(
        category="Electronics", brands=("QuietBeat",), price_min=10, price_max=100, in_stock=True
    )
    hit = engine.search("wireless", filters=filters).hits[0]
    branch = _child(hit.reasons, "filters")
    assert [c.label for c in branch.children] == [
        "category: Electronics",
        "brand: QuietBeat",
        "price: 10-100",
        "in stock",
    ]


# -- bad input ---------------------------------------------------------------------------------
def test_empty_query_names_q(engine: SearchEngine) -> None:
    assert _field_of(lambda: engine.search("")) == "q"
    assert _field_of(lambda: engine.search("   \t ")) == "q"


def test_too_long_query_names_q(engine: SearchEngine) -> None:
    assert MAX_QUERY_CHARS == 500
    assert engine.search("a" * 500).total == 0
    assert _field_of(lambda: engine.search("a" * 501)) == "q"


def test_price_min_above_price_max_names_price_min(engine: SearchEngine) -> None:
    call = lambda: engine.search("wireless", filters=Filters(price_min=50, price_max=10))  # noqa: E731
    assert _field_of(call) == "price_min"


@pytest.mark.parametrize("bound", ["price_min", "price_max"])
def test_negative_price_names_the_bound(engine: SearchEngine, bound: str) -> None:
    filters = Filters(**{bound: -1.0})
    assert _field_of(lambda: engine.search("wireless", filters=filters)) == bound


def test_unknown_sort_names_sort(engine: SearchEngine) -> None:
    assert _field_of(lambda: engine.search("wireless", sort="cheapest")) == "sort"


# -- the store moves on after the build --------------------------------------------------------
def test_a_product_missing_from_the_lookup_is_dropped() -> None:
    engine = SearchEngine.from_products(SHOP)
    full = engine.lookup

    def without_h1(ids: Sequence[str]) -> dict[str, Product]:
        return {i: p for i, p in full(ids).items() if i != "h1"}

    engine.lookup = without_h1
    result = engine.search("wireless earbuds", k=10)
    assert "h1" not in _ids(result)
    assert _ids(result)[0] == "h2"


def test_the_lookup_decides_what_a_hit_shows() -> None:
    engine = SearchEngine.from_products(SHOP)
    renamed = SHOP[0].model_copy(update={"title": "QuietBeat Wireless Earbuds X2 (new box)"})
    engine.lookup = lambda ids: {"h1": renamed} if "h1" in ids else {}
    hit = engine.search("quietbeat", k=1).hits[0]
    assert hit.product.title.endswith("(new box)")


# -- a saved build -----------------------------------------------------------------------------
def test_a_saved_build_searches_like_the_in_memory_engine(settings: Settings, store: Store) -> None:
    store.upsert_products(SHOP)
    manifest = run_build(store, settings.home, settings.events)
    assert manifest.products == len(SHOP)
    assert (settings.home / "builds" / manifest.id / "search" / "lexical.npz").is_file()
    saved = open_search(settings.home, store)
    memory = SearchEngine.from_products(store.all_products())
    cases: list[tuple[str, Filters, str]] = [
        ("wireless", Filters(), "relevance"),
        ("wirless earbuds", Filters(category="Electronics"), "relevance"),
        ("wireless", Filters(price_min=20, in_stock=True), "price_desc"),
        ("wireless", Filters(), "newest"),
        ("frying pan", Filters(brands=("kitchara",)), "relevance"),
    ]
    for query, filters, sort in cases:
        got = saved.search(query, k=100, filters=filters, sort=sort).as_dict()
        want = memory.search(query, k=100, filters=filters, sort=sort).as_dict()
        assert got == want, (query, filters, sort)
    assert saved.search("wireless", k=100).total == len(WIRELESS)


def test_a_build_of_an_older_text_analysis_is_indexed_again_on_load(
    settings: Settings, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # a build saved before "shelves" was analysed as "shelf": its words are indexed again
    store.upsert_products(SHOP)
    manifest = run_build(store, settings.home, settings.events)
    folder = settings.home / "builds" / manifest.id / "search"
    meta = json.loads((folder / "lexical.json").read_text())
    meta["analyzer"] = ANALYZER_VERSION - 1
    # the older analysis wrote "wireless" otherwise: as saved, the word would find nothing
    meta["vocab"]["wireles"] = meta["vocab"].pop("wireless")
    (folder / "lexical.json").write_text(json.dumps(meta))
    rehash(folder.parent, ["search/lexical.json"])  # as that build wrote it: intact
    with caplog.at_level(logging.WARNING, logger="shopmind.search.persist"):
        saved = open_search(settings.home, store)
    assert "indexing its" in caplog.text and "shopmind build" in caplog.text
    assert saved.index.analyzer == ANALYZER_VERSION
    assert saved.index.ids == meta["ids"]  # aligned with the saved vectors and columns
    memory = SearchEngine.from_products(store.all_products())
    for query in ("wireless", "wirless earbuds", "frying pan"):
        assert saved.search(query, k=100).as_dict() == memory.search(query, k=100).as_dict()
    # a product deleted since the build has no words left to index: it is just not found
    gone = _ids(memory.search("wireless", k=1))[0]
    store.delete_products([gone])
    after = _ids(open_search(settings.home, store).search("wireless", k=100))
    assert gone not in after and after


def test_a_build_without_pinyin_spellings_loads_and_says_to_rebuild(
    settings: Settings, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # a build saved before the index kept each Chinese word's pinyin spelling
    store.upsert_products([*SHOP, Product(id="zh1", title="声浪 蓝牙耳机 快充")])
    manifest = run_build(store, settings.home, settings.events)
    folder = settings.home / "builds" / manifest.id / "search"
    meta = json.loads((folder / "lexical.json").read_text())
    assert meta.pop("hanzi") == {
        "shenglang": "声浪",
        "lanya": "蓝牙",
        "erji": "耳机",
        "lanyaerji": "蓝牙耳机",
        "kuaichong": "快充",
    }
    (folder / "lexical.json").write_text(json.dumps(meta))
    columns = json.loads((folder / "columns.json").read_text())
    del columns["languages"]  # and before it kept the products' languages
    (folder / "columns.json").write_text(json.dumps(columns))
    rehash(folder.parent, ["search/lexical.json", "search/columns.json"])
    with caplog.at_level(logging.WARNING, logger="shopmind.search.persist"):
        saved = open_search(settings.home, store)
    assert "pinyin" in caplog.text and "shopmind build" in caplog.text
    assert saved.index.hanzi == {}
    assert _ids(saved.search("lanya erji")) == ["zh1"]  # still found by its words


def test_reasons_from_the_index_field_bits_match_reading_the_texts_again(
    demo: list[Product],
) -> None:
    """A matched term's fields come from the index's bits; an index saved before it kept
    them (no bits) reads the title, category and brand again and says the same."""
    with_bits = SearchEngine.from_products(demo)
    without = SearchEngine.from_products(demo)
    assert with_bits.index.field_bits is not None
    without.index.field_bits = None
    queries = [p.title.split()[0] for p in demo[:40]] + [p.category or "x" for p in demo[:20]]
    queries += ["wireless earphones", "无线耳机", "cotton shirt", "wirless", "蓝牙"]
    named = 0
    for q in queries:
        a, b = with_bits.search(q, k=10), without.search(q, k=10)
        assert [h.reasons.as_dict() for h in a.hits] == [h.reasons.as_dict() for h in b.hits], q
        named += sum("matched terms" in str(h.reasons.as_dict()) for h in a.hits)
    assert named > 100
