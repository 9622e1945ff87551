"""Lifecycle stages, with thresholds taken from the shop's own rhythm of buying.

The shop's gaps are the days between consecutive orders of the same customer, over all
customers. With ``A`` their ``profiles.active_quantile`` quantile (default the 75th
percentile: three repeat orders in four come sooner) and ``L`` their
``profiles.lapsed_quantile`` quantile (default the 95th), a visitor is, at the profile's
"now" (the shop's newest event):

- **new**: first seen within the last ``A`` days (too soon to expect a repeat);
- **active**: last order (for a visitor who never bought: last event) within ``A`` days;
- **at risk**: the last one ``A`` to ``L`` days ago: later than most customers come back;
- **lapsed**: more than ``L`` days ago: hardly anyone comes back after so long.

With fewer than ``MIN_GAPS`` gaps the shop's rhythm is unknown and ``A`` = N and ``L`` =
3 N days (``profiles.days``) stand in; the thresholds say which applied.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from shopmind.errors import ConfigError

STAGES: tuple[str, ...] = ("new", "active", "at risk", "lapsed")
MIN_GAPS = 20


@dataclass(frozen=True)
class Thresholds:
    """The day limits of the stages and where they came from."""

    active_days: float
    lapsed_days: float
    gaps: int  # how many gaps they were read from (0: the defaults from N)
    source: str

    def as_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def thresholds(gaps_days: np.ndarray, active_q: float, lapsed_q: float, days: int) -> Thresholds:
    """The stage limits from the shop's gaps between orders (see the module docstring)."""
    if not active_q < lapsed_q:
        raise ConfigError(
            f"profiles.active_quantile ({active_q}) must be below profiles.lapsed_quantile "
            f"({lapsed_q}); lower the first or raise the second"
        )
    gaps = gaps_days[np.isfinite(gaps_days)]
    if len(gaps) < MIN_GAPS:
        return Thresholds(float(days), 3.0 * days, 0, f"defaults: N and 3N days (N = {days})")
    active, lapsed = np.quantile(gaps, [active_q, lapsed_q])
    active = max(float(active), 1.0)
    lapsed = max(float(lapsed), active)
    source = (
        f"the {active_q:.0%} and {lapsed_q:.0%} quantiles of {len(gaps):,} gaps between a "
        "customer's orders"
    )
    return Thresholds(active, lapsed, len(gaps), source)


def stages(
    tenure_days: np.ndarray,
    recency_days: np.ndarray,
    last_seen_days: np.ndarray,
    limits: Thresholds,
) -> np.ndarray:
    """A stage code (index into :data:`STAGES`) per visitor, int8.

    Args:
        tenure_days: days since the first event.
        recency_days: days since the last order (NaN: never bought).
        last_seen_days: days since the last event (stands in for a visitor who never bought).
    """
    since = np.where(np.isnan(recency_days), last_seen_days, recency_days)
    code = np.full(len(since), STAGES.index("lapsed"), dtype=np.int8)
    code[since <= limits.lapsed_days] = STAGES.index("at risk")
    code[since <= limits.active_days] = STAGES.index("active")
    code[tenure_days <= limits.active_days] = STAGES.index("new")
    return code
