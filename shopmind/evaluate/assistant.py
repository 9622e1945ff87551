"""``shopmind evaluate assistant``: the assistant's answers scored on real questions.

- **Answer ranking** (McAuley's Amazon QA: asin, question, answer): each question ranks the
  distinct answers given to all questions about the same product; P@1 and MRR for
  ``shopmind`` (the matcher tuned on a shop's log), ``bm25`` and ``dense`` (the untuned
  encoder). With a train file the matcher is tuned on it (another category) and scored on
  every question here; without one it is tuned on half of this file's products and scored on
  the other half's questions, both ways round (no question is scored by a matcher that saw it).
- **Response selection** (Taobao's E-commerce Dialogue Corpus): :mod:`~shopmind.evaluate.dialogue`.
- **Abstention** (``off_shop``): the shop is this file's questions and answers; each of its
  questions (its own row left out) and each question of the other file is asked, and the
  AUROC says how well the confidence tells them apart.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from shopmind.assistant.knowledge import calibrate, null_questions
from shopmind.assistant.topic import Topicality
from shopmind.catalog.models import has_chinese
from shopmind.config import TrainConfig
from shopmind.embed import Encoder
from shopmind.embed.factory import make_encoder
from shopmind.errors import InvalidFile, InvalidInput
from shopmind.evaluate.dialogue import evaluate_dialogues, is_dialogue_file
from shopmind.index.lexical import LexicalIndex
from shopmind.knowledge import ANSWER_FIXES, PastAnswer
from shopmind.rank.metrics import auc
from shopmind.sources import open_source, read_chunks
from shopmind.validate import validate_rows

logger = logging.getLogger(__name__)

ABSTAIN_SAMPLE = 2_000  # questions of each side asked in the abstention check
CONFIDENT = 0.5  # "answered with high confidence": at or above the default threshold

# question vectors, answer vectors -> scores of one question's candidate answers
Score = Callable[[int, np.ndarray], np.ndarray]


def read_past_answers(path: Path) -> list[PastAnswer]:
    """The distinct rows of a question-answer file, checked (the ingest's columns and
    aliases); a row repeated word for word (Amazon's files repeat about a quarter) counts
    once, as the store keeps it once.

    Raises:
        InvalidFile: no question or answer column.
        InvalidInput: rows that are not valid (each named with its field and fix).
    """
    from shopmind.ingest import answer_column_map

    src = open_source(path)
    colmap = answer_column_map(())
    plan = colmap.plan(src.columns, str(src.path))
    for needed in ("question", "answer"):
        if needed not in plan.rename.values():
            raise InvalidFile(f"{path}: no '{needed}' column; {ANSWER_FIXES[needed]}")
    rows: list[PastAnswer] = []
    for chunk in read_chunks(src, 20_000):
        good, bad = validate_rows(
            PastAnswer, [(r, colmap.apply(plan, rec)) for r, rec in chunk], ANSWER_FIXES
        )
        if bad:
            raise InvalidInput([e for _, _, errs in bad[:20] for e in errs], source=str(path))
        rows.extend(m for _, m in good)
    distinct: dict[str, PastAnswer] = {}
    for row in rows:
        distinct.setdefault(row.key, row)
    return list(distinct.values())


def answer_groups(rows: Sequence[PastAnswer]) -> tuple[list[str], list[int], list[list[int]]]:
    """The distinct answers, each question's answer index, and each question's candidates
    (the distinct answers of its product). Questions without a product cannot be ranked.

    Raises:
        InvalidFile: no row names its product.
    """
    answers: dict[str, int] = {}
    by_product: dict[str, list[int]] = defaultdict(list)
    truth: list[int] = []
    for row in rows:
        idx = answers.setdefault(row.answer, len(answers))
        truth.append(idx)
        if row.product_id is None:
            raise InvalidFile(
                "answer ranking groups the questions by product; give each row its product "
                "(a product_id or asin column)"
            )
        if idx not in by_product[row.product_id]:
            by_product[row.product_id].append(idx)
    candidates = [sorted(by_product[row.product_id or ""]) for row in rows]
    return list(answers), truth, candidates


def rank_answers(
    truth: Sequence[int], candidates: Sequence[Sequence[int]], score: Score, keep: Sequence[int]
) -> dict[str, float]:
    """P@1 and MRR over the questions in ``keep`` that have 2+ candidates."""
    hits, rr = [], []
    for q in keep:
        cands = np.asarray(candidates[q])
        if len(cands) < 2:
            continue
        s = score(q, cands)
        order = cands[np.argsort(-s, kind="stable")]
        rank = int(np.flatnonzero(order == truth[q])[0]) + 1
        hits.append(rank == 1)
        rr.append(1.0 / rank)
    return {
        "p@1": round(float(np.mean(hits)), 4) if hits else 0.0,
        "mrr": round(float(np.mean(rr)), 4) if rr else 0.0,
        "ranked": len(hits),
    }


def dense_score(q_vecs: np.ndarray, a_vecs: np.ndarray) -> Score:
    """Cosine of a question's vector and its candidates'."""
    return lambda q, cands: a_vecs[cands] @ q_vecs[q]


def bm25_score(questions: Sequence[str], answers: Sequence[str]) -> Score:
    """BM25 of the candidates' text for the question (IDF over every answer)."""
    index = LexicalIndex(field_weights={"text": 1.0}).build(
        (str(i), {"text": a}) for i, a in enumerate(answers)
    )
    return lambda q, cands: index.scores(questions[q])[cands]


def product_half(product: str | None) -> int:
    """Which half of a seeded split by product a question falls in (0 or 1)."""
    digest = hashlib.blake2b((product or "").encode("utf-8"), digest_size=4).digest()
    return digest[0] % 2


def evaluate_assistant(
    qa: Path,
    train_file: Path | None = None,
    off_shop: Path | None = None,
    encoder: str | None = None,
    train: TrainConfig | None = None,
    models: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the evaluation ``qa`` calls for (answer ranking, or response selection for a
    dialogue file) and return the result (see the module docstring)."""
    started = time.perf_counter()
    if is_dialogue_file(qa):
        found = evaluate_dialogues(qa, encoder or "use", progress)
        found["seconds"] = round(time.perf_counter() - started, 1)
        return found
    rows = read_past_answers(qa)
    answers, truth, candidates = answer_groups(rows)
    questions = [r.question for r in rows]
    zh = sum(has_chinese(q) for q in questions[:500]) > 250
    base_name = encoder or ("use" if zh else "minilm")
    base = make_encoder(base_name)
    q_base, a_base = _encode(base, questions, answers, progress)
    everyone = list(range(len(rows)))
    methods = {
        "bm25": rank_answers(truth, candidates, bm25_score(questions, answers), everyone),
        "dense": rank_answers(truth, candidates, dense_score(q_base, a_base), everyone),
    }
    notes = [f"untuned encoder: {base_name}"]
    tuned: dict[str, Any] = {}
    if base_name == "minilm":
        config = train or TrainConfig()
        if train_file is not None:
            encoder_t, tuned = _tuned(read_past_answers(train_file), config, models, progress)
            q_t, a_t = _encode(encoder_t, questions, answers, progress)
            shopmind = rank_answers(truth, candidates, dense_score(q_t, a_t), everyone)
            notes.append(f"matcher tuned on {train_file.name}, scored on every question here")
        else:
            shopmind, tuned = _cross_fitted(
                rows, questions, answers, truth, candidates, config, models, progress
            )
            notes.append("matcher tuned on half of the products, scored on the other half")
        methods = {"shopmind": shopmind, **methods}
    else:
        methods = {"shopmind": dict(methods["dense"]), **methods}
        notes.append(f"{base_name} cannot be tuned here: shopmind is the untuned matcher")
    result: dict[str, Any] = {
        "questions": len(rows),
        "products": len({r.product_id for r in rows}),
        "methods": methods,
        "abstain_auroc": None,
        "notes": notes,
        "training": tuned,
    }
    if off_shop is not None:  # with the untuned encoder, as the assistant serves
        result.update(abstention(q_base, read_past_answers(off_shop), base))
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def abstention(bank: np.ndarray, off: Sequence[PastAnswer], encoder: Encoder) -> dict[str, Any]:
    """How well the confidence tells the shop's own questions (``bank``: their vectors, each
    asked without its own row) from another shop's: the AUROC of the confidence a past
    answer gets (the lower of the match's and the topic's, as the assistant answers), of
    each part alone, and the share of the other shop's questions answered with confidence."""
    scale = calibrate(encoder, bank)
    topic = Topicality.fit(encoder, bank, null_questions(np.random.default_rng(0)))
    rng = np.random.default_rng(0)
    own = rng.choice(len(bank), min(ABSTAIN_SAMPLE, len(bank)), replace=False)
    others = [o.question for o in off]
    pick = rng.choice(len(others), min(ABSTAIN_SAMPLE, len(others)), replace=False)
    off_vecs = encoder.encode_query([others[i] for i in pick])
    own_sims = bank[own] @ bank.T
    own_sims[np.arange(len(own)), own] = -1.0  # the question's own row is not evidence
    own_sims[own_sims > 0.999] = -1.0  # nor its word-for-word twins
    match_in = scale.confidences(own_sims.max(axis=1))
    match_off = scale.confidences((off_vecs @ bank.T).max(axis=1))
    topic_in = topic.confidence(bank[own], exclude=own) if topic else np.ones(len(own))
    topic_off = topic.confidence(off_vecs) if topic else np.ones(len(pick))
    conf_in, conf_off = np.minimum(match_in, topic_in), np.minimum(match_off, topic_off)
    labels = np.r_[np.ones(len(own)), np.zeros(len(pick))]

    def area(a: np.ndarray, b: np.ndarray) -> float:
        return round(auc(labels, np.r_[a, b]), 4)

    return {
        "abstain_auroc": area(conf_in, conf_off),
        "abstention": {
            "shop_questions": len(own),
            "off_shop_questions": len(pick),
            "topic_auroc": area(topic_in, topic_off),
            "match_auroc": area(match_in, match_off),
            "off_shop_confident_share": round(float(np.mean(conf_off >= CONFIDENT)), 4),
            "shop_confident_share": round(float(np.mean(conf_in >= CONFIDENT)), 4),
            "encoder": encoder.name,
        },
    }


def _encode(
    encoder: Encoder, questions: Sequence[str], answers: Sequence[str], progress: bool
) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for label, texts, fn in (
        ("questions", questions, encoder.encode_query),
        ("answers", answers, encoder.encode_documents),
    ):
        parts = []
        for start in tqdm(
            range(0, len(texts), 512),
            desc=f"encode {label} ({encoder.name})",
            disable=not progress or None,
        ):
            parts.append(fn(list(texts[start : start + 512])))
        out.append(np.vstack(parts) if parts else np.zeros((0, encoder.dim), np.float32))
    return out[0], out[1]


def _tuned(
    rows: Sequence[PastAnswer], config: TrainConfig, models: Path | None, progress: bool
) -> tuple[Encoder, dict[str, Any]]:
    from shopmind.embed.sentence import MiniLMEncoder
    from shopmind.train.matcher import tune_matcher

    if models is not None:
        models.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="matcher-", dir=models if models else None))
    report = tune_matcher(rows, folder, config, progress=progress)
    encoder = MiniLMEncoder(path=str(folder), name=f"minilm@{folder.name}")
    summary = report.as_dict() if hasattr(report, "as_dict") else {}
    summary["model"] = str(folder)
    return encoder, summary


