"""Find the evidence for an answer in the assistant's knowledge: the past answers whose
questions are most like the customer's, and the passages of the shop's pages that answer
it, with the answering sentence picked out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopmind.assistant.knowledge import KnowledgeIndex
from shopmind.index.analyze import analyze
from shopmind.index.topk import top_k
from shopmind.knowledge import sentences

QUESTION_WEIGHT = 0.7  # a past answer's match: its question's similarity weighs this much,
# its own text's the rest (a new question like an old one is best evidence for the old answer)
WORD_WEIGHT = 0.05  # a passage's match: the share its BM25 match (over the best) adds; the
# meaning decides, words break near-ties (a passage that repeats the question's word is not
# the better answer for it)
SAME_PRODUCT = 0.05  # a past answer about the product in question ranks ahead by this much
RELATED_PRODUCT = 0.02  # ... and one about a similar product, or one in its category
SAME_LANGUAGE = 0.05  # evidence in the customer's language ranks ahead by this much


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: ``kind`` is ``qa`` or ``doc``; ``text`` what the answer uses;
    ``similarity`` the raw match and ``confidence`` it on the shop's scale."""

    kind: str
    id: str
    text: str
    similarity: float
    confidence: float
    question: str = ""  # a past answer's question; a passage's title
    product_id: str | None = None
    highlight: str = ""  # the answering sentence of a passage
    score: float = 0.0  # the ranking score (similarity plus the scope bonus)


def past_answers(
    index: KnowledgeIndex,
    vector: np.ndarray,
    product: str | None = None,
    related: Sequence[str] = (),
    k: int = 3,
    zh: bool | None = None,
) -> list[Evidence]:
    """The ``k`` past answers best for a question (its vector): with a ``product``, only
    answers about it, about the ``related`` products (its category) or about no product,
    its own first; without one, any."""
    if not index.answers:
        return []
    q_sim = index.question_vectors @ vector
    a_sim = index.answer_vectors @ vector
    sim = QUESTION_WEIGHT * q_sim + (1.0 - QUESTION_WEIGHT) * a_sim
    score = sim.copy()
    if zh is not None:
        score += SAME_LANGUAGE * (index.answer_zh == zh)
    for pid in related:
        rows = index.by_product.get(pid)
        if rows is not None:
            score[rows] += RELATED_PRODUCT
    if product is not None:
        allowed = np.zeros(len(score), dtype=bool)
        allowed[index.unattached] = True
        for pid in (product, *related):
            rows = index.by_product.get(pid)
            if rows is not None:
                allowed[rows] = True
        if product in index.by_product:
            score[index.by_product[product]] += SAME_PRODUCT
        score[~allowed] = -np.inf
    on_topic = index.on_topic(vector)  # a near question from another shop's topic is no match
    out = []
    for i in top_k(score, k):
        if not np.isfinite(score[i]):
            break
        a = index.answers[int(i)]
        out.append(
            Evidence(
                "qa",
                a.key,
                a.answer,
                float(sim[i]),
                min(index.scale.confidence(float(q_sim[i])), on_topic),
                question=a.question,
                product_id=a.product_id,
                score=float(score[i]),
            )
        )
    return out


def passages(
    index: KnowledgeIndex, vector: np.ndarray, text: str, k: int = 3, zh: bool | None = None
) -> list[Evidence]:
    """The ``k`` passages that best answer ``text`` (its vector), each with its answering
    sentence; with ``zh``, passages in that language (Chinese or not) first.

    A passage matches by the better of its whole text and its best sentence (a table row
    or list item may answer where the section around it is about more)."""
    if not index.passages:
        return []
    sim = index.passage_vectors @ vector
    by_sentence = index.sentence_vectors @ vector
    best_sentence = np.full(len(sim), -1.0, dtype=np.float32)
    np.maximum.at(best_sentence, index.sentence_passage, by_sentence)
    sim = np.maximum(sim, best_sentence)
    words = index.passage_words.scores(text)
    best = float(words.max()) if len(words) else 0.0
    score = sim + (WORD_WEIGHT * words / best if best > 0 else 0.0)
    if zh is not None:
        score = score + SAME_LANGUAGE * (index.passage_zh == zh)
    out = []
    for i in top_k(score, k):
        p = index.passages[int(i)]
        rows = np.flatnonzero(index.sentence_passage == i)
        sentence = index.sentences[int(rows[np.argmax(by_sentence[rows])])] if len(rows) else ""
        out.append(
            Evidence(
                "doc",
                p.id,
                p.text,
                float(sim[i]),
                index.passage_scale.confidence(float(sim[i])),
                question=p.title,
                highlight=sentence or answering_sentence(p.text, text),
                score=float(score[i]),
            )
        )
    return out


def excerpt(passage: str, sentence: str, limit: int = 400) -> str:
    """The passage whole when short, else the stretch of sentences around ``sentence`` that
    fits ``limit`` characters (the sentence first, then those after it, then before)."""
    if len(passage) <= limit:
        return passage
    found = sentences(passage)
    if sentence not in found:
        return sentence or passage[:limit]
    at = found.index(sentence)
    lo, hi = at, at + 1
    size = len(sentence)
    while True:
        if hi < len(found) and size + len(found[hi]) + 1 <= limit:
            size += len(found[hi]) + 1
            hi += 1
        elif lo > 0 and size + len(found[lo - 1]) + 1 <= limit:
            lo -= 1
            size += len(found[lo]) + 1
        else:
            break
    return "\n".join(found[lo:hi])


def answering_sentence(passage: str, question: str) -> str:
    """The sentence of ``passage`` that shares the most (rarest-first) words with the
    question; the first sentence when none shares any."""
    found = sentences(passage)
    if not found:
        return passage
    asked = set(analyze(question, query=True))
    best, best_score = found[0], 0.0
    for sentence in found:
        shared = asked & set(analyze(sentence))
        score = sum(1.0 + 0.1 * len(t) for t in shared)
        if score > best_score:
            best, best_score = sentence, score
    return best


__all__ = [
    "QUESTION_WEIGHT",
    "Evidence",
    "answering_sentence",
    "excerpt",
    "passages",
    "past_answers",
]
