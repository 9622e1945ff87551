"""Team-draft interleaving (Radlinski et al. 2008) and its multileaving form.

Two or more rankers answer the same request; the visitor sees one list drafted from theirs.
In each round the rankers pick in a random order, each taking its best product not yet in
the list, and the product joins that ranker's team. Clicks credit the team that placed the
clicked product; the ranker with more credited clicks wins the impression (a tie when
equal). Because every ranker gets the same positions in expectation, the per-impression
preference is an unbiased comparison, and one visitor's impression compares the rankers on
the same query, at the same moment: far less noise than splitting visitors (an A/B test).

:func:`preference` turns one impression into +1 / -1 / 0 for a pair of rankers;
:class:`Tally` accumulates impressions and gives each pair's winner with an always-valid
confidence (the mSPRT of :mod:`shopmind.experiments.stats` on the preference's mean).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Hashable, MutableSequence, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from shopmind.experiments.stats import ALPHA, always_valid_p, one_sample_ratios

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class Interleaved(Generic[T]):
    """A drafted list: the products in order, per position the ranker that placed it, and
    ``shared``: how many leading positions every ranking agrees on (the common prefix).

    A product in the common prefix sits at the same position in every ranking, so a click on
    it says nothing about which is better; which team drafted it is a coin flip. Credit
    skips those positions (:func:`credit`): the same verdict in expectation, less noise.
    """

    items: list[T]
    teams: list[int]
    shared: int = 0


def team_draft(lists: Sequence[Sequence[T]], k: int, rng: random.Random) -> Interleaved[T]:
    """Draft ``k`` products from the rankers' ``lists`` (best first), team-draft style.

    With more than two lists this is team-draft multileaving (Schuth et al. 2014): each
    round, every ranker that still has a product picks once, in a fresh random order.
    """
    if len(lists) < 2:
        raise ValueError(f"interleaving needs two or more rankings, got {len(lists)}")
    items: list[T] = []
    teams: list[int] = []
    taken: set[T] = set()
    cursor = [0] * len(lists)
    order = list(range(len(lists)))
    while len(items) < k:
        rng.shuffle(order)
        placed = False
        for team in order:
            ranking = lists[team]
            while cursor[team] < len(ranking) and ranking[cursor[team]] in taken:
                cursor[team] += 1
            if cursor[team] >= len(ranking):
                continue
            item = ranking[cursor[team]]
            taken.add(item)
            items.append(item)
            teams.append(team)
            placed = True
            if len(items) >= k:
                break
        if not placed:
            break
    shared = 0
    while shared < min(k, *(len(r) for r in lists)) and all(
        r[shared] == lists[0][shared] for r in lists
    ):
        shared += 1
    return Interleaved(items, teams, shared)


class _Fixed(random.Random):
    """A "random" source that replays given shuffles: one team-draft outcome, enumerated."""

    def __init__(self, orders: Sequence[Sequence[int]]) -> None:
        super().__init__(0)
        self._orders = list(orders)
        self.used = 0

    def shuffle(self, x: MutableSequence[Any]) -> None:
        order = self._orders[self.used] if self.used < len(self._orders) else range(len(x))
        self.used += 1
        x[:] = [x[i] for i in order]


def draft_propensities(
    lists: Sequence[Sequence[T]], k: int, drafted: Sequence[T], samples: int = 512
) -> list[float]:
    """Per position of a drafted list, the probability that team draft puts that product
    there: exact by enumerating every round's order while there are at most 4,096 ways
    (two rankers: 2^rounds), else estimated from ``samples`` seeded drafts. Logged as the
    answer's propensities, they make interleaved traffic usable for off-policy replay."""
    from itertools import permutations, product

    rankers = len(lists)
    rounds = -(-k // rankers) + 1
    ways = list(permutations(range(rankers)))
    counts = [0.0] * len(drafted)
    total = 0.0
    if len(ways) ** rounds <= 4096:
        outcomes: Any = product(ways, repeat=rounds)
    else:
        rng = random.Random(0)
        outcomes = ([rng.choice(ways) for _ in range(rounds)] for _ in range(samples))
    for orders in outcomes:
        got = team_draft(lists, k, _Fixed(orders))
        total += 1
        for i, item in enumerate(drafted):
            if i < len(got.items) and got.items[i] == item:
                counts[i] += 1
    return [c / total if total else 0.0 for c in counts]


def credit(
    teams: Sequence[int], clicked: Collection[int], rankers: int, shared: int = 0
) -> list[int]:
    """Clicks per ranker for one impression; ``clicked`` holds 0-based positions, and clicks
    on the first ``shared`` positions (the rankings' common prefix) count for nobody."""
    out = [0] * rankers
    for pos in clicked:
        if shared <= pos < len(teams):
            out[teams[pos]] += 1
    return out


def preference(credits: Sequence[int], a: int, b: int) -> int:
    """+1 when ranker ``a`` won the impression against ``b``, -1 when ``b`` did, 0 on a tie."""
    return int(np.sign(credits[a] - credits[b]))


@dataclass
class Tally:
    """Interleaved impressions of ``rankers`` named rankers, and who wins each pair."""

    rankers: list[str]
    outcomes: list[list[int]] = field(default_factory=list)  # per impression, credits

    def add(self, credits: Sequence[int]) -> None:
        if len(credits) != len(self.rankers):
            raise ValueError(f"credits for {len(credits)} rankers; this tally has {self.rankers}")
        self.outcomes.append(list(credits))

    def pair(self, a: int, b: int, alpha: float = ALPHA) -> dict[str, Any]:
        """Ranker ``a`` against ``b``: wins, losses, ties, the preference's mean and the
        always-valid p-value of "no preference" (read as often as you like)."""
        prefs = np.array([preference(c, a, b) for c in self.outcomes], dtype=np.float64)
        wins, losses = int((prefs > 0).sum()), int((prefs < 0).sum())
        p = float(always_valid_p(one_sample_ratios(prefs))[-1]) if prefs.size else 1.0
        mean = float(prefs.mean()) if prefs.size else 0.0
        winner = None
        if p < alpha and mean != 0:
            winner = self.rankers[a] if mean > 0 else self.rankers[b]
        return {
            "a": self.rankers[a],
            "b": self.rankers[b],
            "impressions": int(prefs.size),
            "wins": wins,
            "losses": losses,
            "ties": int(prefs.size) - wins - losses,
            "preference": mean,
            "always_valid_p": p,
            "winner": winner,
            "confidence": 1 - p,
        }

    def report(self, alpha: float = ALPHA) -> dict[str, Any]:
        """Every pair's comparison, and the ranker that beats every other one (or None)."""
        pairs = [
            self.pair(a, b, alpha)
            for a in range(len(self.rankers))
            for b in range(a + 1, len(self.rankers))
        ]
        beats: dict[str, int] = {}
        for row in pairs:
            if row["winner"] is not None:
                beats[row["winner"]] = beats.get(row["winner"], 0) + 1
        best = [name for name, n in beats.items() if n == len(self.rankers) - 1]
        return {
            "impressions": len(self.outcomes),
            "pairs": pairs,
            "winner": best[0] if best else None,
        }
