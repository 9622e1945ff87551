"""Budget pacing and frequency caps: who may enter an auction now.

A daily budget spent by 9 a.m. buys only the morning's shoppers; pacing spreads it over the
UTC day. The even line is ``budget * (fraction of the day elapsed)``. A campaign at or
below it enters every auction; one ahead of it enters with a probability that falls
linearly to 0 at ``slack * budget`` ahead, and not at all beyond (the throttle draws from
a seeded generator, so a replayed day gives the same answer). A campaign with less than
one click at its bid left today never enters: a click could not be paid.

Frequency cap: a visitor sees one campaign at most ``cap`` times a UTC day.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import numpy as np

from shopmind.ads.records import DAY_SECONDS


def day_fraction(now: datetime) -> float:
    """The fraction of ``now``'s UTC day that has passed, in [0, 1)."""
    ts = (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).timestamp()
    return (ts % DAY_SECONDS) / DAY_SECONDS


class Pacer:
    """Decides whether a campaign may enter an auction, given its spend so far today.

    Args:
        slack: share of the daily budget a campaign may run ahead of the even line.
        seed: seeds the throttle's draws (``numpy.random.default_rng``).
    """

    def __init__(self, slack: float = 0.1, seed: int = 0) -> None:
        if not 0.0 <= slack <= 1.0:
            raise ValueError(f"slack must be in [0, 1], got {slack}; use e.g. 0.1")
        self.slack = slack
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()  # a Generator is not thread-safe

    def allowance(self, budget: float, now: datetime) -> float:
        """The most a campaign may have spent by ``now``: the even line plus the slack."""
        return budget * (day_fraction(now) + self.slack)

    def admit(self, budget: float, bid: float, spent: float, now: datetime) -> bool:
        """Whether a campaign with ``spent`` of ``budget`` today may bid ``bid`` now."""
        if budget - spent < bid:
            return False  # not even one click left today
        even = budget * day_fraction(now)
        if spent <= even:
            return True
        ahead = spent - even
        room = self.slack * budget
        if ahead >= room:
            return False
        with self._lock:
            draw = float(self._rng.random())
        return draw < 1.0 - ahead / room


def under_cap(shown_today: int, cap: int) -> bool:
    """Whether a visitor who saw a campaign ``shown_today`` times may see it again (0 = no cap)."""
    return cap == 0 or shown_today < cap
