"""Behaviour into numbers: the visitor × product interaction matrix (CSR) and popularity.

Each event adds its type's weight (``events.weights``; a rating scaled by value / 5),
decayed by age before the newest event with ``events.half_life_days``. Events of the same
visitor and product add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from shopmind.config import EventsConfig
from shopmind.events.models import StoredEvent

_DAY = 86_400.0


@dataclass(frozen=True)
class Interactions:
    """A visitor × product matrix with the ids of its rows and columns."""

    matrix: sp.csr_matrix
    visitors: list[str]
    items: list[str]

    @property
    def shape(self) -> tuple[int, int]:
        """(visitors, items)."""
        return (len(self.visitors), len(self.items))

    def popularity(self) -> np.ndarray:
        """Total weight per product (a column sum), float32."""
        return np.asarray(self.matrix.sum(axis=0), dtype=np.float32).ravel()


def event_weight(event: StoredEvent, weights: dict[str, float]) -> float:
    """The undecayed weight of one event."""
    base = weights.get(event.type, 0.0)
    if event.type == "rating":
        return base * (event.value or 0.0) / 5.0
    return base


def build_interactions(
    batches: Iterable[Sequence[StoredEvent]],
    config: EventsConfig,
    items: Sequence[str] = (),
) -> Interactions:
    """Build the matrix from events (e.g. ``store.iter_events()``).

    Args:
        batches: events in batches.
        config: the event weights and decay.
        items: product ids to include as columns even without events (the catalog).
    """
    visitor_code: dict[str, int] = {}
    item_code: dict[str, int] = {item: i for i, item in enumerate(items)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    times: list[float] = []
    weights = dict(config.weights)
    for batch in batches:
        for e in batch:
            if e.item_id is None:
                continue
            w = event_weight(e, weights)
            if w <= 0:
                continue
            rows.append(visitor_code.setdefault(e.visitor, len(visitor_code)))
            cols.append(item_code.setdefault(e.item_id, len(item_code)))
            vals.append(w)
            times.append(e.ts if e.ts is not None else np.nan)
    data = np.asarray(vals, dtype=np.float64)
    if config.half_life_days > 0 and times:
        stamps = np.asarray(times, dtype=np.float64)
        if np.isfinite(stamps).any():
            age_days = (np.nanmax(stamps) - stamps) / _DAY
            decay = np.where(np.isnan(age_days), 1.0, 0.5 ** (age_days / config.half_life_days))
            data = data * decay
    shape = (len(visitor_code), len(item_code))
    matrix = sp.csr_matrix(
        (data.astype(np.float32), (np.asarray(rows), np.asarray(cols))), shape=shape
    )
    matrix.sum_duplicates()
    return Interactions(matrix, list(visitor_code), list(item_code))
