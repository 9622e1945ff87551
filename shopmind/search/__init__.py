"""Search: retrieval and fusion, query understanding, rules, and the engine over them."""

from shopmind.search.engine import (
    MAX_QUERY_CHARS,
    SORT_ORDERS,
    CatalogColumns,
    Filters,
    Hit,
    Reorder,
    SearchEngine,
    SearchResult,
    check_query,
)
from shopmind.search.hybrid import convex, rrf
from shopmind.search.live import LiveSearch
from shopmind.search.query import SynonymTable, did_you_mean
from shopmind.search.retrieve import Dense, Retrieval, retrieve
from shopmind.search.rules import apply_rules

__all__ = [
    "MAX_QUERY_CHARS",
    "SORT_ORDERS",
    "CatalogColumns",
    "Dense",
    "Filters",
    "Hit",
    "LiveSearch",
    "Reorder",
    "Retrieval",
    "SearchEngine",
    "SearchResult",
    "SynonymTable",
    "apply_rules",
    "check_query",
    "convex",
    "did_you_mean",
    "retrieve",
    "rrf",
]
