"""Train a :class:`~shopmind.embed.adapter.LinearAdapter` on frozen vectors (any language).

The same objective as the fine-tuning path: each anchor must pick its product out of the
batch's products plus one hard negative each (softmax over cosine similarities times
``scale``), AdamW with weight decay pulling the maps back toward the identity, seeded.
Inputs are vectors made once by the frozen encoder, so an epoch over 50,000 pairs takes
seconds; validation checks after every epoch and keeps the best adapter.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence

import numpy as np
from tqdm import tqdm

from shopmind.config import TrainConfig
from shopmind.embed.adapter import LinearAdapter
from shopmind.train.loop import batches
from shopmind.train.pairs import Pairs
from shopmind.train.report import TrainReport
from shopmind.train.valid import ValidationSet

logger = logging.getLogger(__name__)


def train_adapter(
    train: Pairs,
    anchor_vectors: Mapping[str, np.ndarray],
    product_vectors: np.ndarray,
    product_ids: Sequence[str],
    negatives: Mapping[str, Sequence[str]],
    valid: ValidationSet,
    valid_vectors: tuple[np.ndarray, np.ndarray],
    config: TrainConfig,
    base: str = "use",
    progress: bool = True,
) -> tuple[LinearAdapter, TrainReport]:
    """The best adapter by validation nDCG@10, and the report.

    ``valid_vectors`` are the frozen vectors of ``valid``'s anchors and pool, in order.
    """
    import torch

    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    dim = product_vectors.shape[1]
    position = {pid: i for i, pid in enumerate(product_ids)}
    docs = torch.from_numpy(np.ascontiguousarray(product_vectors, dtype=np.float32))
    w_query = torch.zeros((dim, dim), requires_grad=True)
    w_doc = torch.zeros((dim, dim), requires_grad=True)
    optimizer = torch.optim.AdamW(
        [w_query, w_doc], lr=config.adapter_learning_rate, weight_decay=config.weight_decay
    )
    report = TrainReport.start("adapter", base, train, valid)
    valid_anchors, valid_pool = valid_vectors

    def current() -> LinearAdapter:
        return LinearAdapter(
            w_query.detach().numpy().copy().astype(np.float32),
            w_doc.detach().numpy().copy().astype(np.float32),
        )

    best = LinearAdapter.identity(dim)
    report.check(0, 0.0, valid.score_vectors(valid_anchors, valid_pool), 0.0)
    pairs = train.pairs()
    size = min(config.batch_size * 4, 1024)  # cheap steps: bigger batches, more negatives
    stale = 0
    step = 0
    report.stopped = f"{config.adapter_epochs} epoch(s) done"
    catalog = len(product_ids)
    for epoch in tqdm(
        range(config.adapter_epochs), desc=f"train adapter ({base})", disable=not progress or None
    ):
        running = 0.0
        groups = batches(pairs, size, rng)
        for batch in groups:
            a = torch.from_numpy(np.stack([anchor_vectors[anchor] for anchor, _ in batch]))
            pos = docs[[position[p] for _, p in batch]]
            neg_ids = []
            for anchor, _ in batch:
                pool = negatives.get(anchor)
                neg_ids.append(position[rng.choice(pool)] if pool else rng.randrange(catalog))
            neg = docs[neg_ids]
            q = torch.nn.functional.normalize(a + a @ w_query, dim=1)
            both = torch.cat([pos, neg])
            d = torch.nn.functional.normalize(both + both @ w_doc, dim=1)
            logits = config.scale * q @ d.T
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            running += loss.item() / len(groups)
            step += 1
        adapter = current()
        score = valid.score_vectors(adapter.queries(valid_anchors), adapter.documents(valid_pool))
        if report.check(step, epoch + 1.0, score, round(running, 4)):
            best = adapter
            stale = 0
        else:
            stale += 1
        if stale >= config.patience * 2:  # cheap checks: allow a longer wait
            report.stopped = f"no gain in {stale} checks (early stop)"
            break
        if time.perf_counter() - started > config.max_seconds:
            report.stopped = f"time budget ({config.max_seconds:.0f} s)"
            break
    report.steps = step
    report.epochs = float(len(report.curve) - 1)
    report.seconds = round(time.perf_counter() - started, 1)
    if report.best_step == 0:
        report.notes.append("no check beat the untuned vectors; the adapter kept is the identity")
    return best, report


__all__ = ["train_adapter"]
