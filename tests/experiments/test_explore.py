"""The Thompson slot: new products get a bounded, uncertainty-driven share of exposure."""

from __future__ import annotations

import numpy as np

from shopmind.experiments.explore import Shown, Thompson

RANKED = [f"p{i}" for i in range(15)]
SCORES = [1.0 - 0.05 * i for i in range(15)]  # p14 scores 0.30, the 10th product 0.55


def _known(n: int) -> dict[str, Shown]:
    return {item: Shown(5000, 250) for item in RANKED[:n]}


def test_only_one_slot_in_ten_and_only_above_the_floor() -> None:
    policy = Thompson(share=0.1, floor=0.6)
    assert policy.slots(10) == 1 and policy.slots(9) == 0 and Thompson(share=0).slots(10) == 0
    eligible = policy.eligible(RANKED, SCORES, 10, _known(10))
    # past the page, unshown, and scoring at least 0.6 x the 10th product's 0.55
    assert [RANKED[j] for j in eligible] == ["p10", "p11", "p12", "p13"]
    rng = np.random.default_rng(0)
    for _ in range(200):
        got = policy.place(RANKED, SCORES, 10, _known(10), rng)
        assert got.items[:9] == RANKED[:9]
        assert got.explored in ([], [9])
        assert got.items[9] in {"p9", "p10", "p11", "p12", "p13"}
        assert all(0 < p <= 1 for p in got.propensity) and got.propensity[:9] == [1.0] * 9


def test_uncertain_products_win_the_slot_in_proportion_and_shown_ones_do_not() -> None:
    policy = Thompson()
    rng = np.random.default_rng(1)
    history = _known(10)
    explored = sum(
        bool(policy.place(RANKED, SCORES, 10, history, rng).explored) for _ in range(400)
    )
    assert 40 < explored < 400  # the new products often win the last slot, not always
    # a product already shown 1,000 times with few clicks is no longer explored
    seen = {**history, **{item: Shown(1000, 5) for item in RANKED[10:]}}
    assert policy.eligible(RANKED, SCORES, 10, seen) == []
    assert not any(policy.place(RANKED, SCORES, 10, seen, rng).explored for _ in range(50))


def test_the_reported_propensity_matches_how_often_the_product_gets_the_slot() -> None:
    policy = Thompson()
    history = _known(10)
    rng = np.random.default_rng(2)
    runs = [policy.place(RANKED, SCORES, 10, history, rng) for _ in range(2000)]
    share = np.mean([r.items[9] == "p9" for r in runs])
    reported = np.mean([r.propensity[9] for r in runs if r.items[9] == "p9"])
    assert abs(share - reported) < 0.05