def _cross_fitted(
    rows: Sequence[PastAnswer],
    questions: Sequence[str],
    answers: Sequence[str],
    truth: Sequence[int],
    candidates: Sequence[Sequence[int]],
    config: TrainConfig,
    models: Path | None,
    progress: bool,
) -> tuple[dict[str, float], dict[str, Any]]:
    halves = [product_half(r.product_id) for r in rows]
    hits = mrr = 0.0
    ranked = 0
    reports = {}
    for half in (0, 1):
        train_rows = [r for r, h in zip(rows, halves, strict=True) if h != half]
        scored = [i for i, h in enumerate(halves) if h == half]
        encoder, reports[f"half_{half}"] = _tuned(train_rows, config, models, progress)
        q_t, a_t = _encode(encoder, [questions[i] for i in scored], answers, progress)
        vectors = np.zeros((len(questions), q_t.shape[1]), np.float32)
        vectors[scored] = q_t
        part = rank_answers(truth, candidates, dense_score(vectors, a_t), scored)
        hits += part["p@1"] * part["ranked"]
        mrr += part["mrr"] * part["ranked"]
        ranked += int(part["ranked"])
    n = max(1, ranked)
    return {"p@1": round(hits / n, 4), "mrr": round(mrr / n, 4), "ranked": ranked}, reports


def render(result: dict[str, Any]) -> str:
    """The result as lines a person reads."""
    lines = [f"{result.get('questions', 0):,} questions ({', '.join(result.get('notes', []))})"]
    for name, m in result.get("methods", {}).items():
        parts = [f"{k} {v:.4f}" for k, v in m.items() if isinstance(v, float)]
        lines.append(f"  {name:9} " + "  ".join(parts))
    if result.get("abstain_auroc") is not None:
        a = result.get("abstention", {})
        lines.append(
            f"  abstention AUROC {result['abstain_auroc']:.4f}; off-shop questions answered "
            f"with confidence: {a.get('off_shop_confident_share', 0):.1%}"
        )
    lines.append(f"  {result.get('seconds', 0)} s")
    return "\n".join(lines)


__all__ = [
    "abstention",
    "answer_groups",
    "bm25_score",
    "dense_score",
    "evaluate_assistant",
    "product_half",
    "rank_answers",
    "read_past_answers",
    "render",
]
