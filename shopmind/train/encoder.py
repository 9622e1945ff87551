"""Fine-tune a sentence-transformers encoder (MiniLM) on the shop's pairs, on the CPU.

The loss is sentence-transformers' MultipleNegativesRankingLoss: each anchor must pick its
product out of every product in the batch (in-batch negatives) plus one hard negative per
pair. Batches never hold the same anchor or product twice, so no positive is ever counted
as another pair's negative. AdamW with linear warm-up and decay, gradient clipping, the
lower layers optionally frozen, seeded. The held-out anchors are checked a few times per
epoch (:mod:`shopmind.train.valid`); the best check is the model kept, and training stops
after ``patience`` checks without a gain, after ``epochs``, or when ``max_seconds`` would
be passed by another stretch of steps.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from shopmind.config import TrainConfig
from shopmind.train.pairs import Pairs
from shopmind.train.report import TrainReport
from shopmind.train.valid import ValidationSet

logger = logging.getLogger(__name__)

Example = tuple[str, str, str]  # anchor text, positive text, negative text


def batches(
    pairs: Sequence[tuple[str, str]], size: int, rng: random.Random
) -> list[list[tuple[str, str]]]:
    """Shuffled batches of ``size`` pairs in which no anchor and no product repeats.

    A pair that would repeat one waits for a later batch; the last batches may be smaller.
    """
    pending = list(pairs)
    rng.shuffle(pending)
    out: list[list[tuple[str, str]]] = []
    while pending:
        batch: list[tuple[str, str]] = []
        anchors: set[str] = set()
        products: set[str] = set()
        rest: list[tuple[str, str]] = []
        for pair in pending:
            if len(batch) < size and pair[0] not in anchors and pair[1] not in products:
                batch.append(pair)
                anchors.add(pair[0])
                products.add(pair[1])
            else:
                rest.append(pair)
        out.append(batch)
        pending = rest
    return [b for b in out if len(b) >= 2]


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
    pairs = train.pairs()
    per_epoch = len(batches(pairs, config.batch_size, random.Random(config.seed)))
    total = max(1, per_epoch * config.epochs)
    check_every = max(1, math.ceil(per_epoch / config.checks_per_epoch))
    report = TrainReport.start("finetune", base, train, valid)
    catalog = sorted(texts)

    def encode(items: Sequence[str]) -> np.ndarray:
        model.eval()
        with torch.inference_mode():
            vectors = model.encode(
                list(items),
                batch_size=128,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        model.train()
        return np.asarray(vectors, dtype=np.float32)

    timing = {"check": 0.0}  # seconds of the last validation check

    def validate(step: int, loss: float) -> None:
        check_started = time.perf_counter()
        score = valid.score(encode, encode)
        timing["check"] = time.perf_counter() - check_started
        if report.check(step, step / per_epoch, score, round(loss, 4)):
            model.save(str(out))
        logger.info("step %d: validation nDCG@10 %.4f", step, score)

    out.mkdir(parents=True, exist_ok=True)
    validate(0, 0.0)
    bar = tqdm(total=total, desc=f"train {base}", unit=" steps", disable=not progress or None)
    step = 0
    stale = 0
    running = 0.0
    report.stopped = f"{config.epochs} epoch(s) done"
    loop_start = time.perf_counter()
    # the schedule runs on progress: the share of steps done or of the time budget spent,
    # whichever is ahead, so a run the budget cuts short still warms up and decays whole
    budget = max(1e-3, started + config.max_seconds - 2 * timing["check"] - loop_start)
    progress_made = 0.0
    model.train()
    while progress_made < 1.0 and stale < config.patience:
        for batch in batches(pairs, config.batch_size, rng):
            examples = [_example(a, p, texts, negatives, catalog, rng, config) for a, p in batch]
            columns = list(zip(*examples, strict=True))
            step_started = time.perf_counter()
            features = [model.preprocess(list(col)) for col in columns]
            progress_made = max(step / total, (time.perf_counter() - loop_start) / budget)
            for group in optimizer.param_groups:
                group["lr"] = config.learning_rate * _schedule(progress_made, config.warmup)
            loss = loss_fn(features, torch.empty(0))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
            optimizer.step()
            step += 1
            report.step_seconds += time.perf_counter() - step_started
            value = loss.item()
            running = 0.9 * running + 0.1 * value if step > 1 else value
            bar.update(1)
            bar.set_postfix(loss=f"{running:.3f}", best=f"{report.best:.4f}")
            progress_made = max(step / total, (time.perf_counter() - loop_start) / budget)
            if progress_made >= 1.0 and step < total:
                report.stopped = f"time budget ({config.max_seconds:.0f} s)"
            if step % check_every == 0 or progress_made >= 1.0:
                validate(step, running)
                stale = 0 if report.best_step == step else stale + 1
                if stale >= config.patience:
                    report.stopped = f"no gain in {stale} checks (early stop)"
            if progress_made >= 1.0 or stale >= config.patience:
                break
    bar.close()
    report.steps = step
    report.epochs = round(step / per_epoch, 3)
    report.seconds = round(time.perf_counter() - started, 1)
    report.step_seconds = round(report.step_seconds, 1)
    if report.best_step == 0:
        report.notes.append("no check beat the untuned model; the model kept is the untuned one")
    logger.info("fine-tuning done: %s", report.stopped)
    return report


def _schedule(progress: float, warmup: float) -> float:
    """The learning-rate factor: linear warm-up over ``warmup``, then linear decay to 0."""
    if progress < warmup:
        return max(progress / warmup, 1e-3)
    return max(0.0, (1.0 - progress) / max(1e-9, 1.0 - warmup))


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


__all__ = ["batches", "finetune"]
