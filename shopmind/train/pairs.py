"""Training pairs mined from the shop's own signals.

A pair is an anchor text and a product that answers it:

- **events**: a search followed, in the same visit, by a click, cart or purchase of a
  product (query -> product), before the visitor searched again; a purchase says more
  than a click, so the pair keeps the strongest signal as its gain;
- **judgments**: graded relevance files (the HomeDepot format): query -> each product
  judged at least ``min_relevance``; products judged low for a query are its *judged
  negatives*, the cleanest hard negatives there are;
- **sequences**: consecutive products in a visitor's history (product -> next product).

Pairs are split for validation *by anchor*, so no validation query is ever trained on.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shopmind.errors import TrainingError
from shopmind.events.models import StoredEvent

logger = logging.getLogger(__name__)

# how much each follow-up of a search says about the query (the pair's gain)
SIGNAL_GAINS: dict[str, float] = {"click": 1.0, "view": 1.0, "cart": 2.0, "purchase": 3.0}
SESSION_GAP_S = 30 * 60  # a visit ends after this long without an event
MIN_PAIRS = 50


@dataclass
class Pairs:
    """Anchor -> {product id: gain}, and each anchor's known negatives."""

    positives: dict[str, dict[str, float]] = field(default_factory=dict)
    negatives: dict[str, set[str]] = field(default_factory=dict)
    source: str = ""

    def __len__(self) -> int:
        return sum(len(p) for p in self.positives.values())

    @property
    def anchors(self) -> list[str]:
        """The anchors (queries or products) in a fixed order."""
        return sorted(self.positives)

    def add(self, anchor: str, product: str, gain: float) -> None:
        """Record a positive, keeping the strongest gain seen for the same pair."""
        row = self.positives.setdefault(anchor, {})
        row[product] = max(gain, row.get(product, 0.0))

    def pairs(self) -> list[tuple[str, str]]:
        """Every (anchor, product) positive pair, in a fixed order."""
        return [(a, p) for a in self.anchors for p in sorted(self.positives[a])]

    def split(self, valid_fraction: float, seed: int, max_valid: int = 300) -> tuple[Pairs, Pairs]:
        """(train, valid), split by anchor: no valid anchor appears in train."""
        anchors = self.anchors
        random.Random(seed).shuffle(anchors)
        n_valid = min(max_valid, round(len(anchors) * valid_fraction))
        if len(anchors) >= 4:
            n_valid = max(n_valid, 1)
        valid = set(anchors[:n_valid])
        return self._subset(lambda a: a not in valid), self._subset(lambda a: a in valid)

    def sample(self, max_pairs: int, seed: int) -> Pairs:
        """At most ``max_pairs`` pairs, whole anchors chosen at random (the budget's cap)."""
        if len(self) <= max_pairs:
            return self
        anchors = self.anchors
        random.Random(seed).shuffle(anchors)
        keep: set[str] = set()
        total = 0
        for anchor in anchors:
            if total + len(self.positives[anchor]) > max_pairs:
                continue
            keep.add(anchor)
            total += len(self.positives[anchor])
        return self._subset(lambda a: a in keep)

    def without(self, anchors: Iterable[str]) -> Pairs:
        """These pairs less the given anchors (e.g. the queries an evaluation scores)."""
        drop = {query_key(a) for a in anchors}
        return self._subset(lambda a: query_key(a) not in drop)

    def _subset(self, keep: object) -> Pairs:
        assert callable(keep)
        return Pairs(
            {a: dict(p) for a, p in self.positives.items() if keep(a)},
            {a: set(n) for a, n in self.negatives.items() if keep(a)},
            self.source,
        )

    def merged(self, other: Pairs) -> Pairs:
        """Both sets of pairs together (the strongest gain wins on a shared pair)."""
        out = self._subset(lambda a: True)
        for anchor, row in other.positives.items():
            for product, gain in row.items():
                out.add(anchor, product, gain)
        for anchor, negs in other.negatives.items():
            out.negatives.setdefault(anchor, set()).update(negs)
        out.source = " + ".join(s for s in (self.source, other.source) if s)
        return out

    def require(self, minimum: int = MIN_PAIRS) -> Pairs:
        """These pairs, or :class:`TrainingError` when there are fewer than ``minimum``."""
        if len(self) < minimum:
            raise TrainingError(
                f"found {len(self)} training pair(s) ({self.source or 'no source'}) over "
                f"{len(self.positives)} anchor(s); at least {minimum} are needed. Send search "
                "events followed by clicks, carts or purchases in the same session, or give "
                "a judgments file (--judgments)"
            )
        return self


