"""Features a click log gives in time order: what each visitor did before each row.

Walking the rows oldest first, every row sees only earlier rows: the visitor's last products
(with how they met them) and running counts and positive rates of the visitor and the item.
Serving computes the same from the visitor's stored events, so training and serving agree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

COUNT_FEATURES = ("visitor_events", "visitor_positive_rate", "item_events", "item_positive_rate")
_SMOOTH = 5.0  # pseudo-rows of the global rate in every running rate


@dataclass
class RunningHistory:
    """For each row: the visitor's earlier items and kinds, and the running counts."""

    items: list[list[str]]  # newest last, at most ``length``
    kinds: np.ndarray  # (n, length) int64: 0 = padding
    counts: np.ndarray  # (n, 4) float32, COUNT_FEATURES


def running_history(
    visitors: Sequence[str],
    items: Sequence[str],
    labels: np.ndarray,
    kinds: np.ndarray,
    length: int,
    prior: float,
) -> RunningHistory:
    """The history of every row of a time-ordered log.

    Args:
        visitors, items: per row, the visitor and the item.
        labels: per row, 1.0 for a positive (click, liked) else 0.0.
        kinds: per row, the code the row enters later rows' history with (1 or more).
        length: how many earlier items to keep per visitor.
        prior: the global positive rate the running rates shrink towards.
    """
    n = len(items)
    seen: dict[str, deque[tuple[str, int]]] = {}
    v_count: dict[str, int] = {}
    v_pos: dict[str, float] = {}
    i_count: dict[str, int] = {}
    i_pos: dict[str, float] = {}
    out_items: list[list[str]] = []
    out_kinds = np.zeros((n, max(1, length)), np.int64)
    counts = np.zeros((n, len(COUNT_FEATURES)), np.float32)
    for r in range(n):
        v, i, y = visitors[r], items[r], float(labels[r])
        vc, ic = v_count.get(v, 0), i_count.get(i, 0)
        counts[r] = (
            np.log1p(vc),
            (v_pos.get(v, 0.0) + _SMOOTH * prior) / (vc + _SMOOTH),
            np.log1p(ic),
            (i_pos.get(i, 0.0) + _SMOOTH * prior) / (ic + _SMOOTH),
        )
        past = seen.get(v)
        if past:
            out_items.append([p for p, _ in past])
            out_kinds[r, : len(past)] = [k for _, k in past]
        else:
            out_items.append([])
        if length:
            seen.setdefault(v, deque(maxlen=length)).append((i, int(kinds[r])))
        v_count[v], i_count[i] = vc + 1, ic + 1
        v_pos[v] = v_pos.get(v, 0.0) + y
        i_pos[i] = i_pos.get(i, 0.0) + y
    return RunningHistory(out_items, out_kinds, counts)
