"""Offline search evaluation on graded judgments (the HomeDepot format), against baselines.

Protocol (../shared/data/README.md): for each query with at least two distinct grades, rank
its judged products and take nDCG@10 with gain = relevance - 1; and retrieve from the whole
catalog, counting how many of the products judged >= 2.5 land in the top 10 / 100.
Unjudged products are unknown, not irrelevant, so full-catalog recall is a lower bound.

Every method is a :class:`Scorer`: a query in, either one score per catalog product (a
full-catalog ranking, whose list is its top 100) or an :class:`Answer` that also holds the
list a shopper is shown. shopmind's method is its served list (:func:`served_scorer`, what
``GET /search`` returns): recall counts what that list holds; nDCG, which the protocol takes
over every judged product, ranks those the list shows as it shows them and the others after
them by score; and the full-catalog ranking of the same scores is reported beside it as
``<name>_catalog``.
``irrelevant@10`` is the share of a list's first 10 products that are judged below 2 (on
the 1-3 scale, nearer irrelevant than relevant). Nothing here learns from the judgments
it scores.
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
from shopmind.search.engine import SearchEngine
from shopmind.search.retrieve import Dense
from shopmind.sources.files import open_text

logger = logging.getLogger(__name__)

RELEVANT = 2.5
IRRELEVANT = 2.0  # judged below this: nearer irrelevant than relevant on the 1-3 scale
LIST_LENGTH = 100  # the longest page GET /search serves


@dataclass(frozen=True)
class Answer:
    """A method's answer to one query.

    Attributes:
        scores: one score per catalog product (the full-catalog ranking).
        shown: the rows of the list a shopper is shown, in order (at most 100), or None
            for a full-catalog ranker (its list is its top 100 by score).
        total: how many products the list holds in all (``total`` of ``GET /search``).
    """

    scores: np.ndarray
    shown: np.ndarray | None = None
    total: int | None = None


Scorer = Callable[[str], "np.ndarray | Answer"]
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
    with open_text(p) as fh:
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


def served_scorer(engine: SearchEngine) -> Callable[[str], Answer]:
    """shopmind as a shopper sees it: the list ``GET /search?q=...&k=100`` returns with no
    visitor, filters, ads or trained ranker (see :meth:`SearchEngine.served`)."""

    def score(query: str) -> Answer:
        shown, scores, total = engine.served(query, LIST_LENGTH)
        return Answer(scores, shown, total)

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
    on_list: Callable[[str, str, list[str]], None] | None = None,
) -> dict[str, Any]:
    """Score every method on the protocol; returns the JSON the CLI prints.

    A method that answers with a served list (an :class:`Answer` with ``shown``) is scored
    on that list, and its full-catalog ranking is reported beside it as ``NAME_catalog``.
    The latency is that of the first method (shopmind's), per query, in milliseconds.
    ``on_list(method, query, ids)`` receives each served list (``evaluate search --lists``).
    """
    position = {pid: i for i, pid in enumerate(ids)}
    known = {q: {p: r for p, r in g.items() if p in position} for q, g in judgments.queries.items()}
    unknown = sum(len(g) for g in judgments.queries.values()) - sum(len(g) for g in known.values())
    graded = [q for q in judgments.graded() if len(set(known[q].values())) >= 2]
    relevant = {q: {p for p in ps if p in position} for q, ps in judgments.relevant().items()}
    relevant = {q: ps for q, ps in relevant.items() if ps}
    queries = sorted(set(graded) | set(relevant))
    irrelevant = {q: {p for p, r in known[q].items() if r < IRRELEVANT} for q in queries}
    results: dict[str, dict[str, float]] = {}
    latencies: list[float] = []
    for n, (name, scorer) in enumerate(methods.items()):
        lists: dict[str, _Tally] = {name: _Tally()}
        for query in tqdm(queries, desc=f"evaluate {name}", disable=not progress or None):
            started = time.perf_counter()
            answer = scorer(query)
            if n == 0:
                latencies.append(1000 * (time.perf_counter() - started))
            ranking = answer if isinstance(answer, Answer) else Answer(answer)
            full = top_k(ranking.scores, LIST_LENGTH)
            # a full-catalog list orders the judged products by score, a served one as it
            # shows them
            views = {name: (full, False)}
            if ranking.shown is not None:
                views = {name: (ranking.shown, True), f"{name}_catalog": (full, False)}
            if query in graded:
                gains = {p: r - 1.0 for p, r in known[query].items()}
                by_score = _by_score(known[query], ranking.scores, position)
            for view, (shown, as_listed) in views.items():
                tally = lists.setdefault(view, _Tally())
                top = [ids[i] for i in shown]
                if as_listed and on_list is not None:
                    on_list(view, query, top)
                if query in graded:
                    order = by_score
                    if as_listed:  # the list's order, then what it does not show
                        listed = [p for p in top if p in gains]
                        at = set(listed)
                        order = listed + [p for p in by_score if p not in at]
                    tally.ndcg.append(ndcg_at_k(gains, order, 10))
                if query in relevant:
                    tally.r10.append(recall_at_k(relevant[query], top, 10))
                    tally.r100.append(recall_at_k(relevant[query], top, 100))
                if top[:10]:
                    bad = sum(p in irrelevant[query] for p in top[:10])
                    tally.irrelevant.append(bad / len(top[:10]))
                tally.lengths.append(
                    ranking.total if view == name and ranking.total is not None else len(top)
                )
        for view, tally in lists.items():
            results[view] = tally.summary()
            logger.info("%s: %s", view, results[view])
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


@dataclass
class _Tally:
    """One list's per-query metrics."""

    ndcg: list[float] = field(default_factory=list)
    r10: list[float] = field(default_factory=list)
    r100: list[float] = field(default_factory=list)
    irrelevant: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        def mean(values: list[float]) -> float:
            return round(float(np.mean(values)) if values else 0.0, 4)

        return {
            "ndcg@10": mean(self.ndcg),
            "recall@10": mean(self.r10),
            "recall@100": mean(self.r100),
            "irrelevant@10": mean(self.irrelevant),
            "shown_p50": round(percentile([float(n) for n in self.lengths], 50), 1),
        }


def _by_score(grades: dict[str, float], scores: np.ndarray, position: dict[str, int]) -> list[str]:
    """The judged products ranked by a full-catalog method's scores (ties as judged)."""
    judged = list(grades)
    order = np.argsort(-scores[[position[p] for p in judged]], kind="stable")
    return [judged[i] for i in order]
