"""The summary an ingest ends with: what was read, stored, refused, and what looked wrong."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class IngestReport:
    """The outcome of one ingest run (kept in the store, printed at the end)."""

    kind: str
    source: str
    format: str
    rows: int = 0
    records: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_by_field: dict[str, int] = field(default_factory=dict)
    reject_file: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return asdict(self)

    @property
    def rate(self) -> float:
        """Records per second."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def render(self) -> str:
        """A summary a person can read at the end of an ingest."""
        what = _WHAT.get(self.kind, self.kind)
        lines = [
            f"ingested {what} from {self.source} ({self.format}) in {self.seconds:.2f} s "
            f"({self.rate:,.0f} records/s)",
            f"  rows read: {self.rows:,}   records: {self.records:,}",
            f"  stored new: {self.inserted:,}   updated: {self.updated:,}   "
            f"already stored (same id): {self.duplicates:,}   rejected: {self.rejected:,}",
        ]
        if self.rejected_by_field:
            lines.append(f"  rejected rows by field: {_short(self.rejected_by_field)}")
        if self.reject_file:
            lines.append(f"  rejected rows written to {self.reject_file}")
        lines.extend(f"  note: {n}" for n in self.notes)
        if self.quality:
            lines.append("  data quality:")
            for key, value in self.quality.items():
                if isinstance(value, list) and not value:
                    continue
                lines.append(f"    {key.replace('_', ' ')}: {_short(value)}")
        return "\n".join(lines)


_WHAT = {"documents": "document passages", "answers": "past answers"}


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_short(v) for v in value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
