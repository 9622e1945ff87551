"""The baselines every CTR evaluation runs beside the deep model, on the same rows.

Both read every tabular column of the table (categorical codes, the multi-valued field,
the numbers, including the running counts and rates); neither reads the history sequence,
which only a sequence model can use. Each picks its strength on the validation rows:
logistic regression its L2 strength over one-hot codes and scaled numbers, LightGBM its
number of trees by early stopping.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse

from shopmind.rank.metrics import auc
from shopmind.rank.table import CtrTable

Predict = Callable[[CtrTable], np.ndarray]


def _one_hot(table: CtrTable, offsets: np.ndarray, width: int) -> sparse.csr_matrix:
    n = len(table)
    cols = table.cats + offsets[: table.cats.shape[1]]
    multi = table.multi
    rows = [np.repeat(np.arange(n), cols.shape[1])]
    data = [np.ones(cols.size, np.float32)]
    indices = [cols.ravel()]
    if multi.shape[1] and offsets.shape[0] > table.cats.shape[1]:
        mask = multi > 0
        rows.append(np.nonzero(mask)[0])
        indices.append((multi + offsets[-1])[mask])
        data.append(np.ones(int(mask.sum()), np.float32))
    return sparse.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(indices))), shape=(n, width)
    )


def fit_logistic(table: CtrTable, train: np.ndarray, valid: np.ndarray, seed: int = 0) -> Predict:
    """L2 logistic regression on one-hot codes and standardised numbers; C from validation."""
    from sklearn.linear_model import LogisticRegression

    sizes = list(table.schema.cards)
    if table.schema.multi is not None:
        sizes.append(table.schema.multi_card)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    width = int(sum(sizes))
    nums = table.nums[train]
    mean, std = nums.mean(0), nums.std(0) + 1e-6

    def design(t: CtrTable) -> sparse.csr_matrix:
        onehot = _one_hot(t, offsets, width)
        return sparse.hstack([onehot, sparse.csr_matrix((t.nums - mean) / std)]).tocsr()

    x_train, x_valid = design(table.take(train)), design(table.take(valid))
    y_train, y_valid = table.click[train], table.click[valid]
    best: tuple[float, object] = (-1.0, None)
    for c in (0.01, 0.03, 0.1, 0.3, 1.0):
        model = LogisticRegression(C=c, max_iter=2_000, random_state=seed).fit(x_train, y_train)
        score = auc(y_valid, model.predict_proba(x_valid)[:, 1])
        if score > best[0]:
            best = (score, model)
    chosen = best[1]
    assert isinstance(chosen, LogisticRegression)
    return lambda t: chosen.predict_proba(design(t))[:, 1]


def fit_lightgbm(table: CtrTable, train: np.ndarray, valid: np.ndarray, seed: int = 0) -> Predict:
    """LightGBM (one thread, seeded) on the codes as categorical features and the numbers;
    the number of trees by early stopping on validation."""
    import lightgbm as lgb

    def design(t: CtrTable) -> np.ndarray:
        return np.hstack([t.cats, t.multi, t.nums]).astype(np.float64)

    n_cat = table.cats.shape[1] + table.multi.shape[1]
    train_set = lgb.Dataset(
        design(table.take(train)), table.click[train], categorical_feature=list(range(n_cat))
    )
    valid_set = lgb.Dataset(design(table.take(valid)), table.click[valid], reference=train_set)
    params = {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": max(1, min(50, len(train) // 20)),
        "cat_smooth": 10,
        "num_threads": 1,
        "seed": seed,
        "deterministic": True,
        "verbose": -1,
    }
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=2_000,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(50, verbose=False)],
    )
    return lambda t: np.asarray(booster.predict(design(t), num_iteration=booster.best_iteration))
