"""Conversations: what each session's earlier turns asked and showed, for the next turn.

A session belongs to the visitor who opened it (a ``user``, or anonymous); another visitor
naming it is refused. Sessions idle longer than ``assistant.session_minutes`` are
forgotten, and at most ``assistant.max_sessions`` are kept (the least recently used go
first). The state lives in the serving process.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shopmind.assistant.understand import Wants
from shopmind.errors import Conflict
from shopmind.files import write_text_atomic


@dataclass
class Turn:
    """What one turn asked and showed."""

    message: str
    intent: str
    topic: str = ""
    products: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    """One session's state: its visitor, its turns, and the shopping request in force."""

    session: str
    visitor: str | None
    turns: list[Turn] = field(default_factory=list)
    query: str = ""  # the words of the shopping request being refined
    wants: Wants = field(default_factory=Wants)  # ... and what its products must be
    currency: str | None = None
    focus: str | None = None  # the product the conversation is about
    shown: list[str] = field(default_factory=list)  # the products the last list showed
    touched: float = field(default_factory=time.monotonic)

    def remember(self, turn: Turn, keep: int = 20) -> None:
        """Add a turn (the last ``keep`` are kept)."""
        self.turns = [*self.turns, turn][-keep:]
        self.touched = time.monotonic()


class Sessions:
    """The conversations of one serving process, thread-safe."""

    def __init__(self, idle_minutes: float = 30.0, limit: int = 10_000) -> None:
        self.idle_s = idle_minutes * 60.0
        self.limit = limit
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, session: str, visitor: str | None) -> Conversation:
        """The session's conversation (a new one when unknown or expired).

        Raises:
            Conflict: the session was opened by another visitor.
        """
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            found = self._items.get(session)
            if found is not None and visitor is not None and found.visitor not in (None, visitor):
                raise Conflict(
                    f"session '{session}' belongs to another visitor; start a new session id"
                )
            if found is None:
                found = Conversation(session, visitor)
                self._items[session] = found
                while len(self._items) > self.limit:
                    self._items.popitem(last=False)
            elif found.visitor is None and visitor is not None:
                found.visitor = visitor
            self._items.move_to_end(session)
            found.touched = now
            return found

    def __len__(self) -> int:
        return len(self._items)

    def load(self, path: Path) -> None:
        """Take back a conversation saved with :meth:`save` (``shopmind ask --session``:
        each command is a new process). A missing or unreadable file is no conversation."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            turns = [Turn(**t) for t in data.pop("turns", [])]
            wants = Wants(**data.pop("wants", {}))
            data.pop("touched", None)
            convo = Conversation(**data, turns=turns, wants=wants)
        except (OSError, ValueError, TypeError):
            return
        with self._lock:
            self._items[convo.session] = convo

    def save(self, session: str, path: Path) -> None:
        """Write one conversation to ``path`` (atomically)."""
        convo = self._items.get(session)
        if convo is not None:
            write_text_atomic(path, json.dumps(asdict(convo), ensure_ascii=False))

    def _expire(self, now: float) -> None:
        while self._items:
            oldest = next(iter(self._items.values()))
            if now - oldest.touched <= self.idle_s:
                return
            self._items.popitem(last=False)


__all__ = ["Conversation", "Sessions", "Turn"]
