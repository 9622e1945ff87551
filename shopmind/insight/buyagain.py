"""Will a customer buy again within N days? A model of the shop's own history.

- **Who**: customers, i.e. visitors with a ``user_id`` (a guest's ``~session`` cannot come
  back under the same key) and at least one order at or before the cutoff.
- **Features** (:mod:`shopmind.insight.behaviour`): from the events at or before the cutoff
  only: recency, frequency, monetary, tenure, mean and last gap between orders, orders in
  the last N/2N/4N days, spend trend, distinct products and categories, returns, browsing,
  how much of what they buy they (and the shop's customers) buy again.
- **Label**: an order in ``(cutoff, cutoff + N days]``.
- **Scale**: each feature enters as its percentile among the customers of the same cutoff,
  so cutoffs of a young log (few orders each) and of an old one (many) mean the same; raw
  counts grow with the log's age and would not.
- **Training**: one row per customer per cutoff, at cutoffs N days apart going back from the
  newest one whose labels are complete (``label_end - N``), as long as N days of history
  precede them (at most ``MAX_CUTOFFS``). LightGBM, seeded and deterministic; the number of
  trees is chosen on the newest cutoff held out, then the model is refitted on all.
- **Evaluation** (:func:`evaluate_buy_again`): with T the newest event, the evaluation cutoff
  is ``t2 = T - N`` (labels in ``(t2, T]``) and training uses ``label_end = t2``, so the train
  cutoff ``t1 = t2 - N`` has its labels in ``(t1, t2]``; nothing after a cutoff reaches its
  features. The baseline is the RFM rule (R + F + M quintile score, :mod:`shopmind.insight.rfm`)
  on the same customers; both are scored by AUC.

Example::

    model = BuyAgainModel.fit(history, label_end=history.last_ts, days=30, gap_seconds=1800)
    p = model.predict(features_at(history, history.last_ts, 30, 1800))
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import rankdata

from shopmind.errors import TrainingError
from shopmind.events.models import iso_utc
from shopmind.insight.behaviour import FEATURES, Features, features_at
from shopmind.insight.history import DAY, History, Orders
from shopmind.insight.rfm import rfm_scores

logger = logging.getLogger(__name__)

MAX_CUTOFFS = 8
MAX_TREES = 400
MIN_ROWS = 20


def is_customer(history: History, features: Features) -> np.ndarray:
    """Visitors with a user_id and at least one order by the features' cutoff."""
    named = np.fromiter((not v.startswith("~") for v in history.visitors), bool)
    return named & (features["frequency"] > 0)


def bought_within(orders: Orders, cutoff: float, days: int, n: int) -> np.ndarray:
    """Whether each visitor has an order in ``(cutoff, cutoff + days]``."""
    inside = (orders.ts > cutoff) & (orders.ts <= cutoff + days * DAY)
    return np.bincount(orders.visitor[inside], minlength=n) > 0


def train_cutoffs(history: History, label_end: float, days: int) -> list[float]:
    """Training cutoffs, newest first: ``label_end - N``, then N days apart, each with at
    least N days of history before it."""
    first = float(np.nanmin(history.ts)) if len(history) else float("nan")
    cutoffs: list[float] = []
    cutoff = label_end - days * DAY
    while cutoff - first >= days * DAY and len(cutoffs) < MAX_CUTOFFS:
        cutoffs.append(cutoff)
        cutoff -= days * DAY
    return cutoffs


