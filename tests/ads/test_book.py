"""The campaign book: campaigns persist, clicks charge once and never past the day's budget,
and a report adds up impressions, clicks, spend and the purchases the clicks led to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from shopmind.ads import AdServer, CampaignBook, Impression
from shopmind.errors import NotFound
from shopmind.events import Event
from shopmind.store import Store
from tests.conftest import open_at_once

from .conftest import NOON, START, AddCampaign, MakeServer, campaign_in

T = NOON.timestamp()


@pytest.fixture(params=["sqlite", "postgresql"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CampaignBook]:
    """The book on each backend: its own SQLite file, or tables in a PostgreSQL store."""
    if request.param == "sqlite":
        b = CampaignBook(tmp_path / "ads.sqlite")
    else:
        b = CampaignBook.open(tmp_path, request.getfixturevalue("pg_url"))
    yield b
    b.close()


def _record(
    book: CampaignBook,
    campaign: int,
    n: int,
    price: float,
    visitor: str = "u1",
    product: str = "e1",
    ts: float = T,
) -> list[str]:
    tokens = [f"{campaign}-{visitor}-{i}-{ts}" for i in range(n)]
    book.record(
        [
            Impression(t, campaign, visitor, product, "search", "earbuds", 1, 0.1, 0.8, price, ts)
            for t in tokens
        ]
    )
    return tokens


def test_campaigns_persist_and_change_status(tmp_path: Path) -> None:
    path = tmp_path / "ads.sqlite"
    with CampaignBook(path) as book:
        first = book.add_campaign(campaign_in(name="One"), now=START)
        second = book.add_campaign(campaign_in(name="Two", keywords=["earbuds"]), now=START)
        book.set_status(first.id, "paused")
    with CampaignBook(path) as book:
        assert [c.name for c in book.campaigns()] == ["One", "Two"]
        assert book.get_campaign(first.id).status == "paused"
        assert [c.id for c in book.campaigns("active")] == [second.id]
        assert book.get_campaign(second.id).keywords == ["earbuds"]
        assert book.get_campaign(second.id).created == START
        with pytest.raises(NotFound, match="campaign 99"):
            book.get_campaign(99)
        with pytest.raises(NotFound):
            book.set_status(99, "active")


def test_two_books_on_one_file_see_each_others_campaign_writes(tmp_path: Path) -> None:
    # what two server processes (serve.workers) hold: one book each on the same file
    path = tmp_path / "ads.sqlite"
    with CampaignBook(path) as a, CampaignBook(path) as b:
        made = a.add_campaign(campaign_in(name="One"), now=START)
        assert [c.name for c in b.campaigns("active")] == ["One"]
        b.set_status(made.id, "paused")
        assert a.get_campaign(made.id).status == "paused"
        assert a.campaigns("active") == []
        other = b.add_campaign(campaign_in(name="Two"), now=START)
        a.set_status(other.id, "paused")  # a catches up with b's campaign before writing
        assert [(c.name, c.status) for c in a.campaigns()] == [("One", "paused"), ("Two", "paused")]
        assert b.campaigns() == a.campaigns()
    with CampaignBook(path) as again:
        assert [c.status for c in again.campaigns()] == ["paused", "paused"]


def test_whether_a_campaign_is_live_reads_the_database_at_most_once_a_window(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ads.sqlite"
    with CampaignBook(path) as a, CampaignBook(path) as b:
        assert not a.any_live(NOON, within_s=3600)
        made = b.add_campaign(campaign_in(name="One"), now=START)  # another process's write
        assert not a.any_live(NOON, within_s=3600)  # not asked again inside the window
        assert a.any_live(NOON, within_s=0)  # the window passed: read
        assert not a.any_live(START - timedelta(days=1), within_s=0)  # before its start
        a.set_status(made.id, "paused")  # this book's own write counts at once
        assert not a.any_live(NOON, within_s=3600)


def test_processes_opening_a_new_book_at_once_all_open_it(tmp_path: Path) -> None:
    outs = open_at_once(
        "from shopmind.ads import CampaignBook",
        "print(len(CampaignBook(sys.argv[1]).campaigns()))",
        tmp_path / "ads.sqlite",
    )
    assert outs == [["0"]] * 4


def test_a_click_taken_by_another_process_is_charged(tmp_path: Path) -> None:
    path = tmp_path / "ads.sqlite"
    with CampaignBook(path) as a, CampaignBook(path) as b:
        b.campaigns()  # b has read the campaigns before a's is made
        made = a.add_campaign(campaign_in(name="One"), now=START)
        (token,) = _record(a, made.id, 1, 0.5)
        assert b.click(token, ts=T) == 0.5  # b learns of a's campaign to charge it
        assert a.spend_today(made.id, now=NOON) == 0.5


def test_a_click_charges_once(book: CampaignBook, add_campaign: AddCampaign) -> None:
    c = add_campaign(bid=1.0, daily_budget=10.0)
    [token] = _record(book, c.id, 1, price=0.7)
    assert book.click(token, T + 5) == pytest.approx(0.7)
    assert book.click(token, T + 6) == 0.0  # the same token again: free
    assert book.spend_today(c.id, NOON) == pytest.approx(0.7)
    assert book.totals(c.id) == pytest.approx((1, 1, 0.7))


def test_unknown_token_or_other_product_charges_nothing(
    book: CampaignBook, add_campaign: AddCampaign
) -> None:
    c = add_campaign()
    [token] = _record(book, c.id, 1, price=0.5)
    assert book.click("nope", T) == 0.0
    assert book.click(token, T, product="e2") == 0.0  # the ad showed e1
    assert book.spend_today(c.id, NOON) == 0.0
    assert book.click(token, T, product="e1") == pytest.approx(0.5)


def test_clicks_never_spend_past_the_daily_budget(
    book: CampaignBook, add_campaign: AddCampaign
) -> None:
    c = add_campaign(bid=1.0, daily_budget=2.5)
    tokens = _record(book, c.id, 5, price=1.0)
    charges = [book.click(t, T + i) for i, t in enumerate(tokens)]
    assert charges == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0])
    assert book.spend_today(c.id, NOON) == pytest.approx(2.5)
    # the next UTC day has a fresh budget
    tomorrow = T + 86_400
    [late] = _record(book, c.id, 1, price=1.0, ts=tomorrow)
    assert book.click(late, tomorrow) == pytest.approx(1.0)
    assert book.spend_today(c.id, NOON + timedelta(days=1)) == pytest.approx(1.0)


def test_impressions_today_count_per_visitor_and_day(
    book: CampaignBook, add_campaign: AddCampaign
) -> None:
    c = add_campaign()
    _record(book, c.id, 2, 0.5, visitor="u1")
    _record(book, c.id, 1, 0.5, visitor="u2")
    _record(book, c.id, 4, 0.5, visitor="u1", ts=T - 86_400)  # yesterday
    assert book.impressions_today("u1", c.id, NOON) == 2
    assert book.impressions_today("u2", c.id, NOON) == 1
    assert book.impressions_today("u3", c.id, NOON) == 0


def test_report_after_impressions_clicks_and_a_purchase(
    shop: Store, book: CampaignBook, add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    c = add_campaign(products=["e1", "e2"], bid=1.0, daily_budget=50.0)
    u1 = _record(book, c.id, 6, price=0.8, visitor="u1", product="e1")
    u2 = _record(book, c.id, 4, price=0.6, visitor="u2", product="e2")
    book.click(u1[0], T + 10)
    book.click(u2[0], T + 20)

    def buy(visitor: str, item: str, after: float, value: float | None) -> Event:
        return Event(user_id=visitor, item_id=item, type="purchase", value=value,
                     timestamp=NOON + timedelta(seconds=after))  # fmt: skip

    shop.add_events(
        [
            buy("u1", "e1", 600, 45.0),  # 10 minutes after the click: converts, paid 45
            buy("u2", "e2", 3_600, None),  # an hour after: converts at e2's price, 80
            buy("u2", "e2", 2 * 86_400, 80.0),  # two days later: outside the window
            buy("u1", "e2", 900, 80.0),  # u1 clicked e1, not e2
            buy("u3", "e1", 600, 50.0),  # never clicked
        ]
    )
    server: AdServer = make_server()
    report = server.report(c.id)
    assert (report.impressions, report.clicks) == (10, 2)
    assert report.ctr == pytest.approx(0.2)
    assert report.spend == pytest.approx(1.4)
    assert report.conversions == 2
    assert report.revenue == pytest.approx(125.0)
    assert report.roas == pytest.approx(125.0 / 1.4)
    assert report.as_dict()["roas"] == pytest.approx(125.0 / 1.4, abs=1e-6)
    # a purchase value read as a quantity is worth that many times the price
    quantity = make_server(purchase_value="quantity").report(c.id)
    assert quantity.revenue == pytest.approx(45.0 * 50.0 + 80.0)


def test_report_of_a_campaign_without_traffic(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    c = add_campaign()
    report = make_server().report(c.id).as_dict()
    assert report == {
        "campaign": c.id,
        "impressions": 0,
        "clicks": 0,
        "ctr": 0.0,
        "spend": 0.0,
        "conversions": 0,
        "revenue": 0.0,
        "roas": None,
    }
    with pytest.raises(NotFound):
        make_server().report(c.id + 1)


def test_nodes_clicking_one_campaign_at_once_never_overspend_its_budget(pg_url: str) -> None:
    # four processes = four serving nodes on one PostgreSQL, each clicking every one of 120
    # impressions of the same campaign, in its own order, at the same moment; the day's
    # budget covers 37.5 of the 120 clicks
    with CampaignBook.open(Path("."), pg_url) as book:
        made = book.add_campaign(campaign_in(bid=1.0, daily_budget=37.5), now=START)
        tokens = _record(book, made.id, 120, price=1.0)
    outs = open_at_once(
        "import os, random\nfrom pathlib import Path\nfrom shopmind.ads import CampaignBook\n"
        f"tokens = {tokens!r}\nrandom.Random(os.getpid()).shuffle(tokens)\n"
        "book = CampaignBook.open(Path('.'), sys.argv[1])",
        f"print(sum(book.click(t, {T}) for t in tokens))",
        pg_url,
    )
    assert sum(float(out[0]) for out in outs) == pytest.approx(37.5)  # charged in all
    with CampaignBook.open(Path("."), pg_url) as book:
        assert book.spend_today(made.id, now=NOON) == pytest.approx(37.5)
        assert book.totals(made.id)[:2] == (120, 120)  # each click counted once
