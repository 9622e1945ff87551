"""The assistant a server answers with, rebuilt when what it stands on changes: a new
search engine (a build, a re-index) or new knowledge (pages or past answers ingested, in
this process or another). Conversations outlive the rebuilds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from shopmind.assistant.engine import Assistant
from shopmind.assistant.generator import Generator
from shopmind.assistant.knowledge import KnowledgeIndex
from shopmind.assistant.session import Sessions
from shopmind.config import AssistantConfig
from shopmind.embed import Encoder
from shopmind.embed.factory import shared_encoder
from shopmind.errors import StoreError
from shopmind.search import SearchEngine
from shopmind.store import Store
from shopmind.train.matcher import ASSISTANT

logger = logging.getLogger(__name__)


def assistant_encoder(
    config: AssistantConfig, engine: SearchEngine, models: Path | None = None
) -> Encoder:
    """The encoder of the assistant's knowledge: ``assistant.encoder``; with ``auto`` the
    matcher ``shopmind train assistant`` tuned (``HOME/models/ASSISTANT``), else the search
    engine's (USE when search is lexical only: it reads Chinese and English)."""
    if config.encoder != "auto":
        return shared_encoder(config.encoder, models)
    if models is not None and (models / ASSISTANT).is_file():
        name = (models / ASSISTANT).read_text().strip()
        return shared_encoder(f"minilm@{name}", models)
    if engine.dense is not None:
        return engine.dense.encoder
    return shared_encoder("use")


class LiveAssistant:
    """Hands out the current :class:`Assistant`, rebuilding its knowledge index when the
    engine or the store's knowledge version changes (thread-safe; one rebuild at a time)."""

    def __init__(
        self,
        store: Store,
        config: AssistantConfig,
        engine: Callable[[], SearchEngine | None],
        cache: Path | None = None,
        models: Path | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.engine = engine
        self.cache = cache
        self.models = models
        self.sessions = Sessions(config.session_minutes, config.max_sessions)
        self.generator = Generator.from_config(config)
        self._current: Assistant | None = None
        self._key: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def current(self) -> Assistant:
        """The assistant for the engine and knowledge of now (reads the store).

        Raises:
            StoreError: the search engine is not loaded yet.
        """
        engine = self.engine()
        if engine is None:
            raise StoreError("the assistant is not ready yet (the server is starting)")
        key = (id(engine), self.store.knowledge_version())
        with self._lock:
            if self._current is None or key != self._key:
                encoder = assistant_encoder(self.config, engine, self.models)
                knowledge = KnowledgeIndex.from_store(self.store, encoder, self.cache)
                self._current = Assistant(
                    self.store, engine, knowledge, self.config, self.generator, self.sessions
                )
                self._key = key
                logger.info("assistant ready (knowledge version %d)", key[1])
            return self._current


__all__ = ["LiveAssistant", "assistant_encoder"]
