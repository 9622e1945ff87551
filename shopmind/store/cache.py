"""Products read back for answers, kept in memory while the catalog does not change.

Every search answer reads its page's products from the store (their current price and
stock, not the build's); on HomeDepot that read was a fifth of a lexical search's CPU. A
:class:`ProductCache` keeps what it read and asks the store only for the catalog's version
(one tiny query) until a write changes it; then it forgets everything. So an answer is as
fresh as a read of the store, at the cost of a version check.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from shopmind.catalog import Product
from shopmind.errors import StoreUnavailable
from shopmind.store.base import Store

MAX_PRODUCTS = 200_000  # more than this kept: start again (a catalog scan, not a page read)


class ProductCache:
    """``store.get_products`` with memory: call it with ids, get ``{id: Product}``."""

    def __init__(self, store: Store, max_products: int = MAX_PRODUCTS) -> None:
        self._store = store
        self._max = max_products
        self._lock = threading.Lock()
        self._version: int | None = None
        self._known: dict[str, Product | None] = {}  # None: not in the catalog

    def __call__(self, ids: Sequence[str]) -> dict[str, Product]:
        try:
            version = self._store.catalog_version()
        except StoreUnavailable:  # the store's own read answers from what it last read
            return self._store.get_products(ids)
        with self._lock:
            if version != self._version or len(self._known) > self._max:
                self._version, self._known = version, {}
            known = self._known
        missing = [i for i in ids if i not in known]
        if missing:
            found = self._store.get_products(missing)
            with self._lock:
                # rows read after the version check are at least that new; a write since
                # raised the version, and the next call starts again
                if self._known is known:
                    for i in missing:
                        known[i] = found.get(i)
            return {i: p for i in ids if (p := found.get(i) or known.get(i)) is not None}
        return {i: p for i in ids if (p := known.get(i)) is not None}
