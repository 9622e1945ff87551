"""Keeping search current while the catalog changes, without ``shopmind build``.

A catalog write marks the index stale; a background thread re-indexes the store in memory
(product vectors come from the vector cache, so only new or changed products are encoded)
and swaps the new engine in atomically. Readers always see a whole engine, old or new;
until the swap, hits for products deleted meanwhile are already dropped by the store
lookup. Writes that arrive during a re-index cause one more re-index, not one each.

A new build (``shopmind build``, or a tuned encoder activated) is noticed within
``every`` seconds and loaded in the background the same way, so a model change swaps the
product vectors and the query encoder together: serving never mixes two models.

Several server processes can serve one store (``serve.workers``): a catalog write reaches
the process that took it at once, and the others within ``every`` seconds, through the
store's catalog version (:meth:`Store.catalog_version`), which every product write raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from shopmind.config import SearchConfig
from shopmind.errors import StoreError
from shopmind.refresh import Refresher
from shopmind.search.engine import SearchEngine
from shopmind.store import Store
from shopmind.store.cache import ProductCache

logger = logging.getLogger(__name__)


class LiveSearch:
    """The current search engine, re-indexed in the background after catalog writes.

    Args:
        engine: the engine to serve first (e.g. from the current build).
        store: where the current catalog is read from.
        config: the search settings.
        cache: the vector cache folder.
        reload: opens the current build's engine (called when ``version`` changes).
        version: names the current build; checked at most every ``every`` seconds.
        catalog: the store's catalog version (checked as often); a change made by another
            process re-indexes here too.
        catalog_at: the catalog version ``engine`` was made from, read before it was (a
            write in between then re-indexes); by default read now.
    """

    def __init__(
        self,
        engine: SearchEngine,
        store: Store,
        config: SearchConfig,
        cache: Path | None,
        reload: Callable[[], SearchEngine] | None = None,
        version: Callable[[], object] = lambda: None,
        every: float = 1.0,
        catalog: Callable[[], int] = lambda: 0,
        catalog_at: int | None = None,
    ) -> None:
        self._engine = engine
        self._catalog = catalog
        self._catalog_seen = catalog() if catalog_at is None else catalog_at
        self._store = store
        self._lookup = ProductCache(store)
        self._config = config
        self._cache = cache
        self._reload = reload
        self._version = version
        self._seen = version()
        self._every = every
        self._checked = time.monotonic()
        self._new_build = False
        self._refresher = Refresher(self._refresh, "search-reindex")
        self.generation = 0

    @property
    def engine(self) -> SearchEngine:
        """The engine to answer with now (a newer build is loaded in the background)."""
        now = time.monotonic()
        if now - self._checked >= self._every:
            self._checked = now
            try:
                current = self._version() if self._reload is not None else self._seen
                if current != self._seen:  # without a reload there is no build to look at
                    self._seen = current
                    self._new_build = True
                    self._refresher.request()
                self.sync()  # another process may have written to the catalog
            except StoreError as err:  # a store server away: serve what is loaded
                logger.warning("search keeps its index; the store cannot be read: %s", err)
        return self._engine

    def sync(self) -> None:
        """Check the catalog version now (not at the next poll): a re-index starts if another
        process changed the catalog since. Call :meth:`wait` after it to use the new index."""
        catalog = self._catalog()
        if catalog != self._catalog_seen:
            self._catalog_seen = catalog
            self._refresher.request()

    def catalog_changed(self) -> None:
        """Mark the index stale and make sure a background re-index will pick it up."""
        self._catalog_seen = self._catalog()  # this write needs no second re-index
        self._refresher.request()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no re-index is pending (tests, shutdown); False on timeout."""
        return self._refresher.wait(timeout)

    def _refresh(self) -> None:
        if self._new_build and self._reload is not None:
            self._new_build = False
            self._swap(self._reload())
        else:
            self._swap(self._reindex())

    def _reindex(self) -> SearchEngine:
        products = self._store.all_products()
        old = self._engine
        encoder = old.dense.encoder if old.dense is not None else None
        popularity = {pid: float(v) for pid, v in zip(old.index.ids, old.popularity, strict=True)}
        return SearchEngine.from_products(
            products,
            popularity,
            encoder=encoder,
            config=self._config,
            cache=self._cache,
            lookup=self._lookup,
            trained=old.dense.ann if old.dense is not None else None,
        )

    def _swap(self, engine: SearchEngine) -> None:
        self._engine = engine
        self.generation += 1
        logger.info("search index swapped: %d products", len(engine.index.ids))