def _rows(
    history: History,
    orders: Orders,
    cutoff: float,
    days: int,
    gap_seconds: float,
    item_category: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    feats = features_at(history, cutoff, days, gap_seconds, item_category)
    who = is_customer(history, feats)
    label = bought_within(orders, cutoff, days, history.n_visitors)
    return percentiles(feats.matrix[who]), label[who]


def percentiles(matrix: np.ndarray) -> np.ndarray:
    """Each column as the percentile (0-1] of its values among the rows; NaN stays NaN."""
    out = np.full_like(matrix, np.nan)
    for j in range(matrix.shape[1]):
        column = matrix[:, j]
        known = ~np.isnan(column)
        if known.any():
            out[known, j] = rankdata(column[known]) / known.sum()
    return out


def _params(rows: int, seed: int) -> dict[str, Any]:
    return {
        "objective": "binary",
        "learning_rate": 0.03,
        "num_leaves": 15,
        "min_data_in_leaf": max(5, min(100, rows // 100)),
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "verbose": -1,
    }


@dataclass
class BuyAgainModel:
    """A fitted buy-again model (see the module docstring)."""

    days: int
    booster: Any
    trees: int
    cutoffs: list[float]
    rows: int

    @classmethod
    def fit(
        cls,
        history: History,
        label_end: float,
        days: int,
        gap_seconds: float,
        item_category: np.ndarray | None = None,
        seed: int = 0,
    ) -> BuyAgainModel:
        """Train on the cutoffs whose labels end by ``label_end`` (see the module docstring).

        Raises:
            TrainingError: too little history, too few customers, or one class only.
        """
        import lightgbm as lgb

        cutoffs = train_cutoffs(history, label_end, days)
        if not cutoffs:
            raise TrainingError(
                f"the buy-again model needs at least {2 * days} days of events (N = {days} "
                "days of history before a cutoff and N after it); ingest more history or "
                "lower profiles.days"
            )
        orders = history.orders(gap_seconds)
        parts = [_rows(history, orders, c, days, gap_seconds, item_category) for c in cutoffs]
        x = np.vstack([p[0] for p in parts])
        y = np.concatenate([p[1] for p in parts]).astype(np.float64)
        if len(y) < MIN_ROWS or y.min() == y.max():
            raise TrainingError(
                f"the buy-again model needs customers who did and did not buy again: got "
                f"{len(y)} customer-periods, {int(y.sum())} buying again; ingest purchases with "
                "a user_id over a longer time"
            )
        params = _params(len(y), seed)
        trees = MAX_TREES
        held = len(parts[0][1])
        if len(cutoffs) > 1 and 0 < parts[0][1].sum() < held:
            # choose the number of trees on the newest cutoff, trained on the older ones
            train = lgb.Dataset(x[held:], y[held:], feature_name=list(FEATURES))
            valid = lgb.Dataset(x[:held], y[:held], reference=train)
            probe = lgb.train(
                params,
                train,
                MAX_TREES,
                valid_sets=[valid],
                callbacks=[lgb.early_stopping(40, verbose=False)],
            )
            trees = max(20, probe.best_iteration)
        booster = lgb.train(params, lgb.Dataset(x, y, feature_name=list(FEATURES)), trees)
        logger.info(
            "buy-again model: %d rows over %d cutoffs, %d trees", len(y), len(cutoffs), trees
        )
        return cls(days, booster, trees, cutoffs, len(y))

    def predict(self, features: Features, rows: np.ndarray) -> np.ndarray:
        """The probability of an order within ``days`` after the features' cutoff, for the
        customers in ``rows`` (a mask or indices), scaled among themselves."""
        matrix = features.matrix[rows]
        if not len(matrix):
            return np.zeros(0)
        return np.asarray(self.booster.predict(percentiles(matrix)), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        """What the model was trained on, as JSON."""
        return {
            "method": "lightgbm",
            "days": self.days,
            "trees": self.trees,
            "rows": self.rows,
            "cutoffs": [iso_utc(c) for c in self.cutoffs],
        }


def evaluate_buy_again(
    history: History,
    days: int,
    gap_seconds: float,
    item_category: np.ndarray | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The model against the RFM rule on a later period (see the module docstring).

    Returns:
        ``{"visitors", "days", "methods": {"shopmind": {"auc"}, "rfm": {"auc"}}, ...}``
        where ``visitors`` are the customers scored at the evaluation cutoff.
    """
    from sklearn.metrics import roc_auc_score

    end = history.last_ts
    if not np.isfinite(end):
        raise TrainingError("no event has a timestamp; the buy-again model needs event times")
    t2 = end - days * DAY
    model = BuyAgainModel.fit(history, t2, days, gap_seconds, item_category, seed)
    feats = features_at(history, t2, days, gap_seconds, item_category)
    who = is_customer(history, feats)
    label = bought_within(history.orders(gap_seconds), t2, days, history.n_visitors)[who]
    if label.min(initial=0) == label.max(initial=0):
        raise TrainingError(
            f"the evaluation period after {iso_utc(t2)} has customers of one class only "
            f"({int(label.sum())} of {len(label)} bought); ingest a longer history"
        )
    p = model.predict(feats, who)
    r, f, m = rfm_scores(
        feats["recency_days"][who], feats["frequency"][who], feats["monetary"][who]
    )
    rfm = r.astype(np.int64) + f + m
    return {
        "visitors": int(who.sum()),
        "days": days,
        "methods": {
            "shopmind": {"auc": round(float(roc_auc_score(label, p)), 4)},
            "rfm": {"auc": round(float(roc_auc_score(label, rfm)), 4)},
        },
        "positive_rate": round(float(label.mean()), 4),
        "evaluation_cutoff": iso_utc(t2),
        "label_end": iso_utc(end),
        "training": model.describe(),
        "notes": [
            "customers = visitors with a user_id and an order by the cutoff; label = an order "
            f"within {days} days after it; features use only events at or before the cutoff",
            "rfm = the sum of the R, F and M quintile scores (1-5 each) at the same cutoff",
        ],
    }
