"""The served ranking stage: a trained CTR/CVR model over the shop's features.

:func:`train_ranker` replays the store's events into impressions, trains the model and
returns a :class:`Ranker`; :meth:`Ranker.reorder` takes candidates in retrieval order and
returns them blended with the model's order, with a reasons branch per result: pCTR, pCVR,
both ranks and the features that pushed the result up most.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from shopmind.catalog import Product
from shopmind.config import RankConfig
from shopmind.events import StoredEvent
from shopmind.explain import Node
from shopmind.rank.baseline import fit_logistic
from shopmind.rank.ctr import CtrModel, save_state
from shopmind.rank.features import CATS, NUMS, VISITOR_CATS, ProductStats, ShopFeatures
from shopmind.rank.fit import FitReport, fit_ctr
from shopmind.rank.metrics import auc
from shopmind.rank.shop import PATH_WIDTH, RowCoder, shop_data
from shopmind.rank.table import CtrTable, Vocab

logger = logging.getLogger(__name__)
RRF_K = 10  # the blend's reciprocal-rank constant: small, so retrieval's top ranks stay apart

FIELD_LABELS = {
    "visitor": "this visitor's own taste",
    "item": "this product",
    "category": "its category",
    "top_category": "its department",
    "brand": "its brand",
    "price_band": "its price band",
    "device": "the device",
    "hour": "the hour of day",
    "page": "the page",
    "category_path": "its category path",
    "visitor_events": "the visitor's activity",
    "visitor_click_rate": "the visitor's click rate",
    "item_impressions": "how often it was shown",
    "item_click_rate": "its click rate",
    "item_sales": "its sales",
    "category_affinity": "the visitor's affinity to its category",
    "brand_affinity": "the visitor's affinity to its brand",
    "language_affinity": "the visitor's affinity to its language",
    "language": "its language",
    "price_gap": "its price against the visitor's usual",
    "hours_since_last": "time since the visitor's last visit",
    "text_similarity": "its text similarity to the visitor's products",
    "history": "the visitor's recent products",
    "history_kinds": "how the visitor met their recent products",
}


@dataclass
class Scored:
    """Candidates scored by the ranker: probabilities and the coded rows (for reasons)."""

    ids: list[str]
    ctr: np.ndarray
    cvr: np.ndarray | None
    objective: np.ndarray
    table: CtrTable | None


class Ranker:
    """A trained model with the feature builder, row coder and product counts it needs."""

    def __init__(
        self,
        model: CtrModel,
        coder: RowCoder,
        stats: ProductStats,
        features: ShopFeatures,
        config: RankConfig,
        report: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.coder = coder
        self.stats = stats
        self.features = features
        self.config = config
        self.report = report or {}
        self.fields = model.schema.fields()
        self._products: dict[str, tuple[np.ndarray, np.ndarray, list[float]]] = {}

    def _product(self, item: str) -> tuple[np.ndarray, np.ndarray, list[float]]:
        """A product's coded fields, coded path and counts (cached: both are fixed for the
        life of this ranker, whose vocabularies and counts are frozen)."""
        hit = self._products.get(item)
        if hit is None:
            cats, path, nums = self.features.product_part(self.stats, item)
            vocabs = self.coder.vocabs[len(VISITOR_CATS) :]
            codes = np.array([v.code(c) for v, c in zip(vocabs, cats, strict=True)])
            path_codes = np.zeros(PATH_WIDTH, np.int64)
            found = self.coder.path_vocab.encode(path[:PATH_WIDTH])
            path_codes[: len(found)] = found
            hit = self._products[item] = (codes, path_codes, nums)
        return hit

    def table(
        self,
        visitor: str | None,
        events: Sequence[StoredEvent],
        ids: Sequence[str],
        context: dict[str, str] | None = None,
        now: float | None = None,
    ) -> CtrTable:
        """The coded rows of ``ids`` for this visitor: the same values as
        :meth:`ShopFeatures.values` gives row by row, built once per request."""
        f = self.features
        state = f.state_of(events)
        profile = f.profile(state)
        now = time.time() if now is None else now
        v_cats, v_nums = f.visitor_part(visitor or "", state, self.stats, context or {}, now)
        n = len(ids)
        parts = [self._product(i) for i in ids]
        cats = np.empty((n, len(CATS)), np.int64)
        for j, value in enumerate(v_cats):
            cats[:, j] = self.coder.vocabs[j].code(value)
        cats[:, len(VISITOR_CATS) :] = np.stack([p[0] for p in parts])
        nums = np.empty((n, len(NUMS)), np.float32)
        nums[:, : len(v_nums)] = v_nums
        nums[:, len(v_nums) : len(v_nums) + 3] = [p[2] for p in parts]
        nums[:, len(v_nums) + 3 :] = [f.cross_part(state, i, profile) for i in ids]
        history = np.zeros((1, max(1, self.coder.history)), np.int64)
        kinds = np.zeros_like(history)
        recent = list(state.recent)
        if recent:
            items = self.coder.vocabs[CATS.index("item")]
            history[0, : len(recent)] = items.encode(i for i, _ in recent)
            kinds[0, : len(recent)] = [k for _, k in recent]
        return CtrTable(
            self.coder.schema,
            cats=cats,
            nums=nums,
            click=np.zeros(n, np.float32),
            group=np.zeros(n, np.int64),
            multi=np.stack([p[1] for p in parts]),
            history=np.repeat(history, n, axis=0),
            history_kind=np.repeat(kinds, n, axis=0),
        )

    def score(
        self,
        visitor: str | None,
        events: Sequence[StoredEvent],
        ids: Sequence[str],
        context: dict[str, str] | None = None,
        now: float | None = None,
    ) -> Scored:
        """pCTR (and pCVR) of each candidate for this visitor, position-free."""
        if not ids:
            return Scored([], np.zeros(0), None, np.zeros(0), None)
        table = self.table(visitor, events, ids, context, now)
        pred = self.model.predict(table)
        objective = pred.ctr
        if self.config.objective == "ctcvr" and pred.ctcvr is not None:
            objective = pred.ctcvr
        return Scored(list(ids), pred.ctr, pred.cvr, objective, table)

    def reorder(
        self,
        visitor: str | None,
        events: Sequence[StoredEvent],
        ids: Sequence[str],
        explain: int,
        context: dict[str, str] | None = None,
    ) -> tuple[np.ndarray, list[Node]]:
        """Blend the retrieval order of ``ids`` with the ranker's; return the new order (as
        indices into ``ids``) and a reasons branch for each of its first ``explain``."""
        scored = self.score(visitor, events, ids, context)
        n = len(ids)
        if n == 0:
            return np.zeros(0, np.int64), []
        by_model = np.argsort(-scored.objective, kind="stable")
        model_rank = np.empty(n, np.int64)
        model_rank[by_model] = np.arange(1, n + 1)
        retrieval_rank = np.arange(1, n + 1)
        w = self.config.weight
        blend = w / (RRF_K + model_rank) + (1 - w) / (RRF_K + retrieval_rank)
        order = np.argsort(-blend, kind="stable")
        top = order[: max(0, explain)]
        parts = None
        if self.config.reasons and len(top) and scored.table is not None:
            parts = self.model.contributions(scored.table.take(top))
        reasons = []
        for row, i in enumerate(top):
            node = Node("ranker", round(float(scored.objective[i]), 6))
            node.add("pCTR", float(scored.ctr[i]))
            if scored.cvr is not None:
                node.add("pCVR", float(scored.cvr[i]))
            node.add("retrieval rank", float(retrieval_rank[i]))
            node.add("ranker rank", float(model_rank[i]))
            node.add("ranker weight", w)
            if parts is not None:
                features = node.add("top features")
                for j in np.argsort(-parts[row])[: self.config.reasons]:
                    if parts[row, j] > 0:
                        name = self.fields[j]
                        features.add(FIELD_LABELS.get(name, name), float(parts[row, j]))
            reasons.append(node)
        return order, reasons

    def save(self, path: Path) -> None:
        """Write the ranker to one file, atomically (serving reads it whole or not at all)."""
        state = {
            "model": self.model.state(),
            "vocabs": [list(v.codes) for v in self.coder.vocabs],
            "path_vocab": list(self.coder.path_vocab.codes),
            "history": self.coder.history,
            "stats": {
                "impressions": dict(self.stats.impressions),
                "clicks": dict(self.stats.clicks),
                "sales": dict(self.stats.sales),
                "shop_ctr": self.stats.shop_ctr,
            },
            "report": self.report,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        save_state(path, state)

    @classmethod
    def load(
        cls,
        path: Path,
        products: Iterable[Product],
        vectors: tuple[list[str], np.ndarray] | None,
        config: RankConfig,
    ) -> Ranker:
        """A ranker saved by :meth:`save`, over the current catalog and product vectors."""
        state = torch.load(path, weights_only=True)
        coder = RowCoder(
            [Vocab.from_codes(v) for v in state["vocabs"]],
            Vocab.from_codes(state["path_vocab"]),
            int(state["history"]),
        )
        raw = state["stats"]
        stats = ProductStats(
            Counter(raw["impressions"]), Counter(raw["clicks"]), Counter(raw["sales"]),
            float(raw["shop_ctr"]),
        )  # fmt: skip
        features = ShopFeatures(products, vectors, coder.history)
        model = CtrModel.from_state(state["model"])
        return cls(model, coder, stats, features, config, state["report"])


def train_ranker(
    events: Iterable[StoredEvent],
    products: Sequence[Product],
    vectors: tuple[list[str], np.ndarray] | None,
    config: RankConfig,
    progress: bool = True,
) -> tuple[Ranker, FitReport]:
    """Train a ranker on a shop's impressions (see :func:`shopmind.rank.shop.shop_data`);
    its report carries logistic regression's validation AUC on the same rows
    (``baseline_auc``) beside its own (``best_auc``).

    Raises:
        TrainingError: too few impressions, or no clicks among them.
    """
    features = ShopFeatures(products, vectors, config.history)
    shop = shop_data(events, features, config)
    t, s = shop.data.table, shop.data.split
    model, report = fit_ctr(t, s.train, s.valid, config, progress)
    # the yardstick on the same rows: a shop should know when a linear model reads its
    # clicks as well (small logs, simple behaviour)
    valid = t.take(s.valid)
    baseline = auc(valid.click, fit_logistic(t, s.train, s.valid, config.seed)(valid))
    if baseline > report.best_auc:
        logger.warning(
            "the ranker's validation AUC %.4f is below logistic regression's %.4f on the same "
            "rows: this log may be too small or too simple for the deep model",
            report.best_auc,
            baseline,
        )
    summary = {
        **asdict(report),
        "baseline_auc": round(baseline, 5),
        "impressions": len(t),
        "click_rate": round(float(t.click.mean()), 4),
        "purchase_rate": round(float(t.purchase.mean()), 4) if t.purchase is not None else None,
        "trained_at": time.time(),
    }
    return Ranker(model, shop.coder, shop.stats, features, config, summary), report
