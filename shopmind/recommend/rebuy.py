"""Buy again: which products a shop's customers buy again, learnt from its own orders.

Most recommenders leave out what a visitor bought, which is right for a pair of headphones
and wrong for the shop's consumables, refills and, in a wholesale shop, nearly everything.
Instead of a hand-kept list, each product's *repurchase rate* is read from the orders: the
share of its buyers who bought it in two or more orders (an order is a ``session_id``, else
a day), shrunk towards the shop's own rate by ``PRIOR_BUYERS`` pseudo-buyers so that a product
with two buyers does not read 0% or 100%. A product at or above ``recommend.rebuy_min_rate``
that someone has in fact bought again may be recommended again to whoever bought it, scored
by how many of their orders held it times its rate: the personal-frequency signal that
next-basket studies find hard to beat (Li et al., "A Next Basket Recommendation Reality
Check", 2023).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

PRIOR_BUYERS = 5.0


@dataclass
class Rebuy:
    """Per product its repurchase rate; per visitor how many orders held each product."""

    rate: np.ndarray  # (products,) float64
    again: np.ndarray  # (products,) bool: someone bought it in two or more orders
    orders: dict[str, dict[int, int]]  # visitor -> product index -> orders with it
    min_rate: float

    @classmethod
    def learn(cls, purchases: Iterable[tuple[str, int, str]], n: int, min_rate: float) -> Rebuy:
        """From ``(visitor, product index, order key)`` triples of purchase events."""
        held: dict[tuple[str, int], set[str]] = defaultdict(set)
        for visitor, item, order in purchases:
            held[(visitor, item)].add(order)
        buyers = np.zeros(n)
        repeaters = np.zeros(n)
        for (_, item), keys in held.items():
            buyers[item] += 1
            repeaters[item] += len(keys) > 1
        shop = float(repeaters.sum() / buyers.sum()) if buyers.sum() else 0.0
        rate = (repeaters + PRIOR_BUYERS * shop) / (buyers + PRIOR_BUYERS)
        orders: dict[str, dict[int, int]] = defaultdict(dict)
        for (visitor, item), keys in held.items():
            if rate[item] >= min_rate and repeaters[item] > 0:
                orders[visitor][item] = len(keys)
        return cls(rate, repeaters > 0, dict(orders), min_rate)

    @classmethod
    def none(cls, n: int, min_rate: float = 1.0) -> Rebuy:
        """Nothing is bought again (before any purchase is known)."""
        return cls(np.zeros(n), np.zeros(n, dtype=bool), {}, min_rate)

    def rebuyable(self, item: int) -> bool:
        """Whether a product may be recommended again to its buyers."""
        return bool(self.again[item]) and bool(self.rate[item] >= self.min_rate)

    def counts(self, visitor: str | None, live: dict[int, set[str]]) -> dict[int, int]:
        """Orders per rebuyable product for a visitor: the larger of what the fit saw and
        what their newest events show (never the two added, which would count twice)."""
        known = self.orders.get(visitor or "", {})
        out = dict(known)
        for item, keys in live.items():
            if self.rebuyable(item):
                out[item] = max(out.get(item, 0), len(keys))
        return out

    def scores(self, counts: dict[int, int]) -> np.ndarray:
        """Orders × repurchase rate per product, scaled so the best is 1 (zeros elsewhere)."""
        out = np.zeros(len(self.rate), dtype=np.float32)
        for item, count in counts.items():
            out[item] = count * self.rate[item]
        top = float(out.max()) if len(out) else 0.0
        return out / top if top > 0 else out
