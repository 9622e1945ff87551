"""The bundled demo shop: ~320 Chinese and English products, simulated visitors, and the
shop's own pages and past customer questions for the assistant.

``build_demo`` writes the shop as files into ``HOME/demo/`` (JSON Lines, and Markdown
pages under ``docs/``) and loads them through the same ingest path a shop's own files take.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from shopmind.ads import CampaignBook, parse_campaign
from shopmind.config import Settings
from shopmind.demo.campaigns import demo_campaigns
from shopmind.demo.catalog import demo_products
from shopmind.demo.knowledge import demo_documents, demo_qa
from shopmind.demo.visitors import simulate_events, visitor_tastes
from shopmind.files import write_text_atomic
from shopmind.ingest import (
    IngestReport,
    ingest_answers,
    ingest_documents,
    ingest_events,
    ingest_products,
)
from shopmind.store import Store

logger = logging.getLogger(__name__)

__all__ = [
    "build_demo",
    "demo_campaigns",
    "demo_documents",
    "demo_products",
    "demo_qa",
    "simulate_events",
    "visitor_tastes",
    "write_demo_files",
    "write_demo_knowledge",
]


def write_demo_files(folder: Path, seed: int = 42, visitors: int = 300) -> tuple[Path, Path]:
    """Write the demo catalog and events as JSON Lines; returns (products, events) paths."""
    folder.mkdir(parents=True, exist_ok=True)
    products = demo_products(seed)
    events = simulate_events(products, n_visitors=visitors, seed=seed)
    paths = (folder / "products.jsonl", folder / "events.jsonl")
    for path, rows in zip(paths, (products, events), strict=True):
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return paths


def write_demo_knowledge(folder: Path, seed: int = 42) -> tuple[list[Path], Path]:
    """Write the demo shop's pages (``docs/*.md``) and past questions (``qa.jsonl``)."""
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    pages = []
    for name, text in demo_documents().items():
        write_text_atomic(docs / name, text)
        pages.append(docs / name)
    rows = demo_qa(demo_products(seed), seed)
    qa = folder / "qa.jsonl"
    write_text_atomic(qa, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return pages, qa


def build_demo(store: Store, settings: Settings) -> tuple[IngestReport, IngestReport]:
    """Load the demo shop into ``store`` (files under ``HOME/demo/``)."""
    products, events = write_demo_files(
        settings.home / "demo", seed=settings.demo.seed, visitors=settings.demo.visitors
    )
    p = ingest_products(store, products, settings.ingest)
    e = ingest_events(store, events, settings.ingest)
    logger.info("demo shop: %d products, %d events", p.inserted + p.updated, e.inserted)
    _add_campaigns(store, settings, products)
    pages, qa = write_demo_knowledge(settings.home / "demo", seed=settings.demo.seed)
    d = ingest_documents(store, pages, settings.ingest, settings.assistant.passage_chars)
    a = ingest_answers(store, qa, settings.ingest)
    logger.info("demo knowledge: %d passages, %d past answers", d.inserted, a.inserted)
    return p, e


def _add_campaigns(store: Store, settings: Settings, products: Path) -> None:
    """The demo advertisers' campaigns, into the home's campaign book."""
    rows = [json.loads(line) for line in products.read_text(encoding="utf-8").splitlines()]
    book = CampaignBook.open(settings.home, settings.store_url, settings.store.busy_timeout_ms)
    try:
        for body in demo_campaigns(rows, datetime.now(UTC)):
            book.add_campaign(parse_campaign(body, store))
    finally:
        book.close()
