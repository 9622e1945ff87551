"""``shopmind evaluate ctr``: the deep CTR/CVR model against LightGBM and logistic regression.

Every method trains on the dataset's training rows, picks its checkpoint or strength on the
validation rows and is scored once on the test rows: AUC, GAUC (per visitor) and LogLoss of
the click, and with purchase labels the AUC of click-and-purchase over all test rows
(``ctcvr_auc``, ESMM's task). ``"baseline"`` is the better of the two baselines on the test
rows, so a gain over it is a gain over both.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import numpy as np

from shopmind.config import RankConfig
from shopmind.rank.baseline import Predict, fit_lightgbm, fit_logistic
from shopmind.rank.fit import fit_ctr
from shopmind.rank.metrics import auc, gauc, logloss
from shopmind.rank.table import CtrData, CtrTable

logger = logging.getLogger(__name__)


def _scores(labels: np.ndarray, probs: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    return {
        "auc": round(auc(labels, probs), 5),
        "gauc": round(gauc(labels, probs, groups), 5),
        "logloss": round(logloss(labels, probs), 5),
    }


def _baseline(
    fit: Any, data: CtrData, test: CtrTable, both: np.ndarray | None, seed: int
) -> dict[str, float]:
    t, s = data.table, data.split
    predict: Predict = fit(t, s.train, s.valid, seed)
    out = _scores(test.click, predict(test), test.group)
    if both is not None:
        buy = replace(t, click=both)
        out["ctcvr_auc"] = round(auc(both[s.test], fit(buy, s.train, s.valid, seed)(test)), 5)
    return out


def evaluate_ctr(data: CtrData, config: RankConfig, progress: bool = True) -> dict[str, Any]:
    """Train and score shopmind's model and both baselines on ``data``; the report's
    ``methods`` hold ``shopmind``, ``baseline``, ``logistic`` and ``lightgbm``."""
    t, s = data.table, data.split
    test = t.take(s.test)
    both = None if t.purchase is None else (t.purchase * t.click).astype(np.float32)
    started = time.perf_counter()
    model, report = fit_ctr(t, s.train, s.valid, config, progress)
    pred = model.predict(test)
    ours = _scores(test.click, pred.ctr, test.group)
    if both is not None and pred.ctcvr is not None:
        ours["ctcvr_auc"] = round(auc(both[s.test], pred.ctcvr), 5)
    seconds = time.perf_counter() - started
    methods: dict[str, dict[str, float]] = {"shopmind": ours}
    for name, fit in (("logistic", fit_logistic), ("lightgbm", fit_lightgbm)):
        clock = time.perf_counter()
        methods[name] = _baseline(fit, data, test, both, config.seed)
        logger.info("%s fitted in %.1f s", name, time.perf_counter() - clock)
    best = max(("logistic", "lightgbm"), key=lambda m: methods[m]["auc"])
    methods["baseline"] = {**methods[best], "method": best}  # type: ignore[dict-item]
    return {
        "dataset": data.name,
        "rows": len(t),
        "split": {"train": len(s.train), "valid": len(s.valid), "test": len(s.test)},
        "notes": data.notes,
        "methods": methods,
        "training": {
            "epochs": round(report.epochs, 2),
            "seconds": round(seconds, 1),
            "stopped": report.stopped,
            "valid_auc": round(report.best_auc, 5),
            "curve": report.curve,
        },
    }
