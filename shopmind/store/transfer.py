"""Copying a whole store into another (``shopmind migrate --to URL``), checked by content.

Everything moves in one transaction of the target: products, events (in store order),
the assistant's knowledge and the ingest reports. Before the commit, each part's count and
SHA-256 over its rows in a fixed order is computed on both sides; any difference rolls the
target back, so it ends as it was (empty) or as a verified copy.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from tqdm import tqdm

from shopmind.errors import Conflict, StoreError
from shopmind.store.base import Store

logger = logging.getLogger(__name__)

PARTS = ("products", "events", "passages", "answers")


@dataclass(frozen=True)
class PartDigest:
    """One part of a store: how many rows and the SHA-256 over them."""

    rows: int
    sha256: str


def _rows(store: Store, part: str) -> Iterator[dict[str, Any]]:
    if part == "products":
        for batch in store.iter_products():
            yield from (p.model_dump(mode="json") for p in batch)
    elif part == "events":
        for events in store.iter_events():
            for e in events:
                row = asdict(e)
                row.pop("seq")  # the store's own numbering; the order is what counts
                yield row
    elif part == "passages":
        yield from (p.model_dump(mode="json") for p in store.list_passages())
    else:
        for answers in store.iter_answers():
            yield from (a.model_dump(mode="json") for a in answers)


def digest(store: Store, part: str) -> PartDigest:
    """The count and SHA-256 of one part, over its rows in the store's order."""
    sha = hashlib.sha256()
    rows = 0
    for row in _rows(store, part):
        sha.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
        sha.update(b"\n")
        rows += 1
    return PartDigest(rows, sha.hexdigest())


def copy_store(source: Store, target: Store, batch: int = 20_000) -> dict[str, PartDigest]:
    """Copy every row of ``source`` into the empty ``target`` and verify it; returns each
    part's digest (the same on both sides).

    Raises:
        Conflict: the target already holds products, events or knowledge.
        StoreError: a part differs after the copy (the target is rolled back).
    """
    held = target.count_products() + target.count_events()
    held += sum(target.count_knowledge().values())
    if held:
        raise Conflict(
            f"the target store {target.url} already holds data ({held:,} rows); migrate into "
            "a new, empty database"
        )
    total = source.count_products() + source.count_events()
    with tqdm(total=total, desc="migrate", unit=" rows", disable=None) as bar, target.transaction():
        for products in source.iter_products(batch):
            target.upsert_products(products)
            bar.update(len(products))
        for events in source.iter_events(batch):
            target.append_stored(events)
            bar.update(len(events))
        passages = source.list_passages()
        if passages:
            target.replace_documents(passages)
        for answers in source.iter_answers(batch):
            target.add_answers(answers)
        for report in reversed(source.ingest_reports(limit=1_000_000)):
            report.pop("id", None)
            report.pop("finished_at", None)
            target.record_ingest(report)
        result: dict[str, PartDigest] = {}
        for part in PARTS:
            mine, theirs = digest(source, part), digest(target, part)
            if mine != theirs:
                raise StoreError(
                    f"the copy of {part} differs ({theirs.rows:,} rows, sha256 "
                    f"{theirs.sha256[:12]}, against {mine.rows:,}, {mine.sha256[:12]}); "
                    f"nothing was kept in {target.url}"
                )
            result[part] = mine
    logger.info("migrated %s: %s", target.url, {p: d.rows for p, d in result.items()})
    return result
