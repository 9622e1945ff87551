"""Shop map route: ``GET /shopmap``, the catalog as a mind map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from shopmind.recommend.shopmap import shop_map
from shopmind.serve.lists import recommend_engine

router = APIRouter(tags=["shopmap"])


@router.get("/shopmap")
async def shopmap(
    request: Request,
    category: Annotated[str | None, Query(description="Only this category's subtree")] = None,
    products: Annotated[int, Query(ge=1, le=20, description="Products per leaf category")] = 5,
    neighbours: Annotated[int, Query(ge=1, le=10, description="Neighbours per branch")] = 3,
) -> dict[str, Any]:
    """The shop as a ``{label, value, children}`` tree: shop → top-level categories → leaf
    categories → their most popular products → "similar" and "bought together" products
    with their scores. Values: product counts, popularity (weighted interactions), scores.
    404 for a category no product lies in."""
    engine = recommend_engine(request)
    tree = await run_in_threadpool(shop_map, engine, category, products, neighbours)
    return tree.as_dict()
