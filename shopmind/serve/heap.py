"""Keep the garbage collector off a serving process's long-lived heap.

CPython's cyclic collector now and then makes a full pass over every object it tracks. A
serving process holds hundreds of thousands of them for as long as it runs: the engines'
vocabularies and maps, and the products that answers read back (a cache that grows with
the traffic). Measured on the HomeDepot lexical shop (benchmarks/README.md): 418,000 tracked
objects after start-up and 551,000 after 12,000 searches; full passes stopped the process
for up to 300 ms (a lost p99), three or four times in those searches, and the collector took
6-8% of its CPU.

:class:`HeapKeeper` moves what is alive into the collector's permanent generation
(``gc.freeze``), where no pass looks at it:

- at start-up, after the engines are loaded: a full collection, then freeze;
- every ``serve.heap_settle_s`` seconds: a collection of the young generations (what
  died young goes), then freeze what survived, e.g. the products cached since;
- after an engine was swapped (a re-index, a refit, a new ranker): a full collection over
  the unfrozen heap, then freeze again. Frozen objects are still freed when nothing refers
  to them; only a frozen reference cycle is not, so the old engine's cycles go here.

An object that is alive at a tick and becomes cyclic garbage later stays until the next
engine swap; measured: none did in 12,000 searches (the answers' objects are freed by
reference counting). With the keeper, those searches had no full pass and the collector
took 1.3% of the CPU.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Hashable

logger = logging.getLogger(__name__)


class HeapKeeper:
    """Freeze the long-lived heap at start-up, every ``every_s`` seconds, and after an
    engine swap (``parts()`` returns something else: e.g. the live engines' generations).
    """

    def __init__(self, parts: Callable[[], Hashable], every_s: float) -> None:
        self._parts = parts
        self._every = every_s
        self._seen: Hashable = None
        self.settles = 0  # full collections made
        self.ticks = 0

    def settle(self) -> None:
        """A full collection of everything (frozen included), then freeze what is alive."""
        started = time.perf_counter()
        self._seen = self._parts()
        gc.unfreeze()
        collected = gc.collect()
        gc.freeze()
        self.settles += 1
        logger.info(
            "heap settled: %d objects frozen, %d collected, %.0f ms",
            gc.get_freeze_count(),
            collected,
            (time.perf_counter() - started) * 1000,
        )

    def tick(self) -> None:
        """Freeze what survived since the last tick; a full settle when the parts changed."""
        self.ticks += 1
        if self._parts() != self._seen:
            self.settle()
            return
        gc.collect(1)
        gc.freeze()

    async def run(self) -> None:
        """Tick every ``every_s`` seconds until cancelled."""
        while True:
            await asyncio.sleep(self._every)
            self.tick()

    @staticmethod
    def release() -> None:
        """Give the frozen heap back to the collector (at shutdown)."""
        gc.unfreeze()
