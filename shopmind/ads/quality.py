"""Ad quality: how relevant a product is to the page it would be shown on, in [0, 1].

Built from the served search engine, read at call time (a re-index or a new build is
picked up at once):

- a search, with product vectors: the cosine similarity of the query's vector (the search's
  own cached encoding) and the product's, negatives as 0;
- a search without vectors (lexical only): the product's BM25F score over the best
  product's for that query;
- recommendations (no query): the product's highest similarity to one of the visitor's
  recent products (without vectors: the share of the category path they share);
  0.5 when nothing is known of the visitor.

A product the engine has not indexed yet scores 0: an ad is never shown on a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from shopmind.search import SearchEngine, check_query
from shopmind.search.retrieve import query_vector
from shopmind.store import Store

UNKNOWN_VISITOR = 0.5
BEHAVIOUR = frozenset(
    {"view", "click", "cart", "purchase", "rating", "ad_click", "more_like_this"}
)  # events that show interest in their product (not impressions, searches, dislikes)


def recent_products(store: Store, visitor: str, n: int) -> list[str]:
    """The visitor's ``n`` newest distinct products they acted on, newest first."""
    seen: dict[str, None] = {}
    # impressions are most of a visitor's events; read past them
    for event in store.list_events(visitor=visitor, limit=n * 10):
        if event.type in BEHAVIOUR and event.item_id and event.item_id not in seen:
            seen[event.item_id] = None
            if len(seen) >= n:
                break
    return list(seen)


def _category_overlap(a: str, b: str) -> float:
    pa, pb = a.split(" > ") if a else [], b.split(" > ") if b else []
    if not pa or not pb:
        return 0.0
    shared = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        shared += 1
    return shared / max(len(pa), len(pb))


class EngineQuality:
    """A ``Quality``: ``(query, visitor, product ids) -> relevance in [0, 1]``.

    Args:
        engine: returns the engine serving now (None while none is loaded: 0.5 for all).
        store: where a visitor's recent events are read.
        recent: how many of the visitor's newest products count (``ads.recent_events``).
    """

    def __init__(
        self, engine: Callable[[], SearchEngine | None], store: Store, recent: int = 20
    ) -> None:
        self._engine = engine
        self._store = store
        self._recent = recent
        self._rows: tuple[SearchEngine | None, dict[str, int]] = (None, {})

    def _row_of(self, engine: SearchEngine) -> dict[str, int]:
        held, rows = self._rows
        if held is not engine:
            rows = {pid: i for i, pid in enumerate(engine.index.ids)}
            self._rows = (engine, rows)
        return rows

    def __call__(
        self, query: str | None, visitor: str | None, products: Sequence[str]
    ) -> np.ndarray:
        """Relevance per product (see the module docstring)."""
        engine = self._engine()
        if engine is None or not products:
            return np.full(len(products), UNKNOWN_VISITOR)
        rows = self._row_of(engine)
        index = np.asarray([rows.get(p, -1) for p in products], dtype=np.int64)
        safe = np.maximum(index, 0)
        if query:
            scores = self._query(engine, check_query(query), safe)
        else:
            history = recent_products(self._store, visitor, self._recent) if visitor else []
            known = [rows[p] for p in history if p in rows]
            if not known:
                return np.full(len(products), UNKNOWN_VISITOR)
            scores = self._history(engine, np.asarray(known, dtype=np.int64), safe)
        return np.where(index >= 0, np.clip(scores, 0.0, 1.0), 0.0)

    @staticmethod
    def _query(engine: SearchEngine, query: str, rows: np.ndarray) -> np.ndarray:
        """Relevance of the products at ``rows`` to the query."""
        if engine.dense is not None:
            vector = query_vector(engine.dense.encoder, query)
            similarity: np.ndarray = engine.dense.vectors.vectors[rows] @ vector
            return similarity.astype(np.float64)
        lexical = np.asarray(engine.index.scores(query), dtype=np.float64)
        top = float(lexical.max()) if lexical.size else 0.0
        return lexical[rows] / top if top > 0 else np.zeros(len(rows))

    @staticmethod
    def _history(engine: SearchEngine, history: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The best similarity of the products at ``rows`` to one of the history's."""
        if engine.dense is not None:
            vectors = engine.dense.vectors.vectors
            best: np.ndarray = (vectors[rows] @ vectors[history].T).max(axis=1)
            return best.astype(np.float64)
        categories = engine.columns.categories
        return np.asarray(
            [max(_category_overlap(categories[i], categories[h]) for h in history) for i in rows],
            dtype=np.float64,
        )
