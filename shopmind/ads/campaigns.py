"""Campaigns: what an advertiser sends (``CampaignIn``), what is stored (``Campaign``), checks.

A campaign promotes some of the shop's products at a cost per click (``bid``) up to a
``daily_budget``, for searches that contain one of its ``keywords`` or that land in one of
its ``categories`` (for recommendations: the categories the visitor has been looking at).
A campaign with neither targets every search and visitor; its ads still have to pass the
quality floor. ``segments`` narrows any of these to an audience: visitors in one of the named
segments (``shopmind analyze segments``; ``GET /insight/segments`` names them).

Example::

    campaign = parse_campaign({"name": "Spring", "advertiser": "SonicArc",
                               "products": ["p1"], "bid": 0.4, "daily_budget": 20,
                               "keywords": ["earbuds"], "start": "2026-03-01T00:00:00Z"}, store)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shopmind.catalog.models import as_utc, normalise_category
from shopmind.errors import InvalidInput, RowError
from shopmind.store import Store
from shopmind.validate import row_errors

CampaignStatus = Literal["active", "paused"]
MAX_PRODUCTS = 1_000
UNKNOWN_SHOWN = 10  # unknown product ids quoted in the error

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
ProductId = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=True)]
Keyword = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]

MAX_BID = 10_000.0  # money is kept in millionths in SQLite integers: bounded well inside them
MAX_BUDGET = 1_000_000_000.0

FIELD_FIXES: dict[str, str] = {
    "name": "give the campaign a name (1-200 characters)",
    "advertiser": "name the advertiser (1-200 characters)",
    "products": f"list 1 to {MAX_PRODUCTS} ids of products in the catalog",
    "bid": f"give the cost per click as a number > 0 and at most {MAX_BID:,.0f}",
    "daily_budget": (
        f"give a daily budget of at least one click at the bid, at most {MAX_BUDGET:,.0f}"
    ),
    "keywords": 'list target words or phrases, e.g. ["earbuds", "蓝牙耳机"], or none',
    "categories": 'list category paths, e.g. ["Electronics > Audio"], or none',
    "segments": "list segment names as GET /insight/segments gives them, or none for everyone",
    "start": "use an ISO-8601 time like 2026-03-01T00:00:00Z",
    "end": "give an end after the start, or leave it out to run until paused",
    "status": "use active or paused",
}


class CampaignIn(BaseModel):
    """A campaign as an advertiser sends it (``POST /campaigns``)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    advertiser: Name
    products: list[ProductId] = Field(min_length=1, max_length=MAX_PRODUCTS)
    bid: float = Field(
        gt=0, le=MAX_BID, allow_inf_nan=False, description=f"Cost per click, > 0, <= {MAX_BID:,}."
    )
    daily_budget: float = Field(
        gt=0, le=MAX_BUDGET, allow_inf_nan=False, description="Most spent per UTC day."
    )
    keywords: list[Keyword] = Field(default_factory=list, max_length=1_000)
    categories: list[str] = Field(default_factory=list, max_length=1_000)
    segments: list[Name] = Field(default_factory=list, max_length=100)
    start: datetime
    end: datetime | None = None
    status: CampaignStatus = "active"

    @field_validator("products", "keywords", "segments")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("categories")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        paths = [normalise_category(v) for v in value]
        if not all(paths):
            raise PydanticCustomError(
                "empty_category", "a category path is empty", {"field": "categories"}
            )
        return list(dict.fromkeys(paths))

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value)

    @model_validator(mode="after")
    def _consistent(self) -> CampaignIn:
        if self.end is not None and self.end <= self.start:
            raise PydanticCustomError(
                "end_before_start",
                "the end {end} is not after the start {start}",
                {"field": "end", "end": self.end.isoformat(), "start": self.start.isoformat()},
            )
        if self.daily_budget < self.bid:
            raise PydanticCustomError(
                "budget_below_click",
                "the daily budget {budget} is below one click at the bid {bid}",
                {"field": "daily_budget", "budget": self.daily_budget, "bid": self.bid},
            )
        return self


class Campaign(CampaignIn):
    """A stored campaign: the advertiser's fields plus its id and creation time."""

    id: int
    created: datetime

    def live(self, now: datetime) -> bool:
        """Active and inside its dates at ``now`` (an aware UTC time)."""
        if self.status != "active" or now < self.start:
            return False
        return self.end is None or now < self.end


def parse_campaign(
    record: Mapping[str, Any], store: Store, segments: Sequence[str] | None = None
) -> CampaignIn:
    """Validate a raw campaign and check that its products are in the catalog and, where
    ``segments`` (the shop's segment names) is given, that its segments are among them.

    Raises:
        InvalidInput: one :class:`RowError` per problem, naming the field and the fix (an
            unknown product lists a sample of the unknown ids; an unknown segment the known).
    """
    try:
        campaign = CampaignIn.model_validate(record)
    except ValidationError as err:
        raise InvalidInput(row_errors(err, 1, FIELD_FIXES, record), source="campaign") from None
    known = store.known_product_ids(campaign.products)
    unknown = [p for p in campaign.products if p not in known]
    if unknown:
        sample = ", ".join(unknown[:UNKNOWN_SHOWN])
        more = f" and {len(unknown) - UNKNOWN_SHOWN} more" if len(unknown) > UNKNOWN_SHOWN else ""
        raise InvalidInput(
            [
                RowError(
                    1,
                    "products",
                    f"{len(unknown)} product(s) are not in the catalog: {sample}{more}",
                    "add them to the catalog first, or leave them out of the campaign",
                )
            ],
            source="campaign",
        )
    if segments is not None:
        strange = [s for s in campaign.segments if s.casefold() not in _folded(segments)]
        if strange:
            names = "; ".join(segments) or "none yet: run shopmind analyze segments"
            raise InvalidInput(
                [
                    RowError(
                        1,
                        "segments",
                        f"unknown segment(s): {'; '.join(strange)}",
                        f"use names from GET /insight/segments (known: {names})",
                    )
                ],
                source="campaign",
            )
    return campaign


def _folded(names: Sequence[str]) -> set[str]:
    return {n.casefold() for n in names}


def parse_status(record: Mapping[str, Any]) -> CampaignStatus:
    """The status of a ``PATCH /campaigns/{id}`` body; raises InvalidInput naming the field."""
    extra = sorted(set(record) - {"status"})
    if extra:
        raise InvalidInput(
            [RowError(1, extra[0], "only status can be changed", 'send {"status": "paused"}')],
            source="campaign",
        )
    value = record.get("status")
    if value not in ("active", "paused"):
        shown = "" if value is None else str(value)
        raise InvalidInput(
            [
                RowError(
                    1, "status", "status must be active or paused", FIELD_FIXES["status"], shown
                )
            ],
            source="campaign",
        )
    return "active" if value == "active" else "paused"
