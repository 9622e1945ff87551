"""Turn raw records into typed models, collecting a :class:`RowError` per rejected row.

The CLI, the ingest pipeline and the HTTP API all report bad input through these helpers,
so a shop's engineer reads the same message (row, field, problem, fix) everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shopmind.errors import RowError

M = TypeVar("M", bound=BaseModel)

_GENERIC_FIXES: dict[str, str] = {
    "missing": "add this field",
    "extra_forbidden": "remove this field or map it with --map FIELD=COLUMN",
    "string_too_short": "give a non-empty value",
}


def row_errors(
    err: ValidationError, row: int, fixes: Mapping[str, str], record: Mapping[str, Any] | None
) -> list[RowError]:
    """Convert one row's ``ValidationError`` into :class:`RowError` items.

    Args:
        err: the pydantic error for the row.
        row: the 1-based row number in its source.
        fixes: per-field advice on how to fix the value.
        record: the raw record, to quote the offending value.
    """
    out: list[RowError] = []
    for item in err.errors(include_url=False):
        loc = [str(p) for p in item["loc"]]
        ctx = item.get("ctx") or {}
        field = str(ctx.get("field", loc[0] if loc else "?"))
        if len(loc) > 1 and field == loc[0]:
            field = ".".join(loc)
        base = field.split(".")[0]
        raw = record.get(base) if record is not None else None
        shown = "" if raw is None else str(raw)[:80]
        problem = str(item["msg"])
        fix = fixes.get(base) or _GENERIC_FIXES.get(str(item["type"]), "correct this value")
        out.append(RowError(row=row, field=field, problem=problem, fix=fix, value=shown))
    return out


def validate_rows(
    model: type[M],
    records: Iterable[tuple[int, Mapping[str, Any]]],
    fixes: Mapping[str, str],
) -> tuple[list[tuple[int, M]], list[tuple[int, Mapping[str, Any], list[RowError]]]]:
    """Validate numbered records; return the good ``(row, model)`` and the rejected rows."""
    good: list[tuple[int, M]] = []
    bad: list[tuple[int, Mapping[str, Any], list[RowError]]] = []
    validate = model.model_validate
    for row, record in records:
        try:
            good.append((row, validate(record)))
        except ValidationError as err:
            bad.append((row, record, row_errors(err, row, fixes, record)))
    return good, bad


def request_row_errors(
    err_items: Sequence[Mapping[str, Any]], fixes: Mapping[str, str]
) -> list[RowError]:
    """Convert FastAPI request-validation items (``loc`` from the body) into RowErrors.

    A ``loc`` of ``("body", "events", 2, "price")`` becomes row 3, field ``price``; a single
    object body (``("body", "price")``) is row 1.
    """
    out: list[RowError] = []
    for item in err_items:
        where = tuple(item.get("loc", ()))
        loc = [p for p in where if p not in ("body", "query", "path")]
        row = 1
        for i, part in enumerate(loc):
            if isinstance(part, int):
                row = part + 1
                loc = loc[i + 1 :]
                break
        in_body = bool(where) and where[0] == "body"  # a query parameter may be named products
        if in_body and loc and isinstance(loc[0], str) and loc[0] in {"events", "products"}:
            loc = loc[1:]
        ctx = item.get("ctx") or {}
        field = str(ctx.get("field", ".".join(str(p) for p in loc) or "body"))
        base = field.split(".")[0]
        fix = fixes.get(base) or _GENERIC_FIXES.get(str(item.get("type")), "correct this value")
        raw = item.get("input")
        shown = "" if raw is None or isinstance(raw, dict | list) else str(raw)[:80]
        out.append(
            RowError(row=row, field=field, problem=str(item.get("msg")), fix=fix, value=shown)
        )
    return out
