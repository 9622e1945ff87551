"""Pacing spreads a budget over the UTC day; the frequency cap limits a visitor's repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shopmind.ads import CampaignBook, Impression, Pacer, day_fraction, under_cap

from .conftest import NOON, AddCampaign, MakeServer


def test_day_fraction_is_utc() -> None:
    assert day_fraction(NOON) == pytest.approx(0.5)
    assert day_fraction(datetime(2026, 3, 2, 6)) == pytest.approx(0.25)  # naive: UTC
    plus8 = datetime(2026, 3, 2, 20, tzinfo=UTC).astimezone()
    assert day_fraction(plus8) == pytest.approx(20 / 24)


def test_at_or_below_the_even_line_every_auction_is_entered() -> None:
    pacer = Pacer(slack=0.1, seed=0)
    assert all(pacer.admit(100.0, 1.0, spent, NOON) for spent in (0.0, 30.0, 50.0))


def test_beyond_the_slack_no_auction_is_entered() -> None:
    pacer = Pacer(slack=0.1, seed=0)
    # noon: the even line is 50, the slack 10
    assert not any(pacer.admit(100.0, 1.0, 60.0, NOON) for _ in range(100))
    assert not any(pacer.admit(100.0, 1.0, 75.0, NOON) for _ in range(100))


def test_ahead_of_the_line_the_throttle_thins_out_seeded() -> None:
    draws = [Pacer(slack=0.1, seed=3).admit(100.0, 1.0, 55.0, NOON) for _ in range(3)]
    assert len(set(draws)) == 1  # the same seed gives the same first answer
    pacer = Pacer(slack=0.1, seed=3)
    admitted = sum(pacer.admit(100.0, 1.0, 55.0, NOON) for _ in range(4_000))
    assert admitted / 4_000 == pytest.approx(0.5, abs=0.03)  # halfway into the slack
    replay = Pacer(slack=0.1, seed=3)
    assert sum(replay.admit(100.0, 1.0, 55.0, NOON) for _ in range(4_000)) == admitted


def test_less_than_one_click_left_never_enters() -> None:
    pacer = Pacer(slack=1.0, seed=0)
    late = NOON + timedelta(hours=11, minutes=59)
    assert pacer.admit(100.0, 1.0, 99.0, late)
    assert not pacer.admit(100.0, 1.0, 99.5, late)


def test_slack_is_checked() -> None:
    with pytest.raises(ValueError, match="slack"):
        Pacer(slack=1.5)


def test_under_cap() -> None:
    assert under_cap(2, 3) and not under_cap(3, 3)
    assert under_cap(1_000, 0)  # 0 turns the cap off


def _spend(book: CampaignBook, campaign: int, amount: float) -> None:
    token = f"spent-{campaign}-{amount}"
    ts = NOON.timestamp() - 60
    book.record([Impression(token, campaign, "x", "e1", "search", None, 1, 0.1, 1.0, amount, ts)])
    book.click(token, ts)


def test_an_over_budget_campaign_is_kept_out_of_the_auction(
    book: CampaignBook, add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    rich = add_campaign(name="rich", products=["e1"], bid=5.0, daily_budget=10.0)
    add_campaign(name="steady", products=["e4"], bid=0.5, daily_budget=100.0)
    server = make_server(seed=1)
    first = server.place(
        placement="search", visitor="u1", query="earbuds", organic=[], slots=[1], now=NOON
    )
    assert [h.campaign for h in first] == [rich.id]
    _spend(book, rich.id, 5.0)  # 5 of 10 by noon: on the even line
    _spend(book, rich.id, 1.5)  # 6.5: beyond the line plus the slack of 1
    for visitor in ("u2", "u3", "u4", "u5"):
        hits = server.place(
            placement="search", visitor=visitor, query="earbuds", organic=[], slots=[1], now=NOON
        )
        assert [h.product for h in hits] == ["e4"]


def test_frequency_cap_per_visitor_per_day(
    add_campaign: AddCampaign, make_server: MakeServer
) -> None:
    add_campaign(products=["e1"], daily_budget=1_000.0)
    server = make_server(frequency_cap=2)

    def shown(visitor: str | None, now: datetime) -> int:
        hits = server.place(
            placement="search", visitor=visitor, query="earbuds", organic=[], slots=[1], now=now
        )
        return len(hits)

    assert [shown("u1", NOON) for _ in range(3)] == [1, 1, 0]
    assert shown("~s9", NOON) == 1  # another visitor (an anonymous session)
    assert shown("u1", NOON + timedelta(days=1)) == 1  # a new UTC day
    assert [shown(None, NOON) for _ in range(3)] == [1, 1, 1]  # no key: no cap possible
