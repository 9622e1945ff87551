"""The reasons tree every stage fills: a small tree of labelled numbers, drawn as a mind map.

Every explanation in shopmind has this one shape::

    {"label": "search hit p1", "value": 7.2, "children": [
        {"label": "lexical (BM25F)", "value": 7.2, "children": [...]}]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    """One node: a label, an optional number, and child nodes."""

    label: str
    value: float | None = None
    children: list[Node] = field(default_factory=list)

    def add(self, label: str, value: float | None = None) -> Node:
        """Append a child and return it (so branches can be grown in place)."""
        child = Node(label, None if value is None else round(float(value), 6))
        self.children.append(child)
        return child

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"label", "value", "children"}``."""
        return {
            "label": self.label,
            "value": self.value,
            "children": [c.as_dict() for c in self.children],
        }

    def find(self, label: str) -> Node | None:
        """The first node (depth first) whose label starts with ``label``."""
        if self.label.startswith(label):
            return self
        for child in self.children:
            hit = child.find(label)
            if hit is not None:
                return hit
        return None
