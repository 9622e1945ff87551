"""Data-quality checks over a catalog batch: counted and reported, never silently dropped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from shopmind.catalog.models import Product


def robust_outliers(values: Sequence[float], z: float) -> list[int]:
    """Indexes of values whose log-scale modified z-score exceeds ``z`` (median/MAD based).

    Prices are heavy-tailed, so they are compared on a log scale; a catalog with fewer
    than 10 prices has no outliers.
    """
    if len(values) < 10:
        return []
    logs = [math.log1p(v) for v in values]
    mid = median(logs)
    mad = median(abs(x - mid) for x in logs)
    if mad == 0:
        return []
    return [i for i, x in enumerate(logs) if 0.6745 * abs(x - mid) / mad > z]


@dataclass
class CatalogQuality:
    """Accumulates a catalog ingest's quality counts chunk by chunk."""

    outlier_z: float = 3.5
    seen: set[str] = field(default_factory=set)
    duplicate_ids: int = 0
    duplicate_samples: list[str] = field(default_factory=list)
    missing_price: int = 0
    zero_price: int = 0
    out_of_stock: int = 0
    missing_category: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    _prices: list[tuple[str, float]] = field(default_factory=list)

    def observe(self, products: Sequence[Product]) -> None:
        """Count one chunk of valid products."""
        for p in products:
            if p.id in self.seen:
                self.duplicate_ids += 1
                if len(self.duplicate_samples) < 5:
                    self.duplicate_samples.append(p.id)
            self.seen.add(p.id)
            if p.price is None:
                self.missing_price += 1
            else:
                self._prices.append((p.id, p.price))
                if p.price == 0:
                    self.zero_price += 1
            if not p.in_stock:
                self.out_of_stock += 1
            if not p.category:
                self.missing_category += 1
            lang = p.language or "?"
            self.languages[lang] = self.languages.get(lang, 0) + 1

    def summary(self, rejected_missing_title: int = 0) -> dict[str, Any]:
        """The counts, with samples, as a JSON-ready dict."""
        outliers = robust_outliers([p for _, p in self._prices], self.outlier_z)
        return {
            "duplicate_ids": self.duplicate_ids,
            "duplicate_id_samples": self.duplicate_samples,
            "missing_titles": rejected_missing_title,
            "missing_price": self.missing_price,
            "zero_price": self.zero_price,
            "price_outliers": len(outliers),
            "price_outlier_samples": [
                {"id": self._prices[i][0], "price": self._prices[i][1]} for i in outliers[:5]
            ],
            "out_of_stock": self.out_of_stock,
            "missing_category": self.missing_category,
            "languages": dict(sorted(self.languages.items())),
        }
