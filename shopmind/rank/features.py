"""Ranking features of a shop: visitor profile, product, their crosses and the context.

Training and serving build every row through the same :meth:`ShopFeatures.values`, from a
:class:`VisitorState` grown event by event, so a served row means what a trained row meant:

* **visitor**: the visitor id, their last products (the history the model attends over),
  affinity of their past products to the candidate's category, brand and language (a zh/en
  shop's visitors keep to one), the gap between
  the candidate's price and their usual price (log), hours since their last event, their
  event count and click rate;
* **product**: id, leaf and top category, the category path, brand, price band, language,
  its impressions and click rate so far, how often it was bought or carted;
* **crosses**: the cosine between the candidate's text vector and the visitor's recent
  products' mean vector;
* **context**: device, hour of day, page. The position is kept apart: the model uses it in
  training only (:mod:`shopmind.rank.model`).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from shopmind.catalog import Product, detect_language
from shopmind.events import StoredEvent

VISITOR_CATS = ("visitor", "device", "hour", "page")
PRODUCT_CATS = ("item", "category", "top_category", "brand", "price_band", "language")
CATS = VISITOR_CATS + PRODUCT_CATS
VISITOR_NUMS = ("visitor_events", "visitor_click_rate", "hours_since_last")
PRODUCT_NUMS = ("item_impressions", "item_click_rate", "item_sales")
CROSS_NUMS = (
    "category_affinity",
    "brand_affinity",
    "language_affinity",
    "price_gap",
    "text_similarity",
)
NUMS = VISITOR_NUMS + PRODUCT_NUMS + CROSS_NUMS
PASSIVE = frozenset({"impression", "ad_impression", "search"})  # shown to, not done by, them
KINDS = {"view": 1, "click": 1, "rating": 1, "more_like_this": 1, "cart": 2, "purchase": 3}
_SMOOTH = 10.0  # pseudo-impressions at the shop's click rate in every running click rate


@dataclass
class VisitorState:
    """What a visitor did so far, grown one event at a time."""

    recent: deque[tuple[str, int]]
    categories: Counter[str] = field(default_factory=Counter)
    brands: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    log_price_sum: float = 0.0
    priced: int = 0
    events: int = 0
    touched: int = 0  # events that met a known product (view, click, cart, purchase...)
    impressions: int = 0
    clicks: int = 0
    last_ts: float | None = None


@dataclass
class ProductStats:
    """Running counts per product (a snapshot of them is saved with a trained ranker)."""

    impressions: Counter[str] = field(default_factory=Counter)
    clicks: Counter[str] = field(default_factory=Counter)
    sales: Counter[str] = field(default_factory=Counter)
    shop_ctr: float = 0.1


@dataclass
class Row:
    """One row's raw values, before coding."""

    cats: list[str]
    path: list[str]
    nums: list[float]


def category_path(category: str | None) -> list[str]:
    """A category and each of its ancestors: ``a``, ``a > b``, ``a > b > c``."""
    if not category:
        return []
    parts = [p.strip() for p in category.split(">")]
    return [" > ".join(parts[: i + 1]) for i in range(len(parts))]


