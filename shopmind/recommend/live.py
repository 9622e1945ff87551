"""Keeping recommendations current: refit in the background after catalog or bulk changes.

Visitors' own events need no refit (they are read at every request); a new product needs
one so that the models know its index. Readers always see a whole engine, old or new.
"""

from __future__ import annotations

from collections.abc import Callable

from shopmind.recommend.engine import RecommendEngine
from shopmind.refresh import Refresher


class LiveRecommend:
    """The current :class:`RecommendEngine`, refitted in a background thread on demand."""

    def __init__(self, fit: Callable[[], RecommendEngine]) -> None:
        self._fit = fit
        self._engine = fit()
        self._refresher = Refresher(self._refit, "recommend-refit")
        self.generation = 0

    @property
    def engine(self) -> RecommendEngine:
        """The engine to answer with now."""
        return self._engine

    def refresh(self) -> None:
        """Refit soon; calls during a refit cause one more refit, not one each."""
        self._refresher.request()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no refit is pending (tests, shutdown); False on timeout."""
        return self._refresher.wait(timeout)

    def _refit(self) -> None:
        self._engine = self._fit()
        self.generation += 1
