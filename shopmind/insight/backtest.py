"""Rolling-origin backtests of demand forecasts: WAPE, MASE and interval coverage.

The protocol (the data README's and the issue's): weekly demand per product, the ``top``
products with the most units, origins ``T - window .. T - horizon`` (so every target lies in
the last ``window`` periods, and with ``window=12, horizon=4`` there are 9 origins), each
method forecasting from what was known before its origin only. Scores, over all series,
origins and horizons together:

- WAPE: the sum of absolute errors over the sum of actual demand;
- MASE: each (series, origin)'s mean absolute error over that series' mean absolute one-step
  change before the origin (since its first sale), averaged over the pairs where that scale
  is above zero;
- coverage80: the share of actual demand inside the method's 80% interval.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from shopmind.errors import TrainingError
from shopmind.insight.forecasters import Forecast, Forecaster, make_forecaster
from shopmind.insight.reconcile import reconcile
from shopmind.insight.series import Panel

log = logging.getLogger(__name__)

MAX_HORIZON = 12
MIN_PERIODS = 8  # periods of history before the first origin


@dataclass
class Score:
    """One method's backtest scores."""

    wape: float
    mase: float
    coverage80: float
    seconds: float

    def as_dict(self) -> dict[str, float]:
        """Rounded, JSON-ready."""
        return {
            "wape": round(self.wape, 4),
            "mase": round(self.mase, 4),
            "coverage80": round(self.coverage80, 4),
            "seconds": round(self.seconds, 1),
        }


@dataclass
class Backtest:
    """The result of a backtest: what was forecast and how each method scored."""

    series: int
    periods: int
    horizon: int
    origins: list[int]
    first_target: str
    last_target: str
    methods: dict[str, Score] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The JSON summary (``series``, ``methods`` with wape/mase/coverage80 each...)."""
        return {
            "series": self.series,
            "periods": self.periods,
            "horizon": self.horizon,
            "origins": len(self.origins),
            "targets": [self.first_target, self.last_target],
            "methods": {name: s.as_dict() for name, s in self.methods.items()},
            "skipped": self.skipped,
        }

    def render(self) -> str:
        """A table a person can read, best WAPE first."""
        lines = [
            f"{self.series} series, {self.periods} periods, horizon {self.horizon}, "
            f"{len(self.origins)} origins (targets {self.first_target} .. {self.last_target})",
            f"  {'method':16} {'WAPE':>7} {'MASE':>7} {'cover80':>8} {'seconds':>8}",
        ]
        for name, s in sorted(self.methods.items(), key=lambda kv: kv[1].wape):
            lines.append(
                f"  {name:16} {s.wape:7.3f} {s.mase:7.3f} {s.coverage80:8.3f} {s.seconds:8.1f}"
            )
        lines += [f"  {name}: skipped, {why}" for name, why in self.skipped.items()]
        return "\n".join(lines)


def origins_for(periods: int, horizon: int, window: int) -> list[int]:
    """The forecast origins of a backtest, checked against the history's length.

    Raises:
        TrainingError: the horizon is out of 1..12 or longer than the window, or the history
            is too short for the window; the message names the limit.
    """
    if not 1 <= horizon <= MAX_HORIZON:
        raise TrainingError(f"horizon {horizon}: use 1 to {MAX_HORIZON} periods")
    if horizon > window:
        raise TrainingError(f"horizon {horizon} is longer than the backtest window ({window})")
    if periods - window < MIN_PERIODS:
        raise TrainingError(
            f"the history has {periods} full periods; a backtest over the last {window} needs "
            f"at least {window + MIN_PERIODS} (shorten --window or --horizon, or give more data)"
        )
    return list(range(periods - window, periods - horizon + 1))


def run_backtest(
    panel: Panel,
    *,
    horizon: int = 4,
    window: int = 12,
    top: int = 500,
    methods: Sequence[str] = ("shopmind", "naive", "ets", "theta"),
    forecasters: dict[str, Forecaster] | None = None,
    progress: bool = True,
) -> Backtest:
    """Backtest ``methods`` on the ``top`` best sellers of ``panel``.

    ``shopmind`` learns from every series of the panel and is reconciled with the forecast
    of the top series' total; the others forecast each top series alone.
    """
    origins = origins_for(panel.periods, horizon, window)
    top = min(top, len(panel.ids))
    made = forecasters or {}
    result = Backtest(
        top,
        panel.periods,
        horizon,
        origins,
        panel.period_start(origins[0]).isoformat(),
        panel.period_end(origins[-1] + horizon - 1).isoformat(),
    )
    actual = np.stack([panel.units[:top, o : o + horizon] for o in origins])
    bar = tqdm(total=len(methods) * len(origins), desc="backtest", unit="fit", disable=not progress)
    for name in methods:
        forecaster = made.get(name) or make_forecaster(name)
        started = time.perf_counter()
        outs: list[Forecast] = []
        try:
            for origin in origins:
                bar.set_postfix_str(f"{name} @{panel.period_start(origin)}")
                if name == "shopmind":
                    outs.append(_coherent(forecaster, panel, origin, horizon, top))
                else:
                    outs.append(forecaster.forecast(panel, origin, horizon, top).clipped())
                bar.update(1)
        except TrainingError as err:
            result.skipped[name] = str(err)
            bar.update(len(origins) - len(outs))
            continue
        result.methods[name] = _score(panel, origins, actual, outs, time.perf_counter() - started)
        log.info("%s: %s", name, result.methods[name].as_dict())
    bar.close()
    return result


def _coherent(
    forecaster: Forecaster, panel: Panel, origin: int, horizon: int, top: int
) -> Forecast:
    """The top series' forecasts, reconciled with the forecast of their total."""
    total = panel.head(top).aggregate([np.arange(top)], ["total"])
    both = total.stack(panel)
    out = forecaster.forecast(both, origin, horizon, top + 1)
    agg = Forecast(out.mean[:1], out.lower[:1], out.upper[:1])
    bottom = Forecast(out.mean[1:], out.lower[1:], out.upper[1:])
    return reconcile(bottom, agg, [np.arange(top)])


def _score(
    panel: Panel,
    origins: list[int],
    actual: npt.NDArray[np.float64],
    outs: list[Forecast],
    seconds: float,
) -> Score:
    mean = np.stack([f.mean for f in outs])
    lower = np.stack([f.lower for f in outs])
    upper = np.stack([f.upper for f in outs])
    wape = float(np.abs(actual - mean).sum() / max(actual.sum(), 1e-9))
    covered = float(((actual >= lower) & (actual <= upper)).mean())
    n = actual.shape[1]
    first = panel.first_sale()[:n]
    ratios: list[npt.NDArray[np.float64]] = []
    for k, origin in enumerate(origins):
        units = panel.units[:n, :origin]
        steps = np.abs(np.diff(units, axis=1))
        live = np.arange(1, origin)[None, :] > first[:, None]
        count = live.sum(axis=1)
        scale = np.where(live, steps, 0.0).sum(axis=1) / np.maximum(count, 1)
        ok = (count > 0) & (scale > 0)
        mae = np.abs(actual[k] - mean[k]).mean(axis=1)
        ratios.append(mae[ok] / scale[ok])
    mase = float(np.concatenate(ratios).mean()) if ratios else float("nan")
    return Score(wape, mase, covered, seconds)
