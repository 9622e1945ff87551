"""A background job that coalesces requests: ask for it any number of times while it runs,
and it runs once more afterwards, not once per ask. Used to re-index and refit while
serving (readers keep the old object until the job swaps the new one in)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Refresher:
    """Runs ``job`` in a daemon thread on :meth:`request`; a failing job is logged and the
    next request retries (whatever the job replaces stays as it was)."""

    def __init__(self, job: Callable[[], None], name: str) -> None:
        self._job = job
        self._name = name
        self._lock = threading.Lock()
        self._stale = False
        self._worker: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def request(self) -> None:
        """Make sure the job runs (again) soon."""
        with self._lock:
            self._stale = True
            if self._worker is not None and self._worker.is_alive():
                return
            self._idle.clear()
            self._worker = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._worker.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no run is pending; False on timeout."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._stale:
                    self._idle.set()
                    return
                self._stale = False
            try:
                self._job()
            except Exception:
                logger.exception("%s failed; still serving the previous version", self._name)
