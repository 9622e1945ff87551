"""Keeping recommendations current: refit in the background after catalog or bulk changes.

Visitors' own events need no refit (they are read at every request); a new product needs
one so that the models know its index. Readers always see a whole engine, old or new.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from shopmind.recommend.engine import RecommendEngine

logger = logging.getLogger(__name__)


class LiveRecommend:
    """The current :class:`RecommendEngine`, refitted in a background thread on demand."""

    def __init__(self, fit: Callable[[], RecommendEngine]) -> None:
        self._fit = fit
        self._engine = fit()
        self._lock = threading.Lock()
        self._stale = False
        self._worker: threading.Thread | None = None
        self.generation = 0

    @property
    def engine(self) -> RecommendEngine:
        """The engine to answer with now."""
        return self._engine

    def refresh(self) -> None:
        """Refit soon; calls during a refit cause one more refit, not one each."""
        with self._lock:
            self._stale = True
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._run, name="recommend-refit", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._stale:
                    return
                self._stale = False
            try:
                engine = self._fit()
            except Exception:  # keep serving the old engine
                logger.exception("recommendation refit failed; serving the previous models")
                continue
            self._engine = engine
            self.generation += 1

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a running refit (used at shutdown and in tests)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
