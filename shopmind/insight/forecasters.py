"""Demand forecasters behind one contract, and the factory that names them.

Every forecaster answers the same question: knowing the periods ``[0, origin)`` of a panel,
what will the first ``rows`` series sell in each of the next ``horizon`` periods, with an 80%
interval? The baselines are the field's standard ones:

- ``naive``: the last period again; intervals from the spread of one-step changes.
- ``seasonal_naive``: the same period a season ago; only where two full seasons of history
  exist (104 weeks, 14 days), otherwise it refuses.
- ``ets`` and ``theta``: statsforecast's AutoETS and AutoTheta (seasonal where two seasons
  exist), with statsforecast's own intervals; a series too short for them gets the naive one.
- ``shopmind``: one global gradient-boosted model over every series (see
  :mod:`shopmind.insight.gbm`).
"""

from __future__ import annotations

import logging
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopmind.errors import ConfigError, TrainingError
from shopmind.insight.series import Panel

log = logging.getLogger(__name__)

Z80 = 1.2815515655446004  # the standard normal's 90% quantile: an 80% two-sided interval


@dataclass
class Forecast:
    """Point forecasts and 80% intervals, one row per series, one column per horizon."""

    mean: npt.NDArray[np.float64]
    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]

    def clipped(self) -> Forecast:
        """Demand is never negative, and the point lies inside its interval."""
        mean = np.maximum(self.mean, 0.0)
        lower = np.minimum(np.maximum(self.lower, 0.0), mean)
        upper = np.maximum(self.upper, mean)
        return Forecast(mean, lower, upper)


class Forecaster(ABC):
    """Forecasts series of a panel from an origin."""

    name: str = ""

    @abstractmethod
    def forecast(self, panel: Panel, origin: int, horizon: int, rows: int) -> Forecast:
        """Forecast series ``[0, rows)`` for periods ``origin .. origin + horizon - 1``."""


def season_length(panel: Panel) -> int:
    """52 weeks or 7 days."""
    return 52 if panel.freq == "W" else 7


class Naive(Forecaster):
    """The last period's demand, repeated."""

    name = "naive"

    def forecast(self, panel: Panel, origin: int, horizon: int, rows: int) -> Forecast:
        history = panel.units[:rows, :origin]
        last = history[:, -1]
        sigma = _step_sigma(panel, origin, rows, 1)
        steps = np.sqrt(np.arange(1, horizon + 1))[None, :]
        mean = np.repeat(last[:, None], horizon, axis=1)
        return Forecast(
            mean, mean - Z80 * sigma[:, None] * steps, mean + Z80 * sigma[:, None] * steps
        )


class SeasonalNaive(Forecaster):
    """The same period a season ago."""

    name = "seasonal_naive"

    def forecast(self, panel: Panel, origin: int, horizon: int, rows: int) -> Forecast:
        m = season_length(panel)
        if origin < 2 * m:
            raise TrainingError(
                f"seasonal_naive needs two full seasons ({2 * m} periods) before the origin; "
                f"there are {origin}"
            )
        history = panel.units[:rows, :origin]
        idx = origin - m + (np.arange(horizon) % m)
        mean = history[:, idx]
        sigma = _step_sigma(panel, origin, rows, m)
        seasons = np.sqrt(np.arange(horizon) // m + 1)[None, :]
        spread = Z80 * sigma[:, None] * seasons
        return Forecast(mean, mean - spread, mean + spread)


class StatsForecast(Forecaster):
    """statsforecast's AutoETS or AutoTheta, fitted series by series from each one's first sale."""

    def __init__(self, name: str) -> None:
        self.name = name

    def forecast(self, panel: Panel, origin: int, horizon: int, rows: int) -> Forecast:
        import pandas as pd
        from statsforecast import StatsForecast as Engine
        from statsforecast.models import AutoETS, AutoTheta
        from statsforecast.models import Naive as SfNaive

        m = season_length(panel) if origin >= 2 * season_length(panel) else 1
        model = AutoETS(season_length=m) if self.name == "ets" else AutoTheta(season_length=m)
        first = panel.first_sale()[:rows]
        ids: list[npt.NDArray[np.int64]] = []
        steps: list[npt.NDArray[np.int64]] = []
        for i in np.flatnonzero(first < origin):
            span = np.arange(first[i], origin)
            ids.append(np.full(len(span), i))
            steps.append(span)
        mean = np.zeros((rows, horizon))
        lower = np.zeros((rows, horizon))
        upper = np.zeros((rows, horizon))
        if not ids:
            return Forecast(mean, lower, upper)
        idx, at = np.concatenate(ids), np.concatenate(steps)
        frame = pd.DataFrame({"unique_id": idx, "ds": at, "y": panel.units[idx, at]})
        engine = Engine(models=[model], freq=1, n_jobs=1, fallback_model=SfNaive())
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = engine.forecast(df=frame, h=horizon, level=[80])
        out = out.sort_values(["unique_id", "ds"])
        col = type(model).__name__
        rows_of = out["unique_id"].to_numpy().astype(np.int64).reshape(-1, horizon)[:, 0]
        mean[rows_of] = out[col].to_numpy().reshape(-1, horizon)
        lower[rows_of] = out[f"{col}-lo-80"].to_numpy().reshape(-1, horizon)
        upper[rows_of] = out[f"{col}-hi-80"].to_numpy().reshape(-1, horizon)
        return Forecast(np.nan_to_num(mean), np.nan_to_num(lower), np.nan_to_num(upper))


def _step_sigma(panel: Panel, origin: int, rows: int, lag: int) -> npt.NDArray[np.float64]:
    """The spread of each series' ``lag``-step changes since its first sale."""
    units = panel.units[:rows, :origin]
    first = panel.first_sale()[:rows]
    diffs = units[:, lag:] - units[:, :-lag] if origin > lag else np.zeros((rows, 0))
    live = np.arange(lag, origin)[None, :] > first[:, None]
    count = live.sum(axis=1)
    total = np.where(live, diffs**2, 0.0).sum(axis=1)
    sigma: npt.NDArray[np.float64] = np.sqrt(total / np.maximum(count, 1))
    return sigma


def make_forecaster(name: str, **params: Any) -> Forecaster:
    """The forecaster called ``name`` (``naive``, ``seasonal_naive``, ``ets``, ``theta``,
    ``shopmind``).

    Raises:
        ConfigError: an unknown name; the message lists the known ones.
    """
    if name == "naive":
        return Naive()
    if name == "seasonal_naive":
        return SeasonalNaive()
    if name in ("ets", "theta"):
        return StatsForecast(name)
    if name == "shopmind":
        from shopmind.insight.gbm import GlobalBoosting

        return GlobalBoosting(**params)
    raise ConfigError(f"unknown forecast method {name!r}; known: {', '.join(METHODS)}")


METHODS: tuple[str, ...] = ("shopmind", "naive", "seasonal_naive", "ets", "theta")
