"""Exploration: a Thompson-sampling slot that gives new and little-shown products a chance.

A product nobody has seen cannot earn the clicks that would lift it: a ranking that learns
from behaviour never shows it, so it never learns. :class:`Thompson` reserves at most a
bounded share of a list's slots (one in ten by default, at the end of the page). For each
reserved slot it draws a click rate from every candidate's Beta posterior (its clicks and
its impressions, on a prior at the list's typical click rate): the organic product that would
sit there, and the little-shown candidates whose relevance clears the floor. The highest draw
takes the slot. A product with few impressions has a wide posterior, so it wins the slot in
proportion to its uncertainty and as often as it could plausibly be better; a product shown
often enough has a narrow one and competes on its record.

:meth:`Thompson.place` returns the list, the explored positions and, per position, the
probability with which the policy put that product there (estimated from the same Beta
draws), which is what attribution logs and off-policy evaluation reweights by.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T", bound=Hashable)

DRAWS = 256  # posterior draws that estimate a slot's propensities


@dataclass(frozen=True)
class Shown:
    """What a product has had: impressions and the clicks on them."""

    impressions: float = 0.0
    clicks: float = 0.0


@dataclass(frozen=True)
class Placement(Generic[T]):
    """A list after exploration.

    Attributes:
        items: the products in order.
        explored: 0-based positions filled by exploration (their product is not organic).
        propensity: per position, the probability that the policy put this product there.
    """

    items: list[T]
    explored: list[int]
    propensity: list[float]


@dataclass(frozen=True)
class Thompson:
    """The slot policy.

    Attributes:
        share: the most of a list's slots that exploration may take (rounded down, at
            least one slot when ``share`` > 0 and the list has 1 / share slots).
        new_below: a candidate with fewer impressions than this may be explored.
        floor: a candidate's relevance score must reach this share of the last organic
            product's score (the relevance floor).
        prior_ctr: the prior's click rate (the list's typical rate); ``prior_weight`` its
            strength in impressions.
    """

    share: float = 0.1
    new_below: int = 200
    floor: float = 0.5
    prior_ctr: float = 0.05
    prior_weight: float = 2.0

    def slots(self, k: int) -> int:
        """How many of ``k`` slots exploration may take."""
        return min(k, math.floor(self.share * k + 1e-9)) if self.share > 0 else 0

    def eligible(
        self, ranked: Sequence[T], scores: Sequence[float], k: int, shown: Mapping[T, Shown]
    ) -> list[int]:
        """Indexes in ``ranked`` of the candidates past the page (``k``) that may be explored."""
        if self.slots(k) == 0 or len(ranked) <= k:
            return []
        last = scores[k - 1]
        bar = last - abs(last) * (1 - self.floor)
        return [
            j
            for j in range(k, len(ranked))
            if scores[j] >= bar and shown.get(ranked[j], Shown()).impressions < self.new_below
        ]

    def posterior(self, record: Shown) -> tuple[float, float]:
        a = self.prior_ctr * self.prior_weight + record.clicks
        b = (1 - self.prior_ctr) * self.prior_weight + max(record.impressions - record.clicks, 0.0)
        return a, b

    def place(
        self,
        ranked: Sequence[T],
        scores: Sequence[float],
        k: int,
        shown: Mapping[T, Shown],
        rng: np.random.Generator,
    ) -> Placement[T]:
        """The first ``k`` of ``ranked`` (best first, with their relevance ``scores``), its
        reserved slots (the last ones) each given to the best Beta draw among the organic
        product there and the eligible candidates."""
        items = list(ranked[:k])
        propensity = [1.0] * len(items)
        slots = self.slots(k)
        pool = self.eligible(ranked, scores, k, shown)
        explored: list[int] = []
        start = k - slots
        for slot in range(start, min(k, len(ranked))):
            if not pool:
                break
            contenders = [slot, *pool]
            params = np.array([self.posterior(shown.get(ranked[j], Shown())) for j in contenders])
            draws = rng.beta(params[:, 0], params[:, 1], size=(DRAWS + 1, len(contenders)))
            wins = np.bincount(draws[1:].argmax(axis=1), minlength=len(contenders)) / DRAWS
            chosen = int(draws[0].argmax())  # the draw that decides; the others estimate odds
            if chosen == 0:
                propensity[slot] = float(max(wins[0], 1.0 / DRAWS))
                continue
            j = contenders[chosen]
            items[slot] = ranked[j]
            propensity[slot] = float(max(wins[chosen], 1.0 / DRAWS))
            explored.append(slot)
            pool.remove(j)
        return Placement(items, explored, propensity)


class Exposure:
    """Impressions and clicks per product, as exploration reads them (thread-safe).

    Counts are the shop's, not one process's: what the book last read of every process's
    counts (:meth:`reset`), plus what this process counted since. What it counted and has
    not yet handed to the book waits in :meth:`take`; the book writes it only once
    exploration has read a count here (``active``), so a shop that never explores writes
    nothing more than its request log.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shown: dict[str, float] = {}
        self._clicks: dict[str, float] = {}
        self._new_shown: dict[str, float] = {}  # counted here, not yet handed to the book
        self._new_clicks: dict[str, float] = {}
        self.active = False  # exploration read a count: the book shares them from now on

    def shown(self, items: Sequence[str]) -> None:
        with self._lock:
            for item in items:
                self._shown[item] = self._shown.get(item, 0.0) + 1.0
                self._new_shown[item] = self._new_shown.get(item, 0.0) + 1.0

    def clicked(self, item: str) -> None:
        with self._lock:
            self._clicks[item] = self._clicks.get(item, 0.0) + 1.0
            self._new_clicks[item] = self._new_clicks.get(item, 0.0) + 1.0

    def of(self, items: Sequence[str]) -> dict[str, Shown]:
        """The record of each of ``items``."""
        self.active = True
        with self._lock:
            return {
                i: Shown(
                    self._shown.get(i, 0.0), min(self._clicks.get(i, 0.0), self._shown.get(i, 0.0))
                )
                for i in items
            }

    def take(self) -> list[tuple[str, float, float]]:
        """The counts not yet handed on, (product, impressions, clicks), now handed on."""
        with self._lock:
            new_shown, self._new_shown = self._new_shown, {}
            new_clicks, self._new_clicks = self._new_clicks, {}
        return [
            (item, new_shown.get(item, 0.0), new_clicks.get(item, 0.0))
            for item in sorted(new_shown.keys() | new_clicks.keys())
        ]

    def give_back(self, counts: Sequence[tuple[str, float, float]]) -> None:
        """Counts :meth:`take` gave that could not be written: they wait for the next try."""
        with self._lock:
            for item, shown, clicks in counts:
                if shown:
                    self._new_shown[item] = self._new_shown.get(item, 0.0) + shown
                if clicks:
                    self._new_clicks[item] = self._new_clicks.get(item, 0.0) + clicks

    def reset(self, counts: Sequence[tuple[str, float, float]]) -> None:
        """The shop's counts as the book holds them, plus those still waiting here."""
        with self._lock:
            shown = {item: s for item, s, _ in counts}
            clicks = {item: c for item, _, c in counts}
            for item, n in self._new_shown.items():
                shown[item] = shown.get(item, 0.0) + n
            for item, n in self._new_clicks.items():
                clicks[item] = clicks.get(item, 0.0) + n
            self._shown, self._clicks = shown, clicks
