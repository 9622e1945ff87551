"""A SASRec-style sequential model (Kang & McAuley 2018) over the language model's vectors.

A small causal transformer reads the visitor's last ``max_len`` products and predicts the
next one. A product's representation is a learned projection of its language-model vector
plus a learned id embedding, so products with few events borrow strength from their text.
Trained with a sampled softmax (the true next product against ``negatives`` products
drawn uniformly, shared by the batch), AdamW and gradient clipping; with a validation set
it stops early on NDCG@10 and keeps the best epoch.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Self

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from shopmind.recommend.base import (
    FloatArray,
    Histories,
    Recommender,
    mask_seen,
    ndcg_at_10,
    rows_product,
)

logger = logging.getLogger(__name__)


class _Net(nn.Module):
    def __init__(self, text: torch.Tensor, n_items: int, dim: int, layers: int, heads: int,
                 max_len: int, dropout: float) -> None:  # fmt: skip
        super().__init__()
        self.n_items = n_items
        self.register_buffer("text", torch.cat([text, torch.zeros(1, text.shape[1])]))
        self.proj = nn.Linear(text.shape[1], dim) if text.shape[1] else None
        self.ids = nn.Embedding(n_items + 1, dim, padding_idx=n_items)
        nn.init.normal_(self.ids.weight, std=0.02)
        self.pos = nn.Embedding(max_len, dim)
        layer = nn.TransformerEncoderLayer(
            dim, heads, dim * 2, dropout=dropout, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.drop = nn.Dropout(dropout)
        self.register_buffer(
            "causal", torch.triu(torch.ones(max_len, max_len, dtype=torch.bool), 1)
        )
        self.scale = math.sqrt(dim)

    def items(self, idx: torch.Tensor | None = None) -> torch.Tensor:
        if idx is None:
            idx = torch.arange(self.n_items)
        out = self.ids(idx)
        if self.proj is not None:
            text: torch.Tensor = self.text  # type: ignore[assignment]
            out = out + self.proj(text[idx])
        return out  # type: ignore[no-any-return]

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        x = self.items(seq) * self.scale + self.pos.weight[None, : seq.shape[1]]
        n = seq.shape[1]
        causal: torch.Tensor = self.causal  # type: ignore[assignment]
        h = self.encoder(self.drop(x), mask=causal[:n, :n])
        return self.norm(h)  # type: ignore[no-any-return]


class Sequential(Recommender):
    """Next-product prediction from the behaviour sequence, SASRec-style."""

    name = "sequential"

    def __init__(
        self,
        dim: int = 64,
        layers: int = 2,
        heads: int = 2,
        max_len: int = 50,
        dropout: float = 0.2,
        epochs: int = 8,
        batch_size: int = 256,
        lr: float = 2e-3,
        negatives: int = 2048,
        patience: int = 2,
        max_seconds: float = 900.0,
        seed: int = 42,
        progress: bool = True,
    ) -> None:
        self.config = {
            "dim": dim, "layers": layers, "heads": heads, "max_len": max_len,
            "dropout": dropout, "epochs": epochs, "batch_size": batch_size, "lr": lr,
            "negatives": negatives, "patience": patience, "max_seconds": max_seconds,
            "seed": seed, "progress": progress,
        }  # fmt: skip
        self.net: _Net | None = None
        self.text_dim = 0
        self.valid: tuple[Histories, np.ndarray] | None = None
        self.curve: list[float] = []
        self.epochs_run = 0
        self.steps_run = 0
        self._items: torch.Tensor | None = None  # product representations, cached for scoring

    def params(self) -> dict[str, Any]:
        return dict(self.config)

    def validate_on(self, histories: Histories, targets: np.ndarray) -> Self:
        """Stop early on NDCG@10 of these held-out next products (and keep the best epoch)."""
        self.valid = (histories, np.asarray(targets, dtype=np.int64))
        return self

    def _pad(self, items: list[np.ndarray]) -> np.ndarray:
        n = int(self.config["max_len"])
        out = np.full((len(items), n), self.n_items, dtype=np.int64)
        for row, h in enumerate(items):
            h = h[-n:]
            if len(h):
                out[row, n - len(h) :] = h
        return out

    def _build(self, item_vectors: FloatArray | None) -> _Net:
        text = torch.zeros(self.n_items, 0)
        if item_vectors is not None:
            text = torch.as_tensor(np.asarray(item_vectors, dtype=np.float32))
        self.text_dim = int(text.shape[1])
        c = self.config
        return _Net(text, self.n_items, int(c["dim"]), int(c["layers"]), int(c["heads"]),
                    int(c["max_len"]), float(c["dropout"]))  # fmt: skip

    def fit(self, train: Histories, n_items: int, item_vectors: FloatArray | None = None) -> Self:
        c = self.config
        torch.manual_seed(int(c["seed"]))
        rng = np.random.default_rng(int(c["seed"]))
        self.n_items = n_items
        self._items = None
        self.steps_run = 0
        self.net = net = self._build(item_vectors)
        seqs = [h for h in train.items if len(h) >= 2]
        if not seqs:
            raise ValueError("sequential needs histories with at least two products")
        inputs = torch.as_tensor(self._pad([h[:-1] for h in seqs]))
        targets = torch.as_tensor(self._pad([h[1:] for h in seqs]))
        opt = torch.optim.AdamW(net.parameters(), lr=float(c["lr"]), weight_decay=0.01)
        batch = int(c["batch_size"])
        steps = int(c["epochs"]) * math.ceil(len(seqs) / batch)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=float(c["lr"]), total_steps=max(steps, 1), pct_start=0.1
        )
        best, best_state, stale, started = -1.0, None, 0, time.monotonic()
        self.curve = []
        for epoch in range(int(c["epochs"])):
            net.train()
            order = rng.permutation(len(seqs))
            total = 0.0
            bar = tqdm(range(0, len(order), batch), desc=f"sequential epoch {epoch + 1}",
                       disable=not c["progress"], leave=False)  # fmt: skip
            for start in bar:
                idx = torch.as_tensor(order[start : start + batch])
                loss = self._loss(net, inputs[idx], targets[idx], int(c["negatives"]))
                opt.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
                sched.step()
                total += float(loss.detach())
                self.steps_run += 1
                if time.monotonic() - started > float(c["max_seconds"]):
                    break  # the budget holds within an epoch too (a large shop's is long)
            self.epochs_run = epoch + 1
            out_of_time = time.monotonic() - started > float(c["max_seconds"])
            if self.valid is None:
                if out_of_time:
                    break
                continue
            ndcg = self._validation_ndcg()
            self.curve.append(ndcg)
            logger.info(
                "sequential epoch %d: loss %.1f, valid NDCG@10 %.4f", epoch + 1, total, ndcg
            )
            if ndcg > best:
                best, stale = ndcg, 0
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            else:
                stale += 1
            if stale >= int(c["patience"]) or out_of_time:
                break
        if best_state is not None:
            net.load_state_dict(best_state)
        net.eval()
        self._items = None  # computed again from the kept weights at the first score
        return self

    def _loss(self, net: _Net, x: torch.Tensor, y: torch.Tensor, negatives: int) -> torch.Tensor:
        h = net(x)
        keep = y != self.n_items
        hv, yv = h[keep], y[keep]
        neg = torch.randint(0, self.n_items, (min(negatives, self.n_items),))
        emb = net.items(torch.cat([yv, neg]))
        pos = (hv * emb[: len(yv)]).sum(-1, keepdim=True)
        other = (hv @ emb[len(yv) :].T).masked_fill(neg[None] == yv[:, None], -1e9)
        logits = torch.cat([pos, other], 1)
        return nn.functional.cross_entropy(logits, torch.zeros(len(yv), dtype=torch.long))

    def _validation_ndcg(self) -> float:
        assert self.valid is not None
        hist, targets = self.valid
        return ndcg_at_10(mask_seen(self.score(hist), hist), targets)

    def score(self, histories: Histories) -> FloatArray:
        if self.net is None:
            raise RuntimeError("fit or load the model first")
        net = self.net
        was_training = net.training
        net.eval()
        out = []
        with torch.inference_mode():
            if self._items is None or was_training:
                self._items = net.items()
            items = self._items
            for start in range(0, len(histories), 1024):
                seq = torch.as_tensor(self._pad(histories.items[start : start + 1024]))
                out.append(rows_product(net(seq)[:, -1].numpy(), items.numpy().T))
        net.train(was_training)
        if not out:
            return np.zeros((0, self.n_items), dtype=np.float32)
        return np.concatenate(out).astype(np.float32, copy=False)

    def _state(self) -> dict[str, np.ndarray]:
        if self.net is None:
            raise RuntimeError("nothing to save: fit the model first")
        state = {f"net.{k}": v.numpy() for k, v in self.net.state_dict().items()}
        state["text_dim"] = np.array(self.text_dim)
        return state

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        text_dim = int(state["text_dim"])
        text = state["net.text"][: self.n_items] if text_dim else None
        self._items = None
        self.net = self._build(text)
        self.net.load_state_dict({k[4:]: torch.as_tensor(v) for k, v in state.items()
                                  if k.startswith("net.")})  # fmt: skip
        self.net.eval()
