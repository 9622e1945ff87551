"""The whole event log as columns: one pass over the store, then array operations.

Funnels, cohorts, search analytics and trends all read the same columns, so the store's
events are decoded once into integer codes (visitor, session, product, type, device) and
numbers (time, units), and every analysis is a few numpy group-bys over them.

- ``units`` is an event's ``quantity`` when it has one, else 1 (a purchase line of 12
  units weighs 12).
- A session is the event's ``session_id`` (per visitor); events without one are cut into
  sessions at gaps of more than ``SESSION_GAP_S`` in the visitor's events (the common
  30-minute rule of web analytics).
- ``results`` is the result count a search event logged in its context (``results``,
  ``result_count``, ``hits`` or ``total``), NaN when it logged none.
- ``label`` is the source an event names itself in its context (``source``, ``from`` or
  ``list``), read by :mod:`shopmind.insight.funnels`; ``ad`` whether its context carries an
  ad token or placement.

Example::

    log = read_log(store, progress=True)
    purchases = log.kind == log.code("purchase")
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from shopmind.events.models import EVENT_TYPES, StoredEvent
from shopmind.store import Store

logger = logging.getLogger(__name__)

SESSION_GAP_S = 1_800.0
RESULT_KEYS: tuple[str, ...] = ("results", "result_count", "hits", "total")
SOURCE_KEYS: tuple[str, ...] = ("source", "from", "list")
_TYPE_CODE = {name: i for i, name in enumerate(EVENT_TYPES)}


@dataclass(frozen=True)
class EventLog:
    """Every event as parallel columns, in store order (time, then arrival).

    Codes index the name lists: ``visitors[visitor[i]]``, ``items[item[i]]`` (``item`` is -1
    for an event without a product), ``devices[device[i]]``, ``EVENT_TYPES[kind[i]]``.
    ``ts`` is NaN for an event without a time.
    """

    ts: np.ndarray
    kind: np.ndarray
    visitor: np.ndarray
    session: np.ndarray
    item: np.ndarray
    units: np.ndarray
    device: np.ndarray
    results: np.ndarray
    ad: np.ndarray
    label: list[str | None]
    query: list[str | None]
    visitors: list[str]
    items: list[str]
    devices: list[str]

    def __len__(self) -> int:
        return len(self.ts)

    @staticmethod
    def code(kind: str) -> int:
        """The code of an event type in ``kind``."""
        return _TYPE_CODE[kind]

    def of(self, *kinds: str) -> np.ndarray:
        """A mask of the events of these types."""
        return np.isin(self.kind, [_TYPE_CODE[k] for k in kinds])

    @property
    def timed(self) -> np.ndarray:
        """A mask of the events that have a time."""
        return np.asarray(~np.isnan(self.ts))


def read_log(store: Store, progress: bool = False) -> EventLog:
    """Every stored event as an :class:`EventLog` (one pass over the store)."""
    total = store.count_events()
    bar = tqdm(total=total, desc="read events", unit=" events", disable=not progress or None)

    def batches() -> Iterable[StoredEvent]:
        for batch in store.iter_events():
            yield from batch
            bar.update(len(batch))

    try:
        return build_log(batches())
    finally:
        bar.close()


class LogCache:
    """The event log of one store, read again only when the store's event count changed
    (events are appended; a server's analytics routes share one). Reading Online Retail's
    320k events takes about 6 s here, nearly all of it decoding the store's rows; the
    analyses over the columns then take well under a second."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._log: EventLog | None = None
        self._count = -1

    def get(self) -> EventLog:
        """The current event log."""
        with self._lock:
            count = self.store.count_events()
            if self._log is None or count != self._count:
                self._log = read_log(self.store)
                self._count = count
            return self._log


def _number(value: str | None) -> float:
    if value is None:
        return np.nan
    try:
        return float(value)
    except ValueError:
        return np.nan


def build_log(events: Iterable[StoredEvent]) -> EventLog:
    """An :class:`EventLog` of events in time order (as the store yields them)."""
    visitor_code: dict[str, int] = {}
    item_code: dict[str, int] = {}
    device_code: dict[str, int] = {"unknown": 0}
    session_code: dict[tuple[int, str], int] = {}
    ts: list[float] = []
    kind: list[int] = []
    visitor: list[int] = []
    session: list[int] = []
    item: list[int] = []
    units: list[float] = []
    device: list[int] = []
    results: list[float] = []
    ad: list[bool] = []
    label: list[str | None] = []
    query: list[str | None] = []
    for e in events:
        v = visitor_code.setdefault(e.visitor, len(visitor_code))
        visitor.append(v)
        ts.append(np.nan if e.ts is None else e.ts)
        kind.append(_TYPE_CODE.get(e.type, -1))
        sid = e.session_id
        session.append(-1 if sid is None else session_code.setdefault((v, sid), len(session_code)))
        iid = e.item_id
        item.append(-1 if iid is None else item_code.setdefault(iid, len(item_code)))
        units.append(1.0 if e.quantity is None else e.quantity)
        ctx = e.context
        query.append(e.query)
        if ctx:
            name = ctx.get("device")
            device.append(0 if not name else device_code.setdefault(name.lower(), len(device_code)))
            results.append(_number(next((ctx[k] for k in RESULT_KEYS if k in ctx), None)))
            ad.append("ad" in ctx or "placement" in ctx)
            label.append(next((ctx[k] for k in SOURCE_KEYS if ctx.get(k)), None))
        else:
            device.append(0)
            results.append(np.nan)
            ad.append(False)
            label.append(None)
    ts_arr = np.asarray(ts, dtype=np.float64)
    visitor_arr = np.asarray(visitor, dtype=np.int64)
    session_arr = _cut_sessions(np.asarray(session, dtype=np.int64), visitor_arr, ts_arr)
    logger.info("event log: %d events, %d visitors", len(ts), len(visitor_code))
    return EventLog(
        ts=ts_arr,
        kind=np.asarray(kind, dtype=np.int8),
        visitor=visitor_arr,
        session=session_arr,
        item=np.asarray(item, dtype=np.int64),
        units=np.asarray(units, dtype=np.float64),
        device=np.asarray(device, dtype=np.int64),
        results=np.asarray(results, dtype=np.float64),
        ad=np.asarray(ad, dtype=bool),
        label=label,
        query=query,
        visitors=list(visitor_code),
        items=list(item_code),
        devices=list(device_code),
    )


def _cut_sessions(session: np.ndarray, visitor: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Session codes for the events without a session id: a new session at each visitor
    change or gap over ``SESSION_GAP_S`` (a visitor's events without a time make one
    session of their own)."""
    missing = np.flatnonzero(session < 0)
    if missing.size == 0:
        return session
    start = int(session.max()) + 1 if session.size else 0
    t = np.nan_to_num(ts[missing], nan=-np.inf)
    order = missing[np.lexsort((t, visitor[missing]))]
    v, tt = visitor[order], np.nan_to_num(ts[order], nan=-np.inf)
    new = np.ones(order.size, dtype=bool)
    with np.errstate(invalid="ignore"):
        new[1:] = (v[1:] != v[:-1]) | (tt[1:] - tt[:-1] > SESSION_GAP_S)
    out = session.copy()
    out[order] = start + np.cumsum(new) - 1
    return out
