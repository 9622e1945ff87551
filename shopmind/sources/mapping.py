"""Column mapping: which file column feeds which shopmind field.

``--map title=product_title`` names a column explicitly. Without a mapping a column whose
name matches a field (ignoring case) is used, then a few well-known aliases
(``product_uid`` → ``id``, ``rating`` → ``value``...). ``--map attributes.color=Colour`` feeds
one attribute. Other columns are kept, not dropped: in the product's ``attributes`` or the
event's ``context``, and the ingest summary lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shopmind.errors import InvalidFile


@dataclass(frozen=True)
class Plan:
    """How one file's columns map to fields."""

    rename: dict[str, str]
    nested: dict[str, tuple[str, str]]
    extras: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ColumnMap:
    """Explicit ``field=column`` pairs plus the aliases and the home for extra columns.

    Args:
        explicit: field → column, from ``--map``.
        fields: the fields the target model accepts.
        aliases: field → column names that mean it when no explicit mapping is given.
        extras_into: the dict field that keeps unmapped columns (``attributes``/``context``),
            or None to refuse them.
    """

    explicit: dict[str, str]
    fields: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    extras_into: str | None = None

    def plan(self, columns: Sequence[str], source: str = "") -> Plan:
        """Resolve the mapping against a file's columns.

        Raises:
            InvalidFile: an explicit mapping names a column the file does not have.
        """
        lower = {c.lower(): c for c in columns}
        rename: dict[str, str] = {}
        nested: dict[str, tuple[str, str]] = {}
        notes: list[str] = []
        for target, column in self.explicit.items():
            actual = column if column in columns else lower.get(column.lower())
            if actual is None:
                raise InvalidFile(
                    f"--map {target}={column}: the file has no column '{column}'; "
                    f"its columns are: {', '.join(columns)}",
                    source=source,
                )
            head, dot, key = target.partition(".")
            if dot:
                nested[actual] = (head, key)
            else:
                rename[actual] = target
        mapped = set(rename.values())
        for name in self.fields:
            if name in mapped:
                continue
            for candidate in (name, *self.aliases.get(name, ())):
                actual = lower.get(candidate.lower())
                if actual is not None and actual not in rename and actual not in nested:
                    rename[actual] = name
                    if actual != name:
                        notes.append(f"column '{actual}' read as {name}")
                    break
        extras = tuple(c for c in columns if c not in rename and c not in nested)
        if extras and self.extras_into:
            notes.append(f"extra column(s) kept in {self.extras_into}: {', '.join(extras)}")
        return Plan(rename, nested, extras, tuple(notes))

    def apply(self, plan: Plan, record: Mapping[str, Any]) -> dict[str, Any]:
        """Rename one record's keys to fields; extra columns go to ``extras_into``."""
        out: dict[str, Any] = {}
        for column, value in record.items():
            if value is None or value == "":
                continue  # a blank cell is an absent value: defaults and "no change" apply
            target = plan.rename.get(column)
            if target is not None:
                out[target] = value
                continue
            nest = plan.nested.get(column)
            if nest is None and self.extras_into is None:
                out[column] = value  # let validation name the unknown field
                continue
            head, key = nest if nest is not None else (self.extras_into or "", column)
            if isinstance(value, str) and not value.strip():
                continue
            bag = out.setdefault(head, {})
            if isinstance(bag, dict):
                bag[key] = value if isinstance(value, str) else json_text(value)
        return out


def json_text(value: Any) -> str:
    """A compact text form of a non-string value kept in attributes or context."""
    import json

    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def parse_mapping(pairs: Iterable[str], fields: Sequence[str]) -> dict[str, str]:
    """Parse ``FIELD=COLUMN`` strings; a field must be known (or ``attributes.KEY``...).

    Raises:
        InvalidFile: a pair is malformed or names an unknown field (the message lists them).
    """
    out: dict[str, str] = {}
    for pair in pairs:
        target, sep, column = pair.partition("=")
        target, column = target.strip(), column.strip()
        if not sep or not target or not column:
            raise InvalidFile(f"--map {pair!r}: write it as FIELD=COLUMN, e.g. title=name")
        head, dot, key = target.partition(".")
        ok = target in fields or (dot and key and head in ("attributes", "context"))
        if not ok or (dot and head not in fields):
            raise InvalidFile(
                f"--map {pair!r}: unknown field '{target}'; fields are: {', '.join(fields)}"
            )
        out[target] = column
    return out
