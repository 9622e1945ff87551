"""``shopmind migrate --to URL``: a SQLite home's store copied into a real PostgreSQL
database in one transaction, verified by counts and checksums on both sides."""

from __future__ import annotations

import json

import psycopg
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.config import Settings
from shopmind.knowledge import Passage, PastAnswer
from shopmind.store import SQLiteStore, open_store
from shopmind.store.transfer import PARTS, digest
from tests.contract.store_contract import event, product


def _fill(store: SQLiteStore) -> None:
    store.upsert_products(
        [
            product("a", title="降噪耳机", category="Audio > Headphones", created_at="2024-01-01"),
            product("b", title="Oak table", attributes={"wood": "oak"}, stock=0),
        ]
    )
    store.add_events(
        [
            event("u1", "a", "purchase", quantity=2, price=9.99, timestamp=1_700_000_000.123457),
            event("u1", "b", "view", context={"device": "mobile"}, event_id="e-1"),
            event("u2", None, "search", query="耳机"),
            event("u3", "a", "purchase", quantity=-1, timestamp=1_700_000_100),  # a return
        ]
    )
    store.add_events([event("u4", "b", session_id="s9", position=3, page=1)])
    store.replace_documents(
        [
            Passage(
                id="faq#0",
                doc="faq",
                position=0,
                title="FAQ",
                text="Returns: 30 days",
                source="faq.md",
            )
        ]
    )
    store.add_answers([PastAnswer(question="Is it loud?", answer="No", product_id="a")])
    store.record_ingest({"kind": "events", "source": "x.csv", "inserted": 4})


def test_migrate_copies_every_part_and_verifies_it(settings: Settings, pg_url: str) -> None:
    with SQLiteStore(settings.home / "shopmind.db") as source:
        _fill(source)
        expected = {part: digest(source, part) for part in PARTS}
        events = [(e.visitor, e.type, e.ts, e.quantity) for b in source.iter_events() for e in b]
    result = CliRunner().invoke(
        main, ["--home", str(settings.home), "migrate", "--to", pg_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["parts"]["events"]["rows"] == 5 and out["parts"]["products"]["rows"] == 2
    with open_store(pg_url) as target:
        assert {part: digest(target, part) for part in PARTS} == expected
        copied = [(e.visitor, e.type, e.ts, e.quantity) for b in target.iter_events() for e in b]
        assert copied == events  # same order, times to the bit, the return kept as a return
        assert target.ingest_reports()[0]["source"] == "x.csv"
        assert target.get_product("a").created_at == source_created(settings)


def source_created(settings: Settings) -> object:
    with SQLiteStore(settings.home / "shopmind.db") as source:
        return source.get_product("a").created_at


def test_migrate_into_a_store_holding_data_refuses_and_changes_nothing(
    settings: Settings, pg_url: str
) -> None:
    with SQLiteStore(settings.home / "shopmind.db") as source:
        _fill(source)
    with open_store(pg_url) as target:
        target.upsert_products([product("z")])
    result = CliRunner().invoke(main, ["--home", str(settings.home), "migrate", "--to", pg_url])
    assert result.exit_code == 1
    assert "already holds data" in result.output and "new, empty database" in result.output
    with open_store(pg_url) as target:
        assert (target.count_products(), target.count_events()) == (1, 0)


def test_a_migration_that_fails_midway_keeps_nothing(settings: Settings, pg_url: str) -> None:
    with SQLiteStore(settings.home / "shopmind.db") as source:
        _fill(source)
        source.add_events([event("u5", "a", query="bad\x00text")])  # PostgreSQL refuses NUL
    result = CliRunner().invoke(main, ["--home", str(settings.home), "migrate", "--to", pg_url])
    assert result.exit_code == 1 and "NUL" in result.output
    with psycopg.connect(pg_url) as conn:
        counts = conn.execute(
            "SELECT (SELECT COUNT(*) FROM products), (SELECT COUNT(*) FROM events)"
        )
        assert counts.fetchone() == (0, 0)
