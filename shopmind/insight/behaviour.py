"""Per-visitor behaviour features at a cutoff, from the events at or before it only.

One row per visitor code of the :class:`~shopmind.insight.history.History`; NaN where a
feature has no value (no purchase yet, fewer than two orders). Days are counted back from
the cutoff. ``N`` below is the horizon in days (``profiles.days``):

=================  =====================================================================
recency_days       days since the last order (the R of RFM)
frequency          orders (the F)
monetary           net spend: purchases minus returns (the M)
avg_order          spend per order, before returns
tenure_days        days since the first event of any kind
first_order_days   days since the first order
mean_gap_days      mean days between consecutive orders
last_gap_days      days between the last two orders
gap_ratio          recency over the mean gap (above 1: later than usual)
orders_n           orders in the last N days (and ``orders_2n``, ``orders_4n``)
spend_trend        spend in the last 4N days minus the 4N before, over their sum
products           distinct products bought
categories         distinct categories bought (0 without a catalog)
units              units bought
returns            return events
return_share       returned money over money spent
events             events of any kind
events_n           events of any kind in the last N days
sessions           sessions (the gap rule)
last_seen_days     days since the last event of any kind
repeat_share       share of their products bought on two or more days
basket_rebuy_rate  mean repurchase rate (all customers, shrunk) of the products they bought
=================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmind.insight.history import DAY, PURCHASE, RETURN, History, Orders, gap_sessions, runs

FEATURES: tuple[str, ...] = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order",
    "tenure_days",
    "first_order_days",
    "mean_gap_days",
    "last_gap_days",
    "gap_ratio",
    "orders_n",
    "orders_2n",
    "orders_4n",
    "spend_trend",
    "products",
    "categories",
    "units",
    "returns",
    "return_share",
    "events",
    "events_n",
    "sessions",
    "last_seen_days",
    "repeat_share",
    "basket_rebuy_rate",
)


@dataclass(frozen=True)
class Features:
    """A visitor × feature matrix (float64, NaN for none) with its cutoff."""

    cutoff: float
    matrix: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        return self.matrix[:, FEATURES.index(name)]


def features_at(
    history: History,
    cutoff: float,
    days: int,
    gap_seconds: float,
    item_category: np.ndarray | None = None,
) -> Features:
    """The features of every visitor at ``cutoff`` (see the module docstring).

    Args:
        history: all events; only those at or before ``cutoff`` are read.
        cutoff: epoch seconds.
        days: the horizon N of the window features.
        gap_seconds: the session gap.
        item_category: a category code per item code (-1 for none), for ``categories``.
    """
    h = history.before(cutoff)
    n = history.n_visitors
    out = np.full((n, len(FEATURES)), np.nan)
    col = {name: i for i, name in enumerate(FEATURES)}

    def put(name: str, values: np.ndarray) -> None:
        out[:, col[name]] = values

    orders = h.orders(gap_seconds)
    counts = np.bincount(orders.visitor, minlength=n).astype(np.float64)
    bought = counts > 0
    first_order, last_order = _first_last(orders.visitor, orders.ts, n)
    put("recency_days", (cutoff - last_order) / DAY)
    put("frequency", counts)
    buy, ret = h.kind == PURCHASE, h.kind == RETURN
    spent = np.bincount(h.visitor[buy], weights=h.money[buy], minlength=n)
    returned = np.bincount(h.visitor[ret], weights=h.money[ret], minlength=n)
    put("monetary", spent - returned)
    with np.errstate(divide="ignore", invalid="ignore"):
        put("avg_order", np.where(bought, spent / counts, np.nan))
        put("return_share", np.where(spent > 0, returned / spent, np.nan))
    first_seen, last_seen = _first_last(h.visitor, h.ts, n)
    put("tenure_days", (cutoff - first_seen) / DAY)
    put("last_seen_days", (cutoff - last_seen) / DAY)
    put("first_order_days", (cutoff - first_order) / DAY)
    mean_gap, last_gap = _gaps(orders, n)
    put("mean_gap_days", mean_gap / DAY)
    put("last_gap_days", last_gap / DAY)
    with np.errstate(divide="ignore", invalid="ignore"):
        put("gap_ratio", np.where(mean_gap > 0, (cutoff - last_order) / mean_gap, np.nan))
    for name, width in (("orders_n", 1), ("orders_2n", 2), ("orders_4n", 4)):
        recent = orders.ts > cutoff - width * days * DAY
        put(name, np.bincount(orders.visitor[recent], minlength=n).astype(np.float64))
    put("spend_trend", _trend(orders, cutoff, 4 * days * DAY, n))
    put("products", _distinct(h.visitor[buy], h.item[buy], n))
    if item_category is not None and len(item_category):
        cats = item_category[h.item[buy]]
        known = (h.item[buy] >= 0) & (cats >= 0)
        put("categories", _distinct(h.visitor[buy][known], cats[known], n))
    else:
        put("categories", np.zeros(n))
    units = np.nan_to_num(h.units[buy], nan=1.0)
    put("units", np.bincount(h.visitor[buy], weights=units, minlength=n))
    put("returns", np.bincount(h.visitor[ret], minlength=n).astype(np.float64))
    put("events", np.bincount(h.visitor, minlength=n).astype(np.float64))
    recent = h.ts > cutoff - days * DAY
    put("events_n", np.bincount(h.visitor[recent], minlength=n).astype(np.float64))
    session = gap_sessions(h.visitor, h.ts, gap_seconds)
    _, starts = runs(session)
    put("sessions", np.bincount(h.visitor[starts], minlength=n).astype(np.float64))
    repeat, basket = rebuying(h.visitor[buy], h.item[buy], h.ts[buy], n)
    put("repeat_share", repeat)
    put("basket_rebuy_rate", basket)
    return Features(cutoff, out)


def rebuying(
    visitor: np.ndarray, item: np.ndarray, ts: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per visitor: the share of their products they bought on two or more days, and the
    mean repurchase rate (share of buyers who bought it on two or more days, shrunk towards
    the shop's by 5 pseudo-buyers) of the products they bought; NaN for non-buyers. A
    customer whose basket is made of what people rebuy is likelier to come back."""
    known = item >= 0
    if not known.any():
        return np.full(n, np.nan), np.full(n, np.nan)
    days = np.floor(ts[known] / DAY).astype(np.int64)
    triples = np.unique(np.column_stack([visitor[known], item[known], days]), axis=0)
    pairs, per_pair = np.unique(triples[:, :2], axis=0, return_counts=True)
    again = (per_pair > 1).astype(np.float64)
    items = int(pairs[:, 1].max()) + 1
    buyers = np.bincount(pairs[:, 1], minlength=items).astype(np.float64)
    rebought = np.bincount(pairs[:, 1], weights=again, minlength=items)
    shop = float(again.mean())
    rate = (rebought + 5.0 * shop) / (buyers + 5.0)
    owned = np.bincount(pairs[:, 0], minlength=n).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        repeat = np.bincount(pairs[:, 0], weights=again, minlength=n) / owned
        basket = np.bincount(pairs[:, 0], weights=rate[pairs[:, 1]], minlength=n) / owned
    return np.where(owned > 0, repeat, np.nan), np.where(owned > 0, basket, np.nan)


