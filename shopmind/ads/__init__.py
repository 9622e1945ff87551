"""Sponsored products: campaigns, the auction, pacing, the ledger, and the ad server.

Example::

    book = CampaignBook.open(settings.home, settings.store_url)
    ads = AdServer(book, store, settings.ads, EngineQuality(lambda: live.engine, store))
    hits = ads.place(placement="search", visitor="u1", query="earbuds", organic=ids, slots=[1])
    ads.click(hits[0].token)
"""

from shopmind.ads.auction import AdCandidate, Placement, gsp_price, run_auction
from shopmind.ads.book import CampaignBook
from shopmind.ads.campaigns import (
    FIELD_FIXES,
    Campaign,
    CampaignIn,
    CampaignStatus,
    parse_campaign,
    parse_status,
)
from shopmind.ads.ctr import HistoricalCtr
from shopmind.ads.hits import (
    SponsoredHit,
    impression_event,
    ledger_reasons,
    ledger_targeting,
    reasons_tree,
)
from shopmind.ads.pacing import Pacer, day_fraction, under_cap
from shopmind.ads.quality import EngineQuality, recent_products
from shopmind.ads.records import AdClick, Impression, utc_day
from shopmind.ads.report import CampaignReport, attributed_purchases, campaign_report
from shopmind.ads.server import AdPlacement, AdServer, PCtr, Quality
from shopmind.ads.targeting import Page, keyword_matches, match

__all__ = [
    "FIELD_FIXES",
    "AdCandidate",
    "AdClick",
    "AdPlacement",
    "AdServer",
    "Campaign",
    "CampaignBook",
    "CampaignIn",
    "CampaignReport",
    "CampaignStatus",
    "EngineQuality",
    "HistoricalCtr",
    "Impression",
    "PCtr",
    "Pacer",
    "Page",
    "Placement",
    "Quality",
    "SponsoredHit",
    "attributed_purchases",
    "campaign_report",
    "day_fraction",
    "gsp_price",
    "impression_event",
    "keyword_matches",
    "ledger_reasons",
    "ledger_targeting",
    "match",
    "parse_campaign",
    "parse_status",
    "reasons_tree",
    "recent_products",
    "run_auction",
    "under_cap",
    "utc_day",
]
