"""The ``Store`` contract every storage backend implements (SQLite now, PostgreSQL later).

Writes are atomic: a single call commits or changes nothing, and calls made inside
``with store.transaction():`` commit together or not at all. The shared contract tests in
``tests/contract/store_contract.py`` run against every backend.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from shopmind.catalog.models import Product, ProductPatch
from shopmind.errors import NotFound
from shopmind.events.models import Event, StoredEvent, iso_utc
from shopmind.knowledge.models import Passage, PastAnswer


@dataclass(frozen=True)
class WriteResult:
    """What a write did: rows inserted, updated, and ignored as already present."""

    inserted: int = 0
    updated: int = 0
    duplicates: int = 0

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.duplicates + other.duplicates,
        )


@dataclass(frozen=True)
class ProductPage:
    """One page of products and the total count that matched."""

    items: list[Product]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class StoreStats:
    """Counts over the whole store."""

    products: int
    events: int
    visitors: int
    events_by_type: dict[str, int] = field(default_factory=dict)
    unknown_item_events: int = 0
    schema_version: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the stats as a JSON-ready dict."""
        return {
            "products": self.products,
            "events": self.events,
            "visitors": self.visitors,
            "events_by_type": dict(self.events_by_type),
            "unknown_item_events": self.unknown_item_events,
            "schema_version": self.schema_version,
        }


@dataclass(frozen=True)
class VisitorSummary:
    """One visitor's activity: how many events they have and when they were last seen."""

    visitor: str
    events: int
    last_seen: float | None  # epoch seconds of the newest event with a time

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``id``, the visitor key (``~SESSION`` for an anonymous visitor), the
        event count, and the newest event's time as ISO-8601 UTC (None when no event has one)."""
        return {
            "id": self.visitor,
            "anonymous": self.visitor.startswith("~"),
            "events": self.events,
            "last_seen": iso_utc(self.last_seen),
        }


