"""Merchandising: the shop's rules on top of relevance (pin, boost, bury out-of-stock).

Rules change scores, never the candidates' relevance evidence, and every change is noted
for the product's reasons so a merchandiser sees why a product moved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shopmind.config import MerchRule


def _same_query(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def apply_rules(
    fused: np.ndarray,
    shown: np.ndarray,
    query: str,
    rules: Sequence[MerchRule],
    in_stock: np.ndarray,
    row_of: dict[str, int],
    bury_out_of_stock: bool,
) -> tuple[np.ndarray, np.ndarray, dict[int, list[tuple[str, float | None]]]]:
    """Apply the rules for ``query``; returns (scores, shown products, notes per product)."""
    scores = fused.copy()
    notes: dict[int, list[tuple[str, float | None]]] = {}
    top = float(scores.max()) if len(scores) else 0.0
    extra: list[int] = []
    for rule in rules:
        if not _same_query(rule.query, query):
            continue
        for pid, factor in rule.boost.items():
            row = row_of.get(pid)
            if row is not None:
                scores[row] *= factor
                notes.setdefault(row, []).append((f"rule: boost for '{rule.query}'", factor))
        for n, pid in enumerate(rule.pin):
            row = row_of.get(pid)
            if row is not None:
                scores[row] = top * 2 + 2.0 + (len(rule.pin) - n)
                notes.setdefault(row, []).append((f"rule: pinned for '{rule.query}'", n + 1.0))
                extra.append(row)
    if bury_out_of_stock and len(shown):
        low = shown[~in_stock[shown]]
        if len(low):
            floor = float(scores[shown].max()) + 1.0
            scores[low] -= floor
            for row in low:
                notes.setdefault(int(row), []).append(("rule: out of stock, shown last", None))
    if extra:
        shown = np.union1d(shown, np.asarray(extra, dtype=np.int64))
    return scores, shown, notes
