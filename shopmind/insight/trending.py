"""What is trending, as a recommendation list (``GET /recommend?kind=trending``).

The products whose recent activity (views, clicks, carts and purchases, a purchase
weighing its quantity) rose significantly against their own baseline
(:func:`shopmind.insight.trends.trends`), strongest rise (z) first; each pick's reasons tree
says ``trending: +X% vs its baseline`` with the counts and the test behind it. The list
holds only significant risers, so it may be shorter than asked, or empty.

Trends read the whole event log, so :class:`TrendingProducts` keeps the last answer and
computes again only when the store holds new events and ``min_age_s`` has passed.

Example::

    trending = TrendingProducts(store)
    picks = trending.picks(10, Filters(in_stock=True))
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shopmind.explain.tree import Node
from shopmind.insight.eventlog import read_log
from shopmind.insight.trends import SIGNALS, Trend, trends
from shopmind.recommend.engine import Filters, Pick
from shopmind.store import Store


def trend_reasons(t: Trend, window: int, baseline: int) -> Node:
    """The reasons tree of a trending product."""
    root = Node("recommended", round(t.z, 4))
    if t.change_pct is None:
        node = root.add(f"trending: new (nothing in the {baseline} days before)", t.recent)
    else:
        node = root.add(f"trending: {t.change_pct:+.0f}% vs its baseline", t.ratio)
    node.add(f"last {window} days: views, clicks, carts and units bought", t.recent)
    node.add(f"expected from the {baseline} days before", t.expected)
    node.add("z (exact Poisson-rate test)", t.z)
    node.add("q (Benjamini-Hochberg)", t.q)
    weekly = node.add("weekly, oldest first")
    for w in t.weekly:
        weekly.add("week", w)
    return root


class TrendingProducts:
    """The significantly rising products of a store, cached between event changes.

    Args:
        store: the store whose events are read.
        window: the recent window in days.
        baseline: the baseline before it in days.
        min_age_s: a cached list younger than this is kept even if events arrived.
        clock: the time source (tests pass their own).
    """

    def __init__(
        self,
        store: Store,
        window: int = 7,
        baseline: int = 28,
        min_age_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.window = window
        self.baseline = baseline
        self.min_age_s = min_age_s
        self.clock = clock
        self._lock = threading.Lock()
        self._rising: list[Trend] = []
        self._events = -1
        self._at = float("-inf")
        self.baseline_used = baseline

    def rising(self) -> list[Trend]:
        """The rising products, computed again when events changed and the list is old."""
        with self._lock:
            if self.clock() - self._at >= self.min_age_s or self._events < 0:
                count = self.store.count_events()
                if count != self._events:
                    report = trends(
                        read_log(self.store),
                        self.store.all_products(),
                        window=self.window,
                        baseline=self.baseline,
                        signal=SIGNALS,
                        top=1_000,
                    )
                    self._rising = report.rising["products"]
                    self.baseline_used = report.baseline
                    self._events = count
                self._at = self.clock()
            return self._rising

    def picks(self, k: int, filters: Filters | None = None) -> list[Pick]:
        """The ``k`` strongest risers that are catalog products passing ``filters``."""
        filters = filters or Filters()
        rising = self.rising()
        products = self.store.get_products([t.key for t in rising])
        out: list[Pick] = []
        for t in rising:
            product = products.get(t.key)
            if product is None or not filters.matches(product):
                continue
            reasons = trend_reasons(t, self.window, self.baseline_used)
            out.append(Pick(product.id, product.title, t.z, reasons, product))
            if len(out) == k:
                break
        return out
