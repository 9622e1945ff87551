"""The ad server over a real store, book and hybrid engine: targeting, quality, placement,
the ledger and the ``ad_impression`` events it writes, and the reasons it gives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from shopmind.ads import AdServer, CampaignBook, SponsoredHit
from shopmind.events import Event
from shopmind.store import Store

from .conftest import NOON, START, AddCampaign, MakeServer


def _search(
    server: AdServer,
    query: str,
    visitor: str | None = "u1",
    organic: Sequence[str] = (),
    slots: Sequence[int] = (1,),
) -> list[SponsoredHit]:
    return server.place(
        placement="search", visitor=visitor, query=query, organic=organic, slots=slots, now=NOON
    )


def test_a_relevant_ad_is_placed_recorded_and_explained(
    shop: Store, book: CampaignBook, add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    c = add_campaign(products=["e1"], keywords=["earbuds"], bid=0.8)
    server = make_server()
    [hit] = _search(server, "wireless earbuds", organic=["e4", "e2"], slots=[2])
    assert (hit.product, hit.slot, hit.campaign) == ("e1", 2, c.id)
    assert hit.price == server.config.reserve_price  # nobody else bid
    shown = book.impression(hit.token)
    assert (shown.visitor, shown.product, shown.placement, shown.slot) == ("u1", "e1", "search", 2)
    [event] = shop.list_events(visitor="u1")
    assert (event.type, event.item_id, event.position) == ("ad_impression", "e1", 2)
    assert event.context == {
        "ad": hit.token,
        "campaign": str(c.id),
        "price": str(hit.price),
        "placement": "search",
    }
    tree = hit.reasons
    assert tree.label == "sponsored"
    auction = tree.find("ad auction")
    assert auction is not None
    labels = [n.label for n in auction.children]
    assert labels[0] == "pctr (historical CTR)"
    assert auction.children[0].value == server.config.prior_ctr
    assert "targeting: keyword: earbuds" in labels
    assert tree.find("price paid per click") is not None
    rank = tree.find("rank")
    assert rank is not None and rank.value == 1
    assert hit.as_dict()["ad"] == hit.token and hit.as_dict()["sponsored"] is True


def test_an_irrelevant_ad_is_never_placed(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    # an untargeted frying pan with a huge bid: quality, not money, keeps it off "earbuds"
    pan = add_campaign(name="pan", products=["c1"], bid=50.0, daily_budget=5_000.0)
    server = make_server()
    for query in ("earbuds", "wireless earbuds", "headphones", "蓝牙耳机"):
        assert _search(server, query) == []
    assert [h.campaign for h in _search(server, "frying pan")] == [pan.id]


def test_a_weak_match_under_the_floor_loses_to_a_relevant_cheaper_ad(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    add_campaign(name="pan", products=["c1"], bid=50.0, daily_budget=5_000.0)
    buds = add_campaign(name="buds", products=["e1"], bid=0.3)
    [hit] = _search(make_server(), "wireless earbuds")
    assert hit.campaign == buds.id
    # with the floor at 0 the rich pan wins: the floor is what kept it out
    [hit] = _search(make_server(quality_floor=0.0), "wireless earbuds")
    assert hit.product == "c1"


def test_organic_out_of_stock_paused_and_out_of_dates_are_left_out(
    book: CampaignBook, add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    server = make_server()
    add_campaign(name="lite", products=["o1"])  # out of stock
    assert _search(server, "wireless earbuds") == []
    add_campaign(name="x1", products=["e1"])
    assert _search(server, "wireless earbuds", organic=["e1"]) == []  # already on the page
    paused = add_campaign(name="paused", products=["e4"], bid=9.0)
    book.set_status(paused.id, "paused")
    add_campaign(name="future", products=["e4"], bid=9.0, start=NOON + timedelta(hours=1))
    add_campaign(name="over", products=["e4"], bid=9.0, end=START + timedelta(hours=1))
    assert [h.product for h in _search(server, "earbuds")] == ["e1"]


def test_keyword_targeting_english_and_chinese(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    run = add_campaign(name="run", products=["e4"], keywords=["running", "jogging"])
    zh = add_campaign(name="zh", products=["z1"], keywords=["蓝牙耳机"])
    server = make_server(quality_floor=0.0)  # targeting alone decides here
    assert _search(server, "earbuds") == []
    assert [h.campaign for h in _search(server, "running earbuds")] == [run.id]
    assert [h.campaign for h in _search(server, "降噪蓝牙耳机")] == [zh.id]
    assert _search(server, "耳机") == []  # the query does not contain the keyword


def test_category_targeting_reads_the_page(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    audio = add_campaign(name="audio", products=["e4"], categories=["Electronics/Audio"])
    server = make_server()
    assert audio.categories == ["Electronics > Audio"]
    assert _search(server, "earbuds") == []  # nothing on the page yet
    [hit] = _search(server, "earbuds", organic=["e1"])
    assert hit.campaign == audio.id
    assert hit.reasons.find("targeting: category: Electronics > Audio") is not None
    assert _search(server, "earbuds", visitor="u2", organic=["c1"]) == []


def test_recommendations_follow_the_visitor(
    shop: Store, add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    headphones = add_campaign(name="hp", products=["e3"], categories=["Electronics > Audio"])
    pans = add_campaign(name="pans", products=["c2"], categories=["Home & Kitchen"])
    shop.add_events([Event(user_id="u1", item_id="e2", type="view", timestamp=NOON)])
    server = make_server()

    def recommend(visitor: str | None) -> list[SponsoredHit]:
        return server.place(
            placement="recommend",
            visitor=visitor,
            query=None,
            organic=["e1"],
            slots=server.slots_for("recommend"),
            now=NOON,
        )

    [hit] = recommend("u1")
    assert (hit.campaign, hit.slot) == (headphones.id, 3)
    assert recommend("u9") == []  # nothing known: no category matches
    assert pans.id not in {h.campaign for h in recommend("u1")}


def test_a_plugged_in_ranker_decides_the_order(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    add_campaign(name="x1", products=["e1"], bid=1.0)
    run = add_campaign(name="run", products=["e4"], bid=1.0)
    server = make_server()

    def ranker(visitor: str | None, products: Sequence[str]) -> np.ndarray:
        return np.asarray([0.5 if p == "e4" else 0.01 for p in products])

    server.set_pctr(ranker)
    [hit] = _search(server, "earbuds")
    assert hit.campaign == run.id
    assert hit.reasons.find("pctr (ranker)") is not None
    server.set_pctr(None)
    assert server.pctr is server.historical


def test_clicks_charge_through_the_server_and_feed_the_historical_ctr(
    book: CampaignBook, add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    c = add_campaign(products=["e1"], bid=2.0, daily_budget=100.0)
    add_campaign(name="rival", products=["e4"], bid=1.0)
    server = make_server(frequency_cap=0)
    [hit] = _search(server, "earbuds")
    assert server.click(hit.token, NOON.timestamp()) == hit.price
    assert server.click(hit.token, NOON.timestamp()) == 0.0
    assert book.spend_today(c.id, NOON) == hit.price
    before = server.historical(None, ["e1"])[0]
    [again] = _search(server, "earbuds")
    server.click(again.token, NOON.timestamp())
    assert server.historical(None, ["e1"])[0] > before


def test_disabled_ads_or_no_slots_place_nothing(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    add_campaign(products=["e1"])
    assert _search(make_server(enabled=False), "earbuds") == []
    assert _search(make_server(), "earbuds", slots=()) == []
    assert len(_search(make_server(), "earbuds", slots=(1, 4))) == 1  # one campaign, one ad
