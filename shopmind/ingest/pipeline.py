"""Ingest: read a file in chunks, validate every row, write all of it or none of it.

Strict mode (the default) refuses the whole file when any row is invalid: the rows are
validated first, chunk by chunk inside one store transaction, and the transaction is rolled
back at the first sign of trouble, with a report that names each bad row, its field and
the fix. With ``skip_invalid`` the valid rows are stored and the rejected ones go to a
JSON Lines report file. Either way the data and the ingest report commit together, so a
crash (even SIGKILL) leaves the store as it was or complete.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from tqdm import tqdm

from shopmind.catalog import FIELD_FIXES as PRODUCT_FIXES
from shopmind.catalog import CatalogQuality, Product, ProductPatch, product_column_map
from shopmind.config import IngestConfig
from shopmind.errors import InvalidInput, RowError
from shopmind.events import FIELD_FIXES as EVENT_FIXES
from shopmind.events import Event, EventQuality, reading_for
from shopmind.events.models import read_as_return
from shopmind.ingest.report import IngestReport
from shopmind.sources import Chunk, open_source, read_chunks
from shopmind.store import Store, WriteResult
from shopmind.validate import validate_rows

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Rejected = tuple[int, Mapping[str, Any], list[RowError]]


class _Run:
    """The shared loop: validate chunks, write them in one transaction, collect rejects."""

    def __init__(self, report: IngestReport, config: IngestConfig, skip_invalid: bool) -> None:
        self.report = report
        self.config = config
        self.skip_invalid = skip_invalid
        self.rejects: list[Rejected] = []
        self.first_errors: list[RowError] = []
        self.failed = False

    def process(
        self,
        chunks: Iterable[Chunk],
        model: type[M],
        fixes: Mapping[str, str],
        write: Callable[[list[M]], WriteResult],
        observe: Callable[[list[M]], None],
        rows_in_chunk: Callable[[Chunk], int],
    ) -> None:
        report = self.report
        bar = tqdm(
            desc=f"ingest {report.kind}",
            unit=" rows",
            disable=not self.config.progress or None,
            mininterval=0.5,
        )
        try:
            for chunk in chunks:
                good, bad = validate_rows(model, chunk, fixes)
                rows = rows_in_chunk(chunk)
                report.rows += rows
                report.records += len(chunk)
                bar.update(rows)
                if bad:
                    self._reject(bad)
                if self.failed:
                    continue  # keep validating to report every bad row; write nothing more
                models = [m for _, m in good]
                observe(models)
                result = write(models)
                report.inserted += result.inserted
                report.updated += result.updated
                report.duplicates += result.duplicates
        finally:
            bar.close()

    def _reject(self, bad: list[Rejected]) -> None:
        self.report.rejected += len(bad)
        by_field = self.report.rejected_by_field
        for _, _, errors in bad:
            for name in dict.fromkeys(e.field.split(".")[0] for e in errors):
                by_field[name] = by_field.get(name, 0) + 1
            if len(self.first_errors) < self.config.max_reported_errors:
                self.first_errors.extend(errors[:3])
        if self.skip_invalid:
            self.rejects.extend(bad)
        else:
            self.failed = True

    def refusal(self) -> InvalidInput:
        return InvalidInput(
            self.first_errors[: self.config.max_reported_errors],
            total=self.report.rejected,
            source=self.report.source,
        )


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk ingest.

    An ingest allocates millions of short-lived objects without reference cycles; with the
    collector on, its full passes over them cost about a quarter of the ingest time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _drop_rejects_on_error(report: IngestReport) -> Iterator[None]:
    """Remove the reject file if the ingest's transaction does not commit."""
    try:
        yield
    except BaseException:
        if report.reject_file:
            Path(report.reject_file).unlink(missing_ok=True)
        raise


