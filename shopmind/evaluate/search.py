"""Offline search evaluation on graded judgments (the HomeDepot format), against baselines.

Protocol (../shared/data/README.md): for each query with at least two distinct grades, rank
its judged products and take nDCG@10 with gain = relevance - 1; and retrieve from the whole
catalog, counting how many of the products judged >= 2.5 land in the top 10 / 100.
Unjudged products are unknown, not irrelevant, so full-catalog recall is a lower bound.

Every method is a :class:`Scorer`: a query in, one score per catalog product out. Nothing
here learns from the judgments it scores.
"""

from __future__ import annotations

import csv
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from shopmind.errors import InvalidFile
from shopmind.evaluate.metrics import ndcg_at_k, percentile, recall_at_k
from shopmind.index.topk import top_k
from shopmind.search.retrieve import Dense

logger = logging.getLogger(__name__)

Scorer = Callable[[str], np.ndarray]
RELEVANT = 2.5
_ALIASES = {
    "query": ("search_term", "query", "q"),
    "product": ("product_uid", "product_id", "item_id", "id"),
    "relevance": ("relevance", "grade", "label", "score"),
}


@dataclass
class Judgments:
    """Graded judgments: query -> {product id: relevance}."""

    queries: dict[str, dict[str, float]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.queries)

    def graded(self) -> list[str]:
        """Queries with at least two distinct grades (the nDCG set)."""
        return [q for q, g in self.queries.items() if len(set(g.values())) >= 2]

    def relevant(self) -> dict[str, set[str]]:
        """Each query's products judged >= 2.5, for queries that have any (the recall set)."""
        out = {q: {p for p, r in g.items() if r >= RELEVANT} for q, g in self.queries.items()}
        return {q: ps for q, ps in out.items() if ps}


def read_judgments(path: str | Path) -> Judgments:
    """Read a judgments CSV: a query, a product id and a relevance per row.

    Raises:
        InvalidFile: a column is missing or a relevance is not a number (naming the row).
    """
    p = Path(path)
    if not p.is_file():
        raise InvalidFile("no such file; check the path", source=str(p))
    judged = Judgments()
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames or []
        pick = {}
        for key, names in _ALIASES.items():
            found = next((c for c in names if c in columns), None)
            if found is None:
                raise InvalidFile(
                    f"no {key} column (one of {', '.join(names)}); the columns are "
                    f"{', '.join(columns)}",
                    source=str(p),
                )
            pick[key] = found
        for row, rec in enumerate(reader, start=1):
            try:
                grade = float(rec[pick["relevance"]])
            except (TypeError, ValueError):
                raise InvalidFile(
                    f"row {row}: field '{pick['relevance']}' is not a number "
                    f"({rec[pick['relevance']]!r}); write the grade as a number like 2.5",
                    source=str(p),
                ) from None
            query = " ".join(rec[pick["query"]].split())
            judged.queries.setdefault(query, {})[rec[pick["product"]].strip()] = grade
    return judged


def bm25_baseline(ids: Sequence[str], texts: Sequence[str]) -> Scorer:
    """Plain BM25 (bm25s defaults) over lower-cased alphanumeric tokens: the usual baseline."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)

    def tokens(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    retriever = bm25s.BM25()
    retriever.index([tokens(t) for t in texts], show_progress=False)

    def score(query: str) -> np.ndarray:
        q = tokens(query)
        if not q:
            return np.zeros(len(ids), dtype=np.float32)
        return np.asarray(retriever.get_scores(q), dtype=np.float32)

    return score


def dense_baseline(dense: Dense) -> Scorer:
    """Plain dense retrieval: cosine of the query's and the products' vectors."""

    def score(query: str) -> np.ndarray:
        return dense.vectors.scores(dense.encoder.encode_query([query])[0])

    return score


def evaluate_methods(
    ids: Sequence[str],
    judgments: Judgments,
    methods: dict[str, Scorer],
    progress: bool = True,
) -> dict[str, Any]:
    """Score every method on the protocol; returns the JSON the CLI prints.

    The latency is that of the first method (shopmind's), per query, in milliseconds.
    """
    position = {pid: i for i, pid in enumerate(ids)}
    known = {q: {p: r for p, r in g.items() if p in position} for q, g in judgments.queries.items()}
    unknown = sum(len(g) for g in judgments.queries.values()) - sum(len(g) for g in known.values())
    graded = [q for q in judgments.graded() if len(set(known[q].values())) >= 2]
    relevant = {q: {p for p in ps if p in position} for q, ps in judgments.relevant().items()}
    relevant = {q: ps for q, ps in relevant.items() if ps}
    queries = sorted(set(graded) | set(relevant))
    results: dict[str, dict[str, float]] = {}
    latencies: list[float] = []
    for n, (name, scorer) in enumerate(methods.items()):
        ndcgs: list[float] = []
        r10: list[float] = []
        r100: list[float] = []
        for query in tqdm(queries, desc=f"evaluate {name}", disable=not progress or None):
            started = time.perf_counter()
            scores = scorer(query)
            if n == 0:
                latencies.append(1000 * (time.perf_counter() - started))
            if query in graded:
                judged = list(known[query])
                order = np.argsort(-scores[[position[p] for p in judged]], kind="stable")
                gains = {p: r - 1.0 for p, r in known[query].items()}
                ndcgs.append(ndcg_at_k(gains, [judged[i] for i in order], 10))
            if query in relevant:
                top = [ids[i] for i in top_k(scores, 100)]
                r10.append(recall_at_k(relevant[query], top, 10))
                r100.append(recall_at_k(relevant[query], top, 100))
        results[name] = {
            "ndcg@10": round(float(np.mean(ndcgs)) if ndcgs else 0.0, 4),
            "recall@10": round(float(np.mean(r10)) if r10 else 0.0, 4),
            "recall@100": round(float(np.mean(r100)) if r100 else 0.0, 4),
        }
        logger.info("%s: %s", name, results[name])
    return {
        "queries": len(queries),
        "ndcg_queries": len(graded),
        "recall_queries": len(relevant),
        "unknown_judged_products": unknown,
        "methods": results,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 3),
            "p99": round(percentile(latencies, 99), 3),
        },
    }
