"""``GET /search`` and ``shopmind search`` over a real demo shop in a real SQLite store."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.build import current_folder, run_build
from shopmind.cli import main
from shopmind.config import Settings, load
from shopmind.demo import build_demo
from shopmind.serve import create_app
from shopmind.store import SQLiteStore, Store

with warnings.catch_warnings():
    # starlette's TestClient prefers the httpx2 package and warns once at import when it
    # falls back to httpx (the project's dev dependency); the fallback works. Only this
    # one warning is silenced, and only while importing.
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient

HIT_KEYS = {
    "position",
    "propensity",
    "sponsored",
    "id",
    "title",
    "score",
    "price",
    "currency",
    "category",
    "brand",
    "in_stock",
    "image_url",
    "reasons",
}


def _demo_home(home: Path, ads: bool = False) -> Settings:
    """A home holding the demo shop and a build of it; its campaigns place ads only with
    ``ads`` (these tests are about the organic results)."""
    home.mkdir()
    toml = "[ingest]\nprogress = false\n" + ("" if ads else "[ads]\nenabled = false\n")
    (home / "shopmind.toml").write_text(toml, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("SHOPMIND_"):
                mp.delenv(name)
        settings = load(home=home)
    store = SQLiteStore(settings.home / "shopmind.db")
    try:
        build_demo(store, settings)
        run_build(store, settings.home, settings.events)
    finally:
        store.close()
    return settings


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One demo home, built once for the read-only tests of this module."""
    return _demo_home(tmp_path_factory.mktemp("search-api") / "home")


@pytest.fixture(scope="module")
def client(built: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(built)) as c:
        yield c


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _check_shape(tree: dict[str, Any]) -> None:
    assert set(tree) == {"label", "value", "children"}
    assert isinstance(tree["label"], str) and tree["label"]
    assert tree["value"] is None or isinstance(tree["value"], int | float)
    for child in tree["children"]:
        _check_shape(child)


def _labels(tree: dict[str, Any]) -> list[str]:
    return [c["label"] for c in tree["children"]]


# -- answers -----------------------------------------------------------------------------------
def test_search_answers_hits_total_and_facets(client: TestClient) -> None:
    data = _search(client, q="wireless earbuds", k=5)
    assert set(data) == {"hits", "total", "facets", "did_you_mean", "request_id"}
    assert len(data["hits"]) == 5
    assert [h["position"] for h in data["hits"]] == [1, 2, 3, 4, 5]
    assert data["total"] >= 5
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert "Wireless" in hit["title"] or "Earbuds" in hit["title"]
        assert hit["score"] > 0
    # the demo shop has four "Wireless Earbuds"; they come first
    assert all("Wireless Earbuds" in h["title"] for h in data["hits"][:4])
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert set(data["facets"]) == {"category", "brand", "price", "availability"}
    assert sum(data["facets"]["availability"].values()) == data["total"]


def test_search_hit_matches_the_stored_product(client: TestClient) -> None:
    hit = _search(client, q="wireless earbuds", k=1)["hits"][0]
    stored = client.get(f"/products/{hit['id']}").json()
    for key in ("title", "price", "currency", "category", "brand", "in_stock", "image_url"):
        assert hit[key] == stored[key], key


def test_reasons_tree(client: TestClient) -> None:
    data = _search(client, q="wirless earbuds", k=3, category="Electronics")
    for rank, hit in enumerate(data["hits"], start=1):
        tree = hit["reasons"]
        _check_shape(tree)
        assert tree["label"] == f"search hit {hit['id']}"
        assert tree["value"] == pytest.approx(hit["score"], abs=1e-5)
        assert _labels(tree) == ["lexical (BM25F)", "query expansions", "filters"]
        lexical = tree["children"][0]
        assert _labels(lexical) == ["rank", "matched terms"]
        assert lexical["children"][0]["value"] == rank
        terms = _labels(lexical["children"][1])
        assert "title: wireless" in terms
        assert "title: earbud" in terms
        assert _labels(tree["children"][1]) == ["typo: wirless → wireless"]
        assert _labels(tree["children"][2]) == ["category: Electronics"]


def test_reasons_trees_leave_as_the_dicts_they_are(client: TestClient) -> None:
    """The route hands orjson the trees as nodes; the JSON is what ``as_dict`` makes."""
    from shopmind.serve.schemas import PlainJSON

    engine = client.app.state.search.engine  # type: ignore[attr-defined]
    for q in ("wirless earbuds", "无线耳机", "rice cooker"):
        result = engine.search(q, k=5)
        nodes, dicts = result.as_dict(trees=False), result.as_dict()
        assert nodes["hits"] and not isinstance(nodes["hits"][0]["reasons"], dict)
        assert PlainJSON(nodes).body == PlainJSON(dicts).body
        served = _search(client, q=q, k=5)["hits"]
        assert [h["reasons"] for h in served] == [h["reasons"] for h in dicts["hits"]]


