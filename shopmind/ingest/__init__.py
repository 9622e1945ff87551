"""Ingest: files and batches into the store, all or nothing, with a data-quality summary."""

from shopmind.ingest.pipeline import ingest_event_batch, ingest_events, ingest_products
from shopmind.ingest.report import IngestReport

__all__ = ["IngestReport", "ingest_event_batch", "ingest_events", "ingest_products"]
