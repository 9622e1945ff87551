"""Training a :class:`CtrModel`: AdamW, checks on validation AUC, early stop, best kept."""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm import tqdm

from shopmind.config import RankConfig
from shopmind.errors import TrainingError
from shopmind.rank.ctr import CtrModel, to_batch
from shopmind.rank.metrics import auc
from shopmind.rank.model import CtrNet, NetShape, esmm_loss
from shopmind.rank.table import CtrTable

logger = logging.getLogger(__name__)


@dataclass
class FitReport:
    """What training did: rows, the validation curve, the check kept, time and why it stopped."""

    rows: int = 0
    valid_rows: int = 0
    epochs: float = 0.0
    seconds: float = 0.0
    stopped: str = ""
    best_auc: float = 0.0
    curve: list[dict[str, float]] = field(default_factory=list)  # epoch, valid auc, loss


def net_shape(config: RankConfig) -> NetShape:
    """The network size a config asks for."""
    return NetShape(
        config.dim, config.cross_layers, tuple(config.hidden), config.dropout, config.cross_rank
    )


def fit_ctr(
    table: CtrTable,
    train: np.ndarray,
    valid: np.ndarray,
    config: RankConfig,
    progress: bool = True,
) -> tuple[CtrModel, FitReport]:
    """Train ``config.ensemble`` nets with seeds ``seed, seed + 1, ...`` (see
    :func:`fit_net`); the model averages their logits. The report is the first net's, with
    the ensemble's validation AUC and the total time."""
    started = time.perf_counter()
    nets, reports = [], []
    for member in range(config.ensemble):
        seeded = config.model_copy(update={"seed": config.seed + member})
        model, report = fit_net(table, train, valid, seeded, progress)
        nets.extend(model.nets)
        reports.append(report)
    model = CtrModel(nets, model.mean, model.std)
    report = reports[0]
    report.seconds = time.perf_counter() - started
    report.epochs = sum(r.epochs for r in reports)
    report.best_auc = auc(table.click[valid], model.predict(table.take(valid)).ctr)
    return model, report


def fit_net(
    table: CtrTable,
    train: np.ndarray,
    valid: np.ndarray,
    config: RankConfig,
    progress: bool = True,
) -> tuple[CtrModel, FitReport]:
    """Train on ``train`` rows, check AUC on ``valid`` rows ``checks_per_epoch`` times an
    epoch, stop after ``patience`` checks without a gain (or at ``max_epochs`` or
    ``max_seconds``) and return the best checkpoint with the report.

    Raises:
        TrainingError: fewer than ``min_rows`` training rows, or a label with one class.
    """
    if len(train) < config.min_rows:
        raise TrainingError(
            f"{len(train)} training rows found, at least {config.min_rows} are needed "
            "(send impression events with positions, then clicks and purchases)"
        )
    clicks = table.click[train]
    if clicks.min() == clicks.max():
        raise TrainingError(
            f"every one of the {len(train)} training rows has click = {int(clicks[0])}; "
            "the model needs both clicked and unclicked impressions"
        )
    valid_clicks = table.click[valid]
    judge = len(valid) > 0 and valid_clicks.min() != valid_clicks.max()
    if not judge:
        logger.warning(
            "the %d validation rows hold one class only: their AUC cannot choose a checkpoint, "
            "so training runs to max_epochs or max_seconds",
            len(valid),
        )
    torch.manual_seed(config.seed)
    rng = torch.Generator().manual_seed(config.seed)
    nums = table.nums[train]
    mean = nums.mean(0) if len(table.schema.nums) else np.zeros(0, np.float32)
    std = nums.std(0) if len(table.schema.nums) else np.ones(0, np.float32)
    std = np.where(std < 1e-6, 1.0, std)  # a number constant in training stays unscaled
    net = CtrNet(table.schema, net_shape(config))
    model = CtrModel([net], mean, std)
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    valid_table = table.take(valid)
    report = FitReport(rows=len(train), valid_rows=len(valid))
    best: tuple[float, dict[str, torch.Tensor]] = (-1.0, copy.deepcopy(net.state_dict()))
    # small logs get smaller batches: at least 32 steps an epoch
    batch = max(8, min(config.batch, len(train) // 32))
    batches = -(-len(train) // batch)
    checks = {
        max(1, round(batches * q / config.checks_per_epoch))
        for q in range(1, config.checks_per_epoch + 1)
    }
    started = time.perf_counter()
    bad = 0
    stopped = f"reached max_epochs = {config.max_epochs}"
    bar = tqdm(
        total=config.max_epochs * batches,
        desc="train ranker",
        unit=" batches",
        disable=not progress or None,
    )
    purchase = table.purchase is not None and "purchase" in table.schema.tasks
    losses: list[float] = []
    done = False
    for epoch in range(config.max_epochs):
        order = torch.from_numpy(train)[torch.randperm(len(train), generator=rng)].numpy()
        net.train()
        for step in range(1, batches + 1):
            rows = order[(step - 1) * batch : step * batch]
            b = to_batch(table, rows, mean, std)
            y = torch.from_numpy(table.click[rows])
            buy = (
                torch.from_numpy(table.purchase[rows])
                if purchase and table.purchase is not None
                else None
            )
            loss = esmm_loss(net, b, y, buy)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            losses.append(float(loss.detach()))
            bar.update(1)
            if step not in checks:
                continue
            net.eval()
            score = auc(valid_table.click, model.predict(valid_table).ctr)
            net.train()
            report.curve.append(
                {
                    "epoch": round(epoch + step / batches, 3),
                    "auc": round(score, 5),
                    "loss": round(float(np.mean(losses)), 5),
                }
            )
            losses.clear()
            bar.set_postfix(valid_auc=f"{score:.4f}")
            if score > best[0] + 1e-5 or not judge:  # without a judge, the newest is kept
                best, bad = (score, copy.deepcopy(net.state_dict())), 0
            else:
                bad += 1
            if bad >= config.patience:
                stopped, done = f"no validation gain in {config.patience} checks", True
            elif time.perf_counter() - started > config.max_seconds:
                stopped, done = f"time budget of {config.max_seconds:.0f} s reached", True
            if done:
                report.epochs = epoch + step / batches
                break
        if done:
            break
        report.epochs = epoch + 1
    bar.close()
    net.load_state_dict(best[1])
    net.eval()
    report.best_auc = best[0]
    report.seconds = time.perf_counter() - started
    report.stopped = stopped
    logger.info(
        "ranker trained: valid AUC %.4f after %.2f epochs (%s)", best[0], report.epochs, stopped
    )
    return model, report
