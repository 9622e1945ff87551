"""shopmind's demand forecaster: one gradient-boosted model over every series of the shop.

This is the approach that won the M5 competition: instead of one small model per product,
one LightGBM model learns from all products at once, on features that are scale-free (see
:mod:`shopmind.insight.demand`), so a slow mover borrows what best sellers teach. It is
direct: the horizon is a feature and each training row pairs what was known at a past origin
with the demand ``h`` periods later — never anything after that origin. The loss is the
absolute error on demand divided by the series' level, weighted by the level, which is the
error that WAPE counts, so the point forecast is the median. A few models with different
sampling seeds are averaged (bagging), which steadies what one sample of rows teaches.

The 80% interval comes from two quantile models (10% and 90%), calibrated by split conformal
prediction (conformalized quantile regression, Romano, Patterson & Candès 2019): quantile
models fitted on the rows seen before are overconfident on new ones, so models fitted
without the last ``horizon`` target periods forecast those periods, and the interval is
widened (or narrowed) by the amount, per horizon, that makes 80% of those held-out points
fall inside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopmind.errors import TrainingError
from shopmind.insight.demand import calendar, snapshot
from shopmind.insight.forecasters import Forecast, Forecaster
from shopmind.insight.series import Panel

log = logging.getLogger(__name__)

MIN_HISTORY = 8  # the first origin a training row is taken from
QUANTILES = (0.1, 0.9)
COVERAGE = 0.8
MIN_CALIBRATION = 50  # held-out rows a horizon needs for its own correction


@dataclass
class Rows:
    """Training rows: features, demand over level, level (the weight), target period, horizon."""

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    level: npt.NDArray[np.float64]
    target: npt.NDArray[np.int64]
    horizon: npt.NDArray[np.int64]

    def subset(self, keep: npt.NDArray[np.bool_]) -> Rows:
        """The rows where ``keep`` is true."""
        return Rows(
            self.x[keep], self.y[keep], self.level[keep], self.target[keep], self.horizon[keep]
        )


class GlobalBoosting(Forecaster):
    """A global LightGBM model, retrained at each origin on what was known before it.

    Args:
        trees: boosting rounds of each model.
        learning_rate: LightGBM's learning rate.
        threads: LightGBM's threads.
        seed: the first seed of row and column sampling.
        train_rows: at most this many series teach the model (the best sellers first);
            ``None`` for all.
        bags: models with different seeds averaged, for the point and for each quantile.
        calibrate: widen the intervals by split conformal calibration (see the module).
    """

    name = "shopmind"

    def __init__(
        self,
        trees: int = 200,
        learning_rate: float = 0.05,
        threads: int = 1,
        seed: int = 7,
        train_rows: int | None = 500,
        bags: int = 1,
        calibrate: bool = True,
    ) -> None:
        self.trees = trees
        self.learning_rate = learning_rate
        self.threads = threads
        self.seed = seed
        self.train_rows = train_rows
        self.bags = bags
        self.calibrate = calibrate

    def params(self, seed: int) -> dict[str, Any]:
        """The LightGBM parameters shared by every model."""
        return {
            "n_estimators": self.trees,
            "learning_rate": self.learning_rate,
            "num_leaves": 31,
            "min_child_samples": 50,
            "subsample": 0.8,
            "subsample_freq": 1,
            "colsample_bytree": 0.8,
            "max_bin": 63,
            "n_jobs": self.threads,
            "random_state": seed,
            "verbose": -1,
        }

    def forecast(self, panel: Panel, origin: int, horizon: int, rows: int) -> Forecast:
        teach = panel if self.train_rows is None else panel.head(max(rows, self.train_rows))
        data = training_rows(teach, origin, horizon)
        point = self._fit(data, "l1", None)
        bands = [self._fit(data, "quantile", q) for q in QUANTILES]
        widen = self._conformal(data, origin, horizon) if self.calibrate else np.zeros(horizon)
        now = snapshot(panel.head(rows), origin)
        out = np.zeros((3, rows, horizon))
        for h in range(1, horizon + 1):
            x = now.with_horizon(h, now.alive, calendar(panel, origin + h - 1))
            scale = now.level[now.alive]
            out[0, now.alive, h - 1] = _predict(point, x) * scale
            out[1, now.alive, h - 1] = (_predict(bands[0], x) - widen[h - 1]) * scale
            out[2, now.alive, h - 1] = (_predict(bands[1], x) + widen[h - 1]) * scale
        return Forecast(out[0], out[1], out[2]).clipped()

    def _fit(self, data: Rows, objective: str, alpha: float | None) -> list[Any]:
        import lightgbm as lgb

        extra: dict[str, Any] = {} if alpha is None else {"alpha": alpha}
        models = []
        for k in range(self.bags):
            model = lgb.LGBMRegressor(objective=objective, **extra, **self.params(self.seed + k))
            model.fit(data.x, data.y, sample_weight=data.level)
            models.append(model)
        return models

    def _conformal(self, data: Rows, origin: int, horizon: int) -> npt.NDArray[np.float64]:
        """Per horizon, what to add to both ends of the interval (in units of the level) so that
        80% of the last ``horizon`` target periods' demand, forecast by quantile models that
        never saw those periods, falls inside it; 0 where too few rows are held out."""
        held = data.target >= origin - horizon
        widen = np.zeros(horizon)
        if held.sum() < MIN_CALIBRATION or (~held).sum() < MIN_CALIBRATION:
            return widen
        fit, check = data.subset(~held), data.subset(held)
        lower, upper = (_predict(self._fit(fit, "quantile", q), check.x) for q in QUANTILES)
        score = np.maximum(lower - check.y, check.y - upper)
        pooled = _conformal_quantile(score)
        for h in range(1, horizon + 1):
            mine = score[check.horizon == h]
            widen[h - 1] = _conformal_quantile(mine) if len(mine) >= MIN_CALIBRATION else pooled
        log.debug("conformal widening at %d: %s", origin, np.round(widen, 3))
        return widen


def _predict(models: list[Any], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.mean([m.predict(x) for m in models], axis=0)  # type: ignore[no-any-return]


def _conformal_quantile(score: npt.NDArray[np.float64]) -> float:
    """The split-conformal quantile of the scores at 80% coverage."""
    n = len(score)
    level = min(1.0, COVERAGE * (n + 1) / n)
    return float(np.quantile(score, level, method="higher"))


def training_rows(panel: Panel, origin: int, horizon: int) -> Rows:
    """Rows from every past origin ``t`` and horizon ``h`` whose target period ``t + h - 1``
    lies before ``origin``.

    Raises:
        TrainingError: the history before ``origin`` is too short to learn from.
    """
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[npt.NDArray[np.float64]] = []
    ws: list[npt.NDArray[np.float64]] = []
    targets: list[npt.NDArray[np.int64]] = []
    hs: list[npt.NDArray[np.int64]] = []
    start = min(MIN_HISTORY, max(1, origin // 2))
    for t in range(start, origin):
        snap = snapshot(panel, t)
        live = snap.alive
        n = int(live.sum())
        for h in range(1, min(horizon, origin - t) + 1):
            xs.append(snap.with_horizon(h, live, calendar(panel, t + h - 1)))
            ys.append(panel.units[live, t + h - 1] / snap.level[live])
            ws.append(snap.level[live])
            targets.append(np.full(n, t + h - 1))
            hs.append(np.full(n, h))
    count = sum(len(v) for v in ys)
    if count < 50:
        raise TrainingError(
            f"too little history before period {origin} to train the demand model "
            f"({count} rows); give it more periods or fewer series"
        )
    return Rows(
        np.vstack(xs),
        np.concatenate(ys),
        np.concatenate(ws),
        np.concatenate(targets),
        np.concatenate(hs),
    )
