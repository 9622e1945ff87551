"""The auction: ordering by pctr × bid × quality and generalised second prices, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from shopmind.ads import AdCandidate, run_auction

RESERVE = 0.05


def _three() -> list[AdCandidate]:
    return [
        AdCandidate(3, "c", bid=3.0, pctr=0.02, quality=0.5),  # score 0.03
        AdCandidate(1, "a", bid=2.0, pctr=0.05, quality=1.0),  # score 0.10
        AdCandidate(2, "b", bid=1.0, pctr=0.08, quality=0.9),  # score 0.072
    ]


def test_order_and_second_prices_with_known_numbers() -> None:
    wins = run_auction(_three(), slots=2, reserve=RESERVE)
    assert [(w.product, w.rank) for w in wins] == [("a", 1), ("b", 2)]
    # a pays b's score over its own pctr × quality, plus the increment: 0.072 / 0.05 + 0.01
    assert wins[0].price == pytest.approx(1.45)
    # the last winner pays against the best loser, c: 0.03 / (0.08 × 0.9) + 0.01
    assert wins[1].price == pytest.approx(0.03 / 0.072 + 0.01, abs=1e-6)
    assert wins[0].score == pytest.approx(0.10)
    assert (wins[1].pctr, wins[1].bid, wins[1].quality) == (0.08, 1.0, 0.9)


def test_the_last_winner_without_a_loser_pays_the_reserve() -> None:
    wins = run_auction(_three(), slots=3, reserve=RESERVE)
    assert [w.product for w in wins] == ["a", "b", "c"]
    assert wins[2].price == RESERVE


def test_price_is_never_above_the_bid() -> None:
    # x outranks y by a hair: the second price would be 1.009, above x's bid of 1
    x = AdCandidate(1, "x", bid=1.0, pctr=0.1, quality=1.0)
    y = AdCandidate(2, "y", bid=9.99, pctr=0.01, quality=1.0)
    wins = run_auction([x, y], slots=1, reserve=RESERVE)
    assert wins[0].product == "x"
    assert wins[0].price == 1.0


def test_price_is_at_least_the_reserve_and_a_bid_below_it_cannot_win() -> None:
    strong = AdCandidate(1, "s", bid=1.0, pctr=0.5, quality=1.0)
    weak = AdCandidate(2, "w", bid=0.06, pctr=0.001, quality=0.5)
    cheap = AdCandidate(3, "c", bid=0.04, pctr=0.9, quality=1.0)  # below the reserve
    wins = run_auction([strong, weak, cheap], slots=3, reserve=RESERVE)
    assert [w.product for w in wins] == ["s", "w"]
    assert wins[0].price == RESERVE  # 0.00003 / 0.5 + 0.01 is below the reserve
    assert wins[1].price == RESERVE


def test_one_ad_per_campaign_and_per_product() -> None:
    candidates = [
        AdCandidate(1, "a", bid=2.0, pctr=0.1, quality=1.0),  # 0.20, wins
        AdCandidate(1, "b", bid=2.0, pctr=0.09, quality=1.0),  # same campaign: out
        AdCandidate(2, "a", bid=1.5, pctr=0.1, quality=1.0),  # same product: out
        AdCandidate(3, "c", bid=1.0, pctr=0.05, quality=1.0),  # 0.05
    ]
    wins = run_auction(candidates, slots=3, reserve=RESERVE)
    assert [(w.campaign, w.product) for w in wins] == [(1, "a"), (3, "c")]
    # the left-out duplicates do not set a's price: c does
    assert wins[0].price == pytest.approx(0.05 / 0.1 + 0.01)


def test_no_slots_or_no_candidates_place_nothing() -> None:
    assert run_auction(_three(), slots=0, reserve=RESERVE) == []
    assert run_auction([], slots=2, reserve=RESERVE) == []


def test_random_auctions_keep_the_gsp_properties() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        candidates = [
            AdCandidate(
                int(rng.integers(0, 6)),
                f"p{int(rng.integers(0, 8))}",
                bid=float(rng.uniform(0.01, 3.0)),
                pctr=float(rng.uniform(0.001, 0.2)),
                quality=float(rng.uniform(0.0, 1.0)),
            )
            for _ in range(n)
        ]
        wins = run_auction(candidates, slots=3, reserve=RESERVE)
        scores = [w.score for w in wins]
        assert scores == sorted(scores, reverse=True)
        assert len({w.campaign for w in wins}) == len(wins) == len({w.product for w in wins})
        for i, w in enumerate(wins):
            assert RESERVE <= w.price <= w.bid
            if i + 1 < len(wins) and w.price < w.bid:
                # at its price the winner still outranks the next winner
                assert w.price * w.pctr * w.quality >= wins[i + 1].score - 1e-9
