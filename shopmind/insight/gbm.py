"""shopmind's demand forecaster: one gradient-boosted model over every series of the shop.

This is the approach that won the M5 competition: instead of one small model per product,
one LightGBM model learns from all products at once, on features that are scale-free (see
:mod:`shopmind.insight.demand`), so a slow mover borrows what best sellers teach. It is
direct: the horizon is a feature and each training row pairs what was known at a past origin
with the demand ``h`` periods later — never anything after that origin. The loss is the
absolute error on demand divided by the series' level, weighted by the level, which is the
error that WAPE counts, so the point forecast is the median. Two quantile models (10% and
90%) give the 80% interval.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import numpy.typing as npt

from shopmind.errors import TrainingError
from shopmind.insight.demand import Snapshot, snapshot
from shopmind.insight.forecasters import Forecast, Forecaster
from shopmind.insight.series import Panel

log = logging.getLogger(__name__)

MIN_HISTORY = 8  # the first origin a training row is taken from
QUANTILES = (0.1, 0.9)


class GlobalBoosting(Forecaster):
    """A global LightGBM model, retrained at each origin on what was known before it.

    Args:
        trees: boosting rounds of each of the three models.
        learning_rate: LightGBM's learning rate.
        threads: LightGBM's threads.
        seed: the seed of row and column sampling.
        train_rows: at most this many series teach the model (the best sellers first);
            ``None`` for all.
    """

    name = "shopmind"

    def __init__(
        self,
        trees: int = 200,
        learning_rate: float = 0.05,
        threads: int = 1,
        seed: int = 7,
        train_rows: int | None = None,
    ) -> None:
        self.trees = trees
        self.learning_rate = learning_rate
        self.threads = threads
        self.seed = seed
        self.train_rows = train_rows

    def params(self) -> dict[str, Any]:
        """The LightGBM parameters shared by the three models."""
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
            "random_state": self.seed,
            "verbose": -1,
        }

    def forecast(self, panel: Panel, origin: int, horizon: int, rows: int) -> Forecast:
        import lightgbm as lgb

        teach = panel if self.train_rows is None else panel.head(max(rows, self.train_rows))
        x, y, w = training_rows(teach, origin, horizon)
        models = [lgb.LGBMRegressor(objective="l1", **self.params())]
        models += [
            lgb.LGBMRegressor(objective="quantile", alpha=q, **self.params()) for q in QUANTILES
        ]
        for model in models:
            model.fit(x, y, sample_weight=w)
        now = snapshot(panel.head(rows), origin)
        out = np.zeros((3, rows, horizon))
        for h in range(1, horizon + 1):
            features = now.with_horizon(h, now.alive)
            for k, model in enumerate(models):
                out[k, now.alive, h - 1] = model.predict(features) * now.level[now.alive]
        return Forecast(out[0], out[1], out[2]).clipped()


def training_rows(
    panel: Panel, origin: int, horizon: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Rows ``(features, demand / level, level)`` from every past origin ``t`` and horizon
    ``h`` whose target period ``t + h - 1`` lies before ``origin``.

    Raises:
        TrainingError: the history before ``origin`` is too short to learn from.
    """
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[npt.NDArray[np.float64]] = []
    ws: list[npt.NDArray[np.float64]] = []
    start = min(MIN_HISTORY, max(1, origin // 2))
    for t in range(start, origin):
        snap: Snapshot = snapshot(panel, t)
        live = snap.alive
        for h in range(1, min(horizon, origin - t) + 1):
            xs.append(snap.with_horizon(h, live))
            ys.append(panel.units[live, t + h - 1] / snap.level[live])
            ws.append(snap.level[live])
    if not xs or sum(len(v) for v in ys) < 50:
        raise TrainingError(
            f"too little history before period {origin} to train the demand model "
            f"({sum(len(v) for v in ys)} rows); give it more periods or fewer series"
        )
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
