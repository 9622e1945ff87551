"""Ingest the assistant's knowledge: the shop's pages and its past questions and answers.

Both follow the catalog's rules: every file is read and checked before anything is
written, and one transaction stores all of it (with the ingest report) or nothing. A
page that cannot be read refuses the whole set of pages; a past-answer file with a bad row
is refused whole (or, with ``skip_invalid``, stored without the rejected rows, which go to
a report file).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from shopmind.config import IngestConfig
from shopmind.errors import InvalidFile
from shopmind.ingest.pipeline import _drop_rejects_on_error, _finish, _Run
from shopmind.ingest.report import IngestReport
from shopmind.knowledge import (
    ANSWER_ALIASES,
    ANSWER_FIELDS,
    ANSWER_FIXES,
    Passage,
    PastAnswer,
    read_document,
)
from shopmind.sources import Chunk, open_source, read_chunks
from shopmind.sources.mapping import ColumnMap, parse_mapping
from shopmind.store import Store

logger = logging.getLogger(__name__)


def ingest_documents(
    store: Store, paths: Sequence[str | Path], config: IngestConfig, max_chars: int = 600
) -> IngestReport:
    """Split pages into passages and store them, replacing the passages of pages (same
    file name, or a JSON line's ``id``) stored before.

    Raises:
        InvalidFile: a page cannot be read or is empty; nothing was stored.
    """
    started = time.perf_counter()
    if not paths:
        raise InvalidFile("no pages given; pass one or more Markdown, HTML, text or JSONL files")
    files = [Path(p) for p in paths]
    report = IngestReport("documents", ", ".join(str(f) for f in files), "pages")
    passages: list[Passage] = []
    owners: dict[str, Path] = {}
    for path in files:
        found = read_document(path, max_chars)
        for doc in {p.doc for p in found}:
            if doc in owners and owners[doc] != path:
                raise InvalidFile(
                    f"{path} and {owners[doc]} are both page '{doc}'; rename one of the files"
                )
            owners[doc] = path
        passages.extend(found)
        report.rows += 1
    report.records = len(passages)
    with store.transaction():
        result = store.replace_documents(passages)
        report.inserted, report.updated = result.inserted, result.updated
        report.quality = {
            "pages": len(owners),
            "passages": len(passages),
            "longest_passage_chars": max(len(p.text) for p in passages),
        }
        report.seconds = round(time.perf_counter() - started, 3)
        store.record_ingest(report.as_dict())
    logger.info("ingested %d passages of %d pages", len(passages), len(owners))
    return report


def answer_column_map(pairs: Sequence[str]) -> ColumnMap:
    """The column map of past-answer files, from ``--map FIELD=COLUMN`` pairs."""
    return ColumnMap(parse_mapping(pairs, ANSWER_FIELDS), ANSWER_FIELDS, ANSWER_ALIASES)


def ingest_answers(
    store: Store,
    path: str | Path,
    config: IngestConfig,
    mapping: Sequence[str] = (),
    skip_invalid: bool = False,
    reject_dir: Path | None = None,
) -> IngestReport:
    """Load past customer questions and answers (CSV/TSV, JSONL, Parquet): columns
    ``question``, ``answer`` and optionally ``product_id`` (or ``asin``), ``time`` and ``id``.
    The McAuley Amazon QA files load as they are.

    Raises:
        InvalidInput: a row is invalid (strict mode); nothing was stored.
        InvalidFile: the file cannot be read, or has no question or answer column.
    """
    started = time.perf_counter()
    src = open_source(path)
    colmap = answer_column_map(mapping)
    plan = colmap.plan(src.columns, source=str(src.path)) if src.columns else None
    if plan is not None:
        for needed in ("question", "answer"):
            if needed not in plan.rename.values():
                raise InvalidFile(
                    f"{src.path}: no '{needed}' column among {', '.join(src.columns)}; "
                    f"{ANSWER_FIXES[needed]}"
                )
    report = IngestReport("answers", str(src.path), src.format)
    if plan is not None:
        report.notes.extend(plan.notes)
    run = _Run(report, config, skip_invalid)
    products: set[str] = set()

    def mapped(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:
            yield [
                (row, colmap.apply(plan or colmap.plan(tuple(rec), str(src.path)), rec))
                for row, rec in chunk
            ]

    def observe(rows: list[PastAnswer]) -> None:
        products.update(r.product_id for r in rows if r.product_id)

    with _drop_rejects_on_error(report), store.transaction():
        run.process(
            mapped(read_chunks(src, config.chunk_rows)),
            PastAnswer,
            ANSWER_FIXES,
            store.add_answers,
            observe,
            len,
        )
        known = store.known_product_ids(sorted(products)) if products else set()

        def quality() -> dict[str, object]:
            return {
                "products_asked_about": len(products),
                "products_not_in_catalog": len(products - known),
            }

        result = _finish(store, run, quality, started, reject_dir, src.path)
    logger.info("ingested %d past answers from %s", result.inserted, src.path)
    return result


__all__ = ["answer_column_map", "ingest_answers", "ingest_documents"]
