"""The ranker serving uses: loaded from its file, reloaded when a new one is trained."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from shopmind.rank.ranker import Ranker

logger = logging.getLogger(__name__)


class LiveRanker:
    """Holds the trained ranker at ``path`` (None while there is none).

    Serving asks :attr:`ranker` on every request; at most once per ``check_seconds`` the
    file's modification time and the catalog's ``version`` (the build id: new products,
    prices, vectors) are compared, and on a change the ranker is loaded whole (through
    ``load``) before it replaces the old one, so a request sees one ranker or the other.
    """

    def __init__(
        self,
        path: Path,
        load: Callable[[Path], Ranker],
        check_seconds: float = 1.0,
        version: Callable[[], object] | None = None,
    ) -> None:
        self.path = path
        self._load = load
        self._version = version or (lambda: None)
        self._check = check_seconds
        self._lock = threading.Lock()
        self._ranker: Ranker | None = None
        self._stamp: tuple[float, object] | None = None
        self._checked = 0.0
        self._present = (False, -float("inf"))  # whether the file exists, and when checked
        self.error: str | None = None
        self._refresh()

    def _refresh(self) -> None:
        try:
            stamp = (self.path.stat().st_mtime, self._version())
        except FileNotFoundError:
            self._ranker, self._stamp = None, None
            return
        if stamp == self._stamp:
            return
        try:
            ranker = self._load(self.path)
        except Exception as err:  # a bad file must not take serving down: keep the old one
            self.error = f"{self.path}: {err}"
            logger.error("ranker not loaded: %s", self.error)
            self._stamp = stamp
            return
        self._ranker, self._stamp, self.error = ranker, stamp, None
        logger.info("ranker loaded from %s", self.path)

    @property
    def ranker(self) -> Ranker | None:
        """The current ranker, or None when none is trained."""
        now = time.monotonic()
        if now - self._checked >= self._check:
            with self._lock:
                if now - self._checked >= self._check:
                    self._checked = now
                    self._refresh()
        return self._ranker

    @property
    def present(self) -> bool:
        """Whether a ranker is loaded or its file exists (looked at most every
        ``check_seconds``): serving asks it on every request, on the event loop."""
        if self._ranker is not None:
            return True
        exists, when = self._present
        now = time.monotonic()
        if now - when >= self._check:
            exists = self.path.exists()
            self._present = (exists, now)
        return exists

    @property
    def current(self) -> Ranker | None:
        """The ranker loaded now, without checking for a newer one (never blocks)."""
        return self._ranker

    def reset(self) -> None:
        """Forget the loaded file so the next request loads it again (after a new build)."""
        with self._lock:
            self._stamp = None
            self._checked = 0.0