class ShopFeatures:
    """Builds rows for (visitor state, product, context) over one catalog."""

    def __init__(
        self,
        products: Iterable[Product],
        vectors: tuple[list[str], np.ndarray] | None = None,
        history: int = 10,
    ) -> None:
        self.products = {p.id: p for p in products}
        # a catalog without a language column still has zh and en titles
        self.languages = {
            p.id: p.language or detect_language(f"{p.title} {p.description or ''}")
            for p in self.products.values()
        }
        self.history = history
        self._row_of: dict[str, int] = {}
        self._vectors: np.ndarray | None = None
        if vectors is not None:
            ids, matrix = vectors
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._vectors = (matrix / np.maximum(norms, 1e-9)).astype(np.float32)
            self._row_of = {pid: i for i, pid in enumerate(ids)}

    def new_state(self) -> VisitorState:
        """An empty visitor."""
        return VisitorState(recent=deque(maxlen=max(1, self.history)))

    def update(self, state: VisitorState, stats: ProductStats | None, event: StoredEvent) -> None:
        """Grow ``state`` (and ``stats``, when given) by one event.

        What the shop showed (impressions, ad impressions) and searches are not the
        visitor's actions: they do not count as events nor move the last-seen time, so a
        page's own search and impressions, which serving has not seen yet when it ranks,
        do not make a trained row look different from a served one.
        """
        item = event.item_id
        if event.type in PASSIVE:
            if event.type == "impression" and item is not None:
                state.impressions += 1
                if stats is not None:
                    stats.impressions[item] += 1
            return
        state.events += 1
        if event.ts is not None:
            state.last_ts = event.ts
        if item is None:
            return
        if event.type == "click":
            state.clicks += 1
            if stats is not None:
                stats.clicks[item] += 1
        if event.type in ("cart", "purchase") and stats is not None:
            stats.sales[item] += 1
        kind = KINDS.get(event.type)
        product = self.products.get(item)
        if kind is None or product is None:
            return
        state.recent.append((item, kind))
        state.touched += 1
        for path in category_path(product.category):
            state.categories[path] += 1
        if product.brand:
            state.brands[product.brand] += 1
        state.languages[self.languages[item]] += 1
        if product.price:
            state.log_price_sum += math.log1p(product.price)
            state.priced += 1

    def state_of(self, events: Sequence[StoredEvent]) -> VisitorState:
        """A visitor's state from their stored events (any order)."""
        state = self.new_state()
        for event in sorted(events, key=lambda e: (e.ts or 0.0, e.seq)):
            self.update(state, None, event)
        return state

    def profile(self, state: VisitorState) -> np.ndarray | None:
        """The visitor's recent products' mean text vector (unit length), if any."""
        if self._vectors is None:
            return None
        rows = [self._row_of[i] for i, _ in state.recent if i in self._row_of]
        if not rows:
            return None
        mean = self._vectors[rows].mean(0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else None

    def visitor_part(
        self, visitor: str, state: VisitorState, stats: ProductStats, context: dict[str, str],
        now: float | None,
    ) -> tuple[list[str], list[float]]:  # fmt: skip
        """The visitor's and the context's values (the same for every candidate)."""
        hour = "" if now is None else str(datetime.fromtimestamp(now, UTC).hour)
        since = 0.0 if state.last_ts is None or now is None else max(0.0, now - state.last_ts)
        cats = [visitor, context.get("device", ""), hour, context.get("page", "1")]
        nums = [
            math.log1p(state.events),
            (state.clicks + _SMOOTH * stats.shop_ctr) / (state.impressions + _SMOOTH),
            math.log1p(since / 3_600),
        ]
        return cats, nums

    def product_part(
        self, stats: ProductStats, item: str
    ) -> tuple[list[str], list[str], list[float]]:
        """The product's values: its coded fields, its category path and its counts."""
        product = self.products.get(item)
        category = (product.category if product else None) or ""
        price = product.price if product and product.price is not None else None
        path = category_path(category)
        cats = [
            item,
            category,
            path[0] if path else "",
            (product.brand if product else None) or "",
            "" if price is None else str(round(math.log2(1 + price))),
            self.languages.get(item, ""),
        ]
        shows = stats.impressions.get(item, 0)
        nums = [
            math.log1p(shows),
            (stats.clicks.get(item, 0) + _SMOOTH * stats.shop_ctr) / (shows + _SMOOTH),
            math.log1p(stats.sales.get(item, 0)),
        ]
        return cats, path, nums

    def cross_part(self, state: VisitorState, item: str, profile: np.ndarray | None) -> list[float]:
        """How the product meets the visitor: category and brand affinity, price gap and the
        text similarity to their recent products."""
        product = self.products.get(item)
        category = (product.category if product else None) or ""
        brand = (product.brand if product else None) or ""
        language = self.languages.get(item, "")
        touched = max(state.touched, 1)
        gap = 0.0
        if product is not None and product.price is not None and state.priced:
            gap = abs(math.log1p(product.price) - state.log_price_sum / state.priced)
        similarity = 0.0
        if profile is not None and self._vectors is not None and item in self._row_of:
            similarity = float(self._vectors[self._row_of[item]] @ profile)
        return [
            state.categories.get(category, 0) / touched if category else 0.0,
            state.brands.get(brand, 0) / touched if brand else 0.0,
            state.languages.get(language, 0) / touched if language else 0.0,
            gap,
            similarity,
        ]

    def values(
        self,
        visitor: str,
        state: VisitorState,
        stats: ProductStats,
        item: str,
        context: dict[str, str],
        now: float | None,
        profile: np.ndarray | None,
    ) -> Row:
        """The raw values of one row (see the module docstring)."""
        v_cats, v_nums = self.visitor_part(visitor, state, stats, context, now)
        p_cats, path, p_nums = self.product_part(stats, item)
        return Row(v_cats + p_cats, path, v_nums + p_nums + self.cross_part(state, item, profile))
