"""The ``Recommender`` contract: visitor histories in, a score for every product out.

Every model works in *product index space* (0 .. n_items-1) and scores a batch of visitor
histories at once, so a model fitted once serves any visitor, new or known, from the
events read at request time: an event changes the next list without retraining.

``recommend`` and ``similar_items`` are batch-first: a batch gives 2-D ``(indexes,
scores)``, a single product index given to ``similar_items`` gives 1-D.
"""

from __future__ import annotations

import json
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self, overload

import numpy as np
import scipy.sparse as sp

FloatArray = np.ndarray


def rows_product(left: np.ndarray, right: np.ndarray) -> FloatArray:
    """``left @ right`` in float32, each row of the answer exactly as it is when that row is
    computed alone or in any batch: every row is its own matrix-vector product. A
    matrix-matrix product would read ``right`` once for all rows, but BLAS picks its
    kernel, and so how its sums round, by the shape (measured: one row alone, two, and 24
    give three different last bits). Serving scores concurrent visitors in one batch
    (:mod:`shopmind.batching`); this keeps a visitor's scores, and so their list,
    independent of who shared the batch."""
    left = np.asarray(left, dtype=np.float32)
    right = np.asarray(right, dtype=np.float32)
    out = np.empty((left.shape[0], right.shape[1]), dtype=np.float32)
    for i in range(left.shape[0]):
        np.matmul(left[i], right, out=out[i])
    return out


@dataclass(frozen=True)
class Histories:
    """Visitor histories: product indexes oldest first, with a weight per event."""

    items: list[np.ndarray]
    weights: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.weights and len(self.weights) != len(self.items):
            raise ValueError("weights must hold one array per history (or be empty)")

    @classmethod
    def of(cls, items: Sequence[Sequence[int]]) -> Histories:
        """Histories with unit weights from lists of product indexes."""
        return cls([np.asarray(h, dtype=np.int64) for h in items])

    def __len__(self) -> int:
        return len(self.items)

    def slice(self, start: int, stop: int) -> Histories:
        """The histories ``start:stop``."""
        return Histories(self.items[start:stop], self.weights[start:stop] if self.weights else [])

    def weight(self, row: int) -> np.ndarray:
        """The event weights of one history (ones when none were given)."""
        if self.weights:
            return np.asarray(self.weights[row], dtype=np.float32)
        return np.ones(len(self.items[row]), dtype=np.float32)

    def matrix(self, n_items: int, recency: float = 1.0) -> sp.csr_matrix:
        """Visitor × product weights; the i-th newest event is scaled by ``recency ** i``."""
        lengths = [len(h) for h in self.items]
        rows = np.repeat(np.arange(len(self.items)), lengths)
        cols = np.concatenate(self.items) if self.items else np.zeros(0, dtype=np.int64)
        parts = []
        for row, n in enumerate(lengths):
            w = self.weight(row)
            if recency != 1.0:
                w = w * recency ** np.arange(n - 1, -1, -1, dtype=np.float32)
            parts.append(w)
        vals = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        m = sp.csr_matrix((vals, (rows, cols)), shape=(len(self.items), n_items), dtype=np.float32)
        m.sum_duplicates()
        return m

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Consecutive (earlier, next) product pairs across all histories."""
        src = [h[:-1] for h in self.items if len(h) > 1]
        dst = [h[1:] for h in self.items if len(h) > 1]
        if not src:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        return np.concatenate(src), np.concatenate(dst)


def sparse_state(matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    """A CSR matrix as the arrays ``save`` writes."""
    return {"data": matrix.data, "indices": matrix.indices, "indptr": matrix.indptr}


def sparse_from_state(state: dict[str, np.ndarray], n: int) -> sp.csr_matrix:
    """The ``n × n`` CSR matrix written by :func:`sparse_state`."""
    return sp.csr_matrix((state["data"], state["indices"], state["indptr"]), shape=(n, n))


def top_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the indexes of the ``k`` highest finite scores, best first, and the scores."""
    k = max(0, min(k, scores.shape[1]))
    if k == 0:
        return np.zeros((len(scores), 0), dtype=np.int64), np.zeros((len(scores), 0), np.float32)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(scores, part, 1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, 1), np.take_along_axis(vals, order, 1)


def target_ranks(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per row, the 0-based rank of its held-out product (how many products score higher)."""
    mine = scores[np.arange(len(targets)), targets]
    return np.asarray((scores > mine[:, None]).sum(axis=1))


def ndcg_at_10(scores: np.ndarray, targets: np.ndarray) -> float:
    """Mean NDCG@10 of one held-out product per row (scores already masked)."""
    rank = target_ranks(scores, targets)
    return float(np.where(rank < 10, 1.0 / np.log2(rank + 2.0), 0.0).mean())


def mask_seen(scores: np.ndarray, histories: Histories) -> np.ndarray:
    """``scores`` with each visitor's own products set to -inf (in place)."""
    for row, items in enumerate(histories.items):
        scores[row, items] = -np.inf
    return scores


class Recommender(ABC):
    """A model that scores every product for a batch of visitor histories.

    Subclasses set ``name``, implement ``fit`` and ``score`` and the ``_state`` /
    ``_restore`` pair that ``save`` and ``load`` use.
    """

    name: ClassVar[str]
    n_items: int = 0

    @abstractmethod
    def fit(self, train: Histories, n_items: int, item_vectors: FloatArray | None = None) -> Self:
        """Learn from training histories over ``n_items`` products.

        ``item_vectors`` are the language model's product vectors (rows in index order),
        used by the models that read product text.
        """

    @abstractmethod
    def score(self, histories: Histories) -> FloatArray:
        """A ``(len(histories), n_items)`` float32 score matrix; higher is better."""

    def params(self) -> dict[str, Any]:
        """The hyperparameters, as saved with the model."""
        return {}

    def recommend(
        self, histories: Histories, k: int = 10, exclude_seen: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best ``k`` products per history: 2-D ``(indexes, scores)``."""
        scores = self.score(histories)
        if exclude_seen:
            mask_seen(scores, histories)
        return top_rows(scores, k)

    @overload
    def similar_items(self, items: int, k: int = 10) -> tuple[np.ndarray, np.ndarray]: ...
    @overload
    def similar_items(self, items: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]: ...
    def similar_items(self, items: int | np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Products most like each given product (itself excluded), from a one-product history."""
        single = np.ndim(items) == 0
        batch = np.atleast_1d(np.asarray(items, dtype=np.int64))
        idx, vals = self.recommend(Histories([np.array([i]) for i in batch]), k)
        return (idx[0], vals[0]) if single else (idx, vals)

    # -- persistence ---------------------------------------------------------------------------
    @abstractmethod
    def _state(self) -> dict[str, np.ndarray]: ...

    @abstractmethod
    def _restore(self, state: dict[str, np.ndarray]) -> None: ...

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (.npz) atomically; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = dict(self._state())
        meta = {"name": self.name, "n_items": self.n_items, "params": self.params()}
        arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | Path) -> Recommender:
        """Read a model written by ``save`` (of any registered kind)."""
        from shopmind.recommend.factory import make_recommender

        with np.load(Path(path)) as data:
            meta = json.loads(bytes(data["__meta__"]).decode())
            state = {k: data[k] for k in data.files if k != "__meta__"}
        model = make_recommender(meta["name"], **meta["params"])
        if not isinstance(model, cls):
            raise TypeError(f"{path} holds a {meta['name']} model, not a {cls.__name__}")
        model.n_items = int(meta["n_items"])
        model._restore(state)
        return model
