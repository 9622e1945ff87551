"""Serving recommendations from the store: real time, cold start, feedback and reasons.

Models are fitted on the stored events once (at start-up or after a catalog change); a
visitor's own newest events are read from the store at every request, so a view, a cart,
"not interested" or "more like this" changes their next list at once without retraining.

- A visitor with no usable events gets what is trending (time-decayed popularity).
- A product nobody has touched yet is reachable from its text (the content model).
- "Because you bought X": each pick names the visitor's products it follows from, and by
  which signal (co-behaviour, sequence, text), with the numbers.
- "Buy again": products the shop's customers buy again (learnt from its orders, see
  :mod:`shopmind.recommend.rebuy`) come back to those who bought them, by how often they did.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from shopmind.batching import coalescer_for
from shopmind.catalog import Product
from shopmind.config import EventsConfig, RecommendConfig
from shopmind.errors import NotFound
from shopmind.events.matrix import Interactions, build_interactions, event_weight
from shopmind.events.models import StoredEvent
from shopmind.explain.tree import Node
from shopmind.recommend.base import Histories, Recommender
from shopmind.recommend.content import Content
from shopmind.recommend.ease import EASE
from shopmind.recommend.factors import Factors
from shopmind.recommend.hybrid import Hybrid
from shopmind.recommend.itemknn import ItemKNN
from shopmind.recommend.popular import Popular
from shopmind.recommend.rebuy import Rebuy
from shopmind.recommend.sequential import Sequential
from shopmind.recommend.transitions import Transitions
from shopmind.search import Reorder, SearchEngine
from shopmind.search.engine import admits
from shopmind.store import Store

logger = logging.getLogger(__name__)

SIGNALS = {
    "ease": "co-behaviour (EASE)",
    "itemknn": "co-behaviour (item neighbours)",
    "als": "co-behaviour (ALS factors)",
    "transitions": "sequence: bought or viewed next by others",
    "content": "text similarity",
    "popular": "trending",
    "sequential": "sequence model (transformer over your recent products)",
}
VERBS = {
    "view": "viewed",
    "click": "clicked",
    "cart": "put in the cart",
    "purchase": "bought",
    "rating": "rated",
    "more_like_this": "asked for more like",
    "ad_click": "clicked the ad for",
}
_DAY = 86_400.0


@dataclass(frozen=True)
class Filters:
    """Which products may be recommended."""

    category: str | None = None
    in_stock: bool | None = None
    price_min: float | None = None
    price_max: float | None = None

    def matches(self, product: Product) -> bool:
        """Whether one product satisfies the filters (for sponsored products beside picks)."""
        return admits(product, self.category, self.price_min, self.price_max, self.in_stock)


@dataclass
class Pick:
    """One recommended product with its score and reasons tree (and the product itself,
    for its price and picture)."""

    id: str
    title: str
    score: float
    reasons: Node
    product: Product | None = None


@dataclass
class VisitorHistory:
    """A visitor's usable events, oldest first, in product index space."""

    items: list[int]
    weights: list[float]
    kinds: list[str]
    bought: set[int]
    hidden: set[int]
    visitor: str | None = None
    orders: dict[int, set[str]] = field(default_factory=dict)  # bought products' order keys


def _under(category: str | None, roots: Sequence[str]) -> bool:
    return bool(category) and any(
        category == r or (category or "").startswith(r + " > ") for r in roots
    )


def search_vectors(engine: SearchEngine | None) -> tuple[list[str], np.ndarray] | None:
    """The product vectors of a search engine's dense index (None when it has none)."""
    if engine is None or engine.dense is None:
        return None
    return engine.dense.vectors.ids, engine.dense.vectors.vectors


def _head(scores: np.ndarray, want: int) -> np.ndarray:
    """The first ``want`` (or more, on ties) indexes of ``np.argsort(-scores,
    kind="stable")``, found without sorting everything: every score at least the
    ``want``-th best, in index order, then stably sorted."""
    n = len(scores)
    if want * 8 >= n:
        return np.argsort(-scores, kind="stable")
    bar = np.partition(scores, n - want)[n - want]
    head = np.flatnonzero(scores >= bar)
    return head[np.argsort(-scores[head], kind="stable")]


