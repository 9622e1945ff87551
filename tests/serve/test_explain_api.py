"""``GET /explain`` over real demo shops: a result's tree recomputed equals the one its list
sent (through the trained ranker too), an ad's tree comes from the ledger, and the 404s and
422s say what to do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from shopmind.ads import CampaignBook
from shopmind.cli import main
from shopmind.config import Settings
from shopmind.serve import create_app
from shopmind.store import SQLiteStore
from tests.serve.test_search_api import TestClient, _check_shape, _demo_home


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A demo home without ads and with a ranker trained through the CLI."""
    settings = _demo_home(tmp_path_factory.mktemp("explain-ranked") / "home")
    result = CliRunner().invoke(main, ["train", "ranker", "--home", str(settings.home)])
    assert result.exit_code == 0, result.output
    return settings


@pytest.fixture(scope="module")
def client(ranked: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(ranked)) as c:
        yield c


@pytest.fixture(scope="module")
def sponsored(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A demo home whose campaigns place ads (no ranker: organic trees are deterministic)."""
    return _demo_home(tmp_path_factory.mktemp("explain-ads") / "home", ads=True)


@pytest.fixture(scope="module")
def ads_client(sponsored: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sponsored)) as c:
        yield c


def _visitor(settings: Settings) -> str:
    """The demo's most active signed-in visitor."""
    store = SQLiteStore(settings.home / "shopmind.db")
    try:
        return next(v.visitor for v in store.top_visitors(20) if not v.visitor.startswith("~"))
    finally:
        store.close()


def _ok(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _explain(client: TestClient, **params: Any) -> dict[str, Any]:
    data = _ok(client, "/explain", **params)
    assert set(data) >= {"kind", "id", "title", "rank", "tree"}
    _check_shape(data["tree"])
    return data


def _close(a: dict[str, Any], b: dict[str, Any], tol: float = 1e-3) -> bool:
    """The same tree, values equal within ``tol`` (the ranker reads the clock: the hours since
    the visitor's last event move between two requests)."""
    if a["label"] != b["label"] or len(a["children"]) != len(b["children"]):
        return False
    if (a["value"] is None) != (b["value"] is None):
        return False
    if a["value"] is not None and abs(a["value"] - b["value"]) > tol:
        return False
    return all(_close(x, y, tol) for x, y in zip(a["children"], b["children"], strict=True))


def _branches(tree: dict[str, Any]) -> list[str]:
    return [c["label"] for c in tree["children"]]


# -- the same tree as the list's -----------------------------------------------------------------
def test_a_search_hit_is_explained_with_its_list_tree_through_the_ranker(
    ranked: Settings, client: TestClient
) -> None:
    user = _visitor(ranked)
    hits = _ok(client, "/search", q="headphones", user=user, k=8)["hits"]
    assert all("ranker" in _branches(h["reasons"]) for h in hits)
    for rank in (1, 5, 8):
        hit = hits[rank - 1]
        data = _explain(client, kind="search", id=hit["id"], q="headphones", user=user)
        assert (data["kind"], data["id"], data["title"]) == ("search", hit["id"], hit["title"])
        assert data["rank"] == rank
        assert _close(data["tree"], hit["reasons"]), (data["tree"], hit["reasons"])


def test_a_hit_of_a_later_page_is_ranked_for_that_page(
    ranked: Settings, client: TestClient
) -> None:
    user = _visitor(ranked)
    hits = _ok(client, "/search", q="wireless", user=user, k=5, offset=5)["hits"]
    hit = hits[1]
    # the list's own k and offset: page 2, looked for in the first 10
    data = _explain(client, kind="search", id=hit["id"], q="wireless", user=user, k=5, offset=5)
    assert data["rank"] == 7
    assert _close(data["tree"], hit["reasons"])
    # or the page it was on, looked for in the first k (100)
    data = _explain(client, kind="search", id=hit["id"], q="wireless", user=user, page=2)
    assert data["rank"] == 7
    assert _close(data["tree"], hit["reasons"])
    params = {"kind": "search", "id": hit["id"], "q": "wireless", "user": user, "page": 2}
    gone = client.get("/explain", params={**params, "k": 5})  # the same order, 5 deep
    assert gone.status_code == 404 and "first 5 results" in gone.json()["message"]


def test_search_filters_and_sort_are_applied_as_the_list_applies_them(
    client: TestClient,
) -> None:
    params = {"q": "headphones", "price_max": 100, "sort": "price_asc", "in_stock": True}
    hits = _ok(client, "/search", **params, k=4)["hits"]
    data = _explain(client, kind="search", id=hits[2]["id"], **params)
    assert data["rank"] == 3
    assert _close(data["tree"], hits[2]["reasons"])
    assert "filters" in _branches(data["tree"])


def test_a_recommendation_is_explained_with_its_list_tree(
    ranked: Settings, client: TestClient
) -> None:
    user = _visitor(ranked)
    items = _ok(client, "/recommend", user=user, k=6)["items"]
    assert all("ranker" in _branches(i["reasons"]) for i in items)
    item = items[3]
    data = _explain(client, kind="recommend", id=item["id"], user=user)
    assert (data["id"], data["title"], data["rank"]) == (item["id"], item["title"], 4)
    assert _close(data["tree"], item["reasons"])
    assert any(label.startswith("because you") for label in _labels_below(data["tree"]))


def _labels_below(tree: dict[str, Any]) -> list[str]:
    out = []
    for child in tree["children"]:
        out += [child["label"], *_labels_below(child)]
    return out


def test_similar_and_bought_together_are_explained_exactly(client: TestClient) -> None:
    item = _ok(client, "/search", q="wireless earbuds", k=1)["hits"][0]["id"]
    for kind in ("similar", "bought-together"):
        listed = _ok(client, f"/{kind}", item=item, k=5)["items"]
        data = _explain(client, kind=kind, id=listed[4]["id"], item=item)
        assert (data["kind"], data["rank"]) == (kind, 5)
        assert data["tree"] == listed[4]["reasons"]


def test_an_organic_hit_beside_ads_has_exactly_its_tree(
    sponsored: Settings, ads_client: TestClient
) -> None:
    user = _visitor(sponsored)
    hits = _ok(ads_client, "/search", q="headphones", user=user, k=6)["hits"]
    organic = [h for h in hits if not h["sponsored"]]
    assert len(organic) == 6 and len(hits) == 7  # one ad in slot 1
    data = _explain(ads_client, kind="search", id=organic[1]["id"], q="headphones", user=user)
    assert data["rank"] == 2  # its rank among the organic results
    assert data["tree"] == organic[1]["reasons"]


# -- ads -----------------------------------------------------------------------------------------
def test_an_ad_is_explained_from_the_ledger_with_the_auction_numbers(
    sponsored: Settings, ads_client: TestClient
) -> None:
    hits = _ok(ads_client, "/search", q="headphones", user="ad-explainer", k=4)["hits"]
    ad = next(h for h in hits if h["sponsored"])
    data = _explain(ads_client, kind="ad", id=ad["ad"])
    assert (data["kind"], data["id"], data["product"], data["rank"]) == (
        "ad",
        ad["ad"],
        ad["id"],
        ad["slot"],
    )
    assert data["title"] == ad["title"]
    tree = data["tree"]
    assert tree["label"] == "sponsored"
    assert tree["children"][0] == ad["reasons"]["children"][0]  # the campaign
    shown = {c["label"]: c["value"] for c in ad["reasons"]["children"][1]["children"]}
    again = {c["label"]: c["value"] for c in tree["children"][1]["children"]}
    assert again["pctr (at the auction, from the ledger)"] == pytest.approx(
        shown["pctr (historical CTR)"], abs=1e-6
    )
    for label in (
        "bid per click",
        "quality (relevance to the page)",
        "score = pctr × bid × quality",
        "price paid per click (second price)",
        "rank",
    ):
        assert again[label] == pytest.approx(shown[label], abs=1e-6), label
    assert "targeting: keyword: headphones" in again


def test_explaining_places_no_ads_and_writes_nothing(
    sponsored: Settings, ads_client: TestClient
) -> None:
    user = _visitor(sponsored)
    hits = _ok(ads_client, "/search", q="headphones", user=user, k=3)["hits"]
    assert any(h["sponsored"] for h in hits)  # the list places an ad for this page...
    organic = next(h for h in hits if not h["sponsored"])
    items = _ok(ads_client, "/recommend", user=user, k=3)["items"]
    pick = next(i for i in items if not i["sponsored"])
    store = SQLiteStore(sponsored.home / "shopmind.db")
    book = CampaignBook(sponsored.home / "ads.sqlite")
    try:
        events, impressions = store.count_events(), book.campaign_counts()
        for _ in range(3):  # ...explaining its results places none and writes nothing
            _explain(ads_client, kind="search", id=organic["id"], q="headphones", user=user)
            _explain(ads_client, kind="recommend", id=pick["id"], user=user)
        assert store.count_events() == events
        assert book.campaign_counts() == impressions
    finally:
        book.close()
        store.close()


# -- errors --------------------------------------------------------------------------------------
def _error(client: TestClient, status: int, **params: Any) -> dict[str, Any]:
    response = client.get("/explain", params=params)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_product_no_longer_in_the_list_is_a_404_saying_search_again(
    client: TestClient,
) -> None:
    body = _error(client, 404, kind="search", id="p0012", q="frying pan", k=3)
    books = _ok(client, "/search", q="frying pan", k=3)["hits"]
    assert "p0012" not in [h["id"] for h in books]
    assert body["message"] == (
        "product p0012 is not in the first 3 results of search 'frying pan' any more; search again"
    )


def test_recommend_of_an_unknown_visitor_is_a_404_pointing_to_visitors(
    client: TestClient,
) -> None:
    body = _error(client, 404, kind="recommend", id="p0001", user="u-nobody")
    assert body["message"] == "no events for visitor u-nobody; pick a visitor from /visitors"
    body = _error(client, 404, kind="recommend", id="p0001", session="s-nobody")
    assert "visitor ~s-nobody" in body["message"]


def test_unknown_products_and_tokens_are_404s_naming_them(
    client: TestClient, ads_client: TestClient
) -> None:
    assert (
        "no-such-sku" in _error(client, 404, kind="similar", id="p1", item="no-such-sku")["message"]
    )
    body = _error(client, 404, kind="bought-together", id="no-such-sku", item="p0001")
    assert (
        "product no-such-sku is not in the first 100 products bought together" in (body["message"])
    )
    body = _error(ads_client, 404, kind="ad", id="no-such-token")
    assert "'no-such-token'" in body["message"] and '"ad" field' in body["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"id": "p0001"}, "kind"),
        ({"kind": "search"}, "id"),
        ({"kind": "search", "id": "p0001"}, "q"),
        ({"kind": "recommend", "id": "p0001"}, "user"),
        ({"kind": "similar", "id": "p0001"}, "item"),
        ({"kind": "bought-together", "id": "p0001"}, "item"),
        ({"kind": "nearby", "id": "p0001"}, "kind"),
        ({"kind": "search", "id": "p0001", "q": "x", "k": 101}, "k"),
        ({"kind": "search", "id": "p0001", "q": "x", "qq": "y"}, "qq"),
    ],
)
def test_missing_or_bad_params_are_422s_naming_the_param(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    body = _error(client, 422, **params)
    assert body["error"] == "invalid_input"
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["fix"]


def test_openapi_lists_explain(client: TestClient) -> None:
    paths = json.loads(client.get("/openapi.json").text)["paths"]
    assert "/explain" in paths
