"""Campaign routes: create, list, read, pause or resume sponsored-product campaigns, and report.

Bodies are validated here (not by FastAPI) so that a bad campaign gets the campaign's own
fixes: 422 with one row per problem, naming the field; nothing is stored then.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, status

from shopmind.ads import Campaign, parse_campaign, parse_status
from shopmind.insight.segments import segment_names
from shopmind.serve.deps import AdsDep, SettingsDep, StoreDep

router = APIRouter(prefix="/campaigns", tags=["ads"])

_EXAMPLE = {
    "name": "Spring earbuds",
    "advertiser": "SonicArc",
    "products": ["p-001", "p-002"],
    "bid": 0.4,
    "daily_budget": 20.0,
    "keywords": ["earbuds", "蓝牙耳机"],
    "categories": ["Electronics > Audio"],
    "start": "2026-03-01T00:00:00Z",
    "end": None,
    "status": "active",
}


@router.post("", status_code=status.HTTP_201_CREATED)
def create_campaign(
    ads: AdsDep,
    store: StoreDep,
    settings: SettingsDep,
    body: Annotated[dict[str, Any], Body(examples=[_EXAMPLE])],
) -> Campaign:
    """Create a campaign; 422 naming the field for a bad bid, budget, dates, products or
    segments (``segments``: an audience, names as ``GET /insight/segments`` gives them)."""
    known = segment_names(settings.home) if body.get("segments") else None
    return ads.book.add_campaign(parse_campaign(body, store, known))


@router.get("")
def list_campaigns(ads: AdsDep) -> list[Campaign]:
    """Every campaign, by id."""
    return ads.book.campaigns()


@router.get("/{campaign_id}")
def get_campaign(campaign_id: int, ads: AdsDep) -> Campaign:
    """One campaign."""
    return ads.book.get_campaign(campaign_id)


@router.patch("/{campaign_id}")
def set_campaign_status(
    campaign_id: int,
    ads: AdsDep,
    body: Annotated[dict[str, Any], Body(examples=[{"status": "paused"}])],
) -> Campaign:
    """Pause (``{"status": "paused"}``) or resume (``"active"``) a campaign."""
    return ads.book.set_status(campaign_id, parse_status(body))


@router.get("/{campaign_id}/report")
def campaign_report(campaign_id: int, ads: AdsDep) -> dict[str, Any]:
    """Impressions, clicks, CTR, spend, attributed conversions and revenue, and ROAS."""
    return ads.report(campaign_id).as_dict()
