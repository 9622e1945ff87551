"""The ad auction: rank by expected value, price by the generalised second price (GSP).

Each candidate is scored ``pctr * bid * quality`` (what the shop expects to earn from
showing it, discounted by how well it fits the page). Only the best candidate of each
campaign and of each product takes part; the ``slots`` best win, best first. A winner pays
per click just enough to keep its rank: the next candidate's score divided by its own
``pctr * quality``, plus an increment; never below the reserve, never above its bid. The
last winner pays against the best loser, or the reserve when nobody lost.

Example::

    >>> wins = run_auction([AdCandidate(1, "a", bid=1.0, pctr=0.1, quality=1.0),
    ...                     AdCandidate(2, "b", bid=2.0, pctr=0.04, quality=1.0)],
    ...                    slots=1, reserve=0.05)
    >>> wins[0].product, round(wins[0].price, 2)
    ('a', 0.81)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_INCREMENT = 0.01
PRICE_DECIMALS = 6


@dataclass(frozen=True, slots=True)
class AdCandidate:
    """One campaign's product that may be shown, with what the auction ranks it by."""

    campaign: int
    product: str
    bid: float
    pctr: float
    quality: float

    @property
    def score(self) -> float:
        """Expected value of showing it: ``pctr * bid * quality``."""
        return self.pctr * self.bid * self.quality


@dataclass(frozen=True, slots=True)
class Placement:
    """An auction winner: its numbers, the price it pays per click and its 1-based rank."""

    campaign: int
    product: str
    bid: float
    pctr: float
    quality: float
    score: float
    price: float
    rank: int


def _ordered(candidates: Sequence[AdCandidate], reserve: float) -> list[AdCandidate]:
    """Best first, at most one per campaign and one per product; ties by campaign, product."""
    able = [c for c in candidates if c.score > 0 and c.bid >= reserve]
    able.sort(key=lambda c: (-c.score, c.campaign, c.product))
    seen_campaigns: set[int] = set()
    seen_products: set[str] = set()
    out: list[AdCandidate] = []
    for c in able:
        if c.campaign in seen_campaigns or c.product in seen_products:
            continue
        seen_campaigns.add(c.campaign)
        seen_products.add(c.product)
        out.append(c)
    return out


def gsp_price(
    own: AdCandidate, next_score: float | None, reserve: float, increment: float
) -> float:
    """What ``own`` pays per click to stay above a candidate scoring ``next_score``.

    ``None`` (nobody below) pays the reserve. The price is at least the reserve and at most
    the bid, rounded to micro-units.
    """
    if next_score is None:
        price = reserve
    else:
        price = max(reserve, next_score / (own.pctr * own.quality) + increment)
    return min(round(price, PRICE_DECIMALS), own.bid)


def run_auction(
    candidates: Sequence[AdCandidate],
    slots: int,
    reserve: float,
    increment: float = DEFAULT_INCREMENT,
) -> list[Placement]:
    """Rank the candidates and price the ``slots`` winners (see the module docstring).

    Args:
        candidates: the eligible ads; a bid below ``reserve`` or a zero score cannot win.
        slots: how many ads may win.
        reserve: the lowest price per click.
        increment: what a winner pays above the score it beat.

    Returns:
        The winners, best first (rank 1, 2, ...); fewer than ``slots`` when fewer qualify.
    """
    if slots <= 0:
        return []
    ranked = _ordered(candidates, reserve)
    winners: list[Placement] = []
    for rank, own in enumerate(ranked[:slots], start=1):
        below = ranked[rank].score if rank < len(ranked) else None
        winners.append(
            Placement(
                campaign=own.campaign,
                product=own.product,
                bid=own.bid,
                pctr=own.pctr,
                quality=own.quality,
                score=own.score,
                price=gsp_price(own, below, reserve, increment),
                rank=rank,
            )
        )
    return winners
