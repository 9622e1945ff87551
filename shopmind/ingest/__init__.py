"""Ingest: files and batches into the store, all or nothing, with a data-quality summary."""

from shopmind.ingest.knowledge import answer_column_map, ingest_answers, ingest_documents
from shopmind.ingest.pipeline import ingest_event_batch, ingest_events, ingest_products
from shopmind.ingest.report import IngestReport

__all__ = [
    "IngestReport",
    "answer_column_map",
    "ingest_answers",
    "ingest_documents",
    "ingest_event_batch",
    "ingest_events",
    "ingest_products",
]
