"""Is a question about what this shop knows? Its neighbourhood among the shop's past
questions says so better than its single nearest one.

A question's *topicality* is the mean similarity of its ``k`` nearest past questions
(``k`` = the square root of how many there are, at most 100) less its mean similarity to
questions about nothing (customer question frames around meaningless words: what the form
of a question alone reaches). A question of the shop has a neighbourhood of like questions;
one from another shop may have one near question ("is it waterproof?" is asked
everywhere) but not many. Measured on Amazon's Video Games questions against the demo
shop's English ones (benchmarks/README.md): AUROC 0.885 with MiniLM and 0.929 with USE,
against 0.75-0.77 for the single nearest question.

The confidence follows :mod:`~shopmind.assistant.scale`'s rule on the shop's own questions
asked again, each without itself: 0.5 at their 10th percentile of topicality, 0.9 at their
median.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shopmind.assistant.scale import Scale
from shopmind.embed import Encoder

MIN_QUESTIONS = 20  # below this a shop's questions say nothing about its topics
MAX_NEIGHBOURS = 100
SAMPLE = 1_000
_SEED = 0


@dataclass(frozen=True)
class Topicality:
    """The shop's questions, the questions about nothing, and the calibration."""

    questions: np.ndarray
    generic: np.ndarray
    k: int
    scale: Scale

    @classmethod
    def fit(cls, encoder: Encoder, questions: np.ndarray, generic: list[str]) -> Topicality | None:
        """Calibrate on the shop's own question vectors; None with too few questions."""
        if len(questions) < MIN_QUESTIONS:
            return None
        k = max(1, min(MAX_NEIGHBOURS, math.ceil(math.sqrt(len(questions)))))
        made = cls(questions, encoder.encode_query(generic), k, Scale())
        rng = np.random.default_rng(_SEED)
        take = rng.choice(len(questions), min(SAMPLE, len(questions)), replace=False)
        own = made.raw(questions[take], exclude=take)
        return cls(questions, made.generic, k, Scale.from_own(own))

    def raw(self, vectors: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
        """Topicality of each row of ``vectors``; ``exclude[i]`` is a past question row that
        row ``i`` must not count (itself, when a past question is asked again)."""
        sims = vectors @ self.questions.T
        if exclude is not None:
            sims[np.arange(len(vectors)), exclude] = -1.0
            sims[sims > 0.999] = -1.0  # nor its word-for-word twins
        k = min(self.k, sims.shape[1])
        nearest = -np.partition(-sims, k - 1, axis=1)[:, :k]
        return np.asarray(nearest.mean(axis=1) - (vectors @ self.generic.T).mean(axis=1))

    def confidence(self, vectors: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
        """How surely each question is about what the shop knows, in [0, 1]."""
        return self.scale.confidences(self.raw(vectors, exclude))


__all__ = ["MAX_NEIGHBOURS", "MIN_QUESTIONS", "Topicality"]
