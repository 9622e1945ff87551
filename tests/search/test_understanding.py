"""Query understanding on a zh/en catalog: each kind of query finds its product in the top 3.

The pipeline is the default one for a catalog with Chinese: BM25F with jieba words,
character pairs, pinyin and traditional folding, fused with the multilingual USE encoder.
"""

from __future__ import annotations

import pytest

from shopmind.catalog import Product
from shopmind.config import MerchRule, SearchConfig
from shopmind.embed import make_encoder
from shopmind.search import SearchEngine

CATALOG = [
    ("z1", "声浪 蓝牙耳机 Air 快充 长续航", "Electronics > Audio"),
    ("z2", "听澜 无线耳机 S2 防水", "Electronics > Audio"),
    ("z3", "木语 书桌 140cm 安装简单", "Home > Furniture"),
    ("z4", "宜居 沙发 双人位 灰色", "Home > Furniture"),
    ("z5", "力动 瑜伽垫 加厚 防滑", "Sports > Fitness"),
    ("e1", "QuietBeat Wireless Earbuds Pro", "Electronics > Audio"),
    ("e2", "Oakly Sofa Loveseat, Grey", "Home > Furniture"),
    ("e3", "Kitchara Cast Iron Skillet 12 in.", "Home > Kitchen"),
    ("e4", "DEWALT DCD771C2 20V Cordless Drill", "Tools > Power Tools"),
    ("e5", "3M Sanding Roll 740000801 Medium Grit", "Tools > Abrasives"),
]


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    products = [Product(id=i, title=t, category=c, price=10.0, stock=5) for i, t, c in CATALOG]
    config = SearchConfig(
        synonyms=[["couch", "sofa", "沙发"], ["无线耳机", "蓝牙耳机"]],
        rules=[MerchRule(query="yoga", pin=["z5"], boost={"e3": 0.5})],
    )
    return SearchEngine.from_products(products, encoder=make_encoder("use"), config=config)


def _top3(engine: SearchEngine, q: str) -> list[str]:
    return [h.product.id for h in engine.search(q, k=3).hits]


@pytest.mark.parametrize(
    ("kind", "query", "expected"),
    [
        ("sub-word", "简单", "z3"),
        ("pinyin", "lanya erji", "z1"),
        ("pinyin, one word", "lanyaerji", "z1"),
        ("traditional", "藍牙耳機", "z1"),
        ("synonym", "couch", "e2"),
        ("synonym, across languages", "couch", "z4"),
        ("cross-lingual", "wireless earphones", "z2"),
        ("cross-lingual", "瑜伽垫", "z5"),
        ("typo", "wirless earbuds", "e1"),
        ("model code", "dcd771c2", "e4"),
        ("model code prefix", "7400008", "e5"),
        ("measure", '12" skillet', "e3"),
    ],
)
def test_each_kind_of_query_finds_its_product_in_the_top_3(
    engine: SearchEngine, kind: str, query: str, expected: str
) -> None:
    assert expected in _top3(engine, query), kind


def test_a_synonym_is_explained() -> None:
    products = [Product(id="a", title="Oakly Sofa"), Product(id="b", title="Desk Lamp")]
    engine = SearchEngine.from_products(products, config=SearchConfig(synonyms=[["couch", "sofa"]]))
    hit = engine.search("couch").hits[0]
    assert hit.product.id == "a"
    expansions = hit.reasons.find("query expansions")
    assert expansions is not None
    assert [c.label for c in expansions.children] == ["synonym: couch → sofa"]


def test_did_you_mean_offers_the_catalog_spelling(engine: SearchEngine) -> None:
    assert engine.search("wirless earbuds").did_you_mean == "wireless earbuds"
    assert engine.search("wireless earbuds").did_you_mean is None


def test_rules_pin_boost_and_bury(engine: SearchEngine) -> None:
    hits = engine.search("yoga", k=3).hits
    assert hits[0].product.id == "z5"
    pinned = hits[0].reasons.find("rule: pinned for 'yoga'")
    assert pinned is not None and pinned.value == 1.0
    products = [
        Product(id="in", title="Wireless Earbuds", stock=3),
        Product(id="out", title="Wireless Earbuds Wireless", stock=0),
    ]
    plain = SearchEngine.from_products(products)
    assert plain.search("wireless earbuds").hits[0].product.id == "out"
    buried = SearchEngine.from_products(products, config=SearchConfig(bury_out_of_stock=True))
    hits = buried.search("wireless earbuds").hits
    assert [h.product.id for h in hits] == ["in", "out"]
    assert hits[1].reasons.find("rule: out of stock") is not None
