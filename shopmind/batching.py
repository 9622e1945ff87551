"""Concurrent single calls run as one batch call: micro-batching for the server's threads.

Encoding eight queries at once, or scoring the catalog for eight query vectors with one
matrix product, costs far less than eight single calls (the product reads the vectors
from memory once). A :class:`Coalescer` wraps a batch function: a thread that finds no
batch running runs its own item and whatever else is waiting; threads that arrive
meanwhile wait, and the first of them leads the next batch. Nothing waits on a timer, so
a lone caller pays only a lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
OwnerT = TypeVar("OwnerT")


@dataclass
class _Slot(Generic[T, R]):
    item: T
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    result: R | None = None
    error: BaseException | None = None
    finished: bool = False


class Coalescer(Generic[T, R]):
    """Calls ``batch(items) -> results`` (same order) for items submitted concurrently."""

    def __init__(self, batch: Callable[[Sequence[T]], Sequence[R]], max_batch: int = 16) -> None:
        self._batch = batch
        self._max = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Slot[T, R]] = []
        self._busy = False

    def __call__(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            if not self._busy:
                self._busy = slot.lead = True
        while not slot.lead and not slot.finished:
            slot.done.wait()
            slot.done.clear()
        if not slot.finished:
            self._run()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _run(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting[: self._max], self._waiting[self._max :]
        try:
            results = self._batch([s.item for s in batch])
            for s, r in zip(batch, results, strict=True):
                s.result = r
        except BaseException as exc:  # every caller of the batch sees the failure
            for s in batch:
                s.error = exc
        with self._lock:
            for s in batch:
                s.finished = True
            if self._waiting:  # hand over: the oldest waiting caller runs the next batch
                self._waiting[0].lead = True
                self._waiting[0].done.set()
            else:
                self._busy = False
        for s in batch:
            s.done.set()


_OWNED: weakref.WeakKeyDictionary[Any, dict[str, Coalescer[Any, Any]]] = weakref.WeakKeyDictionary()
_OWNED_LOCK = threading.Lock()


def coalescer_for(
    owner: OwnerT,
    name: str,
    batch: Callable[[OwnerT, Sequence[T]], Sequence[R]],
    max_batch: int = 16,
) -> Coalescer[T, R]:
    """``owner``'s coalescer called ``name`` (made at its first use), which runs
    ``batch(owner, items)``: one per model, so calls on the same model at the same time go
    in one batch call. It holds its owner weakly: an owner let go takes it along."""
    with _OWNED_LOCK:
        mine = _OWNED.setdefault(owner, {})
        found = mine.get(name)
        if found is None:
            ref = weakref.ref(owner)

            def run(items: Sequence[T]) -> Sequence[R]:
                alive = ref()
                assert alive is not None, f"the owner of the {name!r} batches is gone"
                return batch(alive, items)

            found = mine[name] = Coalescer(run, max_batch)
        return found
