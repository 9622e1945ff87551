"""Fine-tune a sentence-transformers encoder (MiniLM) on the shop's pairs, on the CPU.

The loss is sentence-transformers' MultipleNegativesRankingLoss: each anchor must pick its
product out of every product in the batch (in-batch negatives) plus one hard negative per
pair. Batches never hold the same anchor or product twice, so no positive is ever counted
as another pair's negative. AdamW with linear warm-up and decay, gradient clipping, the
lower layers optionally frozen, seeded. The held-out anchors are checked a few times per
epoch (:mod:`shopmind.train.valid`); the best check is the model kept (the loop, its
schedule and its limits: :mod:`shopmind.train.loop`).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shopmind.config import TrainConfig
from shopmind.train.loop import Pair, descend, run_steps
from shopmind.train.pairs import Pairs
from shopmind.train.report import TrainReport
from shopmind.train.valid import ValidationSet

logger = logging.getLogger(__name__)

Example = tuple[str, str, str]  # anchor text, positive text, negative text


def finetune(
    model_dir: Path,
    out: Path,
    train: Pairs,
    valid: ValidationSet,
    texts: Mapping[str, str],
    negatives: Mapping[str, Sequence[str]],
    config: TrainConfig,
    base: str = "minilm",
    progress: bool = True,
) -> TrainReport:
    """Fine-tune the sentence-transformers model in ``model_dir`` and save the best
    checkpoint (by validation nDCG@10) to ``out``; returns the training report."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    model = SentenceTransformer(str(model_dir), device="cpu")
    model.max_seq_length = config.max_tokens
    _freeze(model, config.freeze_layers)
    loss_fn = MultipleNegativesRankingLoss(model, scale=config.scale)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    report = TrainReport.start("finetune", base, train, valid)
    catalog = sorted(texts)

    def encode(items: Sequence[str]) -> np.ndarray:
        return encode_texts(model, items)

    def step(batch: list[Pair], factor: float) -> float:
        examples = [_example(a, p, texts, negatives, catalog, rng, config) for a, p in batch]
        features = [model.preprocess(list(col)) for col in zip(*examples, strict=True)]
        return descend(optimizer, params, loss_fn(features, torch.empty(0)), factor, config)

    out.mkdir(parents=True, exist_ok=True)
    run_steps(
        train.pairs(),
        step,
        lambda: valid.score(encode, encode),
        lambda: model.save(str(out)),
        config,
        report,
        started,
        f"train {base}",
        progress,
    )
    return report


def encode_texts(model: Any, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of ``texts`` from a sentence-transformers model being trained (put
    back in training mode after)."""
    import torch

    model.eval()
    with torch.inference_mode():
        vectors = model.encode(
            list(texts),
            batch_size=128,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    model.train()
    return np.asarray(vectors, dtype=np.float32)


def _example(
    anchor: str,
    positive: str,
    texts: Mapping[str, str],
    negatives: Mapping[str, Sequence[str]],
    catalog: Sequence[str],
    rng: random.Random,
    config: TrainConfig,
) -> Example | tuple[str, str]:
    if not config.hard_negatives:
        return anchor, texts[positive]
    pool = negatives.get(anchor)
    negative = rng.choice(pool) if pool else rng.choice(catalog)
    return anchor, texts[positive], texts[negative]


def _freeze(model: Any, layers: int) -> None:
    """Freeze the embeddings and the lowest ``layers`` transformer layers."""
    if layers <= 0:
        return
    inner = model[0].auto_model
    for p in inner.embeddings.parameters():
        p.requires_grad = False
    for layer in inner.encoder.layer[:layers]:
        for p in layer.parameters():
            p.requires_grad = False


__all__ = ["encode_texts", "finetune"]