class Store(ABC):
    """Products, behaviour events and ingest reports, stored durably.

    Implementations register a URL scheme with :func:`shopmind.store.open_store`.
    """

    url: str
    latest_version: int  # the schema version this code migrates the store to

    # -- lifecycle -------------------------------------------------------------------------
    @abstractmethod
    def schema_version(self) -> int:
        """The schema version the store is at."""

    @abstractmethod
    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Group writes so that they commit together or not at all (re-entrant)."""

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Hint that many events follow inside the current transaction.

        A backend may defer index maintenance until the block ends (still inside the
        transaction, so atomicity holds). The default does nothing.
        """
        yield

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- products --------------------------------------------------------------------------
    @abstractmethod
    def catalog_version(self) -> int:
        """A number every product write (upsert, patch, delete) raises, in the same
        transaction: processes serving one store poll it to learn that the catalog changed."""

    @abstractmethod
    def upsert_products(self, products: Sequence[Product]) -> WriteResult:
        """Insert new products and replace existing ones by id (created_at is kept)."""

    @abstractmethod
    def patch_products(self, patches: Sequence[ProductPatch]) -> WriteResult:
        """Change only the given fields; raises NotFound (changing nothing) for unknown ids."""

    @abstractmethod
    def delete_products(self, ids: Sequence[str]) -> int:
        """Delete products by id; returns how many existed. Their events are kept."""

    @abstractmethod
    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        """The products with these ids that exist, keyed by id."""

    def get_product(self, product_id: str) -> Product:
        """One product; raises NotFound."""
        found = self.get_products([product_id]).get(product_id)
        if found is None:
            raise NotFound(f"product '{product_id}' does not exist")
        return found

    @abstractmethod
    def list_products(
        self, offset: int = 0, limit: int = 100, category: str | None = None
    ) -> ProductPage:
        """Products ordered by id; ``category`` keeps a category and its subtree."""

    @abstractmethod
    def iter_products(self, batch: int = 5_000) -> Iterator[list[Product]]:
        """Every product, in id order, in batches."""

    def all_products(self) -> list[Product]:
        """Every product, in id order (for indexing the whole catalog)."""
        return [p for batch in self.iter_products() for p in batch]

    @abstractmethod
    def known_product_ids(self, ids: Sequence[str]) -> set[str]:
        """The ids among ``ids`` that are stored products."""

    @abstractmethod
    def product_ids(self) -> set[str]:
        """Every product id."""

    @abstractmethod
    def count_products(self) -> int:
        """How many products are stored."""

    # -- events ----------------------------------------------------------------------------
    @abstractmethod
    def add_events(self, events: Sequence[Event]) -> WriteResult:
        """Append events; one whose event_id is already stored is ignored (a duplicate)."""

    @abstractmethod
    def append_stored(self, events: Sequence[StoredEvent]) -> WriteResult:
        """Append events read from another store, every value as it was (their ``seq`` is
        this store's to give); duplicates by event_id are ignored as in ``add_events``."""

    @abstractmethod
    def list_events(
        self,
        visitor: str | None = None,
        item_id: str | None = None,
        limit: int = 100,
        types: Sequence[str] | None = None,
    ) -> list[StoredEvent]:
        """The most recent events, newest first, optionally of one visitor or product and
        only of the given ``types``."""

    @abstractmethod
    def iter_events(
        self, batch: int = 50_000, since: float | None = None
    ) -> Iterator[list[StoredEvent]]:
        """Every event in store order (time, then arrival), in batches; with ``since``, only
        those from that time on (an event without a time counts as at 0), filtered by the
        database rather than read and dropped."""

    @abstractmethod
    def count_events(self) -> int:
        """How many events are stored."""

    def top_visitors(self, limit: int = 50) -> list[VisitorSummary]:
        """The ``limit`` visitors with the most events, most first (ties: newest seen first,
        then by key). This default reads every event; backends answer it in their query
        language."""
        counts: dict[str, int] = {}
        seen: dict[str, float | None] = {}
        for batch in self.iter_events():
            for e in batch:
                counts[e.visitor] = counts.get(e.visitor, 0) + 1
                last = seen.get(e.visitor)
                if e.ts is not None and (last is None or e.ts > last):
                    seen[e.visitor] = e.ts
                else:
                    seen.setdefault(e.visitor, None)
        ordered = sorted(counts, key=lambda v: (-counts[v], -(seen[v] or float("-inf")), v))
        return [VisitorSummary(v, counts[v], seen[v]) for v in ordered[:limit]]

    # -- knowledge (the assistant's) ------------------------------------------------------
    @abstractmethod
    def knowledge_version(self) -> int:
        """A number every passage or past-answer write raises, in the same transaction."""

    @abstractmethod
    def replace_documents(self, passages: Sequence[Passage]) -> WriteResult:
        """Store the passages, replacing every passage of their documents (``doc``): a page
        ingested again loses the passages it no longer has. ``inserted`` counts passages,
        ``updated`` the documents that were replaced."""

    @abstractmethod
    def list_passages(self, doc: str | None = None) -> list[Passage]:
        """Every passage (or one document's), by document and position."""

    @abstractmethod
    def add_answers(self, answers: Sequence[PastAnswer]) -> WriteResult:
        """Add past answers; one whose id (``PastAnswer.key``) is stored is a duplicate."""

    @abstractmethod
    def iter_answers(self, batch: int = 10_000) -> Iterator[list[PastAnswer]]:
        """Every past answer (its ``id`` set), in id order, in batches."""

    @abstractmethod
    def count_knowledge(self) -> dict[str, int]:
        """How many ``documents``, ``passages`` and ``answers`` are stored."""

    # -- privacy ------------------------------------------------------------------------------
    @abstractmethod
    def visitor_sessions(self, visitors: Sequence[str]) -> set[str]:
        """The session ids of these visitors' events (a signed-in visitor's sessions hold
        their anonymous browsing before the sign-in)."""

    @abstractmethod
    def forget_visitors(self, visitors: Sequence[str], actor: str) -> int:
        """Delete every event of these visitors (by visitor key or user id) and of their
        sessions, scrub them from the ingest reports, and keep an audit row that counts them
        (never their ids); deleted rows leave no trace in the file. Returns events deleted."""

    @abstractmethod
    def delete_events_before(self, ts: float, actor: str) -> int:
        """Delete events older than ``ts`` (retention), audited; returns events deleted."""

    @abstractmethod
    def audit(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest audit rows: ``at``, ``action``, ``actor``, ``visitors``, ``rows``."""

    # -- shared builds (serving nodes with homes of their own) ----------------------------
    shares_builds: bool = False
    """True where several nodes, each with its own home, serve this store: a finished build
    is published into it and every node follows the newest (``build.share``)."""

    def publish_build(self, build_id: str, archive: Path, keep: int) -> None:
        """Keep a finished build (a tar of its folder) for the other nodes; only the newest
        ``keep`` stay. A store that does not share builds refuses."""
        raise NotImplementedError(f"{type(self).__name__} does not share builds")

    def latest_build(self) -> str | None:
        """The id of the newest published build (None: none, or builds are not shared)."""
        return None

    def read_build(self, build_id: str, out: BinaryIO) -> None:
        """Write the published build's tar into ``out``; raises NotFound."""
        raise NotFound(f"build {build_id} is not published in this store")

    # -- reports and stats ----------------------------------------------------------------
    @abstractmethod
    def record_ingest(self, report: dict[str, Any]) -> int:
        """Keep an ingest report (with its data-quality summary); returns its id."""

    @abstractmethod
    def ingest_reports(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest ingest reports, newest first."""

    @abstractmethod
    def stats(self) -> StoreStats:
        """Counts over the whole store."""