def query_key(text: str) -> str:
    """How two spellings of a query are compared: lower case, whitespace collapsed."""
    return " ".join(text.lower().split())


def pairs_from_judgments(
    queries: Mapping[str, Mapping[str, float]],
    catalog: set[str],
    min_relevance: float = 2.5,
    max_negative: float = 2.0,
    top: float = 3.0,
) -> Pairs:
    """Query -> products judged at least ``min_relevance`` (gain = relevance - 1); products
    judged at most ``max_negative`` become that query's negatives.

    Raises:
        TrainingError: most judged products are not in the catalog (the wrong catalog or
            id column); the message gives the count and a sample of unknown ids.
    """
    judged = {p for g in queries.values() for p in g}
    unknown = sorted(judged - catalog)
    if unknown and len(unknown) * 2 >= len(judged):
        raise TrainingError(
            f"{len(unknown):,} of the {len(judged):,} judged products are not in the catalog "
            f"(e.g. {', '.join(unknown[:5])}); judgments must use the catalog's product ids"
        )
    if unknown:
        logger.warning(
            "%d judged products are not in the catalog and are skipped (e.g. %s)",
            len(unknown),
            ", ".join(unknown[:5]),
        )
    out = Pairs(source="judgments")
    for query, grades in queries.items():
        for product, grade in grades.items():
            if product not in catalog:
                continue
            if grade >= min_relevance:
                out.add(query, product, max(grade - 1.0, 0.0) / max(top - 1.0, 1e-9) + 1e-3)
            elif grade <= max_negative:
                out.negatives.setdefault(query, set()).add(product)
    out.negatives = {q: n for q, n in out.negatives.items() if q in out.positives}
    return out


def _visits(events: Iterable[StoredEvent]) -> Iterable[list[StoredEvent]]:
    """Each visit's events in order: per visitor (and session), split at long gaps."""
    by_visitor: dict[tuple[str, str], list[StoredEvent]] = defaultdict(list)
    for event in events:
        by_visitor[(event.visitor, event.session_id or "")].append(event)
    for stream in by_visitor.values():
        stream.sort(key=lambda e: (e.ts if e.ts is not None else 0.0, e.seq))
        visit: list[StoredEvent] = []
        last: float | None = None
        for event in stream:
            gap = event.ts - last if event.ts is not None and last is not None else 0.0
            if visit and gap > SESSION_GAP_S:
                yield visit
                visit = []
            visit.append(event)
            last = event.ts if event.ts is not None else last
        if visit:
            yield visit


def pairs_from_events(events: Iterable[StoredEvent], catalog: set[str]) -> Pairs:
    """Query -> product for products clicked, carted or bought after a search, in one visit."""
    out = Pairs(source="search events")
    for visit in _visits(events):
        query: str | None = None
        for event in visit:
            if event.type == "search" and event.query:
                query = " ".join(event.query.split())
            elif query is not None and event.item_id in catalog:
                gain = SIGNAL_GAINS.get(event.type)
                if gain is not None and event.item_id is not None:
                    out.add(query, event.item_id, gain)
    return out


def pairs_from_sequences(events: Iterable[StoredEvent], catalog: set[str]) -> Pairs:
    """Product -> next product in a visit (anchors are product ids, not text)."""
    out = Pairs(source="product sequences")
    for visit in _visits(events):
        items = [e.item_id for e in visit if e.item_id in catalog and e.type != "search"]
        for before, after in itertools.pairwise(items):
            if before is not None and after is not None and before != after:
                out.add(before, after, 1.0)
    return out


__all__ = [
    "MIN_PAIRS",
    "Pairs",
    "pairs_from_events",
    "pairs_from_judgments",
    "pairs_from_sequences",
    "query_key",
]
