"""Tune the query side only: the product vectors stay the pretrained encoder's.

A copy of the pretrained model becomes the *query tower*; the catalog's vectors are frozen
targets. Each anchor must pick its product out of the whole catalog (a softmax over the
cosine similarities to every product times ``scale``; other products judged positive for
the same anchor are left out of its softmax), so every product is a negative, the hard
ones included, and no negatives need mining. Past ``softmax_products`` products a step
takes a random sample of that many plus the batch's own. This is query-side fine-tuning
of a dual encoder (as in work adapting dense retrievers' query encoders only):

- a step encodes only the batch's short queries (3.7 times the pairs per second of tuning
  the whole model with a hard negative each, benchmarks/README.md);
- the catalog is never encoded again: going live is loading the tower, and products added
  later are embedded by the pretrained encoder, exactly like those it was trained against.

Measured on HomeDepot (benchmarks/README.md): it matches whole-model fine-tuning on the
served hybrid pipeline in a fraction of the time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from shopmind.config import TrainConfig
from shopmind.train.encoder import encode_texts
from shopmind.train.loop import Pair, descend, run_steps
from shopmind.train.pairs import Pairs
from shopmind.train.report import TrainReport
from shopmind.train.valid import ValidationSet

logger = logging.getLogger(__name__)


def train_query_tower(
    model_dir: Path,
    out: Path,
    train: Pairs,
    valid: ValidationSet,
    product_vectors: np.ndarray,
    product_ids: Sequence[str],
    config: TrainConfig,
    base: str = "minilm",
    progress: bool = True,
) -> TrainReport:
    """Train a query tower from the sentence-transformers model in ``model_dir`` against
    the frozen ``product_vectors`` (rows in ``product_ids`` order, made by that model),
    save the best checkpoint (by validation nDCG@10) to ``out``; returns the report."""
    import torch
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = SentenceTransformer(str(model_dir), device="cpu")
    model.max_seq_length = config.max_tokens
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    docs = torch.from_numpy(np.ascontiguousarray(product_vectors, dtype=np.float32))
    row = {pid: i for i, pid in enumerate(product_ids)}
    positives: Mapping[str, torch.Tensor] = {
        anchor: torch.tensor(sorted(row[p] for p in products if p in row), dtype=torch.long)
        for anchor, products in train.positives.items()
    }
    pool = docs[[row[p] for p in valid.pool]].numpy()
    report = TrainReport.start("query", base, train, valid)
    n = len(product_ids)

    def step(batch: list[Pair], factor: float) -> float:
        targets = torch.tensor([row[p] for _, p in batch], dtype=torch.long)
        features = model.preprocess([anchor for anchor, _ in batch])
        queries = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
        if n <= config.softmax_products:
            labels = targets
            logits = config.scale * queries @ docs.T
            hide = torch.zeros_like(logits, dtype=torch.bool)
            for i, (anchor, _) in enumerate(batch):  # the anchor's other positives
                hide[i, positives[anchor]] = True
        else:  # the batch's products first, then a sample of the catalog
            sample = torch.randint(0, n, (config.softmax_products,), generator=generator)
            columns = torch.cat([targets, sample])
            labels = torch.arange(len(batch))
            logits = config.scale * queries @ docs[columns].T
            hide = torch.zeros_like(logits, dtype=torch.bool)
            for i, (anchor, _) in enumerate(batch):  # the anchor's positives, copies too
                hide[i] = torch.isin(columns, positives[anchor])
        hide[torch.arange(len(batch)), labels] = False
        logits = logits.masked_fill(hide, float("-inf"))
        loss = torch.nn.functional.cross_entropy(logits, labels)
        return descend(optimizer, params, loss, factor, config)

    out.mkdir(parents=True, exist_ok=True)
    run_steps(
        [(a, p) for a, p in train.pairs() if p in row],
        step,
        lambda: valid.score_vectors(encode_texts(model, valid.anchors), pool),
        lambda: model.save(str(out)),
        config,
        report,
        started,
        f"train {base} query tower",
        progress,
    )
    return report


__all__ = ["train_query_tower"]