def _first_last(visitor: np.ndarray, ts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The earliest and latest time per visitor (rows sorted by visitor); NaN for none."""
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    codes, starts = runs(visitor)
    if len(codes):
        first[codes] = np.fmin.reduceat(ts, starts)
        last[codes] = np.fmax.reduceat(ts, starts)
    return first, last


def _gaps(orders: Orders, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean seconds between a visitor's consecutive orders, and the last such gap."""
    mean = np.full(n, np.nan)
    last = np.full(n, np.nan)
    same = orders.visitor[1:] == orders.visitor[:-1]
    if not same.any():
        return mean, last
    who = orders.visitor[1:][same]
    gap = np.diff(orders.ts)[same]
    total = np.bincount(who, weights=gap, minlength=n)
    count = np.bincount(who, minlength=n)
    has = count > 0
    mean[has] = total[has] / count[has]
    last[who] = gap  # rows are in time order: the last write per visitor is the last gap
    return mean, last


def shop_gaps(orders: Orders) -> np.ndarray:
    """Every gap in days between a customer's consecutive orders, over the whole shop."""
    same = orders.visitor[1:] == orders.visitor[:-1]
    return np.asarray(np.diff(orders.ts)[same] / DAY)


def _trend(orders: Orders, cutoff: float, width: float, n: int) -> np.ndarray:
    recent = orders.ts > cutoff - width
    before = (orders.ts > cutoff - 2 * width) & ~recent
    now = np.bincount(orders.visitor[recent], weights=orders.money[recent], minlength=n)
    then = np.bincount(orders.visitor[before], weights=orders.money[before], minlength=n)
    total = np.abs(now) + np.abs(then)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (now - then) / total, 0.0)


def _distinct(visitor: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    """How many distinct codes each visitor has (codes < 0 are left out)."""
    keep = code >= 0
    if not keep.any():
        return np.zeros(n)
    base = int(code.max()) + 1
    unique = np.unique(visitor[keep].astype(np.int64) * base + code[keep])
    return np.bincount(unique // base, minlength=n).astype(np.float64)
