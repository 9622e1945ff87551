"""Routes of the demand outlook: ``GET /insight/forecast`` and ``GET /insight/stock``.

Both read the outlook that ``shopmind analyze forecast`` saved in the home; 404 with the
command to run when there is none yet.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from shopmind.insight.outlook import load_outlook
from shopmind.serve.deps import SettingsDep

router = APIRouter(tags=["insight"])


@router.get("/insight/forecast")
async def forecast(
    settings: SettingsDep,
    product: Annotated[str | None, Query(max_length=256, description="A product id")] = None,
    category: Annotated[
        str | None, Query(max_length=256, description="A top-level category")
    ] = None,
) -> dict[str, Any]:
    """One demand series with its forecast fan: the shop's total by default, or a
    ``product`` or top-level ``category``. ``periods`` are the first days of the periods
    (``history`` of them past, then the forecast's); ``history`` the units sold;
    ``forecast`` the median ``p50`` and the 80% interval ``p10``..``p90``; ``series`` lists
    the categories and products that have a forecast."""
    outlook = await run_in_threadpool(load_outlook, settings.home)
    key = f"product:{product}" if product else f"category:{category}" if category else "total"
    found = outlook.get(key)
    return {
        **found,
        "past_periods": outlook.history,
        "horizon": outlook.horizon,
        "made_at": outlook.made_at,
        "series": [
            {"key": k, "name": v["name"]} for k, v in outlook.series.items() if k != "total"
        ],
    }


@router.get("/insight/stock")
async def stock(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=5_000, description="How many products")] = 50,
) -> dict[str, Any]:
    """Stock advice per product, the riskiest first: ``on_hand`` (the catalog's stock),
    ``lead_time_demand``, ``reorder_point``, ``order_up_to``, ``order_quantity``,
    ``stockout_risk`` (null where the stock is unknown), ``periods_of_cover`` and
    ``action``."""
    outlook = await run_in_threadpool(load_outlook, settings.home)
    return {"stock": outlook.stock[:limit], "made_at": outlook.made_at, "freq": outlook.freq}
