"""Indexes: text analysis, the lexical (BM25F) index and the dense vector index."""

from shopmind.index.analyze import analyze, normalise
from shopmind.index.lexical import DEFAULT_FIELD_WEIGHTS, LexicalIndex, QueryTerm, product_fields
from shopmind.index.topk import top_k
from shopmind.index.vector import VectorIndex, product_text

__all__ = [
    "DEFAULT_FIELD_WEIGHTS",
    "LexicalIndex",
    "QueryTerm",
    "VectorIndex",
    "analyze",
    "normalise",
    "product_fields",
    "product_text",
    "top_k",
]