def test_chinese_query(client: TestClient) -> None:
    data = _search(client, q="蓝牙耳机", k=4)
    assert len(data["hits"]) == 4
    assert all("蓝牙耳机" in h["title"] for h in data["hits"])
    assert data["hits"][0]["currency"] == "CNY"


def test_sub_word_chinese_query(client: TestClient) -> None:
    data = _search(client, q="简单", k=3)
    assert data["hits"]
    assert any("简单" in h["title"] for h in data["hits"])


# -- filters, sorting, paging ------------------------------------------------------------------
def test_category_filter(client: TestClient) -> None:
    everything = _search(client, q="wireless", k=100)
    assert everything["facets"]["category"]["Electronics"] <= everything["total"]
    data = _search(client, q="wireless", k=100, category="Electronics > Audio")
    assert data["hits"]
    assert all(h["category"].startswith("Electronics > Audio") for h in data["hits"])
    assert data["total"] == everything["facets"]["category"]["Electronics > Audio"]
    assert data["total"] < everything["total"]


def test_repeated_brand_filter(client: TestClient) -> None:
    everything = _search(client, q="wireless", k=100)
    brands = everything["facets"]["brand"]
    params = [("q", "wireless"), ("k", 100), ("brand", "sonicarc"), ("brand", "QuietBeat")]
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    data = response.json()
    assert {h["brand"] for h in data["hits"]} == {"SonicArc", "QuietBeat"}
    assert data["total"] == brands["SonicArc"] + brands["QuietBeat"]
    assert data["facets"]["brand"] == {
        "SonicArc": brands["SonicArc"],
        "QuietBeat": brands["QuietBeat"],
    }


def test_price_and_stock_filters(client: TestClient) -> None:
    data = _search(client, q="耳机 earbuds", k=100, price_max=100, in_stock="true")
    assert data["hits"]
    assert all(h["price"] <= 100 and h["in_stock"] for h in data["hits"])
    assert data["facets"]["availability"] == {"in_stock": data["total"]}
    everything = _search(client, q="耳机 earbuds", k=100)
    assert data["total"] < everything["total"]


def test_sort_by_price(client: TestClient) -> None:
    data = _search(client, q="wireless", k=100, sort="price_asc")
    prices = [h["price"] for h in data["hits"]]
    assert len(prices) == data["total"] > 2
    assert prices == sorted(prices)
    desc = _search(client, q="wireless", k=100, sort="price_desc")
    assert [h["price"] for h in desc["hits"]] == sorted(prices, reverse=True)
    assert _labels(data["hits"][0]["reasons"])[-1] == "sorted by price_asc"


def test_sort_by_popularity_follows_the_build(built: Settings, client: TestClient) -> None:
    folder = current_folder(built.home)
    items = json.loads((folder / "items.json").read_text())
    weight = dict(zip(items, np.load(folder / "popularity.npy").tolist(), strict=True))
    data = _search(client, q="耳机", k=20, sort="popularity")
    assert len(data["hits"]) == 20
    popularity = [weight.get(h["id"], 0.0) for h in data["hits"]]
    assert popularity == sorted(popularity, reverse=True)
    assert popularity[0] > 0
    assert popularity[0] == max(
        weight.get(h["id"], 0.0) for h in _search(client, q="耳机", k=100)["hits"]
    )


def test_sort_by_newest(client: TestClient) -> None:
    data = _search(client, q="wireless", k=8, sort="newest")
    created = [client.get(f"/products/{h['id']}").json()["created_at"] for h in data["hits"]]
    assert all(created)
    stamps = [datetime.fromisoformat(c.replace("Z", "+00:00")) for c in created]
    assert stamps == sorted(stamps, reverse=True)


def test_paging(client: TestClient) -> None:
    full = [h["id"] for h in _search(client, q="wireless", k=6)["hits"]]
    second = _search(client, q="wireless", k=3, offset=3)
    assert [h["id"] for h in second["hits"]] == full[3:]


