"""From raw catalog records (any file's columns) to validated products."""

from __future__ import annotations

from collections.abc import Iterable

from shopmind.catalog.models import PRODUCT_FIELDS
from shopmind.sources.mapping import ColumnMap, parse_mapping

PRODUCT_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("product_id", "product_uid", "item_id", "sku", "asin", "itemid", "productid"),
    "title": ("name", "product_title", "product_name", "item_name", "movie_title"),
    "description": ("desc", "product_description", "body", "details"),
    "category": ("category_path", "categories", "product_category", "class", "genre"),
    "brand": ("manufacturer", "vendor", "brand_name"),
    "price": ("list_price", "sale_price", "unit_price"),
    "stock": ("quantity", "inventory", "stock_quantity", "qty"),
    "in_stock": ("available", "availability", "instock"),
    "image_url": ("image", "image_link", "img", "imurl", "picture"),
    "url": ("link", "product_url"),
    "language": ("lang", "locale"),
}


def product_column_map(pairs: Iterable[str]) -> ColumnMap:
    """The column map for catalog files, from ``--map FIELD=COLUMN`` pairs."""
    explicit = parse_mapping(pairs, PRODUCT_FIELDS)
    return ColumnMap(explicit, PRODUCT_FIELDS, PRODUCT_ALIASES, extras_into="attributes")
