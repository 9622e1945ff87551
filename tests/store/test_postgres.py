"""The PostgreSQL backend: the shared Store contract on a real server started by the tests,
plus what only a server has (several connections at once, migrations under a lock, loss)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from shopmind.config import StoreConfig
from shopmind.errors import InvalidInput, SchemaVersionError, StoreError
from shopmind.store import Store, open_store
from shopmind.store.pgschema import PG_LATEST_VERSION
from shopmind.store.postgres import COPY_THRESHOLD, PostgresStore, display_url
from tests.contract.store_contract import StoreContract, event, product


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def make_store(self, pg_url: str) -> Callable[[], Store]:
        return lambda: open_store(pg_url)


def test_open_store_takes_both_schemes_and_migrates_once(pg_url: str) -> None:
    with open_store(pg_url) as first:
        assert isinstance(first, PostgresStore)
        assert first.schema_version() == PG_LATEST_VERSION
        first.upsert_products([product("a")])
    again = pg_url.replace("postgresql://", "postgres://")
    with open_store(again) as second:
        assert second.count_products() == 1


def test_a_store_newer_than_this_code_is_refused(pg_url: str) -> None:
    open_store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'")
    with pytest.raises(SchemaVersionError, match="99"):
        open_store(pg_url)


def test_an_unreachable_server_is_a_clear_error_naming_the_url_and_the_fix() -> None:
    from tests.conftest import free_port

    url = f"postgresql://shop:secret@127.0.0.1:{free_port()}/shop"
    with pytest.raises(StoreError) as caught:
        open_store(url, StoreConfig(connect_timeout_s=2))
    message = str(caught.value)
    assert "postgresql://shop:***@127.0.0.1" in message and "secret" not in message
    assert "[store] url" in message and "SHOPMIND_STORE__URL" in message


def test_display_url_hides_only_the_password() -> None:
    assert display_url("postgresql://u:pw@h:5/db") == "postgresql://u:***@h:5/db"
    assert display_url("postgresql://u@h/db") == "postgresql://u@h/db"


@pytest.mark.parametrize("rows", [3, COPY_THRESHOLD + 10])  # INSERT and COPY paths
def test_events_keep_arrival_order_and_ignore_duplicates_on_both_write_paths(
    pg_url: str, rows: int
) -> None:
    with open_store(pg_url) as s:
        batch = [event("u", f"i{n}", event_id=f"e{n}", timestamp=1_000.0) for n in range(rows)]
        first = s.add_events(batch)
        again = s.add_events([*batch[:2], event("u", "x", event_id="new", timestamp=2_000.0)])
        assert (first.inserted, first.duplicates) == (rows, 0)
        assert (again.inserted, again.duplicates) == (1, 2)
        newest = s.list_events(visitor="u", limit=rows + 1)
        assert [e.item_id for e in newest][:3] == ["x", f"i{rows - 1}", f"i{rows - 2}"]


@pytest.mark.parametrize("rows", [2, COPY_THRESHOLD + 2])
def test_a_nul_character_is_bad_input_naming_the_row_and_nothing_is_stored(
    pg_url: str, rows: int
) -> None:
    with open_store(pg_url) as s:
        batch = [event("u", f"i{n}") for n in range(rows)]
        batch[1] = event("u", "i1", query="bad\x00query")
        with pytest.raises(InvalidInput) as caught:
            s.add_events(batch)
        assert caught.value.errors[0].row == 2 and "NUL" in caught.value.errors[0].problem
        assert s.count_events() == 0
        with pytest.raises(InvalidInput):
            s.upsert_products([product("a", title="A\x00B")])
        assert s.count_products() == 0


def test_upsert_of_many_products_keeps_created_at_and_counts_updates(pg_url: str) -> None:
    with open_store(pg_url) as s:
        first = [product(f"p{n:03d}", created_at="2024-01-01T00:00:00Z") for n in range(200)]
        s.upsert_products(first)
        result = s.upsert_products([product(f"p{n:03d}", title="new") for n in range(100, 300)])
        assert (result.inserted, result.updated) == (100, 100)
        assert s.get_product("p150").title == "new"
        assert s.get_product("p150").created_at == first[150].created_at
        assert s.count_products() == 300


def test_a_lost_server_fails_the_call_then_the_store_reconnects(pg_url: str) -> None:
    from shopmind.errors import StoreUnavailable

    with open_store(pg_url) as s:
        s.upsert_products([product("a")])
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(StoreUnavailable, match="retry"):
            s.add_events([event("u", "a")])
        assert s.add_events([event("u", "a")]).inserted == 1  # connected again by itself
        assert s.count_events() == 1


def test_a_first_bulk_load_builds_the_event_indexes_again_and_later_ones_keep_them(
    pg_url: str,
) -> None:
    def indexes(s: Store) -> set[str]:
        with psycopg.connect(pg_url) as conn:
            rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'events'")
            return {r[0] for r in rows}

    with open_store(pg_url) as s:
        every = indexes(s)
        assert {"events_visitor", "events_item", "events_event_id"} <= every
        for _ in range(2):  # into the empty table, then into a table that serves
            with s.transaction(), s.bulk_load():
                s.add_events([event(f"u{n}", "a") for n in range(COPY_THRESHOLD * 2)])
            assert indexes(s) == every
        assert len(s.list_events(visitor="u3")) == 2
