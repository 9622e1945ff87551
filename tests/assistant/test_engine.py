"""The assistant end to end on a small bilingual shop: grounded answers with citations,
abstention, shopping across turns, and bad input."""

from __future__ import annotations

import pytest

from shopmind.assistant import Ask, Assistant, Reply
from shopmind.errors import Conflict, InvalidInput, NotFound


def ask(assistant: Assistant, message: str, session: str = "s1", **kw: str) -> Reply:
    return assistant.reply(Ask(session, message, **kw))


def kinds(reply: Reply) -> list[str]:
    return [c["kind"] for c in reply.citations]


def test_a_policy_question_cites_the_page_and_its_sentence(assistant: Assistant) -> None:
    reply = ask(assistant, "what is your return policy?")
    assert reply.intent == "policy"
    assert reply.confidence >= 0.5 and not reply.handoff
    (cite,) = reply.citations
    assert (cite["kind"], cite["id"]) == ("doc", "returns#1")
    assert "30 days" in cite["highlight"] and cite["highlight"] in cite["text"]
    assert "30 days" in reply.answer


def test_a_chinese_policy_question_is_answered_from_the_chinese_page(
    assistant: Assistant,
) -> None:
    reply = ask(assistant, "退货政策是什么?")
    assert reply.language == "zh"
    assert reply.citations[0]["id"].startswith("退换货#")
    assert "退" in reply.answer and "Returns" not in reply.answer


def test_a_product_question_is_answered_from_its_fields(assistant: Assistant) -> None:
    reply = ask(assistant, "这款耳机防水吗?", product="z1")
    assert reply.intent == "product"
    assert "IPX5" in reply.answer
    assert reply.citations[0] == {
        "kind": "product", "id": "z1", "text": "防水: IPX5", "title": "声浪 真无线耳机 T2 黑色"
    }  # fmt: skip


def test_a_past_answer_about_the_product_comes_with_the_fact(assistant: Assistant) -> None:
    reply = ask(assistant, "can I swim with it?", product="e1")
    assert "IPX5" in reply.answer
    assert kinds(reply) == ["product", "qa"]
    assert "not for swimming" in reply.answer


def test_a_past_answer_answers_what_the_fields_do_not(assistant: Assistant) -> None:
    reply = ask(assistant, "does the case charge wirelessly?", product="e1")
    assert kinds(reply) == ["qa"]
    assert reply.citations[0]["product_id"] == "e1"
    assert "Qi wireless charging" in reply.answer


def test_what_the_shop_does_not_know_is_handed_to_a_person(assistant: Assistant) -> None:
    off_topic = ask(assistant, "Will it work on Windows 7?", product="k1")
    assert off_topic.handoff and off_topic.citations == []
    assert "don't know" in off_topic.answer
    missing = ask(assistant, "how heavy is it?", product="e1", session="s2")
    assert missing.handoff and "do not list its weight" in missing.answer


def test_something_the_shop_does_not_sell_is_said_plainly(assistant: Assistant) -> None:
    reply = ask(assistant, "do you sell bicycles?")
    assert reply.intent == "find" and reply.products == []
    assert "don't sell" in reply.answer


def test_shopping_is_refined_turn_by_turn(assistant: Assistant) -> None:
    first = ask(assistant, "wireless earbuds under 100, not white", session="shop")
    assert first.intent == "find"
    ids = [p["id"] for p in first.products]
    assert ids and "e1" not in ids and "e2" not in ids  # white; over 100
    assert all(p["reasons"]["label"].startswith("search hit") for p in first.products)
    assert first.constraints == {"price_max": 100.0, "colours_out": ["white"]}
    wide = ask(assistant, "wireless earbuds", session="shop2")
    usd = [p["price"] for p in wide.products if p["currency"] == "USD"]
    cheaper = ask(assistant, "cheaper", session="shop2")
    assert cheaper.products
    assert all(p["currency"] == "USD" for p in cheaper.products)
    assert max(p["price"] for p in cheaper.products) < sorted(usd)[len(usd) // 2]
    brands = ask(assistant, "not Auralis", session="shop2")
    assert all(p["brand"] != "Auralis" for p in brands.products)


def test_the_nth_product_shown_can_be_asked_about(assistant: Assistant) -> None:
    listed = ask(assistant, "sports earbuds", session="nth")
    first = listed.products[0]["id"]
    reply = ask(assistant, "is the first one waterproof?", session="nth")
    assert reply.citations[0]["id"] == first


def test_order_and_person_requests_hand_over(assistant: Assistant) -> None:
    assert ask(assistant, "where is my order?").handoff
    assert ask(assistant, "我要转人工").intent == "handoff"


def test_bad_input_is_refused_with_the_field(assistant: Assistant) -> None:
    with pytest.raises(InvalidInput) as empty:
        ask(assistant, "   ")
    assert empty.value.errors[0].field == "message"
    with pytest.raises(InvalidInput, match="message"):
        ask(assistant, "x" * 5_000)
    with pytest.raises(NotFound, match="nope"):
        ask(assistant, "is it waterproof?", product="nope")
    ask(assistant, "hello", session="mine", user="alice")
    with pytest.raises(Conflict, match="another visitor"):
        ask(assistant, "hello", session="mine", user="bob")


def test_a_model_code_names_the_product(assistant: Assistant) -> None:
    reply = ask(assistant, "is the NC700 waterproof?", session="code")
    assert reply.intent == "product"
    assert reply.citations[0]["id"] == "e2" and "IPX4" in reply.answer


def test_two_products_shown_can_be_compared(assistant: Assistant) -> None:
    listed = ask(assistant, "wireless earbuds", session="cmp")
    reply = ask(assistant, "compare the first two", session="cmp")
    assert reply.intent == "compare"
    assert [c["id"] for c in reply.citations] == [p["id"] for p in listed.products[:2]]
    assert "battery_hours" in reply.answer


def test_a_refinement_with_nothing_to_refine_asks_back(assistant: Assistant) -> None:
    reply = ask(assistant, "cheaper ones?", session="fresh")
    assert not reply.handoff and "What would you like to find?" in reply.answer