def _write_rejects(rejects: list[Rejected], path: Path) -> None:
    """Write rejected rows as JSON Lines, atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rejects-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for row, record, errors in rejects:
            fh.write(
                json.dumps(
                    {
                        "row": row,
                        "errors": [e.as_dict() for e in errors],
                        "record": dict(record),
                    },
                    ensure_ascii=False,
                    default=str,
                )
                + "\n"
            )
    os.replace(tmp, path)


def _reject_path(reject_dir: Path | None, source: Path) -> Path | None:
    if reject_dir is None:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return reject_dir / f"{source.stem}-{stamp}-rejected.jsonl"


def _finish(
    store: Store,
    run: _Run,
    quality: Callable[[], dict[str, Any]],
    started: float,
    reject_dir: Path | None,
    source: Path,
) -> IngestReport:
    report = run.report
    if run.failed:
        raise run.refusal()
    report.quality = quality()
    report.seconds = round(time.perf_counter() - started, 3)
    target = _reject_path(reject_dir, source) if run.rejects else None
    if target is not None:
        # written before the commit, so a stored report never names a missing file; the
        # caller removes it if the commit then fails
        _write_rejects(run.rejects, target)
        report.reject_file = str(target)
    store.record_ingest(report.as_dict())
    return report


def ingest_products(
    store: Store,
    path: str | Path,
    config: IngestConfig,
    mapping: Sequence[str] = (),
    skip_invalid: bool = False,
    partial: bool = False,
    reject_dir: Path | None = None,
) -> IngestReport:
    """Load a catalog file (CSV/TSV, JSONL, Parquet, RecBole ``.item``) into the store.

    Args:
        store: where the products go.
        path: the file.
        config: the ingest settings.
        mapping: ``FIELD=COLUMN`` pairs (``--map``).
        skip_invalid: store the valid rows and write the rejected ones to ``reject_dir``.
        partial: rows update only the columns they have, of products already stored.
        reject_dir: the folder for rejected-row reports.

    Raises:
        InvalidInput: a row is invalid (strict mode); nothing was stored.
        InvalidFile: the file cannot be read at all.
        NotFound: a partial update names a product that is not stored.
    """
    started = time.perf_counter()
    src = open_source(path)
    colmap = product_column_map(mapping)
    plan = colmap.plan(src.columns, source=str(src.path)) if src.columns else None
    report = IngestReport("products", str(src.path), src.format)
    if plan is not None:
        report.notes.extend(plan.notes)
        if not partial and "title" not in plan.rename.values():
            report.notes.append("no title column found: map one with --map title=COLUMN")
    quality = CatalogQuality(outlier_z=config.price_outlier_z)
    run = _Run(report, config, skip_invalid)

    def mapped(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:
            out: Chunk = []
            for row, rec in chunk:
                p = plan or colmap.plan(tuple(rec), source=str(src.path))
                out.append((row, colmap.apply(p, rec)))
            yield out

    chunks = mapped(read_chunks(src, config.chunk_rows))
    with _no_gc(), _drop_rejects_on_error(report), store.transaction():
        if partial:
            run.process(
                chunks,
                ProductPatch,
                PRODUCT_FIXES,
                store.patch_products,
                lambda _m: None,
                len,
            )
        else:
            run.process(chunks, Product, PRODUCT_FIXES, store.upsert_products, quality.observe, len)
        missing_titles = sum(
            1 for _, _, errs in run.rejects if any(e.field == "title" for e in errs)
        )
        result = _finish(
            store,
            run,
            lambda: quality.summary(rejected_missing_title=missing_titles),
            started,
            reject_dir,
            src.path,
        )
    logger.info("ingested %d products from %s", result.inserted + result.updated, src.path)
    return result


def ingest_events(
    store: Store,
    path: str | Path,
    config: IngestConfig,
    mapping: Sequence[str] = (),
    skip_invalid: bool = False,
    default_type: str | None = None,
    reject_dir: Path | None = None,
) -> IngestReport:
    """Load a behaviour file into the store (CSV/TSV, JSONL, Parquet, RecBole, Diginetica).

    Events about products not (yet) in the catalog are stored and counted, never dropped.
    An event whose ``event_id`` is already stored is skipped and counted as a duplicate.

    Raises:
        InvalidInput: a row is invalid (strict mode); nothing was stored.
        InvalidFile: the file cannot be read at all.
    """
    started = time.perf_counter()
    src = open_source(path)
    reading = reading_for(src, mapping, default_type)
    report = IngestReport("events", str(src.path), reading.kind)
    quality = EventQuality(
        known_items=store.product_ids(),
        bot_per_minute=config.bot_events_per_minute,
        future_tolerance=config.future_tolerance_seconds,
    )
    run = _Run(report, config, skip_invalid)

    def adapted(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:
            out = reading.adapt(chunk)
            quality.read_as_returns += sum(
                1 for _, rec in out if "quantity" in rec and read_as_return(rec)
            )
            yield out

    def file_rows(chunk: Chunk) -> int:
        return len({row for row, _ in chunk})

    with _no_gc(), _drop_rejects_on_error(report), store.transaction():
        with store.bulk_load():
            run.process(
                adapted(read_chunks(src, config.chunk_rows)),
                Event,
                EVENT_FIXES,
                store.add_events,
                quality.observe,
                file_rows,
            )
        report.notes.extend(reading.notes)
        # rows skipped as invalid were not stored: they are not returns either
        quality.read_as_returns -= sum(1 for _, rec, _ in run.rejects if read_as_return(rec))
        if quality.read_as_returns:
            report.notes.append(
                f"{quality.read_as_returns:,} purchase row(s) with a negative quantity "
                "(cancellations or returns) stored as 'return' events of the positive quantity; "
                "returns weigh 0 as interest"
            )
        result = _finish(store, run, quality.summary, started, reject_dir, src.path)
    logger.info("ingested %d events from %s", result.inserted, src.path)
    return result


def ingest_event_batch(
    store: Store, events: Sequence[Event], config: IngestConfig, source: str = "http"
) -> IngestReport:
    """Store already-validated events (the HTTP path) in one transaction and count quality."""
    started = time.perf_counter()
    report = IngestReport("events", source, "json", rows=len(events), records=len(events))
    quality = EventQuality(
        known_items=store.known_product_ids(list({e.item_id for e in events if e.item_id})),
        bot_per_minute=config.bot_events_per_minute,
        future_tolerance=config.future_tolerance_seconds,
    )
    quality.observe(events)
    result = store.add_events(events)
    report.inserted, report.duplicates = result.inserted, result.duplicates
    report.quality = quality.summary()
    report.seconds = round(time.perf_counter() - started, 4)
    return report
