"""The ranker on the demo shop, end to end: ``train ranker``, feature parity between
training and serving, reasons, and a real app that re-orders search and recommendations,
places sponsored products, and survives a broken ranker file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from shopmind.build import open_ranker, open_search, ranker_path
from shopmind.cli import main
from shopmind.config import Settings, load
from shopmind.serve import create_app
from shopmind.store import SQLiteStore
from tests.serve.test_search_api import _demo_home


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    """A built demo home with a ranker trained through the CLI, and its JSON report."""
    settings = _demo_home(tmp_path_factory.mktemp("ranker") / "home", ads=True)
    result = CliRunner().invoke(main, ["train", "ranker", "--home", str(settings.home), "--json"])
    assert result.exit_code == 0, result.output
    return settings, json.loads(result.stdout.strip().splitlines()[-1])


def _visitor(settings: Settings) -> str:
    store = SQLiteStore(settings.home / "shopmind.db")
    try:
        events = store.list_events(limit=2_000)
    finally:
        store.close()
    counts: dict[str, int] = {}
    for e in events:
        if e.user_id is not None and e.type in ("click", "purchase", "cart"):
            counts[e.user_id] = counts.get(e.user_id, 0) + 1
    return max(counts, key=lambda u: counts[u])


def test_train_ranker_reports_and_saves(trained: tuple[Settings, dict[str, Any]]) -> None:
    settings, report = trained
    assert report["impressions"] > 1_000
    assert 0.05 < report["click_rate"] < 0.6
    assert report["curve"] and report["stopped"]
    assert report["best_auc"] > 0.55  # the demo's clicks follow taste, language and position
    assert 0.5 < report["baseline_auc"] < 1  # the yardstick on the same validation rows
    assert Path(report["path"]) == ranker_path(settings.home)
    assert ranker_path(settings.home).stat().st_size > 10_000


def test_serving_rows_equal_training_rows(trained: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = trained
    store = SQLiteStore(settings.home / "shopmind.db")
    try:
        engine = open_search(settings.home, store, settings.search)
        ranker = open_ranker(settings.home, store, engine, settings.rank)
        visitor = _visitor(settings)
        events = store.list_events(visitor=visitor, limit=500)
        ids = [p.id for p in store.all_products()][:60]
    finally:
        store.close()
    fast = ranker.table(visitor, events, ids, {"page": "2"}, now=1.75e9)
    f = ranker.features
    state = f.state_of(events)
    profile = f.profile(state)
    rows = [f.values(visitor, state, ranker.stats, i, {"page": "2"}, 1.75e9, profile) for i in ids]
    slow = ranker.coder.table(rows, [list(state.recent)] * len(ids))
    for name in ("cats", "nums", "multi", "history", "history_kind"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-6)
    assert (fast.history_kind > 0).any(), "the visitor's products form the history"
    order, reasons = ranker.reorder(visitor, events, ids, explain=5)
    assert sorted(order.tolist()) == list(range(len(ids)))
    assert len(reasons) == 5
    labels = [c.label for c in reasons[0].children]
    assert labels[:4] == ["pCTR", "pCVR", "retrieval rank", "ranker rank"]
    top = reasons[0].find("top features")
    assert top is not None and top.children and all(c.value and c.value > 0 for c in top.children)


@pytest.fixture(scope="module")
def client(trained: tuple[Settings, dict[str, Any]]) -> Iterator[TestClient]:
    with TestClient(create_app(trained[0])) as c:
        yield c


def _branches(item: dict[str, Any]) -> list[str]:
    return [c["label"] for c in item["reasons"]["children"]]


def test_search_and_recommend_pass_through_the_ranker(
    trained: tuple[Settings, dict[str, Any]], client: TestClient
) -> None:
    visitor = _visitor(trained[0])
    hits = client.get("/search", params={"q": "headphones", "user": visitor, "k": 8}).json()
    organic = [h for h in hits["hits"] if not h["sponsored"]]
    assert len(organic) == 8 and all("ranker" in _branches(h) for h in organic)
    items = client.get("/recommend", params={"user": visitor, "k": 6}).json()["items"]
    organic = [i for i in items if not i["sponsored"]]
    assert len(organic) == 6 and all("ranker" in _branches(i) for i in organic)
    # anonymous searches are ranked too (no history: the product and context features)
    anonymous = client.get("/search", params={"q": "耳机", "k": 3}).json()["hits"]
    assert all("ranker" in _branches(h) for h in anonymous if not h["sponsored"])


def test_sponsored_product_takes_its_slot_with_auction_reasons(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "headphones", "user": "ad-viewer", "k": 4}).json()
    sponsored = [h for h in hits["hits"] if h["sponsored"]]
    assert len(sponsored) == 1 and hits["hits"][0]["sponsored"]  # ads.search_slots = [1]
    auction = next(c for c in sponsored[0]["reasons"]["children"] if c["label"] == "ad auction")
    leaves = {c["label"]: c["value"] for c in auction["children"]}
    assert leaves["pctr (ranker)"] > 0
    assert 0 < leaves["price paid per click (second price)"] <= leaves["bid per click"]


def test_sponsored_products_pass_the_page_filters(client: TestClient) -> None:
    params = {"q": "headphones", "user": "filtering-shopper", "k": 3}
    cheap = client.get("/search", params={**params, "price_max": 60}).json()["hits"]
    assert all(h["price"] is not None and h["price"] <= 60 for h in cheap)
    books = client.get("/search", params={**params, "category": "Books"}).json()["hits"]
    assert not any(h["sponsored"] for h in books)  # no campaign targets books
    later = client.get("/search", params={**params, "offset": 3}).json()["hits"]
    assert not any(h["sponsored"] for h in later)  # ads go on the first page only


def test_ranking_off_and_a_broken_ranker_file_leave_serving_up(
    trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    settings = trained[0]
    (settings.home / "off.toml").write_text("[rank]\nenabled = false\n[ingest]\nprogress = false\n")
    off = load(home=settings.home, config_file=settings.home / "off.toml")
    with TestClient(create_app(off)) as c:
        hits = c.get("/search", params={"q": "headphones", "k": 5}).json()["hits"]
        assert not any("ranker" in _branches(h) for h in hits if not h["sponsored"])
    broken = tmp_path / "home"
    broken.mkdir()
    for name in ("shopmind.db", "shopmind.toml"):
        (broken / name).write_bytes((settings.home / name).read_bytes())
    (broken / "builds").symlink_to(settings.home / "builds")
    (broken / "models").mkdir()
    (broken / "models" / "ranker.pt").write_bytes(b"not a model")
    with TestClient(create_app(load(home=broken))) as c:
        response = c.get("/search", params={"q": "headphones", "k": 5})
        assert response.status_code == 200
        assert not any("ranker" in _branches(h) for h in response.json()["hits"])
        assert c.app.state.ranker.error  # type: ignore[attr-defined]


def test_products_a_visitor_hid_are_no_ads_for_them(client: TestClient) -> None:
    campaigns = client.get("/campaigns").json()
    sonic = next(c for c in campaigns if c["advertiser"] == "SonicArc")
    fan = {"user_id": "ad-fan"}
    views = [{**fan, "item_id": p, "type": "view"} for p in sonic["products"][:3]]
    assert client.post("/events/batch", json={"events": views}).status_code == 202
    first = client.get("/recommend", params={"user": "ad-fan", "k": 5}).json()["items"]
    shown = [i["id"] for i in first if i["sponsored"]]
    assert shown, "the fan of the advertiser's category is shown its ad"
    hide = [{**fan, "item_id": p, "type": "not_interested"} for p in sonic["products"]]
    assert client.post("/events/batch", json={"events": hide}).status_code == 202
    after = client.get("/recommend", params={"user": "ad-fan", "k": 5}).json()["items"]
    assert not {i["id"] for i in after} & set(sonic["products"])