# -- bad requests ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({}, "q"),
        ({"q": "earbuds", "k": 0}, "k"),
        ({"q": "earbuds", "k": 1000}, "k"),
        ({"q": "earbuds", "price_min": 50, "price_max": 10}, "price_min"),
        ({"q": "earbuds", "price_min": -1}, "price_min"),
        ({"q": "earbuds", "colour": "red"}, "colour"),
        ({"q": "earbuds", "sort": "cheapest"}, "sort"),
        ({"q": "earbuds", "in_stock": "maybe"}, "in_stock"),
    ],
)
def test_bad_request_is_422_naming_the_field(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["fix"]


def test_search_before_startup_is_503(built: Settings) -> None:
    bare = TestClient(create_app(built))  # not entered: the lifespan has not run
    response = bare.get("/search", params={"q": "earbuds"})
    assert response.status_code == 503
    assert response.json()["error"] == "store_unavailable"


def test_openapi_lists_search(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/search" in paths
    # the list routes are served directly (serve.app._serve_directly); their documents stay
    for path in ("/search", "/recommend", "/similar", "/bought-together"):
        assert set(paths[path]) == {"get"}, path
        assert paths[path]["get"]["parameters"], path


def test_list_routes_answer_get_alone(client: TestClient) -> None:
    for path in ("/search", "/recommend", "/similar", "/bought-together"):
        assert client.head(path).status_code == 405, path
        assert client.post(path).status_code == 405, path


def test_a_directly_served_endpoint_must_take_the_request_alone(built: Settings) -> None:
    from shopmind.serve.app import _serve_directly

    async def endpoint(request: Any, k: int) -> Any:
        return None

    with pytest.raises(TypeError, match="/x: served directly"):
        _serve_directly(create_app(built), {"/x": endpoint})


# -- the store and the build -------------------------------------------------------------------
def test_without_a_build_the_store_is_indexed_at_startup(settings: Settings, store: Store) -> None:
    build_demo(store, settings)
    assert not (settings.home / "builds").exists()
    with TestClient(create_app(settings)) as c:
        data = _search(c, q="wireless earbuds", k=4)
        organic = [h for h in data["hits"] if not h["sponsored"]]  # the demo has campaigns
        assert all("Wireless Earbuds" in h["title"] for h in organic)
        assert len(organic) == 4
        assert _search(c, q="蓝牙耳机", k=1)["hits"][0]["title"].count("蓝牙耳机") == 1


def test_an_empty_store_searches_to_nothing(settings: Settings) -> None:
    with TestClient(create_app(settings)) as c:
        data = _search(c, q="wireless earbuds")
        assert len(data.pop("request_id")) == 32
        assert data == {
            "hits": [],
            "total": 0,
            "facets": {"category": {}, "brand": {}, "price": {}, "availability": {}},
            "did_you_mean": None,
        }


def test_a_product_deleted_after_the_build_is_not_shown(settings: Settings, store: Store) -> None:
    build_demo(store, settings)
    run_build(store, settings.home, settings.events)
    with TestClient(create_app(settings)) as c:
        before = _search(c, q="wireless earbuds", k=10)
        gone = before["hits"][0]["id"]
        assert c.delete(f"/products/{gone}").status_code == 204
        after = _search(c, q="wireless earbuds", k=10)
        assert gone not in [h["id"] for h in after["hits"]]
        kept = [h["id"] for h in before["hits"][1:]]
        # the rest keep their order; a background re-index that already finished may have
        # filled the page with one more product
        assert [h["id"] for h in after["hits"]][: len(kept)] == kept


# -- the command line --------------------------------------------------------------------------
def test_cli_search_prints_the_api_object(built: Settings, client: TestClient) -> None:
    result = CliRunner().invoke(
        main, ["--home", str(built.home), "search", "wireless earbuds", "--json", "-k", "5"]
    )
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(data) == {"hits", "total", "facets", "did_you_mean"}
    # the command line answers no request: nothing to attribute, no positions to log
    assert all(set(h) == HIT_KEYS - {"position", "propensity"} for h in data["hits"])
    assert data == _unlogged(_search(client, q="wireless earbuds", k=5))


def _unlogged(answer: dict[str, Any]) -> dict[str, Any]:
    """A served answer without what only a served answer has (its request id, positions and
    propensities), to compare with the command line's."""
    out = {k: v for k, v in answer.items() if k != "request_id"}
    out["hits"] = [
        {k: v for k, v in h.items() if k not in ("position", "propensity")} for h in answer["hits"]
    ]
    return out


def test_cli_search_filters_and_sort_match_the_api(built: Settings, client: TestClient) -> None:
    args = ["--category", "Electronics", "--brand", "SonicArc", "--price-max", "200"]
    result = CliRunner().invoke(
        main,
        ["--home", str(built.home), "search", "wireless", *args, "--sort", "price_asc", "--json"],
    )
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    data = json.loads(result.stdout.strip().splitlines()[-1])
    api = _search(
        client,
        q="wireless",
        category="Electronics",
        brand="SonicArc",
        price_max=200,
        sort="price_asc",
    )
    assert data == _unlogged(api)
    assert data["hits"]


def test_cli_search_rejects_an_empty_query(built: Settings) -> None:
    result = CliRunner().invoke(main, ["--home", str(built.home), "search", "  "])
    assert result.exit_code == 1
    assert "'q'" in result.stderr
