"""``/recommend``, ``/similar`` and ``/bought-together`` over the real demo shop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shopmind.build import load_recommend, run_build
from shopmind.config import Settings
from shopmind.serve import create_app
from shopmind.serve.lists import PRODUCT_FIELDS
from shopmind.store import SQLiteStore
from tests.serve.test_search_api import TestClient, _check_shape, _demo_home


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo shop, built with product vectors (the content model needs them)."""
    settings = _demo_home(tmp_path_factory.mktemp("recommend-api") / "home")
    store = SQLiteStore(settings.home / "shopmind.db")
    try:
        run_build(
            store,
            settings.home,
            settings.events,
            search=settings.search,
            recommend=settings.recommend,
        )
    finally:
        store.close()
    return settings


@pytest.fixture
def client(shop: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(shop)) as c:
        yield c


def _get(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert set(data) == {"items", "request_id"}
    assert len(data["request_id"]) == 32
    assert [item["position"] for item in data["items"]] == list(range(1, len(data["items"]) + 1))
    for item in data["items"]:
        assert item["propensity"] == 1.0
        _check_shape(item["reasons"])
        if item["sponsored"]:  # an ad in its slot: the auction says why
            assert item["reasons"]["label"] == "sponsored"
            continue
        shown = {"id", "title", "score", "reasons", "sponsored", "position", "propensity"}
        assert set(item) == shown | set(PRODUCT_FIELDS)
        assert item["price"] is not None
    items: list[dict[str, Any]] = data["items"]
    return items


def _labels(tree: dict[str, Any]) -> list[str]:
    out = [tree["label"]]
    for child in tree["children"]:
        out += _labels(child)
    return out


def _post(client: TestClient, *events: dict[str, Any]) -> None:
    for event in events:
        response = client.post("/events", json=event)
        assert response.status_code == 202, response.text


def test_a_known_visitor_gets_personal_picks_that_say_why(client: TestClient) -> None:
    items = _get(client, "/recommend", user="u001", k=8)
    assert len(items) == 8
    labels = [label for item in items for label in _labels(item["reasons"])]
    assert any(label.startswith("because you ") for label in labels)
    assert "co-behaviour (EASE)" in labels
    assert "text similarity" in labels
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:  # a pick never follows from itself
        assert not any(label.endswith(" " + item["title"]) for label in _labels(item["reasons"]))


def test_an_unknown_visitor_gets_trending_not_an_error(client: TestClient) -> None:
    items = _get(client, "/recommend", user="never-seen-before", k=5)
    assert len(items) == 5
    assert items[0]["reasons"]["children"][0]["label"] == "trending"


def test_an_event_changes_the_next_list_at_once(client: TestClient) -> None:
    before = _get(client, "/recommend", session="fresh-visitor", k=5)
    target = client.get("/search", params={"q": "wireless earbuds", "k": 1}).json()["hits"][0]
    _post(client, {"session_id": "fresh-visitor", "item_id": target["id"], "type": "cart"})
    after = _get(client, "/recommend", session="fresh-visitor", k=5)
    assert [i["id"] for i in after] != [i["id"] for i in before]
    because = [label for i in after for label in _labels(i["reasons"])]
    assert f"because you put in the cart {target['title']}" in because


def test_not_interested_removes_a_product_and_more_like_this_steers(client: TestClient) -> None:
    first = _get(client, "/recommend", user="u002", k=5)
    dropped = first[0]["id"]
    _post(client, {"user_id": "u002", "item_id": dropped, "type": "not_interested"})
    after = _get(client, "/recommend", user="u002", k=5)
    assert dropped not in [i["id"] for i in after]
    liked = after[-1]
    _post(client, {"user_id": "u002", "item_id": liked["id"], "type": "more_like_this"})
    steered = _get(client, "/recommend", user="u002", k=5)
    labels = [label for i in steered for label in _labels(i["reasons"])]
    assert f"because you asked for more like {liked['title']}" in labels


def test_purchased_products_are_left_out(client: TestClient) -> None:
    pick = _get(client, "/recommend", user="buyer-x", k=1)[0]
    _post(client, {"user_id": "buyer-x", "item_id": pick["id"], "type": "purchase"})
    assert pick["id"] not in [i["id"] for i in _get(client, "/recommend", user="buyer-x", k=20)]


def test_filters_apply(client: TestClient) -> None:
    items = _get(client, "/recommend", user="u001", k=10, in_stock=True, price_max=50)
    assert items
    for item in items:
        product = client.get(f"/products/{item['id']}").json()
        assert product["price"] is not None and product["price"] <= 50
        assert product["in_stock"] is True


def test_similar_and_bought_together(client: TestClient) -> None:
    hit = client.get("/search", params={"q": "wireless earbuds", "k": 1}).json()["hits"][0]
    similar = _get(client, "/similar", item=hit["id"], k=5)
    assert len(similar) == 5
    assert hit["id"] not in [i["id"] for i in similar]
    assert similar[0]["reasons"]["label"] == "similar"
    together = _get(client, "/bought-together", item=hit["id"], k=5)
    assert len(together) == 5
    assert hit["id"] not in [i["id"] for i in together]


def test_the_lists_trees_leave_as_the_dicts_they_are(client: TestClient) -> None:
    """The routes hand orjson the trees as nodes; the JSON is what ``as_dict`` makes."""
    from shopmind.serve.lists import pick_dicts
    from shopmind.serve.schemas import PlainJSON

    engine = client.app.state.recommend.engine  # type: ignore[attr-defined]
    item = _get(client, "/recommend", user="u001", k=1)[0]["id"]
    for path, picks in (
        ("/similar", engine.similar(item, 5)),
        ("/bought-together", engine.bought_together(item, 5)),
    ):
        assert picks
        assert PlainJSON(pick_dicts(picks, trees=False)).body == PlainJSON(pick_dicts(picks)).body
        served = _get(client, path, item=item, k=5)
        assert [i["reasons"] for i in served] == [i["reasons"] for i in pick_dicts(picks)]


def test_unknown_product_is_a_404_naming_it(client: TestClient) -> None:
    response = client.get("/similar", params={"item": "no-such-sku"})
    assert response.status_code == 404
    assert "no-such-sku" in response.json()["message"]
    assert client.get("/bought-together", params={"item": "no-such-sku"}).status_code == 404


@pytest.mark.parametrize("k", [0, 101])
def test_k_out_of_range_is_a_422_with_the_range(client: TestClient, k: int) -> None:
    response = client.get("/recommend", params={"user": "u001", "k": k})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "k"
    assert error["fix"] == "use k from 1 to 100"
    assert "nothing was stored" not in response.json()["message"]


def test_a_visitor_is_required(client: TestClient) -> None:
    response = client.get("/recommend")
    assert response.status_code == 422
    assert "user" in response.json()["message"]


def test_cli_recommend_similar_and_bought_together(shop: Settings) -> None:
    import json

    from click.testing import CliRunner

    from shopmind.cli import main

    runner = CliRunner()
    home = ["--home", str(shop.home)]
    out = runner.invoke(main, [*home, "recommend", "--user", "u001", "-k", "3", "--json"])
    assert out.exit_code == 0, out.output
    items = json.loads(out.output.strip().splitlines()[-1])["items"]
    assert len(items) == 3
    _check_shape(items[0]["reasons"])
    pid = items[0]["id"]
    for command in ("similar", "bought-together"):
        out = runner.invoke(main, [*home, command, pid, "-k", "2"])
        assert out.exit_code == 0, out.output
        assert len(out.output.strip().splitlines()) == 2
    out = runner.invoke(main, [*home, "similar", "no-such-sku"])
    assert out.exit_code == 1
    assert "no-such-sku" in out.output


def test_a_new_product_is_recommendable_from_its_text_at_once(client: TestClient) -> None:
    new = {
        "id": "cold-1",
        "title": "Wireless Earbuds Pro Max, noise cancelling, 40 h battery",
        "category": "Electronics > Audio > Earbuds",
        "price": 99.0,
    }
    assert client.post("/products", json=new).status_code == 201
    client.app.state.search.wait(120)  # type: ignore[attr-defined]
    client.app.state.recommend.wait(120)  # type: ignore[attr-defined]
    together = _get(client, "/bought-together", item="cold-1", k=3)
    assert len(together) == 3
    assert together[0]["reasons"]["children"][0]["label"].startswith("text similarity")
    assert any("Earbuds" in i["title"] for i in together)
    similar = _get(client, "/similar", item="cold-1", k=5)  # no events: its text speaks
    assert "Earbuds" in similar[0]["title"]
    assert similar[0]["reasons"]["children"][0]["label"] == "text similarity"
    assert similar[0]["reasons"]["children"][0]["children"][0]["label"].startswith("like ")
    _post(client, {"session_id": "cold-fan", "item_id": "cold-1", "type": "view"})
    picks = _get(client, "/recommend", session="cold-fan", k=5)
    assert "Earbuds" in picks[0]["title"]


def test_the_build_holds_fitted_models_that_serving_reuses(shop: Settings) -> None:
    store = SQLiteStore(shop.home / "shopmind.db")
    try:
        ids = [p.id for p in store.all_products()]
        if load_recommend(shop.home, ids) is None:  # earlier tests here added products
            run_build(store, shop.home, shop.events, search=shop.search, recommend=shop.recommend)
    finally:
        store.close()
    fitted = load_recommend(shop.home, ids)
    assert fitted is not None
    assert set(fitted.components) == {"ease", "transitions", "content", "popular"}
    assert load_recommend(shop.home, ids[::-1]) is None  # another catalog: serving refits
    with TestClient(create_app(shop)) as c:
        served = c.app.state.recommend.engine.model  # type: ignore[attr-defined]
        ease = served.components["ease"]
        assert ease.weights.shape == (len(ids), len(ids))
        assert (ease.weights == fitted.components["ease"].weights).all()  # type: ignore[attr-defined]


def test_the_transformer_joins_the_blend_when_there_are_enough_visitors(shop: Settings) -> None:
    from shopmind.recommend.engine import RecommendEngine

    config = shop.recommend.model_copy(
        update={"sequential_min_visitors": 50, "sequential_seconds": 60.0}
    )
    store = SQLiteStore(shop.home / "shopmind.db")
    try:
        engine = RecommendEngine.fit(store, shop.events, config)
        assert "sequential" in engine.model.components
        picks = engine.recommend(store.list_events(visitor="u003", limit=50), k=10)
    finally:
        store.close()
    labels = [label for p in picks for label in _labels(p.reasons.as_dict())]
    assert any(label.startswith("sequence model") for label in labels)
    with SQLiteStore(shop.home / "shopmind.db") as store:
        few = RecommendEngine.fit(
            store,
            shop.events,
            shop.recommend.model_copy(update={"sequential_min_visitors": 100_000}),
        )
    assert "sequential" not in few.model.components


def test_a_category_cap_diversifies_the_list(shop: Settings) -> None:
    from shopmind.recommend.engine import RecommendEngine

    with SQLiteStore(shop.home / "shopmind.db") as store:
        events = store.list_events(visitor="u001", limit=50)
        plain = RecommendEngine.fit(store, shop.events, shop.recommend)
        capped = RecommendEngine.fit(
            store, shop.events, shop.recommend.model_copy(update={"max_per_category": 1})
        )
        leaf = {p.id: (p.category or "").split(" > ")[-1] for p in store.all_products()}
    before = [leaf[p.id] for p in plain.recommend(events, k=8)]
    after = [leaf[p.id] for p in capped.recommend(events, k=8)]
    assert len(set(before)) < len(before)  # the plain list repeats a category
    assert len(after) == 8
    assert len(set(after)) == 8


def test_a_new_build_is_picked_up_while_serving(shop: Settings) -> None:
    import time

    with TestClient(create_app(shop)) as c:
        live = c.app.state.recommend  # type: ignore[attr-defined]
        before = live.generation
        with SQLiteStore(shop.home / "shopmind.db") as store:
            run_build(store, shop.home, shop.events, search=shop.search, recommend=shop.recommend)
        time.sleep(1.1)
        _get(c, "/recommend", user="u001", k=3)  # notices the new build
        assert live.wait(120)
        assert live.generation == before + 1
        _get(c, "/recommend", user="u001", k=3)
