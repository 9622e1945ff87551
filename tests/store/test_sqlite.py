"""The SQLite backend: the shared Store contract plus what only SQLite has (files, WAL, schema)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from shopmind.errors import SchemaVersionError, StoreError
from shopmind.store import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    SQLiteStore,
    Store,
    migrate,
    open_store,
)
from tests.conftest import open_at_once
from tests.contract.store_contract import StoreContract, event, product


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def make_store(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: SQLiteStore(tmp_path / "contract.db")


def test_file_is_in_wal_mode_at_the_latest_schema(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_data_survives_reopening(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        store.upsert_products([product("a")])
        store.add_events([event("u", "a")])
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as again:
        assert (again.count_products(), again.count_events()) == (1, 1)


def test_processes_opening_an_old_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    # what the worker processes of `serve --workers N` do on their first start after an
    # upgrade: each opens the store at the same moment, each finds the old schema
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO products (id, title, in_stock, language, created_at, updated_at) "
        "VALUES ('a', 'Oak table', 1, 'en', 0, 0)"
    )
    conn.close()
    outs = open_at_once(
        "from shopmind.store import SQLiteStore",
        "s = SQLiteStore(sys.argv[1]); print(s.schema_version(), s.count_products())",
        path,
    )
    assert outs == [[str(LATEST_VERSION), "1"]] * 4


def test_a_migration_another_connection_made_meanwhile_is_not_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    migrate(sqlite3.connect(path, isolation_level=None))  # the other process, first
    reads = iter([1])  # this one read the version before the other migrated

    def stale_then_real(c: sqlite3.Connection) -> int:
        return next(reads, None) or int(c.execute("PRAGMA user_version").fetchone()[0])

    monkeypatch.setattr("shopmind.store.schema.current_version", stale_then_real)
    assert migrate(conn) == LATEST_VERSION  # no "table meta already exists"


def test_a_v3_store_migrates_to_quantity_and_price_keeping_its_events(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:3])
    conn.execute(
        "INSERT INTO events (visitor, user_id, item_id, type, value, ts) "
        "VALUES ('u1', 'u1', 'a', 'purchase', 2.0, 1700000000)"
    )
    conn.close()
    with SQLiteStore(path) as store:
        assert store.schema_version() == LATEST_VERSION >= 4
        (old,) = store.list_events(visitor="u1")
        assert (old.type, old.value, old.quantity, old.price) == ("purchase", 2.0, None, None)
        store.add_events([event("u1", "b", "purchase", quantity=3, price=1.25)])
        new = store.list_events(item_id="b")[0]
        assert (new.quantity, new.price) == (3.0, 1.25)
    columns = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(events)")}
    assert {"quantity", "price"} <= columns


def test_open_store_names_known_schemes_on_a_miss() -> None:
    with pytest.raises(StoreError, match=r"known schemes: postgres://, postgresql://, sqlite://"):
        open_store("mysql://localhost/shop")


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.close()
    with pytest.raises(SchemaVersionError, match="upgrade shopmind"):
        SQLiteStore(path)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 5


def test_migrations_apply_in_order_and_a_failing_one_rolls_back(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    steps = (
        *MIGRATIONS,
        Migration(LATEST_VERSION + 1, "add a column", "ALTER TABLE products ADD COLUMN extra TEXT"),
        Migration(
            LATEST_VERSION + 2,
            "broken",
            "CREATE TABLE t2 (x INTEGER); INSERT INTO no_such_table VALUES (1)",
        ),
    )
    with pytest.raises(StoreError, match=f"left at version {LATEST_VERSION + 1}"):
        migrate(conn, steps)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "t2" not in tables  # the failed step left nothing behind
    columns = {r[1] for r in conn.execute("PRAGMA table_info(products)")}
    assert "extra" in columns
    assert migrate(conn, steps[:-1]) == LATEST_VERSION + 1  # idempotent when up to date


def test_readers_in_other_threads_see_only_committed_data(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "t.db")
    seen: list[int] = []
    inside = threading.Event()
    release = threading.Event()

    def reader() -> None:
        inside.wait(5)
        seen.append(store.count_products())
        release.set()

    thread = threading.Thread(target=reader)
    thread.start()
    with store.transaction():
        store.upsert_products([product("a"), product("b")])
        inside.set()
        release.wait(5)
    thread.join(5)
    assert seen == [0]
    assert store.count_products() == 2
    store.close()


def test_bulk_load_outside_a_transaction_is_refused(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    with pytest.raises(StoreError, match="inside transaction"), store.bulk_load():
        pass
    store.close()


def test_bulk_load_restores_the_event_indexes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "i.db")
    with store.transaction(), store.bulk_load():
        store.add_events([event("u", "a")])
    store.close()
    conn = sqlite3.connect(tmp_path / "i.db")
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"events_visitor", "events_item", "events_event_id"} <= names


def test_closed_store_says_so(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.db")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count_products()
