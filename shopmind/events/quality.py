"""Data-quality checks over behaviour events: counted and reported, never silently dropped."""

from __future__ import annotations

import time
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopmind.events.models import Event


def bot_like_visitors(
    visitors: np.ndarray, times: np.ndarray, per_minute: int
) -> tuple[np.ndarray, np.ndarray]:
    """Visitors with at least ``per_minute`` events inside some 60-second window.

    Args:
        visitors: integer visitor codes, one per event.
        times: epoch seconds, one per event.
        per_minute: the threshold.

    Returns:
        The codes of bot-like visitors and, for each, its peak window's event count
        (at least ``per_minute``; exact peak counts are not computed).
    """
    if len(visitors) < per_minute:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.lexsort((times, visitors))
    v, t = visitors[order], times[order]
    span = per_minute - 1
    same = v[span:] == v[:-span]
    fast = (t[span:] - t[:-span]) < 60.0
    hits = np.unique(v[:-span][same & fast])
    counts = np.array([int(np.sum(v == h)) for h in hits], dtype=np.int64)
    return hits, counts


ORDER_LINE_TYPES = frozenset({"purchase", "return"})


def _order_line(event: Event) -> bool:
    return event.quantity is not None and event.type in ORDER_LINE_TYPES


@dataclass
class EventQuality:
    """Accumulates an event ingest's quality counts chunk by chunk."""

    known_items: set[str]
    bot_per_minute: int = 120
    future_tolerance: float = 300.0
    now: float = field(default_factory=time.time)
    by_type: dict[str, int] = field(default_factory=dict)
    unknown_items: int = 0
    unknown_item_samples: list[str] = field(default_factory=list)
    future: int = 0
    missing_time: int = 0
    anonymous: int = 0
    read_as_returns: int = 0  # purchase rows of negative quantity, stored as returns
    _codes: dict[str, int] = field(default_factory=dict)
    _vis: array[int] = field(default_factory=lambda: array("q"))
    _ts: array[float] = field(default_factory=lambda: array("d"))

    def observe(self, events: Sequence[Event]) -> None:
        """Count one chunk of valid events (comprehensions: this runs on every event)."""
        for kind, n in Counter(e.type for e in events).items():
            self.by_type[kind] = self.by_type.get(kind, 0) + n
        known = self.known_items
        unknown = [e.item_id for e in events if e.item_id is not None and e.item_id not in known]
        self.unknown_items += len(unknown)
        for item in unknown:
            if len(self.unknown_item_samples) >= 5:
                break
            if item not in self.unknown_item_samples:
                self.unknown_item_samples.append(item)
        self.anonymous += sum(1 for e in events if e.user_id is None)
        timed = [(e, ts) for e in events if (ts := e.ts) is not None]
        self.missing_time += len(events) - len(timed)
        limit = self.now + self.future_tolerance
        self.future += sum(1 for _, ts in timed if ts > limit)
        # order lines (a purchase or return with its units) are left out of the bot-speed
        # window: one checkout writes all its lines at one time
        paced = [(e.visitor, ts) for e, ts in timed if not _order_line(e)]
        codes = self._codes
        self._vis.extend(codes.setdefault(v, len(codes)) for v, _ in paced)
        self._ts.extend(ts for _, ts in paced)

    def summary(self) -> dict[str, Any]:
        """The counts, with samples, as a JSON-ready dict."""
        vis = np.frombuffer(self._vis, dtype=np.int64) if len(self._vis) else np.empty(0, "i8")
        ts = np.frombuffer(self._ts, dtype=np.float64) if len(self._ts) else np.empty(0, "f8")
        bots, counts = bot_like_visitors(vis, ts, self.bot_per_minute)
        names = {code: name for name, code in self._codes.items()}
        return {
            "events_by_type": dict(sorted(self.by_type.items())),
            "unknown_item_events": self.unknown_items,
            "unknown_item_samples": self.unknown_item_samples,
            "future_timestamps": self.future,
            "missing_timestamps": self.missing_time,
            "anonymous_events": self.anonymous,
            "purchases_read_as_returns": self.read_as_returns,
            "bot_like_visitors": len(bots),
            "bot_like_samples": [
                {"visitor": names[int(b)], "events": int(c)}
                for b, c in list(zip(bots, counts, strict=True))[:5]
            ],
            "bot_threshold_per_minute": self.bot_per_minute,
        }
