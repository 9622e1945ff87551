"""A few advertisers' campaigns for the demo shop, so its pages show sponsored products."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

_SPECS = (  # advertiser brand, category targeted, keywords (zh and en), bid, daily budget
    ("SonicArc", "Electronics > Audio", ["耳机", "headphones", "earbuds"], 0.8, 40.0),
    ("力动", "Sports & Outdoors > Running", ["跑鞋", "running shoes"], 0.6, 25.0),
    ("Kitchara", "Home & Kitchen > Cookware", ["锅", "pan", "cookware"], 0.5, 20.0),
)


def demo_campaigns(products: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Campaign bodies (the ``POST /campaigns`` shape) for brands of the demo catalog that
    advertise their own products in their own categories, live from a day before ``now``."""
    campaigns = []
    for brand, category, keywords, bid, budget in _SPECS:
        ids = [
            str(p["id"])
            for p in products
            if p.get("brand") == brand and str(p.get("category", "")).startswith(category)
        ]
        if not ids:
            continue
        campaigns.append(
            {
                "name": f"{brand} demo campaign",
                "advertiser": brand,
                "products": ids[:10],
                "bid": bid,
                "daily_budget": budget,
                "keywords": keywords,
                "categories": [category],
                "start": (now - timedelta(days=1)).isoformat(),
            }
        )
    return campaigns
