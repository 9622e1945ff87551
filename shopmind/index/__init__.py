"""Indexes: text analysis and the lexical (BM25F) index over products."""

from shopmind.index.analyze import analyze, normalise
from shopmind.index.lexical import DEFAULT_FIELD_WEIGHTS, LexicalIndex, QueryTerm, product_fields

__all__ = [
    "DEFAULT_FIELD_WEIGHTS",
    "LexicalIndex",
    "QueryTerm",
    "analyze",
    "normalise",
    "product_fields",
]
