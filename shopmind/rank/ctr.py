"""A trained CTR/CVR model: predict click and purchase probabilities, explain, save, load."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from shopmind.files import write_bytes_atomic
from shopmind.rank.model import Batch, CtrNet, NetShape
from shopmind.rank.table import CtrTable, Schema

_CHUNK = 8_192


def save_state(path: Path, state: dict[str, Any]) -> None:
    """``torch.save`` ``state`` to ``path`` atomically (a reader sees the old file or this)."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_bytes_atomic(path, buffer.getvalue())


def to_batch(table: CtrTable, rows: np.ndarray | slice, mean: np.ndarray, std: np.ndarray) -> Batch:
    """Tensors for ``rows`` of ``table``, numbers standardised by ``mean`` and ``std``."""
    return Batch(
        cats=torch.from_numpy(table.cats[rows]),
        nums=torch.from_numpy(np.clip((table.nums[rows] - mean) / std, -5, 5).astype(np.float32)),
        multi=torch.from_numpy(table.multi[rows]),
        history=torch.from_numpy(table.history[rows]),
        history_kind=torch.from_numpy(table.history_kind[rows]),
        position=None if table.position is None else torch.from_numpy(table.position[rows]),
    )


def _tuples(raw: dict[str, Any]) -> dict[str, Any]:
    """A saved dataclass's fields with its lists back as tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


@dataclass(frozen=True)
class Prediction:
    """Per-row probabilities: pCTR, and pCVR (given a click) when the model learned it."""

    ctr: np.ndarray
    cvr: np.ndarray | None

    @property
    def ctcvr(self) -> np.ndarray | None:
        """P(click and purchase) = pCTR * pCVR."""
        return None if self.cvr is None else self.ctr * self.cvr


class CtrModel:
    """One or more :class:`CtrNet` (a seed ensemble, logits averaged) with the number
    scaling they were trained with."""

    def __init__(self, nets: list[CtrNet], mean: np.ndarray, std: np.ndarray) -> None:
        self.nets = [net.eval() for net in nets]
        self.mean = mean.astype(np.float32)
        self.std = std.astype(np.float32)

    @property
    def schema(self) -> Schema:
        return self.nets[0].schema

    def _logits(self, b: Batch) -> tuple[torch.Tensor, torch.Tensor | None]:
        clicks, buys = [], []
        for net in self.nets:
            click, buy = net(b)
            clicks.append(click)
            if buy is not None:
                buys.append(buy)
        mean_buy = torch.stack(buys).mean(0) if buys else None
        return torch.stack(clicks).mean(0), mean_buy

    def predict(self, table: CtrTable) -> Prediction:
        """pCTR (position-free: what serving ranks by) and pCVR for every row."""
        ctr, cvr = [], []
        with torch.inference_mode():
            for start in range(0, len(table), _CHUNK):
                b = to_batch(table, slice(start, start + _CHUNK), self.mean, self.std)
                click, buy = self._logits(b)
                ctr.append(torch.sigmoid(click).numpy())
                if buy is not None:
                    cvr.append(torch.sigmoid(buy).numpy())
        return Prediction(
            np.concatenate(ctr) if ctr else np.zeros(0, np.float32),
            np.concatenate(cvr) if cvr else None,
        )

    def contributions(self, table: CtrTable) -> np.ndarray:
        """Each field's share of each row's click logit: the logit minus the logit with that
        field's vector zeroed, shape (rows, fields) in :meth:`Schema.fields` order.

        The first net of an ensemble explains (the members differ only by their seed; one
        keeps explaining a page to about a millisecond).
        """
        net = self.nets[0]
        with torch.inference_mode():
            b = to_batch(table, slice(None), self.mean, self.std)
            vectors = net.fields(b)
            x0 = torch.cat(vectors, -1)
            full, _ = net.logits(x0)
            d = net.shape.dim
            n, f = x0.shape[0], len(vectors)
            ablated = x0.unsqueeze(0).repeat(f, 1, 1)
            for j in range(f):
                ablated[j, :, j * d : (j + 1) * d] = 0.0
            logits, _ = net.logits(ablated.reshape(f * n, -1))
            return (full.unsqueeze(0) - logits.reshape(f, n)).T.numpy()

    def state(self) -> dict[str, Any]:
        """Everything needed to rebuild the model (tensors and plain values only)."""
        schema = asdict(self.schema)
        return {
            "schema": schema,
            "shape": asdict(self.nets[0].shape),
            "weights": [net.state_dict() for net in self.nets],
            "mean": torch.from_numpy(self.mean),
            "std": torch.from_numpy(self.std),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CtrModel:
        """The model :meth:`state` describes."""
        schema = Schema(**_tuples(state["schema"]))
        shape = NetShape(**_tuples(state["shape"]))
        nets = []
        for weights in state["weights"]:
            net = CtrNet(schema, shape)
            net.load_state_dict(weights)
            nets.append(net)
        return cls(nets, state["mean"].numpy(), state["std"].numpy())

    def save(self, path: Path) -> None:
        """Write the model to ``path`` atomically."""
        save_state(path, self.state())

    @classmethod
    def load(cls, path: Path) -> CtrModel:
        """A model saved by :meth:`save`."""
        return cls.from_state(torch.load(path, weights_only=True))
