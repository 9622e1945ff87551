"""Reading a customer's message: intent, constraints and the words to search for."""

from __future__ import annotations

import pytest

from shopmind.assistant.understand import constraints_of, topic_of, understand


@pytest.mark.parametrize(
    ("message", "in_view", "listed", "intent"),
    [
        ("我要转人工", False, False, "handoff"),
        ("can I talk to a real person", True, True, "handoff"),
        ("where is my order 1234?", False, False, "order"),
        ("我的快递到哪了", False, False, "order"),
        ("what is your return policy?", False, False, "policy"),
        ("退货政策是什么", False, False, "policy"),
        ("运费多少", False, False, "policy"),
        ("这款耳机防水吗?", True, False, "product"),
        ("续航多久?", True, False, "product"),
        ("does the case charge wirelessly", True, False, "product"),
        ("is the second one waterproof?", False, True, "product"),
        ("compare the first two", False, True, "compare"),
        ("哪个好", False, True, "compare"),
        ("wireless earbuds under 300, not white", False, False, "find"),
        ("300元以下的蓝牙耳机", False, False, "find"),
        ("cheaper", False, True, "find"),
        ("其他颜色", False, True, "find"),
        ("not Apple", False, True, "find"),
        ("rice cooker", False, False, "find"),
        ("Will it work on Windows 7?", False, False, "other"),
    ],
)
def test_intent(message: str, in_view: bool, listed: bool, intent: str) -> None:
    assert understand(message, in_view, listed).intent == intent


def test_language_follows_the_message() -> None:
    assert understand("这款耳机防水吗?", True, False).language == "zh"
    assert understand("is the iPhone 15 case 防摔?", True, False).language == "zh"
    assert understand("is it waterproof?", True, False).language == "en"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("wireless earbuds under 300, not white", {"price_max": 300.0, "colours_out": ["white"]}),
        ("yoga mat between 20 and 50 dollars", {"price_min": 20.0, "price_max": 50.0}),
        ("300元以下的蓝牙耳机", {"price_max": 300.0}),
        ("sofa over $1k", {"price_min": 1000.0}),
        ("蓝牙耳机 200-400元", {"price_min": 200.0, "price_max": 400.0}),
        ("not Apple", {"brands_out": ["Apple"]}),
        ("不要白色的耳机", {"colours_out": ["white"]}),
        ("red running shoes in stock", {"colours_in": ["red"], "in_stock": True}),
        ("cheaper ones?", {"cheaper": True}),
        ("换个颜色", {"other_colour": True}),
    ],
)
def test_constraints(message: str, expected: dict[str, object]) -> None:
    assert constraints_of(message).as_dict() == expected


def test_topic_drops_the_constraint_and_filler_phrases() -> None:
    assert topic_of("show me wireless earbuds under 300, not white") == "wireless earbuds"
    assert topic_of("请给我推荐300元以下的蓝牙耳机") == "蓝牙耳机"
    assert topic_of("do you sell bicycles?") == "bicycles"


def test_an_ordinal_points_into_the_last_list() -> None:
    assert understand("is the second one waterproof?", False, True).ordinal == 2
    assert understand("第三个有货吗", False, True).ordinal == 3
    assert understand("is it waterproof?", True, False).ordinal is None
