"""Evaluation: ranking metrics and offline evaluators that score methods against baselines."""

from shopmind.evaluate.metrics import dcg_at_k, ndcg_at_k, percentile, recall_at_k
from shopmind.evaluate.search import (
    Answer,
    Judgments,
    Scorer,
    bm25_baseline,
    dense_baseline,
    evaluate_methods,
    read_judgments,
    served_scorer,
)

__all__ = [
    "Answer",
    "Judgments",
    "Scorer",
    "bm25_baseline",
    "dcg_at_k",
    "dense_baseline",
    "evaluate_methods",
    "ndcg_at_k",
    "percentile",
    "read_judgments",
    "recall_at_k",
    "served_scorer",
]
