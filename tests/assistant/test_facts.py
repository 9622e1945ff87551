"""Product facts from catalog fields, in the unit the question asks."""

from __future__ import annotations

from shopmind.assistant.facts import asked_topics, product_facts
from shopmind.catalog import Product

EARBUDS = Product(
    id="e1",
    title="QuietBeat Wireless Earbuds X1",
    price=59.9,
    currency="USD",
    stock=12,
    brand="QuietBeat",
    attributes={"battery_hours": "30", "waterproof": "IPX5", "connectivity": "bluetooth 5.3"},
)
ZH = Product(
    id="z1",
    title="声浪 真无线耳机 T2",
    price=299,
    currency="CNY",
    attributes={"续航小时": "40", "防水等级": "IPX7", "颜色": "黑色"},
)


def answers(question: str, product: Product) -> list[str]:
    return [f.answer for f in product_facts(question, product)]


def test_a_topic_finds_its_attribute_in_either_language() -> None:
    assert answers("is it waterproof?", EARBUDS) == ["Water resistance: IPX5."]
    assert answers("这款耳机防水吗?", ZH) == ["防水：IPX7。"]
    assert answers("续航多久?", ZH) == ["续航：40 小时。"]
    assert answers("does it have bluetooth", EARBUDS) == ["Connectivity: bluetooth 5.3."]


def test_the_value_is_converted_to_the_unit_asked() -> None:
    assert answers("how many minutes does the battery last", EARBUDS) == [
        "Battery life: 1800 minutes (30 hours)."
    ]
    assert answers("续航多少分钟?", ZH) == ["续航：2400 分钟 (40 小时)。"]


def test_price_stock_and_brand_come_from_the_fields() -> None:
    assert answers("how much is it?", EARBUDS) == ["It costs 59.9 USD."]
    assert answers("is it in stock?", EARBUDS) == ["It is in stock (12)."]
    assert answers("what brand is it", EARBUDS) == ["The brand is QuietBeat."]
    assert answers("多少钱", ZH) == ["价格是 299 CNY。"]


def test_a_question_the_fields_do_not_answer_gets_no_fact() -> None:
    assert answers("how heavy is it?", EARBUDS) == []
    assert [t.name for t in asked_topics("how heavy is it?")] == ["weight"]
    assert answers("will it work on Windows 7?", EARBUDS) == []
