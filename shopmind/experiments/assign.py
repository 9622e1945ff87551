"""Sticky assignment: which experiment and variant a visitor is in, by hashing.

A layer's visitors fall into 10,000 buckets by a hash of (layer, visitor); each running
experiment of the layer owns a range of buckets, and ranges never overlap, so one visitor is
in at most one experiment per layer. Inside an experiment a second hash, of (experiment,
visitor), picks the variant by the variants' shares. Both hashes are stable across
processes and nodes (BLAKE2b, not Python's salted ``hash``): a visitor sees the same variant
on every node and every day, without any state to share. Layers hash independently, so an
experiment in another layer splits each variant of this one evenly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shopmind.errors import InvalidInput, RowError
from shopmind.experiments.spec import BUCKETS, ExperimentSpec, Variant


def bucket(*parts: str) -> int:
    """A stable bucket in [0, 10,000) for the joined parts."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % BUCKETS


@dataclass(frozen=True)
class Running:
    """A running experiment and its buckets of its layer, [start, end)."""

    spec: ExperimentSpec
    start: int
    end: int

    def holds(self, visitor: str) -> bool:
        return self.start <= bucket("layer", self.spec.layer, visitor) < self.end

    def variant(self, visitor: str) -> Variant:
        """The visitor's variant (for an A/B experiment)."""
        point = bucket("variant", self.spec.name, visitor) / BUCKETS
        edge = 0.0
        for v in self.spec.variants:
            edge += v.share
            if point < edge:
                return v
        return self.spec.variants[-1]


def place(spec: ExperimentSpec, running: Sequence[Running]) -> Running:
    """Where a new experiment goes in its layer: at ``offset`` when given, else the first
    free range that fits.

    Raises:
        InvalidInput: the name is taken, or the range overlaps a running experiment of the
            layer (naming it) or no free range is wide enough, or a running experiment of
            another layer overrides one of its settings on a route they share.
    """
    if any(r.spec.name == spec.name for r in running):
        raise InvalidInput(
            [RowError(1, "name", "an experiment of this name is running",
                      "stop it first or choose another name", spec.name)],
            source="experiment",
        )  # fmt: skip
    clashes = _clashes(spec, running)
    if clashes:
        raise InvalidInput(clashes, source="experiment")
    taken = sorted((r.start, r.end, r.spec.name) for r in running if r.spec.layer == spec.layer)
    width = round(spec.traffic * BUCKETS)
    if spec.offset is not None:
        start = round(spec.offset * BUCKETS)
        for low, high, name in taken:
            if start < high and low < start + width:
                raise InvalidInput(
                    [RowError(1, "offset", f"overlaps the running experiment '{name}' in layer "
                              f"'{spec.layer}' (its share {low / BUCKETS:g}-{high / BUCKETS:g})",
                              "choose another layer, or an offset and traffic outside its share")],
                    source="experiment",
                )  # fmt: skip
        return Running(spec, start, start + width)
    edge = 0
    for low, high, _ in [*taken, (BUCKETS, BUCKETS, "")]:
        if low - edge >= width:
            return Running(spec, edge, edge + width)
        edge = max(edge, high)
    names = ", ".join(name for _, _, name in taken)
    raise InvalidInput(
        [RowError(1, "traffic", f"layer '{spec.layer}' has no free {spec.traffic:g} of its "
                  f"traffic (running: {names})", "lower traffic, or use another layer")],
        source="experiment",
    )  # fmt: skip


def _leaves(tree: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """The dotted paths of an override's settings (``search.alpha``)."""
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, path)
        else:
            yield path


def _nested(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _clashes(spec: ExperimentSpec, running: Sequence[Running]) -> list[RowError]:
    """Settings this experiment overrides that a running one of another layer also
    overrides on a shared route: a visitor in both would get only one of the two values,
    so neither experiment would measure what it claims."""
    problems: list[RowError] = []
    for other in running:
        shared = [r for r in spec.routes if r in other.spec.routes]
        if other.spec.layer == spec.layer or not shared:  # one layer never shares a visitor
            continue
        theirs = sorted({p for v in other.spec.variants for p in _leaves(v.settings)})
        for i, variant in enumerate(spec.variants):
            for path in _leaves(variant.settings):
                clash = next((t for t in theirs if _nested(path, t)), None)
                if clash is None:
                    continue
                problems.append(
                    RowError(1, f"variants[{i}].settings.{path}",
                             f"the running experiment '{other.spec.name}' (layer "
                             f"'{other.spec.layer}') also sets {clash} on {', '.join(shared)}: "
                             "a visitor in both would get only one of the two",
                             f"use layer '{other.spec.layer}' (its visitors are never in both), "
                             f"stop '{other.spec.name}' first, or test another setting")
                )  # fmt: skip
    return problems


def assignments(running: Sequence[Running], visitor: str | None, route: str) -> list[Running]:
    """The running experiments of ``route`` that ``visitor`` is in (none for no visitor)."""
    if visitor is None:
        return []
    return [r for r in running if route in r.spec.routes and r.holds(visitor)]
