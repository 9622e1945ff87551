"""The store's events as columns: one pass over the events, then numpy for everything else.

:class:`History` holds one row per event (integer codes for visitor, product, type and
session, the time, the units and the money) sorted by visitor, then time, so per-visitor
work is a ``reduceat`` over contiguous runs rather than a Python loop.

Money (``money``) is set on purchases and returns only, always positive; a return takes
it off the visitor's spend. It is, in order of preference: quantity × unit price when the
event carries both; the event's ``value`` (the amount paid); the catalog price × quantity
(× 1 without a quantity); 0 when none is known.

Orders: the purchases of one visitor in one ``session_id`` (an invoice, a checkout) are one
order; purchases without a session id are grouped by the gap rule (:func:`gap_sessions`).

Example::

    history = History.from_batches(store.iter_events(), prices={p.id: p.price for p in ...})
    history.orders()  # visitor, time and money per order
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from shopmind.events.models import EVENT_TYPES, StoredEvent

DAY = 86_400.0
KIND = {name: code for code, name in enumerate(EVENT_TYPES)}
PURCHASE = KIND["purchase"]
RETURN = KIND["return"]


@dataclass(frozen=True)
class Orders:
    """One row per order, sorted by visitor then time."""

    visitor: np.ndarray  # int32 visitor code
    ts: np.ndarray  # float64 time of the order's first line
    money: np.ndarray  # float64 spent in the order


@dataclass(frozen=True)
class History:
    """Every event as columns, sorted by visitor then time (see the module docstring)."""

    visitors: list[str]
    items: list[str]
    visitor: np.ndarray  # int32 code into ``visitors``
    item: np.ndarray  # int32 code into ``items``; -1 for none (a search)
    kind: np.ndarray  # int8 index into EVENT_TYPES
    ts: np.ndarray  # float64 epoch seconds; NaN when unknown
    units: np.ndarray  # float64 quantity; NaN when unknown
    money: np.ndarray  # float64, purchases and returns only (see the module docstring)
    session: np.ndarray  # int64 code of the session_id; -1 for none

    @classmethod
    def from_batches(
        cls,
        batches: Iterable[Sequence[StoredEvent]],
        prices: Mapping[str, float | None] | None = None,
        visitors: Sequence[str] = (),
    ) -> History:
        """Read events (e.g. ``store.iter_events()``) into columns.

        Args:
            batches: events in batches, any order.
            prices: the catalog price per product id (for purchases without a price).
            visitors: visitor keys to code first, in this order (others follow as seen).
        """
        vcode: dict[str, int] = {v: n for n, v in enumerate(visitors)}
        icode: dict[str, int] = {}
        scode: dict[str, int] = {}
        vis: list[int] = []
        itm: list[int] = []
        knd: list[int] = []
        tss: list[float | None] = []
        qty: list[float | None] = []
        prc: list[float | None] = []
        val: list[float | None] = []
        ses: list[int] = []
        for batch in batches:
            for e in batch:  # the one pass over Python objects; the rest is numpy
                vis.append(vcode.setdefault(e.visitor, len(vcode)))
                iid = e.item_id
                itm.append(-1 if iid is None else icode.setdefault(iid, len(icode)))
                knd.append(KIND.get(e.type, -1))
                tss.append(e.ts)
                qty.append(e.quantity)
                prc.append(e.price)
                val.append(e.value)
                sid = e.session_id
                ses.append(-1 if sid is None else scode.setdefault(sid, len(scode)))
        items = list(icode)
        kind = np.asarray(knd, dtype=np.int8)
        units = _floats(qty)
        item = np.asarray(itm, dtype=np.int32)
        catalog = np.full(len(items) + 1, np.nan)  # the last slot answers item -1
        if prices:
            catalog[:-1] = [np.nan if (p := prices.get(i)) is None else p for i in items]
        money = _money(kind, units, _floats(prc), _floats(val), catalog[item])
        visitor = np.asarray(vis, dtype=np.int32)
        ts = _floats(tss)
        order = np.lexsort((ts, visitor))
        return cls(
            visitors=list(vcode),
            items=items,
            visitor=visitor[order],
            item=item[order],
            kind=kind[order],
            ts=ts[order],
            units=units[order],
            money=money[order],
            session=np.asarray(ses, dtype=np.int64)[order],
        )

    def __len__(self) -> int:
        return len(self.visitor)

    @property
    def n_visitors(self) -> int:
        """How many visitors (the length of per-visitor arrays)."""
        return len(self.visitors)

    @cached_property
    def last_ts(self) -> float:
        """The newest event's time (NaN without timed events): the shop's "now"."""
        finite = self.ts[np.isfinite(self.ts)]
        return float(finite.max()) if len(finite) else float("nan")

    def before(self, cutoff: float) -> History:
        """The events at or before ``cutoff`` (the same codes; a view for features)."""
        keep = self.ts <= cutoff
        return History(
            self.visitors,
            self.items,
            self.visitor[keep],
            self.item[keep],
            self.kind[keep],
            self.ts[keep],
            self.units[keep],
            self.money[keep],
            self.session[keep],
        )

    def orders(self, gap_seconds: float) -> Orders:
        """The purchases grouped into orders (see the module docstring)."""
        buy = self.kind == PURCHASE
        visitor, ts, money = self.visitor[buy], self.ts[buy], self.money[buy]
        session = self.session[buy]
        if not len(visitor):
            return Orders(visitor, ts, money)
        # without a session id, the gap rule over the visitor's purchases decides
        gap = gap_sessions(visitor, ts, gap_seconds)
        key = np.where(session >= 0, session, int(session.max(initial=0)) + 1 + gap)
        pair = visitor.astype(np.int64) * (int(key.max()) + 1) + key
        _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        sums = np.bincount(inverse, weights=money, minlength=len(first))
        starts = np.full(len(first), np.inf)
        np.minimum.at(starts, inverse, np.nan_to_num(ts, nan=np.inf))
        o_visitor = visitor[first]
        order = np.lexsort((starts, o_visitor))
        return Orders(o_visitor[order], starts[order], sums[order])


def gap_sessions(visitor: np.ndarray, ts: np.ndarray, gap_seconds: float) -> np.ndarray:
    """A session number per event (sorted by visitor, then time): a new visitor or a gap
    longer than ``gap_seconds`` starts the next one. Events without a time join the
    session before them."""
    if not len(visitor):
        return np.zeros(0, dtype=np.int64)
    gaps = np.diff(ts)
    new = np.empty(len(visitor), dtype=bool)
    new[0] = True
    new[1:] = (visitor[1:] != visitor[:-1]) | (gaps > gap_seconds)
    return np.cumsum(new, dtype=np.int64) - 1


def runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes of a sorted array and where each one's run starts."""
    if not len(codes):
        return codes[:0], np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return codes[starts], starts


def _floats(values: list[float | None]) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)


def _money(
    kind: np.ndarray,
    units: np.ndarray,
    price: np.ndarray,
    value: np.ndarray,
    catalog: np.ndarray,
) -> np.ndarray:
    paid = np.where(np.isnan(units) | np.isnan(price), np.nan, units * price)
    paid = np.where(np.isnan(paid), value, paid)
    paid = np.where(np.isnan(paid), catalog * np.nan_to_num(units, nan=1.0), paid)
    money = np.where((kind == PURCHASE) | (kind == RETURN), paid, 0.0)
    return np.nan_to_num(money, nan=0.0)
