"""The assistant's knowledge, indexed: passages of the shop's pages and past answers, each
searchable by words (BM25, the search engine's analysis) and by meaning (the encoder).

Past answers are found through the questions they answered (a new question like an old
one gets the old one's answer) and through their own text. Confidence is the best
evidence's similarity placed on the shop's own scale (:mod:`~shopmind.assistant.scale`),
and for a past answer no more than how surely the question is about what the shop's past
questions are about (:mod:`~shopmind.assistant.topic`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopmind.assistant.scale import Scale
from shopmind.assistant.topic import MIN_QUESTIONS, Topicality
from shopmind.catalog.models import has_chinese
from shopmind.embed import Encoder
from shopmind.embed.cache import encode_cached
from shopmind.index.lexical import LexicalIndex
from shopmind.knowledge import Passage, PastAnswer, sentences
from shopmind.search.meaning import null_queries
from shopmind.store import Store

logger = logging.getLogger(__name__)

MIN_GAP = 0.075  # a match is doubtful until this far above what questions about nothing reach
NULL_QUANTILE = 90.0
CALIBRATION_SAMPLE = 1_000  # past questions whose nearest other question sets the scale
_SEED = 0


@dataclass
class KnowledgeIndex:
    """Passages and past answers with their vectors and word indexes."""

    encoder: Encoder
    passages: list[Passage] = field(default_factory=list)
    answers: list[PastAnswer] = field(default_factory=list)
    passage_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    question_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    answer_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    passage_words: LexicalIndex = field(default_factory=LexicalIndex)
    question_words: LexicalIndex = field(default_factory=LexicalIndex)
    by_product: dict[str, np.ndarray] = field(default_factory=dict)
    asked_in: dict[str, list[str]] = field(default_factory=dict)  # category -> products asked about
    unattached: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # no product
    passage_zh: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # written in Chinese
    answer_zh: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    scale: Scale = field(default_factory=Scale)  # of past questions
    topic: Topicality | None = None  # whether a question is about what the shop knows
    passage_scale: Scale = field(default_factory=Scale)
    sentences: list[str] = field(default_factory=list)  # of the passages, in passage order
    sentence_passage: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sentence_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    version: int = -1

    @classmethod
    def from_store(
        cls, store: Store, encoder: Encoder, cache: Path | None = None, progress: bool = False
    ) -> KnowledgeIndex:
        """Index everything the store knows (reads it whole; call it off the event loop)."""
        version = store.knowledge_version()
        answers = [a for batch in store.iter_answers() for a in batch]
        index = cls.build(encoder, store.list_passages(), answers, cache, progress, version)
        by_category: dict[str, list[str]] = defaultdict(list)
        for pid, product in store.get_products(sorted(index.by_product)).items():
            if product.category:
                by_category[product.category].append(pid)
        index.asked_in = dict(by_category)
        return index

    def on_topic(self, vector: np.ndarray) -> float:
        """How surely a question (its vector) is about what the shop's past questions are
        about; 1.0 when the shop has too few of them to say."""
        if self.topic is None:
            return 1.0
        return float(self.topic.confidence(vector[None, :])[0])

    @classmethod
    def build(
        cls,
        encoder: Encoder,
        passages: Sequence[Passage],
        answers: Sequence[PastAnswer],
        cache: Path | None = None,
        progress: bool = False,
        version: int = -1,
    ) -> KnowledgeIndex:
        """Index ``passages`` and ``answers`` with ``encoder`` (vectors cached in ``cache``)."""
        index = cls(encoder, list(passages), list(answers), version=version)
        dim = encoder.dim
        index.passage_vectors = (
            encode_cached(
                encoder, [f"{p.title}\n{p.text}" for p in passages], cache, progress=progress
            )
            if passages
            else np.zeros((0, dim), np.float32)
        )
        index.question_vectors = (
            encode_cached(encoder, [a.question for a in answers], cache, progress=progress)
            if answers
            else np.zeros((0, dim), np.float32)
        )
        index.answer_vectors = (
            encode_cached(encoder, [a.answer for a in answers], cache, progress=progress)
            if answers
            else np.zeros((0, dim), np.float32)
        )
        for i, p in enumerate(passages):
            found = sentences(p.text) or [p.text]
            index.sentences.extend(found)
            index.sentence_passage = np.r_[index.sentence_passage, np.full(len(found), i)]
        index.sentence_vectors = (
            encode_cached(encoder, index.sentences, cache, progress=progress)
            if index.sentences
            else np.zeros((0, dim), np.float32)
        )
        weights = {"text": 1.0}
        index.passage_words = LexicalIndex(field_weights={"title": 0.5, **weights}).build(
            (p.id, {"title": p.title, "text": p.text}) for p in passages
        )
        index.question_words = LexicalIndex(field_weights=weights).build(
            (str(i), {"text": a.question}) for i, a in enumerate(answers)
        )
        rows: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(answers):
            if a.product_id:
                rows[a.product_id].append(i)
        index.by_product = {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}
        index.passage_zh = np.asarray([has_chinese(p.text) for p in passages], dtype=bool)
        index.answer_zh = np.asarray([has_chinese(a.answer) for a in answers], dtype=bool)
        index.unattached = np.asarray(
            [i for i, a in enumerate(answers) if not a.product_id], dtype=np.int64
        )
        index.scale = calibrate(encoder, index.question_vectors)
        generic = null_questions(np.random.default_rng(_SEED))
        index.topic = Topicality.fit(encoder, index.question_vectors, generic)
        index.passage_scale = calibrate_passages(index)
        logger.info(
            "assistant knowledge: %d passages, %d past answers; scales %s, %s",
            len(passages), len(answers), index.passage_scale, index.scale,
        )  # fmt: skip
        return index


_FRAMES_EN = (
    "does it {}?", "is it {}?", "can i use it with {}?", "how long does the {} last?",
    "what is the {}?", "will it work with {}?", "does this come with {}?", "is there a {}?",
)  # fmt: skip
_FRAMES_ZH = ("这个{}吗？", "能{}吗？", "{}怎么样？", "有没有{}？", "{}多久？", "支持{}吗？")


def null_questions(rng: np.random.Generator) -> list[str]:
    """Seeded questions about nothing: a customer's question frames around meaningless words
    (Latin pseudo-words, random Chinese characters). What they reach is what a question's
    form alone reaches, the floor a real match must rise above."""
    words = null_queries(rng)
    out = [_FRAMES_EN[i % len(_FRAMES_EN)].format(w) for i, w in enumerate(words["latin"])]
    out += [_FRAMES_ZH[i % len(_FRAMES_ZH)].format(w) for i, w in enumerate(words["cjk"])]
    return out


def calibrate(encoder: Encoder, questions: np.ndarray) -> Scale:
    """The :class:`Scale` of a match between a question and a past one: the shop's own
    questions' nearest other one (:meth:`Scale.from_own`). A match no nearer than what
    questions about nothing reach is never more than doubtful; in a shop too small to
    say what its questions are about (:data:`~shopmind.assistant.topic.MIN_QUESTIONS`),
    not until :data:`MIN_GAP` above that."""
    if len(questions) < 2:
        return Scale()
    rng = np.random.default_rng(_SEED)
    floor = _null_level(encoder, questions, rng)
    if len(questions) < MIN_QUESTIONS:
        floor += MIN_GAP
    take = rng.choice(len(questions), min(CALIBRATION_SAMPLE, len(questions)), replace=False)
    sims = questions[take] @ questions.T
    sims[np.arange(len(take)), take] = -1.0  # not itself
    sims[sims > 0.999] = -1.0  # nor its word-for-word twins
    best = sims.max(axis=1)
    return Scale.from_own(best[best > -1.0], floor)


def calibrate_passages(index: KnowledgeIndex) -> Scale:
    """The :class:`Scale` of passages: halfway between what questions about nothing reach on
    them (their whole text or a sentence) and what a passage's own heading, asked as a
    question, reaches on it (at least :data:`MIN_GAP` above)."""
    if not index.passages:
        return Scale()
    rng = np.random.default_rng(_SEED)
    refs = np.vstack([index.passage_vectors, index.sentence_vectors])
    null = _null_level(index.encoder, refs, rng)
    heads = index.encoder.encode_query([p.title.split(" > ")[-1] for p in index.passages])
    own = np.einsum("ij,ij->i", heads, index.passage_vectors)
    by_sentence = np.einsum("ij,ij->i", heads[index.sentence_passage], index.sentence_vectors)
    np.maximum.at(own, index.sentence_passage, by_sentence)
    return Scale.between(null, max(float(np.median(own)), null + MIN_GAP))


def _null_level(encoder: Encoder, refs: np.ndarray, rng: np.random.Generator) -> float:
    probes = encoder.encode_query(null_questions(rng))
    return float(np.percentile((probes @ refs.T).max(axis=1), NULL_QUANTILE))


__all__ = [
    "CALIBRATION_SAMPLE",
    "KnowledgeIndex",
    "Scale",
    "calibrate",
    "calibrate_passages",
    "null_questions",
]
