"""``POST /assistant`` over the real app on the small shop, with and without a generator
(a real local HTTP endpoint that rephrases, or invents a price that must be caught)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.config import load
from shopmind.serve import create_app
from tests.assistant.test_generator import Endpoint

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient

REPLY_KEYS = {
    "session", "answer", "intent", "confidence", "language", "citations", "products",
    "handoff", "constraints", "generated", "reasons", "request_id",
}  # fmt: skip


@pytest.fixture
def client(shop_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(load(home=shop_home))) as c:
        yield c


def post(client: TestClient, **body: Any) -> Any:
    return client.post("/assistant", json={"session": "api", **body})


def test_an_answer_has_the_documented_shape(client: TestClient) -> None:
    r = post(client, message="how much is shipping?")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == REPLY_KEYS
    assert body["intent"] == "policy"
    assert body["citations"][0]["kind"] == "doc"
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["reasons"]["label"].startswith("knowledge")
    assert client.get("/assistant/knowledge").json() == {
        "documents": 3, "passages": 8, "answers": 7
    }  # fmt: skip


def test_shopping_turns_carry_products_with_reasons(client: TestClient) -> None:
    first = post(client, session="buy", message="wireless earbuds").json()
    assert first["intent"] == "find" and first["products"]
    assert len(first["request_id"]) == 32  # attributable like a list answer
    assert [p["position"] for p in first["products"]] == list(range(1, len(first["products"]) + 1))
    assert {"id", "title", "price", "currency", "reasons"} <= set(first["products"][0])
    again = post(client, session="buy", message="cheaper").json()
    assert again["products"] and again["constraints"] == {"cheaper": True}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"message": ""}, 422, "message"),
        ({"message": "x" * 1_001}, 422, "message"),
        ({"message": "hi", "session": ""}, 422, "session"),
        ({"message": "is it waterproof?", "product": "nope"}, 404, None),
    ],
)
def test_bad_requests_name_the_field(
    client: TestClient, body: dict[str, Any], status: int, field: str | None
) -> None:
    r = client.post("/assistant", json={"session": "bad", **body})
    assert r.status_code == status, r.text
    if field is not None:
        assert r.json()["errors"][0]["field"] == field
        assert r.json()["errors"][0]["fix"]


def test_another_visitors_session_is_refused(client: TestClient) -> None:
    assert post(client, session="private", user="alice", message="hello").status_code == 200
    r = post(client, session="private", user="bob", message="hello")
    assert r.status_code == 409
    assert "another visitor" in r.json()["message"]


def _generated_client(shop_home: Path, url: str, tmp_path: Path) -> TestClient:
    (tmp_path / "gen.toml").write_text(
        f'[ingest]\nprogress = false\n[search]\nencoder = "use"\n'
        f'[assistant]\ngenerator_url = "{url}"\ngenerator_timeout_s = 2.0\n'
    )
    return TestClient(create_app(load(config_file=tmp_path / "gen.toml", home=shop_home)))


def test_a_faithful_rephrasing_is_used(
    shop_home: Path,
    endpoint: Endpoint,
    tmp_path: Path,
) -> None:
    endpoint.script.reply = "Good news: returns are accepted for 30 days after delivery."
    with _generated_client(shop_home, endpoint.url, tmp_path) as client:
        body = post(client, message="what is your return policy?").json()
    assert body["generated"] is True
    assert body["answer"] == endpoint.script.reply
    sent = endpoint.script.received[0]["json"]["messages"][-1]["content"]
    assert "30 days" in sent


def test_an_invented_price_is_caught_and_the_grounded_answer_returned(
    shop_home: Path,
    endpoint: Endpoint,
    tmp_path: Path,
) -> None:
    endpoint.script.reply = "Returns are free within 30 days and cost only $4.99 after that."
    with _generated_client(shop_home, endpoint.url, tmp_path) as client:
        body = post(client, message="what is your return policy?").json()
    assert body["generated"] is False
    assert "4.99" not in body["answer"] and "30 days" in body["answer"]
    assert any("4.99" in c["label"] for c in body["reasons"]["children"])


def test_an_endpoint_that_is_down_costs_nothing(shop_home: Path, tmp_path: Path) -> None:
    with _generated_client(shop_home, "http://127.0.0.1:9/v1/chat/completions", tmp_path) as c:
        body = post(c, message="what is your return policy?").json()
    assert body["generated"] is False and "30 days" in body["answer"]
