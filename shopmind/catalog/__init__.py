"""Catalog: the product schema, loading products from files, and catalog quality checks."""

from shopmind.catalog.load import PRODUCT_ALIASES, product_column_map
from shopmind.catalog.models import (
    FIELD_FIXES,
    PRODUCT_FIELDS,
    Product,
    ProductPatch,
    detect_language,
    normalise_category,
)
from shopmind.catalog.quality import CatalogQuality, robust_outliers

__all__ = [
    "FIELD_FIXES",
    "PRODUCT_ALIASES",
    "PRODUCT_FIELDS",
    "CatalogQuality",
    "Product",
    "ProductPatch",
    "detect_language",
    "normalise_category",
    "product_column_map",
    "robust_outliers",
]
