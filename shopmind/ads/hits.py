"""What the ad server hands out and writes: sponsored hits with their reasons trees, the
``ad_impression`` events that record them in the main store, and the reasons tree of a
shown ad rebuilt from its ledger row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shopmind.ads.auction import Placement
from shopmind.ads.campaigns import Campaign
from shopmind.ads.records import Impression
from shopmind.ads.targeting import EVERYONE, keyword_matches
from shopmind.events.models import Event
from shopmind.explain import Node


@dataclass
class SponsoredHit:
    """One sponsored product to insert at ``slot`` (1-based) of the list shown."""

    product: str
    slot: int
    token: str
    campaign: int
    price: float
    reasons: Node

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: the ``ad`` token goes back in the ``ad_click`` event's context."""
        return {
            "id": self.product,
            "slot": self.slot,
            "sponsored": True,
            "ad": self.token,
            "campaign": self.campaign,
            "reasons": self.reasons.as_dict(),
        }


def impression_event(impression: Impression) -> Event | None:
    """The ``ad_impression`` event of a ledger row (None for a visitor without a key)."""
    visitor = impression.visitor
    if not visitor:
        return None
    anonymous = visitor.startswith("~")
    return Event(
        event_id=f"ad-{impression.token}",
        user_id=None if anonymous else visitor,
        session_id=visitor[1:] if anonymous else None,
        item_id=impression.product,
        type="ad_impression",
        query=impression.query,
        position=impression.slot,
        timestamp=datetime.fromtimestamp(impression.ts, UTC),
        context={
            "ad": impression.token,
            "campaign": str(impression.campaign),
            "price": str(impression.price),
            "placement": impression.placement,
        },
    )


def reasons_tree(campaign: Campaign, won: Placement, targeting: str, pctr_from: str) -> Node:
    """The ``sponsored`` tree: the campaign, and the auction's numbers and targeting."""
    root = Node("sponsored")
    root.add(f"campaign {campaign.id}: {campaign.name} ({campaign.advertiser})")
    auction = root.add("ad auction", won.score)
    auction.add(f"pctr ({pctr_from})", won.pctr)
    auction.add("bid per click", won.bid)
    auction.add("quality (relevance to the page)", won.quality)
    auction.add("score = pctr × bid × quality", won.score)
    auction.add("price paid per click (second price)", won.price)
    auction.add("rank", won.rank)
    auction.add(f"targeting: {targeting}")
    return root


def ledger_targeting(campaign: Campaign, query: str | None) -> str:
    """What of the campaign's targeting an impression matched, as far as its ledger row
    tells: the keyword the query matched, else the category paths the page matched one of
    (the page's categories are not kept)."""
    if not campaign.keywords and not campaign.categories:
        return EVERYONE
    if query:
        for keyword in campaign.keywords:
            if keyword_matches(keyword, query):
                return f"keyword: {keyword}"
    if campaign.categories:
        return f"category: one of {', '.join(campaign.categories)}"
    return f"keywords: {', '.join(campaign.keywords)}"


def ledger_reasons(campaign: Campaign, impression: Impression, rank: int) -> Node:
    """The ``sponsored`` tree of an ad already shown, rebuilt from its ledger row.

    The pCTR, quality and price are the ones the auction used (the ledger keeps them); the
    bid is the campaign's in the book, so the score is ``pctr × bid × quality`` again.

    Args:
        campaign: the impression's campaign.
        impression: the ledger row.
        rank: the ad's rank in its auction (1 for the first of the page's ad slots).
    """
    bid = campaign.bid
    won = Placement(
        campaign=campaign.id,
        product=impression.product,
        bid=bid,
        pctr=impression.pctr,
        quality=impression.quality,
        score=impression.pctr * bid * impression.quality,
        price=impression.price,
        rank=rank,
    )
    targeting = ledger_targeting(campaign, impression.query)
    return reasons_tree(campaign, won, targeting, "at the auction, from the ledger")
