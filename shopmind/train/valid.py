"""Validation during training: nDCG@10 of held-out anchors over a fixed pool of products.

Re-encoding a whole catalog at every check would cost minutes, so each check ranks a pool:
every validation anchor's positives and known negatives, plus ``fillers`` products drawn
at random (seeded) from the catalog. The pool is the same at every check, so the curve
compares like with like; the step-0 check is the untuned model's score.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopmind.evaluate.metrics import ndcg_at_k
from shopmind.train.pairs import Pairs

EncodeFn = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class ValidationSet:
    """Held-out anchors, the pool of product ids and texts, and the gains."""

    anchors: list[str]  # query texts
    pool: list[str]
    pool_texts: list[str]
    gains: list[dict[str, float]]

    @classmethod
    def build(
        cls,
        valid: Pairs,
        texts: Mapping[str, str],
        fillers: int = 1_000,
        seed: int = 0,
    ) -> ValidationSet:
        """The validation set of ``valid`` pairs; product texts come from ``texts``."""
        anchors = valid.anchors
        pool_ids: set[str] = set()
        for anchor in anchors:
            pool_ids.update(valid.positives[anchor])
            pool_ids.update(valid.negatives.get(anchor, ()))
        others = sorted(set(texts) - pool_ids)
        rng = random.Random(seed)
        pool_ids.update(rng.sample(others, min(fillers, len(others))))
        pool = sorted(pool_ids)
        return cls(
            anchors,
            pool,
            [texts[p] for p in pool],
            [dict(valid.positives[a]) for a in anchors],
        )

    def __len__(self) -> int:
        return len(self.anchors)

    def score(self, encode_queries: EncodeFn, encode_documents: EncodeFn) -> float:
        """Mean nDCG@10 of the anchors' positives ranked among the whole pool."""
        if not self.anchors:
            return 0.0
        docs = encode_documents(self.pool_texts)
        queries = encode_queries(self.anchors)
        return self.score_vectors(queries, docs)

    def score_vectors(self, queries: np.ndarray, docs: np.ndarray) -> float:
        """:meth:`score` from vectors already made (row i of ``docs`` = ``pool[i]``)."""
        if not self.anchors:
            return 0.0
        sims = queries @ docs.T
        total = 0.0
        for row, gains in zip(sims, self.gains, strict=True):
            top = np.argpartition(-row, min(10, len(row) - 1))[:10]
            ranked = [self.pool[i] for i in top[np.argsort(-row[top], kind="stable")]]
            total += ndcg_at_k(gains, ranked, 10)
        return total / len(self.anchors)


__all__ = ["ValidationSet"]
