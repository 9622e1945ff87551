"""Product search over the lexical index: filters, facets, sorting, paging and reasons.

The catalog's filterable columns (category, brand, price, stock, creation time) are held
as arrays aligned with the index, so a filter is a boolean mask and facets are counts over
the matching products. Hits are read back from the store, so a product deleted since the
last build is dropped rather than shown.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import scipy.sparse as sp

from shopmind.catalog import Product, normalise_category
from shopmind.catalog.models import detect_language
from shopmind.config import SearchConfig
from shopmind.embed import Encoder
from shopmind.errors import InvalidInput, RowError
from shopmind.explain import Node
from shopmind.index import LexicalIndex, VectorIndex, analyze
from shopmind.index.ann import IvfIndex
from shopmind.search.meaning import MeaningFloor
from shopmind.search.query import SynonymTable
from shopmind.search.retrieve import Dense, Retrieval, retrieve
from shopmind.search.rules import apply_rules

Lookup = Callable[[Sequence[str]], dict[str, Product]]
Reorder = Callable[[list[str], int], tuple[np.ndarray, list[Node]]]
"""A second stage: candidate ids in retrieval order and how many lead the page -> the new
order (indices into the ids) and a reasons branch for each of the first that many."""
SortOrder = Literal["relevance", "price_asc", "price_desc", "newest", "popularity"]
SORT_ORDERS: tuple[str, ...] = get_args(SortOrder)
MAX_QUERY_CHARS = 500
_PRICE_BANDS = [(0, 10), (10, 50), (50, 100), (100, 500), (500, 1000), (1000, float("inf"))]


def admits(
    product: Product,
    category: str | None,
    price_min: float | None,
    price_max: float | None,
    in_stock: bool | None,
) -> bool:
    """Whether ``product`` lies under ``category``, within the price range (a product with
    no price passes no range) and has the stock asked for; unset bounds do not filter."""
    if category and not (
        product.category == category or (product.category or "").startswith(category + " > ")
    ):
        return False
    if (price_min is not None or price_max is not None) and product.price is None:
        return False
    if price_min is not None and product.price is not None and product.price < price_min:
        return False
    if price_max is not None and product.price is not None and product.price > price_max:
        return False
    return in_stock is None or bool(product.in_stock) == in_stock


@dataclass(frozen=True)
class Filters:
    """What a hit must satisfy; unset fields do not filter."""

    category: str | None = None
    brands: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    in_stock: bool | None = None

    def __post_init__(self) -> None:
        # the same spelling rules as ingest: "Audio/Headphones" is "Audio > Headphones"
        if self.category is not None:
            object.__setattr__(self, "category", normalise_category(self.category) or None)
        object.__setattr__(self, "brands", tuple(b.strip() for b in self.brands if b.strip()))

    def matches(self, product: Product) -> bool:
        """Whether one product satisfies the filters (for products placed beside the hits,
        such as sponsored ones)."""
        return admits(product, self.category, self.price_min, self.price_max, self.in_stock) and (
            not self.brands or product.brand in self.brands
        )

    def check(self) -> None:
        """Raise InvalidInput naming the field when the filters contradict themselves."""
        errors = []
        for name, value in (("price_min", self.price_min), ("price_max", self.price_max)):
            if value is not None and value < 0:
                errors.append(RowError(1, name, "a price bound is negative", "use a number >= 0"))
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            errors.append(
                RowError(
                    1,
                    "price_min",
                    f"price_min {self.price_min} is above price_max {self.price_max}",
                    "swap them, or leave one out",
                )
            )
        if errors:
            raise InvalidInput(errors, source="search filters")


@dataclass
class Hit:
    """One search result."""

    product: Product
    score: float
    reasons: Node


@dataclass
class SearchResult:
    """A page of hits, how many matched in all, and facet counts over all matches."""

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    did_you_mean: str | None = None

    def as_dict(self, trees: bool = True) -> dict[str, Any]:
        """The wire form shared by ``GET /search`` and ``shopmind search --json``.

        ``trees=False`` leaves each hit's reasons as its :class:`Node`, which orjson writes
        as the very same JSON (a dataclass, its fields in order): the HTTP answer's path,
        where making the dicts first took about 30 of the 225 µs a lexical search's
        request spent outside the engine (benchmarks/README.md)."""
        return {
            "hits": [
                {
                    "id": h.product.id,
                    "title": h.product.title,
                    "score": round(h.score, 6),
                    "price": h.product.price,
                    "currency": h.product.currency,
                    "category": h.product.category,
                    "brand": h.product.brand,
                    "in_stock": h.product.in_stock,
                    "image_url": h.product.image_url,
                    "reasons": h.reasons.as_dict() if trees else h.reasons,
                    "sponsored": False,
                }
                for h in self.hits
            ],
            "total": self.total,
            "facets": self.facets,
            "did_you_mean": self.did_you_mean,
        }


@dataclass
class CatalogColumns:
    """Filterable product columns, aligned with the index's product order."""

    titles: list[str]
    categories: list[str]
    brands: np.ndarray
    prices: np.ndarray
    in_stock: np.ndarray
    created: np.ndarray
    languages: list[str] = field(default_factory=list)  # empty: detected from the titles

    def __post_init__(self) -> None:
        if not self.languages:  # a build written before languages were kept
            self.languages = [detect_language(t) for t in self.titles]

    @classmethod
    def from_products(cls, products: Sequence[Product]) -> CatalogColumns:
        """Columns for products in index order."""
        return cls(
            titles=[p.title for p in products],
            categories=[p.category or "" for p in products],
            brands=np.asarray([p.brand or "" for p in products], dtype=object),
            prices=np.asarray(
                [np.nan if p.price is None else p.price for p in products], dtype=np.float64
            ),
            in_stock=np.asarray([bool(p.in_stock) for p in products], dtype=bool),
            created=np.asarray(
                [p.created_at.timestamp() if p.created_at else 0.0 for p in products]
            ),
            languages=[p.language or detect_language(p.title) for p in products],
        )


