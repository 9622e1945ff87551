"""``GET /shopmap`` over the real demo shop: categories, their most popular products and each
product's similar and bought-together neighbours, as one mind-map tree."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from shopmind.config import Settings
from shopmind.recommend.shopmap import product_label
from shopmind.serve import create_app
from shopmind.store import SQLiteStore
from tests.serve.test_search_api import TestClient, _check_shape, _demo_home


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _demo_home(tmp_path_factory.mktemp("shopmap-api") / "home")


@pytest.fixture(scope="module")
def client(shop: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(shop)) as c:
        yield c


@pytest.fixture(scope="module")
def categories(shop: Settings) -> dict[str, int]:
    """Products per category path, from the store."""
    store = SQLiteStore(shop.home / "shopmind.db")
    try:
        out: dict[str, int] = {}
        for p in store.all_products():
            out[p.category or ""] = out.get(p.category or "", 0) + 1
        return out
    finally:
        store.close()


def _map(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/shopmap", params=params)
    assert response.status_code == 200, response.text
    tree: dict[str, Any] = response.json()
    _check_shape(tree)
    return tree


def _child(tree: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in tree["children"] if c["label"] == label)


def _products(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """The product nodes: those with "similar" and "bought together" branches."""
    labels = [c["label"] for c in tree["children"]]
    if labels == ["similar", "bought together"]:
        return [tree]
    return [p for c in tree["children"] for p in _products(c)]


def test_the_map_has_the_top_categories_leaves_and_products(
    client: TestClient, categories: dict[str, int]
) -> None:
    started = time.perf_counter()
    tree = _map(client)
    assert time.perf_counter() - started < 1.0  # the console draws it at once
    assert tree["label"] == "shop" and tree["value"] == sum(categories.values())
    tops = {c.split(" > ")[0] for c in categories}
    assert [c["label"] for c in tree["children"]] == sorted(tops)
    for path, count in categories.items():
        top, _, rest = path.partition(" > ")
        leaf = _child(_child(tree, top), rest)
        assert leaf["value"] == count
        shown = _products(leaf)
        assert len(shown) == min(5, count)
        popularity = [p["value"] for p in shown]
        assert popularity == sorted(popularity, reverse=True)  # the most popular first
    every = _products(tree)
    assert all(len(p["children"][0]["children"]) == 3 for p in every)  # similar
    assert all(len(p["children"][1]["children"]) <= 3 for p in every)  # bought together


def test_a_products_branches_are_its_similar_and_bought_together_lists(
    client: TestClient,
) -> None:
    tree = _map(client, category="Electronics > Audio > Headphones", products=2, neighbours=4)
    shown = _products(tree)
    assert len(shown) == 2
    pid = shown[0]["label"].rsplit("(", 1)[1].rstrip(")")
    for branch, path in zip(shown[0]["children"], ("/similar", "/bought-together"), strict=True):
        items = client.get(path, params={"item": pid, "k": 4}).json()["items"]
        assert [c["label"] for c in branch["children"]] == [
            product_label(i["id"], i["title"]) for i in items
        ]
        assert [c["value"] for c in branch["children"]] == [round(i["score"], 4) for i in items]


def test_a_category_keeps_only_its_subtree(client: TestClient, categories: dict[str, int]) -> None:
    tree = _map(client, category="Electronics")
    assert [c["label"] for c in tree["children"]] == ["Electronics"]
    inside = sum(n for c, n in categories.items() if c.startswith("Electronics"))
    assert tree["value"] == inside
    leaf = _map(client, category="Electronics/Audio/Headphones")  # spelt as ingest spells it
    assert [c["label"] for c in leaf["children"][0]["children"]] == ["Audio > Headphones"]


def test_an_unknown_category_is_a_404_naming_it(client: TestClient) -> None:
    response = client.get("/shopmap", params={"category": "Garden > Gnomes"})
    assert response.status_code == 404
    assert "'Garden > Gnomes'" in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"), [({"products": 0}, "products"), ({"neighbours": 11}, "neighbours")]
)
def test_sizes_out_of_range_are_422s_naming_them(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/shopmap", params=params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