def _parts_batch(
    model: Hybrid, rows: Sequence[tuple[np.ndarray, np.ndarray]]
) -> list[dict[str, np.ndarray]]:
    """Every weighted part of ``model`` for a batch of (items, weights) histories, split
    back into one dict per history (rows of the batch's arrays, read only)."""
    parts = model.parts(Histories([r[0] for r in rows], [r[1] for r in rows]))
    for part in parts.values():
        part.setflags(write=False)
    return [{n: p[i] for n, p in parts.items()} for i in range(len(rows))]


class RecommendEngine:
    """Fitted recommenders over one catalog, plus what serving needs around them."""

    def __init__(
        self,
        model: Hybrid,
        products: list[Product],
        trending: np.ndarray,
        together: sp.csr_matrix,
        events: EventsConfig,
        config: RecommendConfig,
        rebuy: Rebuy | None = None,
    ) -> None:
        self.model = model
        self.products = products
        self.ids = [p.id for p in products]
        self.row = {pid: i for i, pid in enumerate(self.ids)}
        self.trending = trending
        self.together = together
        self.events = events
        self.config = config
        self.categories = [p.category or "" for p in products]
        self.in_stock = np.array([p.in_stock is not False for p in products], dtype=bool)
        self.price = np.array([np.nan if p.price is None else p.price for p in products])
        self.rebuy = rebuy or Rebuy.none(len(products))

    def variant(self, update: Mapping[str, Any]) -> RecommendEngine:
        """This engine with some recommendation settings changed (an experiment's variant):
        the same fitted models, shared; ``weights`` re-weighs the blend's fitted parts (a
        part the build did not fit cannot be weighed in, one not named weighs 0)."""
        if not update:
            return self
        out = copy.copy(self)
        out.config = RecommendConfig.model_validate({**self.config.model_dump(), **update})
        if "weights" in update:
            model = copy.copy(self.model)
            weights = update["weights"] or {}
            model.weights = {n: float(weights.get(n, 0.0)) for n in model.components}
            out.model = model
        return out

    # -- fitting ------------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        store: Store,
        events: EventsConfig,
        config: RecommendConfig,
        vectors: tuple[Sequence[str], np.ndarray] | None = None,
        fitted: Hybrid | None = None,
        products: list[Product] | None = None,
        interactions: Interactions | None = None,
        together: sp.csr_matrix | None = None,
        prefit: Mapping[str, Recommender] | None = None,
    ) -> RecommendEngine:
        """Fit on every stored event; ``vectors`` are (ids, rows) from the text encoder.

        ``fitted`` (from the current build, for the same products) skips the model fitting;
        popularity and shared baskets are still read from the events. ``products`` saves
        reading the catalog again when the caller has it. ``interactions`` (over these
        products first) and ``together`` (products x products) computed elsewhere, e.g. by
        the Spark build, are taken as they are instead of being computed here, and so are
        the models in ``prefit`` (by blend name, fitted over these products).
        """
        prefit = dict(prefit or {})
        if products is None:
            products = store.all_products()
        ids = [p.id for p in products]
        row = {pid: i for i, pid in enumerate(ids)}
        n = len(ids)
        seqs: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        baskets: dict[tuple[str, str], set[int]] = defaultdict(set)
        purchases: list[tuple[str, int, str]] = []
        for batch in store.iter_events():
            for e in batch:
                i = row.get(e.item_id or "")
                if i is None:
                    continue
                w = event_weight(e, events.weights)
                if w > 0:
                    seqs[e.visitor][0].append(i)
                    seqs[e.visitor][1].append(w)
                if e.type in ("cart", "purchase"):
                    order = e.session_id or str(int((e.ts or 0.0) // _DAY))
                    if together is None:
                        baskets[(e.visitor, order)].add(i)
                    if e.type == "purchase":
                        purchases.append((e.visitor, i, order))
        train = Histories(
            [np.asarray(s[0], dtype=np.int64) for s in seqs.values()],
            [np.asarray(s[1], dtype=np.float32) for s in seqs.values()],
        )
        inter = interactions or build_interactions(store.iter_events(), events, items=ids)
        trending = np.log1p(inter.popularity()[:n])
        item_vectors = None
        if vectors is not None and n:
            vids, rows = vectors
            item_vectors = np.zeros((n, rows.shape[1]), dtype=np.float32)
            for j, pid in enumerate(vids):
                if pid in row:
                    item_vectors[row[pid]] = rows[j]
        parts: dict[str, Recommender] = {}
        cw = config.weights
        if cw.get("ease", 0) > 0 and n <= config.max_ease_products:
            parts["ease"] = EASE(l2=config.ease_l2, recency=config.recency)
        elif cw.get("ease", 0) > 0 or cw.get("itemknn", 0) > 0:
            parts["itemknn"] = ItemKNN(recency=config.recency)
        if cw.get("als", 0) > 0:
            parts["als"] = Factors(factors=config.als_factors, iterations=config.als_iterations)
        for name, model in prefit.items():
            if name in parts and model.n_items == n:
                parts[name] = model
            else:
                logger.warning("a prefitted %s over %d products does not fit here", name, n)
        if cw.get("transitions", 0) > 0:
            parts["transitions"] = Transitions()
        if cw.get("content", 0) > 0 and item_vectors is not None:
            parts["content"] = Content()
        if cw.get("popular", 0) > 0:
            parts["popular"] = Popular()
        sequences = sum(len(h) >= 2 for h in train.items)
        if cw.get("sequential", 0) > 0 and sequences >= config.sequential_min_visitors:
            parts["sequential"] = Sequential(max_seconds=config.sequential_seconds, progress=False)
        weights = {name: cw.get(name, cw.get("ease", 0.0)) for name in parts}
        model = Hybrid(parts, weights)
        if fitted is not None and fitted.n_items == n and set(fitted.components) == set(parts):
            model = fitted
            model.weights = weights
            parts = dict(model.components)
        elif n:
            model.fit(train, n, item_vectors, keep=set(prefit) & set(parts))
            if "popular" in parts:
                pop = parts["popular"]
                assert isinstance(pop, Popular)
                pop.counts = np.expm1(trending).astype(np.float32)
        if together is None:
            together = cls._baskets(baskets.values(), n)
        rebuy = (
            Rebuy.learn(purchases, n, config.rebuy_min_rate)
            if config.buy_again > 0
            else Rebuy.none(n)
        )
        logger.info(
            "recommendations fitted: %d products, %d visitors, models %s",
            n,
            len(train),
            ", ".join(parts),
        )
        return cls(model, products, trending, together, events, config, rebuy)

    @staticmethod
    def _baskets(baskets: Iterable[set[int]], n: int) -> sp.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        for basket in baskets:
            items = sorted(basket)
            for a in items:
                for b in items:
                    if a != b:
                        rows.append(a)
                        cols.append(b)
        ones = np.ones(len(rows), dtype=np.float32)
        m = sp.csr_matrix((ones, (rows, cols)), shape=(n, n), dtype=np.float32)
        m.sum_duplicates()
        return m

    # -- a visitor's events -------------------------------------------------------------------
    @property
    def _strongest(self) -> float:
        """The weight of "more like this": the strongest event type's."""
        return max(self.events.weights.values(), default=1.0)

    @property
    def history_types(self) -> tuple[str, ...]:
        """The event types a visitor's history is made of (the others weigh nothing here):
        serving reads only these, so impressions and searches do not crowd the window."""
        weighed = [t for t, w in self.events.weights.items() if w > 0]
        return tuple(sorted({*weighed, "not_interested", "more_like_this"}))

    def history(self, events: Sequence[StoredEvent]) -> VisitorHistory:
        """Usable history from a visitor's events (any order; sorted oldest first)."""
        ordered = sorted(events, key=lambda e: (e.ts or 0.0, e.seq))
        h = VisitorHistory([], [], [], set(), set())
        for e in ordered:
            i = self.row.get(e.item_id or "")
            if i is None:
                continue
            if e.type == "not_interested":
                h.hidden.add(i)
                continue
            w = (
                self._strongest
                if e.type == "more_like_this"
                else event_weight(e, self.events.weights)
            )
            if w <= 0:
                continue
            h.hidden.discard(i)
            h.items.append(i)
            h.weights.append(w)
            h.kinds.append(e.type)
            h.visitor = e.visitor
            if e.type == "purchase":
                h.bought.add(i)
                order = e.session_id or str(int((e.ts or 0.0) // _DAY))
                h.orders.setdefault(i, set()).add(order)
        return h

    # -- serving ------------------------------------------------------------------------------
    def _allowed(self, filters: Filters) -> np.ndarray:
        ok = np.ones(len(self.ids), dtype=bool)
        if filters.in_stock:
            ok &= self.in_stock
        if filters.category:
            root = filters.category
            ok &= np.array([c == root or c.startswith(root + " > ") for c in self.categories])
        if filters.price_min is not None:
            ok &= self.price >= filters.price_min
        if filters.price_max is not None:
            ok &= self.price <= filters.price_max
        return ok

    def excluded(self, events: Sequence[StoredEvent]) -> frozenset[str]:
        """The products left out of this visitor's lists: hidden, and bought (or seen, per
        ``recommend.exclude``)."""
        return frozenset(self.ids[i] for i in self._excluded(self.history(events)))

    def _excluded(self, h: VisitorHistory) -> set[int]:
        out = set(h.hidden)
        if self.config.exclude == "seen":
            out.update(h.items)
        elif self.config.exclude == "purchased":
            repeat = self.config.repeat_categories
            out.update(
                i
                for i in h.bought
                if not _under(self.categories[i], repeat) and not self._again_ok(i)
            )
        return out

    def _again_ok(self, i: int) -> bool:
        return self.config.buy_again > 0 and self.rebuy.rebuyable(i)

    def _again(self, h: VisitorHistory) -> dict[int, int]:
        """Orders per product the visitor may buy again (none when buy-again is off)."""
        if self.config.buy_again <= 0 or not h.bought:
            return {}
        return self.rebuy.counts(h.visitor, h.orders)

    def _top(self, scores: np.ndarray, allowed: np.ndarray, k: int) -> list[int]:
        """The ``k`` best allowed products, at most ``max_per_category`` per leaf category:
        exactly the head of a stable sort, from a partial one (a full sort of the catalog
        cost a tenth of a request)."""
        scores = np.where(allowed, scores, -np.inf)
        cap = self.config.max_per_category
        want = 4 * k
        while True:
            order = _head(scores, want)
            taken: dict[str, int] = defaultdict(int)
            out: list[int] = []
            for i in order:
                if not np.isfinite(scores[i]) or len(out) >= k:
                    return out
                leaf = self.categories[i].split(" > ")[-1]
                if cap and taken[leaf] >= cap:
                    continue
                taken[leaf] += 1
                out.append(int(i))
            if len(order) >= len(scores):
                return out
            want *= 4  # the category cap skipped too many: look further down

    def recommend(
        self,
        events: Sequence[StoredEvent],
        k: int = 10,
        filters: Filters | None = None,
        reorder: Reorder | None = None,
        candidates: int = 200,
    ) -> list[Pick]:
        """The best ``k`` products for a visitor with these events (newest or any order).

        With ``reorder`` (the ranker), the top ``candidates`` go through it and each pick's
        reasons gain its branch.
        """
        filters = filters or Filters()
        h = self.history(events)
        allowed = self._allowed(filters)
        excluded = self._excluded(h)
        if excluded:
            allowed[list(excluded)] = False
        new = not h.items or not self.model.components
        if new:
            total = self.trending.copy()
            parts: dict[str, np.ndarray] = {}
        else:
            parts, total = self._blend(h)
        again = self._again(h)
        if again and allowed.any():
            # the blend scaled to 0..1 over what may be shown, plus buy-again's orders × rate
            # (best 1) weighed: at weight 1 the visitor's most bought product ties the best
            low, high = float(total[allowed].min()), float(total[allowed].max())
            total = (total - low) / (high - low) if high > low else np.zeros_like(total)
            total = total + self.config.buy_again * self.rebuy.scores(again)
        top = self._top(total, allowed, max(k, candidates) if reorder else k)
        staged: list[Node | None] = [None] * k
        if reorder is not None and top:
            order, extra = reorder([self.ids[i] for i in top], k)
            top = [top[j] for j in order]
            staged[: len(extra)] = extra
        picks = []
        pushes = {} if new else self._pushes(h, top[:k], parts)
        for i, node in zip(top[:k], staged, strict=False):
            if new:
                pick = self._trending_pick(i, "new visitor: trending now")
            else:
                pick = self._pick(i, float(total[i]), h, parts, pushes)
            if i in again:
                pick.reasons.children.insert(0, self._again_node(i, again[i]))
            if node is not None:
                pick.reasons.children.append(node)
            picks.append(pick)
        return picks

    def _blend(
        self, h: VisitorHistory, skip: tuple[str, ...] = ()
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Each weighted model's standardised scores for one visitor, and their weighted sum.

        Visitors scored at the same moment (the server's threads) share one call of every
        model (:func:`_parts_batch`): each model reads its weights once for the batch. A
        row's scores do not depend on the batch (``rows_product``; the sparse models score
        row by row)."""
        row = (np.asarray(h.items, dtype=np.int64), np.asarray(h.weights, dtype=np.float32))
        batched = coalescer_for(self.model, "parts", _parts_batch)(row)
        parts = {n: p for n, p in batched.items() if n not in skip}
        total = np.zeros(len(self.ids), dtype=np.float32)
        for name, part in parts.items():
            total += self.model.weights[name] * part
        return parts, total

    def _again_node(self, i: int, orders: int) -> Node:
        rate = float(self.rebuy.rate[i])
        node = Node("buy again", round(self.config.buy_again * orders * rate, 4))
        node.add(f"you bought it in {orders} order{'s' if orders != 1 else ''}", orders)
        node.add(f"{rate:.0%} of its buyers buy it again", round(rate, 4))
        return node

    def _trending_pick(self, i: int, why: str) -> Pick:
        root = Node("recommended", float(self.trending[i]))
        root.add("trending", float(self.trending[i])).add(why)
        p = self.products[i]
        return Pick(p.id, p.title, float(self.trending[i]), root, p)

    def _pick(
        self,
        i: int,
        score: float,
        h: VisitorHistory,
        parts: dict[str, np.ndarray],
        pushes: Mapping[str, Mapping[int, np.ndarray]],
        lead: str | None = None,
    ) -> Pick:
        """A pick with its reasons: each signal that pushed it up, and from which products
        (``pushes``: :meth:`_pushes` for the picks, ``i`` among them)."""
        root = Node("recommended", round(score, 4))
        for name, part in sorted(parts.items(), key=lambda kv: -self.model.weights[kv[0]]):
            share = float(self.model.weights[name] * part[i])
            if share <= 0:
                continue
            node = root.add(SIGNALS.get(name, name), round(share, 4))
            for src, value in self._sources(name, i, h, pushes.get(name)):
                verb = lead or "because you " + VERBS.get(h.kinds[src], h.kinds[src])
                title = self.products[h.items[src]].title
                node.add(f"{verb} {title}", None if value is None else round(value, 4))
        p = self.products[i]
        return Pick(p.id, p.title, score, root, p)

    def _pushes(
        self, h: VisitorHistory, targets: Sequence[int], parts: Iterable[str]
    ) -> dict[str, dict[int, np.ndarray]]:
        """Per model of ``parts`` that relates products pairwise, how much each of the
        visitor's events pushes each target up: one lookup per model for all the picks (a
        lookup per pick cost a fifth of a request)."""
        items = np.asarray(h.items)
        n, cols = len(items), np.asarray(targets, dtype=np.int64)
        out: dict[str, dict[int, np.ndarray]] = {}
        for name in parts:
            model = self.model.components[name]
            if isinstance(model, EASE):
                relation = model.weights[np.ix_(items, cols)]
            elif isinstance(model, ItemKNN):
                relation = model.sim[items][:, cols].toarray()
            elif isinstance(model, Transitions):
                relation = model.adjacency[items][:, cols].toarray()
            elif isinstance(model, Content):
                relation = model.vectors[items] @ model.vectors[cols].T
            else:
                continue
            recency = getattr(model, "recency", 1.0) ** np.arange(n - 1, -1, -1)
            pushed = (np.asarray(h.weights) * recency)[:, None] * relation
            out[name] = {int(t): pushed[:, j] for j, t in enumerate(cols)}
        return out

    def _sources(
        self,
        name: str,
        target: int,
        h: VisitorHistory,
        pushes: Mapping[int, np.ndarray] | None,
    ) -> list[tuple[int, float | None]]:
        """The visitor's events that push ``target`` up most under one model (``pushes``:
        the model's :meth:`_pushes`, None for a model that relates no products pairwise)."""
        model = self.model.components[name]
        items = np.asarray(h.items)
        if pushes is not None and target in pushes:
            contrib = pushes[target]
        elif isinstance(model, Factors):
            contrib = model.contributions(items, np.asarray(h.weights), target)
        elif isinstance(model, Sequential):
            return [(len(items) - 1, None)]  # it reads the whole sequence; the newest product
        else:
            return []
        best: dict[int, tuple[int, float | None]] = {}
        for pos in np.argsort(-contrib, kind="stable"):
            if contrib[pos] <= 0:
                break
            item = int(items[pos])
            if item != target and item not in best:  # never "because you viewed" itself
                best[item] = (int(pos), float(contrib[pos]))
        return list(best.values())[:3]

    def _item(self, item_id: str) -> int:
        i = self.row.get(item_id)
        if i is None:
            raise NotFound(f"no product {item_id!r}; check the id (GET /products lists them)")
        return i

    def similar(self, item_id: str, k: int = 10, filters: Filters | None = None) -> list[Pick]:
        """Products most like one product: co-behaviour and text, blended."""
        i = self._item(item_id)
        allowed = self._allowed(filters or Filters())
        allowed[i] = False
        h = VisitorHistory([i], [self._strongest], ["more_like_this"], set(), set())
        parts, total = self._blend(h, skip=("popular",))
        if not parts:
            return []
        picks = []
        top = self._top(total, allowed, k)
        pushes = self._pushes(h, top, parts)
        for j in top:
            pick = self._pick(j, float(total[j]), h, parts, pushes, lead="like")
            pick.reasons.label = "similar"
            picks.append(pick)
        return picks

    def _neighbours(self, i: int, k: int) -> list[Pick]:
        """Fallback for too few shared baskets: text neighbours, else co-behaviour ones."""
        content = self.model.components.get("content")
        if not isinstance(content, Content):
            picks = self.similar(self.ids[i], k)
            for pick in picks:
                pick.reasons.label = "bought together"
                pick.reasons.children.insert(0, Node("too few shared baskets: similar products"))
            return picks
        sims = content.vectors @ content.vectors[i]
        sims[i] = -np.inf
        out = []
        for j in _head(sims, k)[:k]:
            p = self.products[int(j)]
            root = Node("bought together", None)
            root.add("text similarity (too few shared baskets)", round(float(sims[j]), 4))
            out.append(Pick(p.id, p.title, float(sims[j]), root, p))
        return out

    def bought_together(self, item_id: str, k: int = 10) -> list[Pick]:
        """Products carted or bought in the same visit, then (new products) text neighbours."""
        i = self._item(item_id)
        at, end = self.together.indptr[i], self.together.indptr[i + 1]
        cols, counts = self.together.indices[at:end], self.together.data[at:end]
        if len(cols) > k:  # a popular product has thousands of partners: sort only the top
            keep = np.flatnonzero(counts >= np.partition(counts, len(counts) - k)[-k])
            cols, counts = cols[keep], counts[keep]
        order = np.lexsort((cols, -counts))[:k]  # most baskets first, ties by catalog row
        picks: list[Pick] = []
        for j, count in zip(cols[order].tolist(), counts[order].tolist(), strict=True):
            p = self.products[j]
            root = Node("bought together", count)
            root.add("carted or bought in the same visit", count).add(
                f"with {self.products[i].title}"
            )
            picks.append(Pick(p.id, p.title, float(count), root, p))
        if len(picks) < k:
            seen = {self.row[p.id] for p in picks} | {i}
            for pick in self._neighbours(i, k + len(seen)):
                if len(picks) >= k:
                    break
                if self.row[pick.id] not in seen:
                    picks.append(pick)
        return picks
