"""Search: query checks, filters, facets, sorting and reasons over the product indexes."""

from shopmind.search.engine import (
    MAX_QUERY_CHARS,
    SORT_ORDERS,
    CatalogColumns,
    Filters,
    Hit,
    SearchEngine,
    SearchResult,
    check_query,
)

__all__ = [
    "MAX_QUERY_CHARS",
    "SORT_ORDERS",
    "CatalogColumns",
    "Filters",
    "Hit",
    "SearchEngine",
    "SearchResult",
    "check_query",
]