def check_query(q: str) -> str:
    """A query with its white space folded; raises InvalidInput when empty or too long."""
    folded = " ".join(q.split())
    if not folded:
        raise InvalidInput(
            [RowError(1, "q", "the query is empty", "send some words, e.g. q=wireless earbuds")],
            source="search request",
        )
    if len(folded) > MAX_QUERY_CHARS:
        raise InvalidInput(
            [
                RowError(
                    1,
                    "q",
                    f"the query has {len(folded)} characters",
                    f"send at most {MAX_QUERY_CHARS} characters",
                )
            ],
            source="search request",
        )
    return folded


def _ranks(values: np.ndarray, of: np.ndarray) -> np.ndarray:
    """For each score in ``of``, 1 + how many ``values`` are higher (ties share the best
    rank), comparing only with the values above the lowest of ``of`` (a page's hits sit
    near the top, so that is a handful, not the whole catalog once per hit)."""
    if not len(of):
        return np.zeros(0, dtype=np.int64)
    above = values[values > of.min()]
    return np.asarray(1 + (above[None, :] > of[:, None]).sum(axis=1))


class SearchEngine:
    """Search over one build's lexical index.

    Args:
        index: the lexical index.
        columns: the filterable catalog columns in index order.
        lookup: reads the current products by id (the store's ``get_products``).
        popularity: a popularity score per indexed product (for sorting), or None.
        dense: the dense retriever (hybrid search), or None (lexical only).
        config: the search settings.
    """

    def __init__(
        self,
        index: LexicalIndex,
        columns: CatalogColumns,
        lookup: Lookup,
        popularity: np.ndarray | None = None,
        dense: Dense | None = None,
        config: SearchConfig | None = None,
    ) -> None:
        self.index = index
        self.columns = columns
        self.lookup = lookup
        self.config = config or SearchConfig()
        # a large catalog gets its approximate index here unless the build brought one
        self.dense = dense.with_ann(self.config) if dense is not None else None
        learned = dense.encoder.fusion_alpha if dense is not None else None
        if learned is not None and "alpha" not in self.config.model_fields_set:
            # a tuned model's fusion weight, learned on its held-out queries; a weight set
            # in the settings still wins
            self.config = self.config.model_copy(update={"alpha": learned})
        if dense is not None and dense.vectors.ids != index.ids:
            raise ValueError("the vector index and the lexical index hold different products")
        self.synonyms = SynonymTable.from_config(self.config.synonyms)
        self.floor = (  # only dense retrieval finds products by meaning
            MeaningFloor.build(columns.languages, self.dense.vectors.vectors, self.dense.encoder)
            if self.dense is not None
            else None
        )
        self._row_of = {pid: i for i, pid in enumerate(index.ids)}
        self.popularity = (
            popularity if popularity is not None else np.zeros(len(index.ids), dtype=np.float32)
        )
        self._precompute()

    @classmethod
    def from_products(
        cls,
        products: Sequence[Product],
        popularity: dict[str, float] | None = None,
        encoder: Encoder | None = None,
        config: SearchConfig | None = None,
        cache: Path | None = None,
        lookup: Lookup | None = None,
        trained: IvfIndex | None = None,
    ) -> SearchEngine:
        """Index products in memory (tests, small shops, the evaluate command).

        With an ``encoder``, products are also embedded (through the vector cache in
        ``cache`` when given) and search is hybrid. Hits are read back with ``lookup``
        (the store's ``get_products``), by default from ``products`` themselves. A large
        catalog's approximate index reuses ``trained``'s clusters when they fit.
        """
        config = config or SearchConfig()
        index = LexicalIndex().build_products(products)
        dense = None
        if encoder is not None:
            vectors = VectorIndex.from_products(encoder, products, cache, progress=False)
            dense = Dense(vectors, encoder).with_ann(config, trained)
        pop = None
        if popularity:
            pop = np.asarray([popularity.get(p.id, 0.0) for p in products], dtype=np.float32)
        if lookup is None:
            by_id = {p.id: p for p in products}

            def lookup(ids: Sequence[str]) -> dict[str, Product]:
                return {i: by_id[i] for i in ids if i in by_id}

        return cls(index, CatalogColumns.from_products(products), lookup, pop, dense, config)

    def scores(self, q: str) -> np.ndarray:
        """One fused score per indexed product: the full-catalog ranking, of which the
        served list (:meth:`served`) shows the products that match a word or are similar
        enough by meaning."""
        query = check_query(q)
        return retrieve(self.index, self.dense, self.config, query, self.synonyms, self.floor).fused

    def served(self, q: str, limit: int = 100) -> tuple[np.ndarray, np.ndarray, int]:
        """What ``GET /search?q=...&k=limit`` shows with no visitor (so no ranker) and no
        filters or ads: the rows of its hits in order, every product's score after the
        rules, and how many products the query matched in all (the response's ``total``).
        This is the list ``evaluate search`` scores. A served page also drops products
        deleted since the build, and a trained ranker (``rank.enabled``) re-orders its top
        candidates even for an anonymous visitor: neither is part of this list."""
        _, scores, matched, _ = self._relevance(check_query(q), Filters())
        return self._page(matched, scores, "relevance", 0, limit), scores, len(matched)

    def _relevance(
        self, query: str, filters: Filters
    ) -> tuple[Retrieval, np.ndarray, np.ndarray, dict[int, list[tuple[str, float | None]]]]:
        """Retrieval, the scores after the shop's rules, the shown products that pass the
        filters (ascending rows), and the rules' notes per product."""
        got = retrieve(self.index, self.dense, self.config, query, self.synonyms, self.floor)
        scores, shown, notes = apply_rules(
            got.fused,
            got.candidates,
            query,
            self.config.rules,
            self.columns.in_stock,
            self._row_of,
            self.config.bury_out_of_stock,
        )
        mask = self._mask(filters)
        return got, scores, shown[mask[shown]], notes

    def variant(self, update: Mapping[str, Any]) -> SearchEngine:
        """This engine with some search settings changed (an experiment's variant): the same
        index, vectors and catalog, shared, not copied; validated like the config file."""
        if not update:
            return self
        out = copy.copy(self)
        out.config = SearchConfig.model_validate({**self.config.model_dump(), **update})
        out.synonyms = SynonymTable.from_config(out.config.synonyms)
        return out

    def _precompute(self) -> None:
        """Integer codes so that filters and facets are array operations, not loops."""
        c = self.columns
        nodes: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for doc, path in enumerate(c.categories):
            parts = path.split(" > ") if path else []
            for depth in range(len(parts)):
                rows.append(doc)
                cols.append(nodes.setdefault(" > ".join(parts[: depth + 1]), len(nodes)))
        n = len(c.categories)
        self._category_nodes = nodes
        self._category_names = list(nodes)
        self._category_matrix = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, len(nodes))
        )
        brand_codes: dict[str, int] = {}
        self._brand_names: list[str] = []
        codes = np.full(n, -1, dtype=np.int64)
        for doc, brand in enumerate(c.brands):
            if brand:
                key = str(brand).lower()
                if key not in brand_codes:
                    brand_codes[key] = len(brand_codes)
                    self._brand_names.append(str(brand))
                codes[doc] = brand_codes[key]
        self._brand_codes = brand_codes
        self._brand_of = codes
        edges = np.asarray([lo for lo, _ in _PRICE_BANDS[1:]], dtype=np.float64)
        band = np.digitize(np.nan_to_num(c.prices, nan=-1.0), edges)
        self._band_of = np.where(np.isnan(c.prices), -1, band)
        self._band_names = [f"{lo}-{'' if hi == float('inf') else hi}" for lo, hi in _PRICE_BANDS]

    def _mask(self, filters: Filters) -> np.ndarray:
        c = self.columns
        mask = np.ones(len(self.index.ids), dtype=bool)
        if filters.category:
            node = self._category_nodes.get(filters.category)
            if node is None:
                return np.zeros_like(mask)
            column = self._category_matrix[:, node].toarray().ravel()
            mask &= column > 0
        if filters.brands:
            wanted = [self._brand_codes.get(b.lower(), -2) for b in filters.brands]
            mask &= np.isin(self._brand_of, wanted)
        if filters.price_min is not None:
            mask &= c.prices >= filters.price_min
        if filters.price_max is not None:
            mask &= c.prices <= filters.price_max
        if filters.in_stock is not None:
            mask &= c.in_stock == filters.in_stock
        return mask

    def _facets(self, matched: np.ndarray) -> dict[str, dict[str, int]]:
        cats: dict[str, int] = {}
        if self._category_names:
            counts = np.asarray(self._category_matrix[matched].sum(axis=0)).ravel()
            top = np.argsort(-counts, kind="stable")[:30]
            cats = {self._category_names[i]: int(counts[i]) for i in top if counts[i] > 0}
        brand = self._brand_of[matched]
        per_brand = np.bincount(brand[brand >= 0], minlength=len(self._brand_names))
        top = np.argsort(-per_brand, kind="stable")[:30]
        brands = {self._brand_names[i]: int(per_brand[i]) for i in top if per_brand[i] > 0}
        band = self._band_of[matched]
        per_band = np.bincount(band[band >= 0], minlength=len(self._band_names))
        prices = {self._band_names[i]: int(n) for i, n in enumerate(per_band) if n > 0}
        stocked = int(self.columns.in_stock[matched].sum())
        availability = {"in_stock": stocked, "out_of_stock": len(matched) - stocked}
        return {
            "category": cats,
            "brand": brands,
            "price": prices,
            "availability": {k: v for k, v in availability.items() if v > 0},
        }

    def _page(
        self, matched: np.ndarray, scores: np.ndarray, sort: str, offset: int, k: int
    ) -> np.ndarray:
        if k <= 0:
            return matched[:0]
        if sort == "relevance" and offset + k < len(matched):
            # only the first offset + k need sorting: those scored at least the (offset+k)th
            # best, ties and all, so the page is exactly the full order's (ties by row)
            kth = np.partition(scores[matched], len(matched) - offset - k)[-offset - k]
            head = matched[scores[matched] >= kth]
            return self._order(head, scores, sort)[offset : offset + k]
        return self._order(matched, scores, sort)[offset : offset + k]

    def _order(self, matched: np.ndarray, scores: np.ndarray, sort: str) -> np.ndarray:
        c = self.columns
        if sort == "price_asc":
            key = np.where(np.isnan(c.prices[matched]), np.inf, c.prices[matched])
            return matched[np.lexsort((-scores[matched], key))]
        if sort == "price_desc":
            key = np.where(np.isnan(c.prices[matched]), -np.inf, c.prices[matched])
            return matched[np.lexsort((-scores[matched], -key))]
        if sort == "newest":
            return matched[np.lexsort((-scores[matched], -c.created[matched]))]
        if sort == "popularity":
            return matched[np.lexsort((-scores[matched], -self.popularity[matched]))]
        return matched[np.argsort(-scores[matched], kind="stable")]

    def search(
        self,
        q: str,
        k: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        sort: str = "relevance",
        reorder: Reorder | None = None,
        candidates: int = 200,
    ) -> SearchResult:
        """Search, filter, facet, sort and page.

        Args:
            q: the query text.
            k: hits per page.
            offset: hits to skip.
            filters: what hits must satisfy.
            sort: one of :data:`SORT_ORDERS`.
            reorder: a second stage (the ranker) over the top ``candidates`` by relevance;
                used for the relevance order when the page lies within the candidates.
            candidates: how many the second stage sees.
        """
        query = check_query(q)
        filters = filters or Filters()
        filters.check()
        if sort not in SORT_ORDERS:
            raise InvalidInput(
                [RowError(1, "sort", f"unknown sort '{sort}'", f"use one of {SORT_ORDERS}")],
                source="search request",
            )
        got, scores, matched, notes = self._relevance(query, filters)
        staged: dict[int, Node] = {}
        if reorder is not None and sort == "relevance" and offset + k <= candidates:
            head = self._page(matched, scores, sort, 0, candidates)
            order, extra = reorder([self.index.ids[i] for i in head], offset + k)
            ranked = head[order]
            page = ranked[offset : offset + k]
            staged = {int(ranked[j]): node for j, node in enumerate(extra)}
        else:
            page = self._page(matched, scores, sort, offset, k)
        holds = None  # (page × terms): the fields holding each term, where the index kept them
        if got.postings is not None:
            parts = got.postings.at(page) * got.postings.weights  # (page × terms)
            holds = got.postings.fields_at(page)
        else:
            parts = np.zeros((len(page), 0), dtype=np.float32)
        products = self.lookup([self.index.ids[i] for i in page])
        hits: list[Hit] = []
        ranks = _ranks(scores[matched], scores[page])
        lexical_ranks = _ranks(got.lexical, got.lexical[page])
        for row, i in enumerate(page):
            product = products.get(self.index.ids[i])
            if product is None:
                continue  # deleted since the build
            reasons = self._reasons(
                int(i),
                int(ranks[row]),
                got,
                parts[row],
                None if holds is None else holds[row],
                filters,
                sort,
                int(lexical_ranks[row]),
            )
            for label, value in notes.get(int(i), []):
                reasons.add(label, value)
            if int(i) in staged:
                reasons.children.append(staged[int(i)])
            hits.append(Hit(product, float(scores[i]), reasons))
        return SearchResult(hits, len(matched), self._facets(matched), got.corrected)

    def _reasons(
        self,
        doc: int,
        rank: int,
        got: Retrieval,
        parts: np.ndarray,
        holds: np.ndarray | None,
        filters: Filters,
        sort: str,
        lexical_rank: int,
    ) -> Node:
        pid = self.index.ids[doc]
        root = Node(f"search hit {pid}", float(got.fused[doc]))
        if got.dense is not None:
            root.add("rank", rank)  # the fused rank; lexical-only, it is the lexical rank
        matched = [
            (j, t, float(v)) for j, (t, v) in enumerate(zip(got.terms, parts, strict=True)) if v > 0
        ]
        if matched:
            lexical = root.add("lexical (BM25F)", float(got.lexical[doc]))
            lexical.add("rank", lexical_rank)
            fields = lexical.add("matched terms")
            where_of = self._where(doc, holds)
            for j, t, contribution in matched:
                where = where_of(j, t.term) or ["description/attributes"]
                fields.add(f"{'/'.join(where)}: {t.term}", contribution)
        if got.dense is not None and self.dense is not None:
            label = f"semantic ({self.dense.encoder.name})"
            if not matched:
                label += ": no query word in the product, found by meaning"
            semantic = root.add(label, float(got.dense[doc]))
            semantic.add("rank", got.dense_rank(doc))
            if doc in got.by_meaning and got.floor is not None:
                language = got.floor.language(doc)
                among = "the catalog's" if language == "all" else f"'{language}'"
                z = got.by_meaning[doc]
                why = (
                    f"shown from {self.config.meaning_z:g}"
                    if z >= self.config.meaning_z
                    else "shown as nearly as similar as the best word match"
                )
                semantic.add(
                    f"standard deviations above the query's mean similarity to {among} "
                    f"products ({why})",
                    z if np.isfinite(z) else None,
                )
            if got.read_as is not None:
                semantic.add(f"query read as: {got.read_as}")
            if got.corrected is not None:
                semantic.add(f"query also read as: {got.corrected}")
            if got.feedback:
                semantic.add("query vector refined by the top products (feedback)", got.feedback)
            root.add(f"fusion: {got.fusion}", float(got.fused[doc]))
        expansions = [t for _, t, _ in matched if t.source != "exact"]
        if expansions:
            branch = root.add("query expansions")
            for t in expansions:
                branch.add(f"{t.source}: {t.typed} → {t.term}", t.weight)
        active = _active_filters(filters)
        if active:
            branch = root.add("filters")
            for label in active:
                branch.add(label)
        if sort != "relevance":
            root.add(f"sorted by {sort}")
        return root

    def _where(self, doc: int, holds: np.ndarray | None) -> Callable[[int, str], list[str]]:
        """Which of a hit's title, category and brand hold a matched term (given its column
        in ``holds`` and the term): read from the index's field bits where it kept them and
        indexes all three, else by analysing the three texts again (30-40 µs a title new to
        the cache, measured: a tenth of a lexical search)."""
        names = self.index.fields
        if holds is not None and all(f in names for f in _REASON_FIELDS):
            bits = [(f, 1 << names.index(f)) for f in _REASON_FIELDS]
            row = [int(h) for h in holds]
            return lambda j, term: [f for f, bit in bits if row[j] & bit]
        texts = {f: _terms_of(t) for f, t in self._fields_of(doc).items() if t}
        return lambda j, term: [f for f, ts in texts.items() if term in ts]

    def _fields_of(self, doc: int) -> dict[str, str]:
        c = self.columns
        return {"title": c.titles[doc], "category": c.categories[doc], "brand": str(c.brands[doc])}


_REASON_FIELDS = ("title", "category", "brand")  # named in a matched term's reason


@lru_cache(maxsize=65_536)
def _terms_of(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


def _active_filters(f: Filters) -> list[str]:
    out = []
    if f.category:
        out.append(f"category: {f.category}")
    if f.brands:
        out.append(f"brand: {', '.join(f.brands)}")
    if f.price_min is not None or f.price_max is not None:
        out.append(
            f"price: {f.price_min if f.price_min is not None else ''}-"
            f"{f.price_max if f.price_max is not None else ''}"
        )
    if f.in_stock is not None:
        out.append("in stock" if f.in_stock else "out of stock")
    return out
