"""The default click model: each ad's smoothed historical click rate, read from the ledger.

Until a ranker is trained, an ad's pCTR is what its own history says, shrunk toward its
campaign's, shrunk in turn toward a prior (empirical Bayes with a fixed strength ``m``)::

    campaign = (clicks_c + m * prior) / (impressions_c + m)
    product  = (clicks_p + m * mean(campaign of the campaigns listing p)) / (impressions_p + m)

so a new ad starts at its campaign's rate (or the prior) and earns its own with traffic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from shopmind.ads.book import CampaignBook


class HistoricalCtr:
    """A ``PCtr``: ``(visitor, product ids) -> click probability per product`` from the ledger.

    Args:
        book: the campaign book whose ledger is read.
        prior: the click rate assumed without history (``ads.prior_ctr``).
        strength: how many impressions the prior weighs (``ads.prior_impressions``).
    """

    def __init__(self, book: CampaignBook, prior: float = 0.02, strength: float = 200.0) -> None:
        if not 0.0 < prior < 1.0 or strength <= 0:
            raise ValueError("prior must be in (0, 1) and strength > 0, e.g. 0.02 and 200")
        self.book = book
        self.prior = prior
        self.strength = strength

    def __call__(self, visitor: str | None, products: Sequence[str]) -> np.ndarray:
        """Smoothed click rate per product (the visitor is not used by this model)."""
        m = self.strength
        campaign_rate = {
            c: (clicks + m * self.prior) / (shown + m)
            for c, (shown, clicks) in self.book.campaign_counts().items()
        }
        listing: dict[str, list[int]] = defaultdict(list)
        wanted = set(products)
        for campaign in self.book.campaigns():
            for pid in campaign.products:
                if pid in wanted:
                    listing[pid].append(campaign.id)
        shown_p: dict[str, int] = defaultdict(int)
        clicks_p: dict[str, int] = defaultdict(int)
        for (_, pid), (shown, clicks) in self.book.product_counts(list(wanted)).items():
            shown_p[pid] += shown
            clicks_p[pid] += clicks
        out = np.empty(len(products), dtype=np.float64)
        for i, pid in enumerate(products):
            rates = [campaign_rate.get(c, self.prior) for c in listing.get(pid, [])]
            base = float(np.mean(rates)) if rates else self.prior
            out[i] = (clicks_p[pid] + m * base) / (shown_p[pid] + m)
        return out
