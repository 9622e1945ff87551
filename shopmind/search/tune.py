"""Learn the fusion weight on held-out training queries (never on the queries scored).

A tuned encoder makes the dense retriever stronger, so the lexical weight of the convex
fusion that suits the pretrained one need not suit it. Each candidate weight is scored by
full-catalog nDCG@10 of the held-out queries' graded positives. A few hundred held-out
queries score neighbouring weights within noise of each other, so the default stays unless
the best weight beats it by ``MARGIN`` standard errors of the per-query difference (a
paired test): a weight is never moved on noise.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from shopmind.catalog import Product
from shopmind.config import SearchConfig, TrainConfig
from shopmind.embed import shared_encoder
from shopmind.embed.models import ModelRegistry
from shopmind.evaluate.metrics import ndcg_at_k
from shopmind.index.topk import top_k
from shopmind.search.engine import SearchEngine
from shopmind.train import Pairs, Trained, train_model

logger = logging.getLogger(__name__)

ALPHAS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
MARGIN = 2.0  # standard errors of the per-query gain over the default weight


def choose_alpha(
    engine: SearchEngine,
    queries: Mapping[str, Mapping[str, float]],
    alphas: Sequence[float] = ALPHAS,
) -> tuple[float, dict[float, float]]:
    """The convex fusion's lexical weight for ``queries`` (query -> {product id: gain}):
    the best by mean nDCG@10 if it beats the configured weight beyond noise (``MARGIN``),
    else the configured one; and every candidate's mean. ``engine`` is restored."""
    original = engine.config
    ids = engine.index.ids
    per_query: dict[float, np.ndarray] = {}
    try:
        for alpha in sorted({*alphas, original.alpha}):
            engine.config = original.model_copy(update={"alpha": alpha, "fusion": "convex"})
            per_query[alpha] = np.asarray(
                [
                    ndcg_at_k(gains, [ids[i] for i in top_k(engine.scores(query), 10)], 10)
                    for query, gains in queries.items()
                ]
            )
    finally:
        engine.config = original
    scores = {a: round(float(v.mean()), 4) if len(v) else 0.0 for a, v in per_query.items()}
    best = max(per_query, key=lambda a: (scores[a], -abs(a - original.alpha)))
    gain = per_query[best] - per_query[original.alpha]
    error = float(gain.std(ddof=1) / np.sqrt(len(gain))) if len(gain) > 1 else 0.0
    if best != original.alpha and not float(gain.mean()) > MARGIN * error:
        logger.info(
            "fusion weight %.2f beats %.2f by %.4f nDCG@10, within noise (%.1f x %.4f): kept %.2f",
            best,
            original.alpha,
            float(gain.mean()),
            MARGIN,
            error,
            original.alpha,
        )
        best = original.alpha
    logger.info("fusion weight by held-out nDCG@10: %s -> alpha %.2f", scores, best)
    return best, scores


def tuned_engine(
    products: Sequence[Product],
    trained: Trained,
    registry: ModelRegistry,
    config: SearchConfig,
    cache: Path | None = None,
) -> SearchEngine:
    """The search engine over ``products`` with the tuned model (its product vectors go
    into ``cache``), with the fusion weight learned on the model's held-out anchors
    unless the settings fix one; the weight is saved with the model."""
    encoder = shared_encoder(trained.info.encoder_name, registry.root)
    engine = SearchEngine.from_products(products, encoder=encoder, config=config, cache=cache)
    if "alpha" in config.model_fields_set or config.fusion != "convex":
        return engine
    alpha, scores = choose_alpha(engine, trained.valid.positives)
    search = {"alpha": alpha, "alpha_scores": {str(a): v for a, v in scores.items()}}
    registry.update(dataclasses.replace(registry.get(trained.info.name), search=search))
    encoder.fusion_alpha = alpha
    engine.config = config.model_copy(update={"alpha": alpha})
    return engine


def tune_search(
    products: Sequence[Product],
    pairs: Pairs,
    served: SearchEngine,
    registry: ModelRegistry,
    train: TrainConfig,
    cache: Path | None = None,
    progress: bool = True,
) -> tuple[Trained, SearchEngine]:
    """Train a model of ``served``'s (pretrained) encoder on ``pairs`` (whole fine-tuning
    and adapters take hard negatives from ``served``'s top results, the mistakes the tuned
    encoder should fix), and the search engine with it (:func:`tuned_engine`); ``served``
    indexes ``products``."""
    if served.dense is None:
        from shopmind.errors import TrainingError

        raise TrainingError("search.encoder is 'none': there is no encoder to tune")
    trained = train_model(
        products,
        pairs,
        served.dense.encoder,
        registry,
        train,
        cache=cache,
        progress=progress,
        scorer=served.scores,
        vectors=served.dense.vectors,
    )
    return trained, tuned_engine(products, trained, registry, served.config, cache)


__all__ = ["ALPHAS", "choose_alpha", "tune_search", "tuned_engine"]
