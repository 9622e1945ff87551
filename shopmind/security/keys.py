"""API keys with scopes, kept as hashes in one SQLite file (``HOME/keys.sqlite``).

A key is ``sm_`` and 43 random URL-safe characters (256 bits), shown once when it is made;
the book keeps its SHA-256 (a fast hash is right for a random secret of this size: there is
no dictionary to try), its first 8 characters to tell keys apart, a scope, an optional
expiry, a description, and what it is limited to: route prefixes it may call (``routes``)
and filters it cannot lift (``filters``: ``in_stock`` true, or a ``category`` tree), the way
Meilisearch and Typesense scope storefront keys. Scopes nest: ``admin`` ⊃ ``write`` ⊃
``search`` (:data:`SCOPES`).

Example::

    book = KeyBook(home / "keys.sqlite")
    made, secret = book.create("search", expires_in=30 * 86_400, description="storefront")
    book.verify(secret)  # the key, or None for an unknown, revoked or expired one
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from shopmind.errors import InvalidInput, NotFound, RowError, StoreError

Scope = Literal["search", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("search", "write", "admin")  # each includes the ones before it
PREFIX = "sm_"
FILTERS = ("in_stock", "category")

SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    scope TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    routes TEXT NOT NULL DEFAULT '[]',
    filters TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL,
    expires REAL,
    revoked REAL
);
"""


@dataclass
class ApiKey:
    """A key as the book keeps it (never its secret)."""

    id: int
    prefix: str
    scope: Scope
    description: str
    created: float
    expires: float | None
    revoked: float | None
    routes: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)

    def allows(self, needed: Scope) -> bool:
        """Whether this key's scope includes ``needed``."""
        return SCOPES.index(self.scope) >= SCOPES.index(needed)

    def live(self, now: float) -> bool:
        """Not revoked and not expired at ``now``."""
        return self.revoked is None and (self.expires is None or now < self.expires)

    def to_json(self) -> dict[str, Any]:
        """The key's public fields (``expires`` and ``created`` as epoch seconds)."""
        return asdict(self)


def digest(secret: str) -> str:
    """The SHA-256 the book keeps of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_duration(text: str) -> float:
    """``30d``, ``12h``, ``15m`` or ``90s`` as seconds.

    Raises:
        InvalidInput: anything else, naming the field and the fix.
    """
    units = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
    value = text.strip().lower()
    if len(value) >= 2 and value[-1] in units and value[:-1].isdigit() and int(value[:-1]) > 0:
        return float(int(value[:-1]) * units[value[-1]])
    raise InvalidInput(
        [
            RowError(
                1, "expires", f"cannot read {text!r} as a duration", "write e.g. 30d, 12h or 90m"
            )
        ]
    )


def keys_path(home: Path) -> Path:
    """Where a home's keys live."""
    return home / "keys.sqlite"


class KeyBook:
    """The keys of one home, in a SQLite file shared by the server's processes.

    Args:
        path: the database file; its folder is created when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as err:
            raise StoreError(f"cannot open the key book {self.path}: {err}") from err

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def create(
        self,
        scope: str,
        expires_in: float | None = None,
        description: str = "",
        routes: list[str] | None = None,
        filters: dict[str, Any] | None = None,
        now: float | None = None,
    ) -> tuple[ApiKey, str]:
        """Make a key; returns it and its secret (shown once, never stored).

        Raises:
            InvalidInput: an unknown scope, a non-positive expiry, a route that does not start
                with ``/`` or an unknown filter (each names the field and the fix).
        """
        problems = _check(scope, expires_in, routes or [], filters or {})
        if problems:
            raise InvalidInput(problems, source="key")
        at = time.time() if now is None else now
        secret = PREFIX + secrets.token_urlsafe(32)
        expires = None if expires_in is None else at + expires_in
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO keys (hash, prefix, scope, description, routes, filters, created, "
                "expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    digest(secret),
                    secret[:8],
                    scope,
                    description,
                    json.dumps(routes or []),
                    json.dumps(filters or {}),
                    at,
                    expires,
                ),
            )
            key_id = int(cursor.lastrowid or 0)
        return self.get(key_id), secret

    def get(self, key_id: int) -> ApiKey:
        """One key by id; NotFound naming ``keys list`` when there is none."""
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM keys WHERE id = ?", (key_id,))
            found = row.fetchone()
        if found is None:
            raise NotFound(f"no key {key_id}; shopmind keys list shows them")
        return _key(found)

    def list(self) -> list[ApiKey]:
        """Every key, revoked and expired ones included, by id."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM keys ORDER BY id").fetchall()
        return [_key(r) for r in rows]

    def revoke(self, key_id: int, now: float | None = None) -> ApiKey:
        """Revoke a key at once (every process sees it at its next request)."""
        self.get(key_id)
        with self._lock:
            self._conn.execute(
                "UPDATE keys SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (time.time() if now is None else now, key_id),
            )
        return self.get(key_id)

    def any_live(self, now: float | None = None) -> bool:
        """Whether any key is neither revoked nor expired: then every route needs one."""
        at = time.time() if now is None else now
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM keys WHERE revoked IS NULL AND (expires IS NULL OR expires > ?) "
                "LIMIT 1",
                (at,),
            ).fetchone()
        return row is not None

    def any(self) -> bool:
        """Whether any key was ever made (revoked or expired ones too)."""
        with self._lock:
            return self._conn.execute("SELECT 1 FROM keys LIMIT 1").fetchone() is not None

    def verify(self, secret: str, now: float | None = None) -> ApiKey | None:
        """The key with this secret, or None for an unknown, revoked or expired one."""
        found = self.lookup(secret)
        at = time.time() if now is None else now
        return found if found is not None and found.live(at) else None

    def lookup(self, secret: str) -> ApiKey | None:
        """The key with this secret, live or not (None when unknown)."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM keys WHERE hash = ?", (digest(secret),)
            ).fetchone()
        return None if row is None else _key(row)


_COLUMNS = "id, prefix, scope, description, created, expires, revoked, routes, filters"


def _key(row: tuple[Any, ...]) -> ApiKey:
    key_id, prefix, scope, description, created, expires, revoked, routes, filters = row
    return ApiKey(
        int(key_id),
        prefix,
        scope,
        description,
        float(created),
        expires,
        revoked,
        json.loads(routes),
        json.loads(filters),
    )


def _check(
    scope: str, expires_in: float | None, routes: list[str], filters: dict[str, Any]
) -> list[RowError]:
    problems = []
    if scope not in SCOPES:
        problems.append(
            RowError(1, "scope", f"unknown scope {scope!r}", f"use one of {', '.join(SCOPES)}")
        )
    if expires_in is not None and expires_in <= 0:
        problems.append(RowError(1, "expires", "the expiry is not in the future", "e.g. 30d"))
    for route in routes:
        if not route.startswith("/"):
            problems.append(RowError(1, "routes", f"{route!r} is not a path", "e.g. /search"))
    for name, value in filters.items():
        if name not in FILTERS:
            problems.append(
                RowError(1, "filters", f"unknown filter {name!r}", f"use {' or '.join(FILTERS)}")
            )
        elif name == "in_stock" and value is not True:
            problems.append(RowError(1, "filters", "in_stock can only be true", "drop it"))
        elif name == "category" and (not isinstance(value, str) or not value.strip()):
            problems.append(
                RowError(1, "filters", "category must be a category path", "e.g. Electronics")
            )
    return problems
