"""The shop's demand outlook: forecasts per product, category and the whole shop, saved.

``shopmind analyze forecast`` reads the store's purchases, forecasts the best sellers, their
top-level categories and the shop's total with the global model, reconciles them across that
hierarchy (so categories add up to the shop and products to their category), adds stock advice
for the products, and saves it all in ``HOME/insight/forecast.json`` for the routes and the
console: each series with its recent history and its forecast fan (median and 80% interval).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shopmind.catalog import Product
from shopmind.errors import NotFound, TrainingError
from shopmind.files import write_text_atomic
from shopmind.insight.forecasters import Forecast, Forecaster
from shopmind.insight.gbm import GlobalBoosting
from shopmind.insight.reconcile import reconcile
from shopmind.insight.series import Freq, build_panel
from shopmind.insight.stock import advise
from shopmind.insight.transactions import Sales

log = logging.getLogger(__name__)

HISTORY = 26  # past periods kept beside each forecast
UNCATEGORISED = "(no category)"


def outlook_path(home: Path) -> Path:
    """Where the outlook is saved."""
    return home / "insight" / "forecast.json"


@dataclass
class Outlook:
    """Forecasts of the shop, its categories and its best sellers, plus stock advice."""

    freq: str
    horizon: int
    made_at: str
    periods: list[str]  # first day of each period: history, then forecast
    history: int  # how many of ``periods`` are history
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    stock: list[dict[str, Any]] = field(default_factory=list)
    cleaning: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(vars(self))

    def get(self, key: str) -> dict[str, Any]:
        """One series (``total``, ``category:NAME`` or ``product:ID``).

        Raises:
            NotFound: no such series in the outlook.
        """
        found = self.series.get(key)
        if found is None:
            raise NotFound(
                f"no forecast for {key}; forecasts cover the shop's total, its top-level "
                f"categories and its {sum(k.startswith('product:') for k in self.series)} best "
                "sellers (shopmind analyze forecast --top N for more)"
            )
        return {"key": key, "freq": self.freq, "periods": self.periods, **found}

    def summary(self) -> dict[str, Any]:
        """The short JSON summary a command prints."""
        total = self.series.get("total", {})
        return {
            "freq": self.freq,
            "horizon": self.horizon,
            "products": sum(k.startswith("product:") for k in self.series),
            "categories": sum(k.startswith("category:") for k in self.series),
            "total_forecast": total.get("forecast", {}).get("p50"),
            "stock_alerts": sum(1 for a in self.stock if (a.get("stockout_risk") or 0) >= 0.5),
            "seconds": round(self.seconds, 1),
        }


def build_outlook(
    sales: Sales,
    products: Mapping[str, Product],
    *,
    freq: Freq = "W",
    horizon: int = 4,
    top: int = 500,
    lead_time: int = 2,
    review: int = 1,
    service_level: float = 0.95,
    forecaster: Forecaster | None = None,
) -> Outlook:
    """Forecast the shop's total, categories and ``top`` best sellers from its sales.

    Raises:
        TrainingError: too little history, or a horizon outside 1..12.
    """
    started = time.perf_counter()
    if not 1 <= horizon <= 12:
        raise TrainingError(f"horizon {horizon}: use 1 to 12 periods")
    panel = build_panel(sales, freq)
    if panel.periods < 2 * horizon:
        raise TrainingError(
            f"the history has {panel.periods} full periods; a {horizon}-period forecast needs "
            f"at least {2 * horizon}"
        )
    top = min(top, len(panel.ids))
    names, groups = _categories(panel.ids[:top], products)
    head = panel.head(top)
    aggregates = head.aggregate([np.arange(top), *groups], ["total", *names])
    model = forecaster or GlobalBoosting()
    both = aggregates.stack(panel)
    out = model.forecast(both, panel.periods, horizon, len(aggregates.ids) + top)
    k = len(aggregates.ids)
    agg = Forecast(out.mean[:k], out.lower[:k], out.upper[:k])
    bottom = reconcile(
        Forecast(out.mean[k:], out.lower[k:], out.upper[k:]), agg, [np.arange(top), *groups]
    )
    coherent_agg = Forecast(
        np.array([bottom.mean[g].sum(axis=0) for g in [np.arange(top), *groups]]),
        agg.lower,
        agg.upper,
    )
    coherent_agg = _recentre(agg, coherent_agg)
    outlook = Outlook(
        freq,
        horizon,
        datetime.now(UTC).isoformat(timespec="seconds"),
        [
            panel.period_start(i).isoformat()
            for i in range(max(0, panel.periods - HISTORY), panel.periods + horizon)
        ],
        min(HISTORY, panel.periods),
        cleaning=sales.cleaning.as_dict(),
    )
    past = slice(max(0, panel.periods - HISTORY), panel.periods)
    for i, name in enumerate(aggregates.ids):
        key = "total" if name == "total" else f"category:{name}"
        outlook.series[key] = _entry(name, aggregates.units[i, past], coherent_agg, i)
    for i, pid in enumerate(head.ids):
        product = products.get(pid)
        title = product.title if product else sales.titles.get(pid, pid)
        outlook.series[f"product:{pid}"] = _entry(title, head.units[i, past], bottom, i)
    on_hand = {pid: _stock(products.get(pid)) for pid in head.ids}
    if lead_time + review <= horizon:
        advice = advise(
            head.ids,
            bottom,
            on_hand,
            lead_time=lead_time,
            review=review,
            service_level=service_level,
        )
        outlook.stock = [a.as_dict() for a in advice]
    else:
        log.warning("stock advice needs a horizon of %d periods; skipped", lead_time + review)
    outlook.seconds = time.perf_counter() - started
    return outlook


def save_outlook(home: Path, outlook: Outlook) -> Path:
    """Write the outlook atomically; returns its path."""
    path = outlook_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(outlook.as_dict(), ensure_ascii=False))
    return path


def load_outlook(home: Path) -> Outlook:
    """The saved outlook.

    Raises:
        NotFound: none was made yet; the message says how to make one.
    """
    path = outlook_path(home)
    if not path.exists():
        raise NotFound("no demand forecast yet; run `shopmind analyze forecast` first")
    data = json.loads(path.read_text(encoding="utf-8"))
    return Outlook(**data)


def _categories(
    ids: list[str], products: Mapping[str, Product]
) -> tuple[list[str], list[npt.NDArray[np.int64]]]:
    by: dict[str, list[int]] = {}
    for i, pid in enumerate(ids):
        product = products.get(pid)
        head = (product.category or "").split(" > ")[0].strip() if product else ""
        by.setdefault(head or UNCATEGORISED, []).append(i)
    if len(by) == 1 and UNCATEGORISED in by:
        return [], []  # no catalog categories: only the shop's total
    names = sorted(by)
    return names, [np.asarray(by[n], dtype=np.int64) for n in names]


def _recentre(base: Forecast, coherent: Forecast) -> Forecast:
    shift = coherent.mean - base.mean
    return Forecast(coherent.mean, base.lower + shift, base.upper + shift).clipped()


def _entry(name: str, past: npt.NDArray[np.float64], fc: Forecast, i: int) -> dict[str, Any]:
    return {
        "name": name,
        "history": [round(float(v), 3) for v in past],
        "forecast": {
            "p10": [round(float(v), 3) for v in fc.lower[i]],
            "p50": [round(float(v), 3) for v in fc.mean[i]],
            "p90": [round(float(v), 3) for v in fc.upper[i]],
        },
    }


def _stock(product: Product | None) -> float | None:
    if product is None or product.stock is None:
        return None
    return float(product.stock)
