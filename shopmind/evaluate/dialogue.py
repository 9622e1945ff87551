"""Response selection on customer-service conversations (Taobao's E-commerce Dialogue
Corpus format: ``label \\t turn ... \\t response`` per line, 10 candidate responses per
conversation, words separated by spaces). R10@1 and MRR for:

- ``shopmind``: the encoder's similarity of each response to the conversation, its turns
  weighted by recency (each earlier turn counts half the one after it): the customer's
  last message matters most, and what was said before keeps the reply on topic;
- ``dense``: the same encoder, the last message alone;
- ``bm25``: BM25 of the response's words for the last message's (IDF over every response).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopmind.embed.factory import make_encoder
from shopmind.errors import InvalidFile
from shopmind.index.lexical import LexicalIndex
from shopmind.sources.files import inner_suffix, open_text

logger = logging.getLogger(__name__)

RECENCY = 0.5  # a turn's weight relative to the turn after it


@dataclass(frozen=True)
class Dialogue:
    """One conversation's turns and its candidate responses with their labels."""

    turns: tuple[str, ...]
    responses: tuple[str, ...]
    labels: tuple[int, ...]


def is_dialogue_file(path: Path) -> bool:
    """Whether ``path`` looks like the dialogue format (a 0/1 label, a tab, then text)."""
    if inner_suffix(path) not in (".txt", ".tsv"):
        return False
    with open_text(path, "utf-8", None) as fh:
        first = fh.readline()
    return first[:2] in ("0\t", "1\t")


def read_dialogues(path: Path) -> list[Dialogue]:
    """Group consecutive lines with the same turns into conversations.

    Raises:
        InvalidFile: a line is not ``label \\t turn ... \\t response`` (names the line).
    """
    groups: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    with open_text(path, "utf-8", None) as fh:
        for number, line in enumerate(fh, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0] not in ("0", "1"):
                raise InvalidFile(
                    f"{path} line {number}: expected 'label<TAB>turn...<TAB>response' with "
                    "label 0 or 1; fix or remove the line"
                )
            turns = tuple(_joined(t) for t in parts[1:-1])
            groups.setdefault(turns, []).append((_joined(parts[-1]), int(parts[0])))
    out = [
        Dialogue(turns, tuple(r for r, _ in c), tuple(y for _, y in c))
        for turns, c in groups.items()
        if any(y for _, y in c) and len(c) >= 2
    ]
    if not out:
        raise InvalidFile(f"{path}: no conversation with a true response and candidates")
    return out


def recency_weights(turns: int) -> np.ndarray:
    """Each turn's weight: 1 for the last, :data:`RECENCY` times the next for earlier ones."""
    return np.asarray([RECENCY ** (turns - 1 - i) for i in range(turns)], dtype=np.float32)


def evaluate_dialogues(
    path: Path, encoder_name: str = "use", progress: bool = True
) -> dict[str, Any]:
    """R10@1 and MRR of ``shopmind``, ``dense`` and ``bm25`` on a dialogue file."""
    dialogues = read_dialogues(path)
    encoder = make_encoder(encoder_name)
    responses = [r for d in dialogues for r in d.responses]
    words = LexicalIndex(field_weights={"text": 1.0}).build(
        (str(i), {"text": r}) for i, r in enumerate(responses)
    )
    scores: dict[str, list[tuple[np.ndarray, tuple[int, ...]]]] = {
        "shopmind": [],
        "dense": [],
        "bm25": [],
    }
    start = 0
    for d in dialogues:
        rows = np.arange(start, start + len(d.responses))
        start += len(d.responses)
        turn_vecs = encoder.encode_query(list(d.turns))
        resp_vecs = encoder.encode_documents(list(d.responses))
        context = recency_weights(len(d.turns)) @ turn_vecs
        scores["shopmind"].append((resp_vecs @ context, d.labels))
        scores["dense"].append((resp_vecs @ turn_vecs[-1], d.labels))
        scores["bm25"].append((words.scores(d.turns[-1])[rows], d.labels))
    methods = {name: _selection(lists) for name, lists in scores.items()}
    return {
        "questions": len(dialogues),
        "methods": methods,
        "abstain_auroc": None,
        "notes": [f"response selection, {encoder.name} encoder, recency {RECENCY}"],
    }


def _selection(lists: list[tuple[np.ndarray, tuple[int, ...]]]) -> dict[str, float]:
    hits, rr = [], []
    for s, labels in lists:
        order = np.argsort(-np.asarray(s), kind="stable")
        ranked = [labels[i] for i in order]
        rank = ranked.index(1) + 1
        hits.append(rank == 1)
        rr.append(1.0 / rank)
    key = f"r{len(lists[0][1])}@1" if lists else "r10@1"
    return {key: round(float(np.mean(hits)), 4), "mrr": round(float(np.mean(rr)), 4)}


def _joined(text: str) -> str:
    """Chinese words the corpus separated by spaces joined again (Latin words keep one)."""
    out: list[str] = []
    for token in text.split():
        if out and (ord(out[-1][-1]) > 0x2E80 or ord(token[0]) > 0x2E80):
            out.append(token)
        else:
            out.append(" " + token if out else token)
    return "".join(out)


__all__ = ["RECENCY", "Dialogue", "evaluate_dialogues", "is_dialogue_file", "read_dialogues"]
