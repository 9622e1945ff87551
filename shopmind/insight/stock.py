"""Stock advice from demand forecasts: reorder points, order quantities and stock-out risk.

Demand over the next ``lead_time`` periods is read from the forecast: each period's median
and spread (the 80% interval's width over 2 × 1.2816, as for a normal), summed over the lead
time as independent periods. Then, the classic periodic-review rules:

- reorder point = lead-time demand's mean + z(service level) × its spread: order when the
  stock on hand falls to it;
- order-up-to level = the same over ``lead_time + review`` periods; the order quantity tops
  the stock on hand up to it;
- stock-out risk = the chance that lead-time demand exceeds the stock on hand (known only
  where the catalog gives ``stock``);
- weeks (periods) of cover = how many forecast periods the stock on hand lasts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from shopmind.errors import TrainingError
from shopmind.insight.forecasters import Z80, Forecast


@dataclass
class Advice:
    """What to do about one product's stock."""

    product: str
    on_hand: float | None
    lead_time_demand: float
    reorder_point: float
    order_up_to: float
    order_quantity: float
    stockout_risk: float | None
    periods_of_cover: float | None
    action: str

    def as_dict(self) -> dict[str, object]:
        """Rounded, JSON-ready."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 3)
        return out


def advise(
    products: Sequence[str],
    forecast: Forecast,
    on_hand: Mapping[str, float | None],
    *,
    lead_time: int = 2,
    review: int = 1,
    service_level: float = 0.95,
) -> list[Advice]:
    """Advice for each product, the riskiest first.

    Raises:
        TrainingError: the forecast's horizon is shorter than ``lead_time + review``, or the
            service level is not between 0.5 and 0.9999.
    """
    horizon = forecast.mean.shape[1]
    if lead_time < 1 or review < 0 or lead_time + review > horizon:
        raise TrainingError(
            f"lead time {lead_time} + review {review} periods must fit in the forecast's "
            f"horizon ({horizon}); forecast further ahead (--horizon) or shorten them"
        )
    if not 0.5 <= service_level <= 0.9999:
        raise TrainingError(f"service level {service_level}: use 0.5 to 0.9999 (e.g. 0.95)")
    z = float(norm.ppf(service_level))
    sigma = (forecast.upper - forecast.lower) / (2 * Z80)
    out: list[Advice] = []
    for i, product in enumerate(products):
        mean_l = float(forecast.mean[i, :lead_time].sum())
        sd_l = float(np.sqrt((sigma[i, :lead_time] ** 2).sum()))
        span = lead_time + review
        mean_s = float(forecast.mean[i, :span].sum())
        sd_s = float(np.sqrt((sigma[i, :span] ** 2).sum()))
        reorder = mean_l + z * sd_l
        up_to = mean_s + z * sd_s
        stock = on_hand.get(product)
        if stock is None:
            out.append(
                Advice(product, None, mean_l, reorder, up_to, up_to, None, None, "stock unknown")
            )
            continue
        risk = _exceeds(mean_l, sd_l, stock)
        quantity = max(0.0, up_to - stock) if stock <= reorder else 0.0
        cover = _cover(forecast.mean[i], stock)
        action = f"order {math.ceil(quantity)}" if quantity > 0 else "enough stock"
        out.append(Advice(product, stock, mean_l, reorder, up_to, quantity, risk, cover, action))
    out.sort(key=lambda a: (-(a.stockout_risk or 0.0), -a.lead_time_demand, a.product))
    return out


def _exceeds(mean: float, sd: float, stock: float) -> float:
    if sd <= 0:
        return 1.0 if mean > stock else 0.0
    return float(norm.sf((stock - mean) / sd))


def _cover(mean: npt.NDArray[np.float64], stock: float) -> float:
    left = stock
    for k, demand in enumerate(mean):
        if demand >= left:
            return k + (left / demand if demand > 0 else 0.0)
        left -= float(demand)
    return float(len(mean))
