"""The step loop the trainers of a transformer share: schedule, checks, budget, report.

Steps run over shuffled batches (:func:`batches`) with linear warm-up and decay driven by
progress: the share of steps done or of the time budget spent, whichever is ahead, so a
run the budget cuts short still warms up and decays whole. The held-out anchors are
checked a few times per epoch (the step-0 check is the untuned model); training stops
after ``patience`` checks without a gain, after ``epochs``, or when ``max_seconds`` would
be passed by another stretch of steps.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from tqdm import tqdm

from shopmind.config import TrainConfig
from shopmind.train.report import TrainReport

logger = logging.getLogger(__name__)

Pair = tuple[str, str]  # anchor, product id
# one optimisation step on a batch at a learning-rate factor in [0, 1]; returns the loss
Step = Callable[[list[Pair], float], float]
# a validation check: returns the held-out nDCG@10 (the caller keeps the best checkpoint)
Check = Callable[[], float]


def batches(pairs: Sequence[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    """Shuffled batches of ``size`` pairs in which no anchor and no product repeats.

    A pair that would repeat one waits for a later batch; the last batches may be smaller.
    """
    pending = list(pairs)
    rng.shuffle(pending)
    out: list[list[Pair]] = []
    while pending:
        batch: list[Pair] = []
        anchors: set[str] = set()
        products: set[str] = set()
        rest: list[Pair] = []
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


def schedule(progress: float, warmup: float) -> float:
    """The learning-rate factor: linear warm-up over ``warmup``, then linear decay to 0."""
    if progress < warmup:
        return max(progress / warmup, 1e-3)
    return max(0.0, (1.0 - progress) / max(1e-9, 1.0 - warmup))


def descend(
    optimizer: Any, params: Sequence[Any], loss: Any, factor: float, config: TrainConfig
) -> float:
    """One optimiser step on ``loss`` at ``factor`` of the learning rate, the gradients
    clipped to ``max_grad_norm``; returns the loss (what a :data:`Step` returns)."""
    import torch

    for group in optimizer.param_groups:
        group["lr"] = config.learning_rate * factor
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
    optimizer.step()
    return float(loss.item())


def run_steps(
    pairs: Sequence[Pair],
    step_fn: Step,
    check_fn: Check,
    save_best: Callable[[], None],
    config: TrainConfig,
    report: TrainReport,
    started: float,
    desc: str,
    progress: bool = True,
) -> None:
    """Train ``pairs`` with ``step_fn`` until an epoch, patience or time limit; every
    check goes into ``report``, and ``save_best`` runs whenever a check is the best yet."""
    rng = random.Random(config.seed)
    per_epoch = len(batches(pairs, config.batch_size, random.Random(config.seed)))
    total = max(1, per_epoch * config.epochs)
    check_every = max(1, math.ceil(per_epoch / config.checks_per_epoch))
    timing = {"check": 0.0}  # seconds of the last validation check

    def validate(step: int, loss: float) -> None:
        check_started = time.perf_counter()
        score = check_fn()
        timing["check"] = time.perf_counter() - check_started
        if report.check(step, step / per_epoch, score, round(loss, 4)):
            save_best()
        logger.info("step %d: validation nDCG@10 %.4f", step, score)

    validate(0, 0.0)
    bar = tqdm(total=total, desc=desc, unit=" steps", disable=not progress or None)
    step = 0
    stale = 0
    running = 0.0
    report.stopped = f"{config.epochs} epoch(s) done"
    loop_start = time.perf_counter()
    budget = max(1e-3, started + config.max_seconds - 2 * timing["check"] - loop_start)
    done = 0.0
    while done < 1.0 and stale < config.patience:
        for batch in batches(pairs, config.batch_size, rng):
            step_started = time.perf_counter()
            done = max(step / total, (step_started - loop_start) / budget)
            value = step_fn(batch, schedule(done, config.warmup))
            step += 1
            report.step_seconds += time.perf_counter() - step_started
            running = 0.9 * running + 0.1 * value if step > 1 else value
            bar.update(1)
            bar.set_postfix(loss=f"{running:.3f}", best=f"{report.best:.4f}")
            done = max(step / total, (time.perf_counter() - loop_start) / budget)
            if done >= 1.0 and step < total:
                report.stopped = f"time budget ({config.max_seconds:.0f} s)"
            if step % check_every == 0 or done >= 1.0:
                validate(step, running)
                stale = 0 if report.best_step == step else stale + 1
                if stale >= config.patience:
                    report.stopped = f"no gain in {stale} checks (early stop)"
            if done >= 1.0 or stale >= config.patience:
                break
    bar.close()
    report.steps = step
    report.epochs = round(step / per_epoch, 3)
    report.seconds = round(time.perf_counter() - started, 1)
    report.step_seconds = round(report.step_seconds, 1)
    if report.best_step == 0:
        report.notes.append("no check beat the untuned model; the model kept is the untuned one")
    logger.info("%s done: %s", desc, report.stopped)


__all__ = ["Pair", "batches", "descend", "run_steps", "schedule"]
