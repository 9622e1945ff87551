"""Forget a visitor: their events, sessions, ad impressions and every trace in the home.

``forget`` takes visitor keys (a user id, or ``~SESSION`` for an anonymous one). A signed-in
visitor's sessions hold the anonymous browsing before the sign-in, so those go too. Then:

- the store deletes their events and scrubs them from ingest reports, with an audit row that
  counts them without naming them (:meth:`shopmind.store.Store.forget_visitors`); SQLite's
  ``secure_delete`` zeroes the freed cells and a checkpoint empties the write-ahead log;
- the campaign book deletes their ad impressions (so frequency caps forget them);
- in the home: the assistant's conversations of theirs are deleted; lines of reject files
  and of the demo shop's source files that name them are dropped; the saved segments,
  visitor profiles, every build's visitor list and the trained ranker's visitor vocabulary
  have their ids replaced by anonymous tombstones (``[forgotten]#N``), so those artifacts
  keep serving everyone else until the next build and ``train ranker`` recompute them
  without the visitor.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shopmind.ads.book import CampaignBook
from shopmind.experiments.book import FILE as EXPERIMENTS_FILE
from shopmind.experiments.book import ExperimentBook
from shopmind.files import write_text_atomic
from shopmind.redact import FORGOTTEN, forgotten_pattern
from shopmind.store import Store
from shopmind.store.sidedb import has_book

logger = logging.getLogger(__name__)


@dataclass
class ForgetReport:
    """What forgetting removed (counts only: the report names no one)."""

    visitors: int
    sessions: int
    events: int = 0
    ad_impressions: int = 0
    logged_answers: int = 0
    conversations: int = 0
    file_lines: int = 0
    artifacts: list[str] = field(default_factory=list)  # files rewritten without them

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "visitors": self.visitors,
            "sessions": self.sessions,
            "events": self.events,
            "ad_impressions": self.ad_impressions,
            "logged_answers": self.logged_answers,
            "conversations": self.conversations,
            "file_lines": self.file_lines,
            "artifacts": self.artifacts,
        }


def forget(home: Path, store: Store, visitors: Sequence[str], actor: str) -> ForgetReport:
    """Forget ``visitors`` everywhere (see the module docstring)."""
    wanted = list(dict.fromkeys(v for v in visitors if v))
    sessions = sorted(store.visitor_sessions(wanted))
    keys = list(dict.fromkeys([*wanted, *(f"~{s}" for s in sessions)]))
    report = ForgetReport(len(wanted), len(sessions))
    report.events = store.forget_visitors(wanted, actor)
    books: tuple[tuple[str, type[CampaignBook] | type[ExperimentBook], str], ...] = (
        ("ad_impressions", CampaignBook, "ads.sqlite"),
        ("logged_answers", ExperimentBook, EXPERIMENTS_FILE),
    )
    for counted, kind, file in books:  # side books: in the PostgreSQL database, or files
        if has_book(home, store.url, file):
            book = kind.open(home, store.url)
            try:
                setattr(report, counted, book.forget_visitors(keys))
            finally:
                book.close()
    names = {*keys, *sessions}
    report.conversations = _conversations(home / "sessions", names)
    report.file_lines = _drop_lines(home / "rejects", names)
    report.file_lines += _drop_lines(home / "demo", names)  # the demo shop's source events
    tombstones = itertools.count(1)
    for path in (
        home / "insight" / "segments.json",
        home / "insight" / "profiles.npz",
        *sorted((home / "builds").glob("*/visitors.json")),
        home / "models" / "ranker.pt",
    ):
        if path.is_file() and _rewrite(path, set(keys), tombstones):
            report.artifacts.append(str(path.relative_to(home)))
    logger.info("forgot %d visitors: %s", len(wanted), report.as_dict())
    return report


def _conversations(folder: Path, names: set[str]) -> int:
    """Delete the assistant's saved conversations of these visitors or sessions."""
    deleted = 0
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("visitor") in names or data.get("session") in names or path.stem in names:
            path.unlink()
            deleted += 1
    return deleted


def _drop_lines(folder: Path, names: set[str]) -> int:
    """Drop the lines of the folder's text files (reject files, the demo's sources) that name
    these visitors; returns lines dropped."""
    pattern = forgotten_pattern(names)
    dropped = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
        try:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        except (OSError, UnicodeDecodeError):
            continue
        kept = [line for line in lines if not pattern.search(line)]
        if len(kept) != len(lines):
            dropped += len(lines) - len(kept)
            write_text_atomic(path, "".join(kept))
    return dropped


def _tombstoned(names: list[str], keys: set[str], tombstones: Iterator[int]) -> list[str]:
    """``names`` with each forgotten one replaced by an anonymous ``[forgotten]#N``."""
    return [f"{FORGOTTEN}#{next(tombstones)}" if v in keys else v for v in names]


def _rewrite(path: Path, keys: set[str], tombstones: Iterator[int]) -> bool:
    """Replace the visitors' ids in one artifact; whether it changed."""
    if path.name == "segments.json":
        from shopmind.insight.segments import Segments

        segments = Segments.load(path)
        kept = {v: s for v, s in segments.assignment.items() if v not in keys}
        if len(kept) == len(segments.assignment):
            return False
        Segments(segments.report, kept).save(path)
        return True
    if path.name == "profiles.npz":
        from shopmind.insight.profilebook import ProfileBook

        book = ProfileBook.load(path)
        names = list(book.meta["visitors"])
        if not keys.intersection(names):
            return False
        anonymous = _tombstoned(names, keys, tombstones)
        replace(book, meta={**book.meta, "visitors": anonymous}, _row={}).save(path)
        return True
    if path.name == "visitors.json":
        names = json.loads(path.read_text(encoding="utf-8"))
        if not keys.intersection(names):
            return False
        rewritten = _tombstoned(names, keys, tombstones)
        write_text_atomic(path, json.dumps(rewritten, ensure_ascii=False))
        from shopmind.build.artifacts import rehash

        rehash(path.parent, [path.name])  # the build's checksum of it, so it still serves
        return True
    return _ranker(path, keys, tombstones)


def _ranker(path: Path, keys: set[str], tombstones: Iterator[int]) -> bool:
    """The trained ranker's visitor vocabulary without these visitors (codes kept, so its
    embeddings of everyone else stay in place)."""
    import torch

    from shopmind.rank.ctr import save_state
    from shopmind.rank.features import CATS

    state = torch.load(path, weights_only=True)
    at = CATS.index("visitor")
    vocab = list(state["vocabs"][at])
    if not keys.intersection(vocab):
        return False
    state["vocabs"][at] = _tombstoned(vocab, keys, tombstones)
    save_state(path, state)
    return True
