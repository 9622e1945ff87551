"""Domain errors raised by shopmind's core; the HTTP and CLI edges map them to codes.

Hierarchy::

    ShopmindError                   base of everything shopmind raises on purpose
    ├── ConfigError                 a settings key is unknown or its value is invalid
    ├── NotFound                    a product (or other record) does not exist      -> HTTP 404
    ├── Conflict                    the request contradicts what is stored          -> HTTP 409
    ├── TooLarge                    a batch or body is over the configured limit    -> HTTP 413
    ├── InvalidInput                input data failed validation; carries RowErrors -> HTTP 422
    │   └── InvalidFile             a file cannot be read at all (format, header)
    ├── TrainingError               too little or mismatched data to train a model  -> HTTP 422
    └── StoreError                  the store cannot be opened or used               -> HTTP 503
        ├── SchemaVersionError      the store's schema is newer than this shopmind
        └── StoreUnavailable        the store's server cannot be reached now (retry later)

Messages are written for the person who has to fix the input: they name the row,
the field, what was wrong and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass


class ShopmindError(Exception):
    """Base class of every error shopmind raises on purpose."""


class ConfigError(ShopmindError):
    """A configuration key is unknown or has an invalid value."""


class NotFound(ShopmindError):
    """A requested record does not exist."""


class Conflict(ShopmindError):
    """The request contradicts the stored state (e.g. an event id reused with other data)."""


class TooLarge(ShopmindError):
    """A batch or request body is over its configured limit."""


class TrainingError(ShopmindError):
    """A model cannot be trained on what was given (too few pairs, unknown products)."""


class StoreError(ShopmindError):
    """The store cannot be opened, migrated or written."""


class SchemaVersionError(StoreError):
    """The store was written by a newer shopmind than this one."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached now; nothing of the failed call was stored and
    the next call reconnects by itself."""

    retry_after_s = 5


@dataclass(frozen=True)
class RowError:
    """One rejected input row: where it is, which field, what was wrong and how to fix it."""

    row: int
    field: str
    problem: str
    fix: str
    value: str = ""

    def describe(self) -> str:
        """Return a one-line human-readable description."""
        shown = f" (got {self.value!r})" if self.value else ""
        return f"row {self.row}: field '{self.field}': {self.problem}{shown}; fix: {self.fix}"

    def as_dict(self) -> dict[str, object]:
        """Return the error as a JSON-ready dict."""
        return {
            "row": self.row,
            "field": self.field,
            "problem": self.problem,
            "fix": self.fix,
            "value": self.value,
        }


class InvalidInput(ShopmindError):
    """Input rows failed validation; nothing from the batch was stored.

    Args:
        errors: the rejected rows (possibly only the first ones, see ``total``).
        total: how many rows were rejected in all.
        source: where the rows came from (a file name or "request body").
    """

    def __init__(self, errors: list[RowError], total: int | None = None, source: str = "") -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        self.source = source
        super().__init__(self._message())

    def _message(self) -> str:
        where = f" in {self.source}" if self.source else ""
        head = f"{self.total} invalid row(s){where}; the batch was refused and nothing was stored"
        lines = [head, *("  " + e.describe() for e in self.errors)]
        if self.total > len(self.errors):
            lines.append(f"  ... and {self.total - len(self.errors)} more")
        return "\n".join(lines)


class InvalidFile(InvalidInput):
    """A whole file is unreadable: unknown format, missing column, bad header."""

    def __init__(self, message: str, source: str = "") -> None:
        self.errors = []
        self.total = 0
        self.source = source
        Exception.__init__(self, f"{source}: {message}" if source else message)
