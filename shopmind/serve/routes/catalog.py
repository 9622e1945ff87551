"""Catalog routes: list, read, upsert, partially update and delete products."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import ValidationError

from shopmind.catalog import FIELD_FIXES, Product, ProductPatch
from shopmind.errors import Conflict, InvalidInput, NotFound
from shopmind.serve.deps import CatalogWrite, SettingsDep, StoreDep, check_batch
from shopmind.serve.schemas import Page, ProductBatchIn, WriteOut
from shopmind.validate import row_errors

router = APIRouter(prefix="/products", tags=["catalog"])


@router.get("")
def list_products(
    store: StoreDep,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0, le=2**53)] = 0,
    limit: Annotated[int, Query(ge=1)] = 50,
    category: Annotated[str | None, Query(description="A category and its subtree")] = None,
) -> Page[Product]:
    """Products in id order, one page at a time."""
    limit = min(limit, settings.serve.max_page_size)
    page = store.list_products(offset, limit, category)
    return Page[Product](items=page.items, total=page.total, offset=offset, limit=limit)


@router.get("/{product_id}")
def get_product(product_id: str, store: StoreDep) -> Product:
    """One product."""
    return store.get_product(product_id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": WriteOut, "description": "Replaced the product with this id"}},
)
def upsert_product(
    product: Product, store: StoreDep, response: Response, _: CatalogWrite
) -> WriteOut:
    """Insert a product, or replace the one with the same id (200 then)."""
    result = store.upsert_products([product])
    if result.updated:
        response.status_code = status.HTTP_200_OK
    return WriteOut(inserted=result.inserted, updated=result.updated)


@router.post("/batch")
def upsert_products(
    batch: ProductBatchIn, store: StoreDep, settings: SettingsDep, _: CatalogWrite
) -> WriteOut:
    """Upsert many products: every one or none."""
    check_batch(len(batch.products), settings.serve.max_batch)
    result = store.upsert_products(batch.products)
    return WriteOut(inserted=result.inserted, updated=result.updated)


@router.put("/{product_id}")
def replace_product(
    product_id: str, product: Product, store: StoreDep, _: CatalogWrite
) -> WriteOut:
    """Insert or fully replace one product; the body's id must match the path."""
    if product.id != product_id:
        raise Conflict(
            f"the body's id '{product.id}' differs from the path's '{product_id}'; make them "
            "equal (use a new id to create another product)"
        )
    result = store.upsert_products([product])
    return WriteOut(inserted=result.inserted, updated=result.updated)


@router.patch("/{product_id}")
def patch_product(
    product_id: str,
    store: StoreDep,
    changes: Annotated[dict[str, Any], Body(examples=[{"price": 19.9, "stock": 3}])],
    _: CatalogWrite,
) -> Product:
    """Change only the given fields (attributes merge key by key)."""
    record = {**changes, "id": product_id}
    try:
        patch = ProductPatch.model_validate(record)
    except ValidationError as err:
        raise InvalidInput(row_errors(err, 1, FIELD_FIXES, record), source="request body") from None
    store.patch_products([patch])
    return store.get_product(product_id)


@router.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_product(product_id: str, store: StoreDep, _: CatalogWrite) -> Response:
    """Delete one product; its events are kept."""
    if store.delete_products([product_id]) == 0:
        raise NotFound(f"product '{product_id}' does not exist")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
