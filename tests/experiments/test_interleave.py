"""Team-draft interleaving and multileaving: fair drafts, credit, verdicts."""

from __future__ import annotations

import random

import numpy as np
import pytest

from shopmind.experiments.interleave import (
    Tally,
    credit,
    draft_propensities,
    preference,
    team_draft,
)


def test_team_draft_takes_each_rankers_best_unplaced_product_in_turn() -> None:
    a = ["a1", "a2", "a3", "s", "a5"]
    b = ["b1", "s", "b3", "b4", "b5"]
    for seed in range(50):
        got = team_draft([a, b], 6, random.Random(seed))
        assert len(got.items) == 6 and len(set(got.items)) == 6
        # every prefix holds each ranker's products in that ranker's own order
        for team, ranking in ((0, a), (1, b)):
            mine = [x for x, t in zip(got.items, got.teams, strict=True) if t == team]
            assert mine == [x for x in ranking if x in mine]
        # rounds: the two teams never differ by more than one pick at any prefix
        for n in range(1, 7):
            assert abs(got.teams[:n].count(0) - got.teams[:n].count(1)) <= 1
        assert got.shared == 0


def test_multileaving_drafts_three_rankers_fairly() -> None:
    lists = [[f"{r}{i}" for i in range(10)] for r in "xyz"]
    firsts = {0: 0, 1: 0, 2: 0}
    for seed in range(600):
        got = team_draft(lists, 9, random.Random(seed))
        assert sorted(got.teams) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
        firsts[got.teams[0]] += 1
    assert all(150 < n < 250 for n in firsts.values())
    with pytest.raises(ValueError, match="two or more"):
        team_draft([lists[0]], 5, random.Random(0))


def test_clicks_on_the_common_prefix_credit_nobody() -> None:
    got = team_draft([["p", "q", "a"], ["p", "q", "b"]], 4, random.Random(3))
    assert got.shared == 2 and got.items[:2] == ["p", "q"]
    assert credit(got.teams, [0, 1], 2, got.shared) == [0, 0]
    third = got.teams[2]
    assert credit(got.teams, [0, 2], 2, got.shared)[third] == 1
    assert preference([2, 1], 0, 1) == 1 and preference([0, 1], 0, 1) == -1
    assert preference([1, 1], 0, 1) == 0


def test_a_tally_names_the_ranker_shoppers_prefer() -> None:
    """Shoppers click ranker x's products three times as often as y's: the tally calls x
    the winner with high confidence, and an even contest has no winner."""
    rng = np.random.default_rng(0)
    draft = random.Random(0)
    x = [f"x{i}" for i in range(10)]
    y = [f"y{i}" for i in range(10)]
    tally, even = Tally(["x", "y"]), Tally(["x", "y"])
    for _ in range(3000):
        got = team_draft([x, y], 10, draft)
        rates = np.array([0.3 if item[0] == "x" else 0.1 for item in got.items])
        clicked = np.flatnonzero(rng.random(10) < rates / np.arange(1, 11)).tolist()
        tally.add(credit(got.teams, clicked, 2))
        fair = np.flatnonzero(rng.random(10) < 0.2 / np.arange(1, 11)).tolist()
        even.add(credit(got.teams, fair, 2))
    report = tally.report()
    assert report["winner"] == "x"
    pair = report["pairs"][0]
    assert pair["wins"] > pair["losses"] and pair["confidence"] > 0.95
    assert even.report()["winner"] is None
    with pytest.raises(ValueError, match="credits for 3"):
        tally.add([1, 0, 0])


def test_draft_propensities_match_how_often_team_draft_places_each_product() -> None:
    a = ["a1", "a2", "s", "a4", "a5"]
    b = ["s", "b2", "b3", "a2", "b5"]
    drafted = team_draft([a, b], 5, random.Random(11)).items
    exact = draft_propensities([a, b], 5, drafted)
    hits = np.zeros(5)
    for seed in range(4000):
        got = team_draft([a, b], 5, random.Random(seed)).items
        hits += [got[i] == drafted[i] for i in range(5)]
    assert exact == pytest.approx(list(hits / 4000), abs=0.03)
    assert all(0 < p <= 1 for p in exact)
    # three rankers: estimated from seeded drafts, still probabilities of what was shown
    three = [[f"{r}{i}" for i in range(8)] for r in "xyz"]
    shown = team_draft(three, 8, random.Random(1)).items
    assert all(0 < p <= 1 for p in draft_propensities(three, 8, shown))
