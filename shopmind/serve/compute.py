"""Searches off the event loop, a bounded number at a time in each server process.

A hybrid search (and one with a ranker or live ads) runs in a worker thread, so that the
encoder and the vector product, which release the GIL, use the cores. Left to the thread
pool (40 threads), every search in flight ran at once: eight clients' hybrid searches on
2 cores each read every product vector (42 MB on HomeDepot) at the same time as the others,
and queued for the GIL behind them. Measured with 8 clients, alternating two servers that
differed only in this (benchmarks/README.md, "Serving, sixth pass"): with two processes
and one search at a time in each, 190 -> 216 searches/s (medians of six runs), p99 84-119
-> 51-76 ms; with one process and two at a time, 126 -> 148/s, p99 120-148 -> 69-81 ms.
The others wait their turn in arrival order (anyio's capacity limiter is first come,
first served).

Recommendations stay on the shared pool: visitors scored at the same moment share one
model call (:mod:`shopmind.batching`), which a bound would take away (measured: no gain
for ``/recommend``, ``/similar`` 10% slower with one at a time).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar, cast

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request

from shopmind.config import ServeConfig

T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def search_slots(config: ServeConfig, available: int | None = None) -> int:
    """How many searches a server process computes at once: ``serve.search_threads``, or
    when 0 the cores (``available``, default :func:`cores`) shared by its processes."""
    if config.search_threads:
        return config.search_threads
    return max(1, (available or cores()) // config.workers)


def open_slots(app: FastAPI, config: ServeConfig) -> int:
    """Give ``app`` its search slots (call it on the event loop, at startup)."""
    slots = search_slots(config)
    app.state.search_slots = anyio.CapacityLimiter(slots)
    return slots


async def in_search_slot(request: Request, work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread once one of the process's search slots is free."""
    slots = cast(anyio.CapacityLimiter | None, getattr(request.app.state, "search_slots", None))
    return await anyio.to_thread.run_sync(work, limiter=slots)


__all__ = ["cores", "in_search_slot", "open_slots", "search_slots"]
