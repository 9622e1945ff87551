"""Keeping recommendations current: refit in the background after catalog changes or a
new build.

Visitors' own events need no refit (they are read at every request); a new product needs
one so that the models know its index. Readers always see a whole engine, old or new.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from shopmind.errors import StoreError
from shopmind.recommend.engine import RecommendEngine
from shopmind.refresh import Refresher

logger = logging.getLogger(__name__)


class LiveRecommend:
    """The current :class:`RecommendEngine`, refitted in a background thread on demand.

    ``version`` names the current build (e.g. its id); when it changes (a new ``shopmind
    build``, checked at most every ``every`` seconds), the engine is refitted in the
    background, which loads the new build's models.
    """

    def __init__(
        self,
        fit: Callable[[], RecommendEngine],
        version: Callable[[], object] = lambda: None,
        every: float = 1.0,
    ) -> None:
        self._fit = fit
        self._version = version
        self._seen = version()
        self._every = every
        self._checked = time.monotonic()
        self._engine = fit()
        self._refresher = Refresher(self._refit, "recommend-refit")
        self.generation = 0

    @property
    def engine(self) -> RecommendEngine:
        """The engine to answer with now (a newer build starts a refit in the background)."""
        now = time.monotonic()
        if now - self._checked >= self._every:
            self._checked = now
            try:
                current = self._version()
            except StoreError as err:  # a store server away: serve what is fitted
                logger.warning("recommendations keep their fit; the store cannot be read: %s", err)
                return self._engine
            if current != self._seen:
                self._seen = current
                self._refresher.request()
        return self._engine

    def refresh(self) -> None:
        """Refit soon; calls during a refit cause one more refit, not one each.

        The version now current counts as seen: the change this call is about (e.g. this
        process's catalog write, which also raises the version) needs no second refit."""
        self._seen = self._version()
        self._refresher.request()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no refit is pending (tests, shutdown); False on timeout."""
        return self._refresher.wait(timeout)

    def _refit(self) -> None:
        self._engine = self._fit()
        self.generation += 1
