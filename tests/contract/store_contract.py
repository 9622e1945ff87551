"""The Store contract: every backend's suite inherits this mixin and provides ``make_store``.

A new backend (PostgreSQL...) adds one class::

    class TestPostgresStore(StoreContract):
        @pytest.fixture
        def make_store(self, ...) -> Callable[[], Store]: ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from shopmind.catalog import Product, ProductPatch
from shopmind.errors import NotFound
from shopmind.events import Event
from shopmind.knowledge import Passage, PastAnswer
from shopmind.store import Store


def product(pid: str, **kw: object) -> Product:
    """A valid product with a few defaults."""
    fields: dict[str, object] = {"id": pid, "title": f"Product {pid}", "price": 10.0}
    fields.update(kw)
    return Product.model_validate(fields)


def event(user: str, item: str | None, kind: str = "view", **kw: object) -> Event:
    """A valid event."""
    fields: dict[str, object] = {"user_id": user, "item_id": item, "type": kind}
    fields.update(kw)
    return Event.model_validate(fields)


class StoreContract:
    """Behaviour every Store must have; subclasses provide the ``make_store`` fixture."""

    @pytest.fixture
    def s(self, make_store: Callable[[], Store]) -> Iterator[Store]:
        store = make_store()
        yield store
        store.close()

    # -- products ----------------------------------------------------------------------------
    def test_upsert_then_get_round_trips_every_field(self, s: Store) -> None:
        p = product(
            "a1",
            title="降噪耳机 Pro",
            description="主动降噪",
            category="Electronics / Audio / Headphones",
            brand="QuietBeat",
            currency="cny",
            stock=3,
            attributes={"颜色": "黑色", "battery_hours": "30"},
            image_url="/img/a1.png",
            url="https://shop/p/a1",
            created_at="2025-01-02T03:04:05Z",
        )
        result = s.upsert_products([p])
        assert (result.inserted, result.updated) == (1, 0)
        got = s.get_product("a1")
        assert got.title == "降噪耳机 Pro"
        assert got.category == "Electronics > Audio > Headphones"
        assert got.currency == "CNY"
        assert got.language == "zh"
        assert got.in_stock is True
        assert got.attributes == {"颜色": "黑色", "battery_hours": "30"}
        assert got.created_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert got.updated_at is not None

    def test_upsert_replaces_by_id_and_keeps_created_at(self, s: Store) -> None:
        s.upsert_products([product("a", created_at="2024-05-01T00:00:00Z")])
        result = s.upsert_products([product("a", title="New title", price=12.5), product("b")])
        assert (result.inserted, result.updated) == (1, 1)
        got = s.get_product("a")
        assert (got.title, got.price) == ("New title", 12.5)
        assert got.created_at == datetime(2024, 5, 1, tzinfo=UTC)
        assert s.count_products() == 2

    def test_patch_changes_only_given_fields_and_merges_attributes(self, s: Store) -> None:
        s.upsert_products([product("a", stock=5, attributes={"color": "red", "size": "M"})])
        s.patch_products(
            [ProductPatch.model_validate({"id": "a", "stock": 0, "attributes": {"size": "L"}})]
        )
        got = s.get_product("a")
        assert got.title == "Product a"
        assert got.stock == 0
        assert got.in_stock is False  # derived again from the new stock
        assert got.attributes == {"color": "red", "size": "L"}

    def test_patch_of_unknown_id_changes_nothing(self, s: Store) -> None:
        s.upsert_products([product("a")])
        patches = [
            ProductPatch.model_validate({"id": "a", "price": 99}),
            ProductPatch.model_validate({"id": "ghost", "price": 1}),
        ]
        with pytest.raises(NotFound, match="ghost"):
            s.patch_products(patches)
        assert s.get_product("a").price == 10.0

    def test_delete_keeps_events_and_counts_them_unknown(self, s: Store) -> None:
        s.upsert_products([product("a"), product("b")])
        s.add_events([event("u1", "a"), event("u1", "b")])
        assert s.delete_products(["a", "missing"]) == 1
        with pytest.raises(NotFound):
            s.get_product("a")
        stats = s.stats()
        assert stats.events == 2
        assert stats.unknown_item_events == 1

    def test_catalog_version_rises_with_product_writes_only(self, s: Store) -> None:
        v0 = s.catalog_version()
        s.upsert_products([product("a"), product("b")])
        v1 = s.catalog_version()
        s.add_events([event("u1", "a")])
        assert v1 > v0 and s.catalog_version() == v1  # events are not the catalog
        s.patch_products([ProductPatch(id="a", price=3.0)])
        v2 = s.catalog_version()
        assert s.delete_products(["missing"]) == 0 and s.catalog_version() == v2 > v1
        s.delete_products(["b"])
        v3 = s.catalog_version()
        with pytest.raises(RuntimeError), s.transaction():
            s.upsert_products([product("c")])
            raise RuntimeError("rolled back")
        assert v3 > v2 and s.catalog_version() == v3  # a rolled-back write changes nothing

    def test_list_paginates_in_id_order_and_filters_a_category_subtree(self, s: Store) -> None:
        s.upsert_products(
            [
                product("p3", category="Home > Kitchen > Pots"),
                product("p1", category="Home > Kitchen"),
                product("p2", category="Home > Garden"),
                product("p4", category="Home > Kitchenware"),
                product("p5", category="Books"),
            ]
        )
        page = s.list_products(offset=1, limit=2)
        assert [p.id for p in page.items] == ["p2", "p3"]
        assert page.total == 5
        kitchen = s.list_products(category="Home > Kitchen")
        assert [p.id for p in kitchen.items] == ["p1", "p3"]  # not the Kitchenware sibling
        assert kitchen.total == 2
        assert sum(len(b) for b in s.iter_products(batch=2)) == 5
        assert [p.id for p in s.all_products()] == ["p1", "p2", "p3", "p4", "p5"]
        assert s.product_ids() == {"p1", "p2", "p3", "p4", "p5"}
        assert s.known_product_ids(["p1", "zz"]) == {"p1"}

    # -- events ------------------------------------------------------------------------------
    def test_events_with_ids_are_idempotent(self, s: Store) -> None:
        batch = [event("u1", "a", event_id="e1"), event("u1", "b", event_id="e2")]
        assert s.add_events(batch).inserted == 2
        again = s.add_events([*batch, event("u1", "c", event_id="e3")])
        assert (again.inserted, again.duplicates) == (1, 2)
        assert s.count_events() == 3

    def test_events_without_ids_are_all_kept(self, s: Store) -> None:
        s.add_events([event("u1", "a"), event("u1", "a")])
        assert s.count_events() == 2

    def test_events_about_unknown_products_are_stored_and_counted(self, s: Store) -> None:
        s.upsert_products([product("a")])
        s.add_events([event("u1", "a"), event("u1", "later"), event("u2", "later")])
        stats = s.stats()
        assert stats.events == 3
        assert stats.unknown_item_events == 2
        s.upsert_products([product("later")])  # the catalog arrives after the events
        assert s.stats().unknown_item_events == 0

    def test_list_events_newest_first_per_visitor(self, s: Store) -> None:
        s.add_events(
            [
                event("u1", "a", timestamp=1_700_000_000),
                event("u1", "b", timestamp=1_700_000_100),
                event("u2", "c", timestamp=1_700_000_050),
                Event.model_validate({"session_id": "s9", "item_id": "d", "type": "click"}),
            ]
        )
        assert [e.item_id for e in s.list_events(visitor="u1")] == ["b", "a"]
        anon = s.list_events(visitor="~s9")
        assert [(e.item_id, e.user_id, e.session_id) for e in anon] == [("d", None, "s9")]
        assert [e.item_id for e in s.list_events(item_id="c")] == ["c"]
        ordered = [e.item_id for batch in s.iter_events() for e in batch]
        assert ordered == ["d", "a", "c", "b"]  # time order; no time sorts first
        recent = [e.item_id for batch in s.iter_events(since=1_700_000_050) for e in batch]
        assert recent == ["c", "b"]  # from that time on, the timeless one left out
        assert [e.item_id for b in s.iter_events(batch=1, since=0) for e in b] == ordered

    def test_list_events_of_some_types_skips_the_others(self, s: Store) -> None:
        # ad and organic impressions must not crowd a visitor's window of newest events
        s.add_events(
            [
                event("u1", "a", "purchase", timestamp=1_700_000_000),
                *[
                    event("u1", f"x{i}", "impression", position=i + 1, timestamp=1_700_000_100 + i)
                    for i in range(5)
                ],
                event("u1", "b", "view", timestamp=1_700_000_200),
            ]
        )
        got = s.list_events(visitor="u1", limit=2, types=("view", "purchase"))
        assert [e.item_id for e in got] == ["b", "a"]
        assert s.list_events(visitor="u1", types=()) == []
        assert len(s.list_events(visitor="u1", limit=3)) == 3

    def test_top_visitors_most_events_first_with_last_seen(self, s: Store) -> None:
        s.add_events(
            [
                event("u1", "a", timestamp=1_700_000_000),
                event("u1", "b", timestamp=1_700_000_100),
                event("u2", "c", timestamp=1_700_000_050),
                event("u3", "c", timestamp=1_700_000_200),
                Event.model_validate({"session_id": "s9", "item_id": "d", "type": "click"}),
                Event.model_validate({"session_id": "s9", "item_id": "e", "type": "click"}),
                Event.model_validate({"session_id": "s9", "item_id": "f", "type": "click"}),
            ]
        )
        top = s.top_visitors(limit=3)
        # most events first; ties (u2, u3) by the newest seen
        assert [(v.visitor, v.events) for v in top] == [("~s9", 3), ("u1", 2), ("u3", 1)]
        assert top[1].last_seen == 1_700_000_100
        assert top[1].as_dict()["last_seen"] == "2023-11-14T22:15:00Z"
        assert top[0].as_dict()["anonymous"] is True
        assert [v.visitor for v in Store.top_visitors(s, limit=3)] == ["~s9", "u1", "u3"]

    def test_event_fields_round_trip(self, s: Store) -> None:
        s.add_events(
            [
                event(
                    "u1",
                    None,
                    "search",
                    query="无线耳机",
                    timestamp="2025-03-01T12:00:00+08:00",
                    context={"device": "mobile"},
                ),
                event("u1", "a", "impression", position=3, page=2, timestamp=1_740_000_000),
                event("u1", "a", "rating", value=4.5, timestamp=1_740_000_001),
            ]
        )
        got = {e.type: e for e in s.list_events(visitor="u1")}
        assert got["search"].query == "无线耳机"
        assert got["search"].ts == datetime(2025, 3, 1, 4, 0, tzinfo=UTC).timestamp()
        assert got["search"].context == {"device": "mobile"}
        assert (got["impression"].position, got["impression"].page) == (3, 2)
        assert got["rating"].value == 4.5

    def test_quantity_and_price_round_trip(self, s: Store) -> None:
        s.add_events(
            [
                event("u1", "a", "purchase", quantity=6, price=2.55, timestamp=1_740_000_000),
                event("u1", "a", "purchase", quantity="-2", price="2.55", timestamp=1_740_000_001),
                event("u1", "b", "view", timestamp=1_740_000_002),
            ]
        )
        got = {e.type: e for e in s.list_events(visitor="u1")}
        assert (got["purchase"].quantity, got["purchase"].price) == (6.0, 2.55)
        assert (got["return"].quantity, got["return"].price) == (2.0, 2.55)  # a cancellation
        assert (got["view"].quantity, got["view"].price) == (None, None)
        streamed = [e for batch in s.iter_events() for e in batch]
        assert [(e.type, e.quantity) for e in streamed] == [
            ("purchase", 6.0),
            ("return", 2.0),
            ("view", None),
        ]
        assert s.stats().events_by_type == {"purchase": 1, "return": 1, "view": 1}

    # -- transactions, reports, stats --------------------------------------------------------
    def test_transaction_rolls_back_everything_on_error(self, s: Store) -> None:
        s.upsert_products([product("kept")])
        with pytest.raises(RuntimeError), s.transaction():
            s.upsert_products([product("a")])
            s.add_events([event("u1", "a")])
            with s.transaction():  # nested blocks join the outer one
                s.delete_products(["kept"])
            raise RuntimeError("crash mid-batch")
        assert s.product_ids() == {"kept"}
        assert s.count_events() == 0

    def test_bulk_load_keeps_results_identical(self, s: Store) -> None:
        with s.transaction(), s.bulk_load():
            s.add_events([event(f"u{i % 7}", f"i{i % 11}", event_id=f"e{i}") for i in range(300)])
        assert s.add_events([event("u0", "i0", event_id="e5")]).duplicates == 1
        assert len(s.list_events(visitor="u0", limit=1000)) == 43

    def test_ingest_reports_are_kept_newest_first(self, s: Store) -> None:
        first = s.record_ingest({"kind": "products", "source": "a.csv", "inserted": 3})
        second = s.record_ingest({"kind": "events", "source": "b.csv", "quality": {"x": 1}})
        reports = s.ingest_reports()
        assert [r["id"] for r in reports] == [second, first]
        assert reports[0]["quality"] == {"x": 1}

    def test_stats_counts_types_and_visitors(self, s: Store) -> None:
        s.upsert_products([product("a")])
        s.add_events(
            [
                event("u1", "a"),
                event("u1", "a", "purchase"),
                Event.model_validate({"session_id": "s1", "item_id": "a", "type": "view"}),
            ]
        )
        stats = s.stats().as_dict()
        assert stats["products"] == 1
        assert stats["events"] == 3
        assert stats["visitors"] == 2
        assert stats["events_by_type"] == {"purchase": 1, "view": 2}
        assert stats["schema_version"] >= 1

    # -- knowledge ---------------------------------------------------------------------------
    def test_documents_replace_their_own_passages_only(self, s: Store) -> None:
        def passage(doc: str, n: int, text: str) -> Passage:
            return Passage(
                id=f"{doc}#{n}", doc=doc, position=n, title=doc, text=text, source=f"{doc}.md"
            )

        before = s.knowledge_version()
        s.replace_documents([passage("returns", 1, "30 days"), passage("returns", 2, "refund")])
        s.replace_documents([passage("shipping", 1, "2 days")])
        result = s.replace_documents([passage("returns", 1, "45 days")])
        assert (result.inserted, result.updated) == (1, 1)
        assert [p.text for p in s.list_passages("returns")] == ["45 days"]
        assert [p.id for p in s.list_passages()] == ["returns#1", "shipping#1"]
        assert s.count_knowledge() == {"documents": 2, "passages": 2, "answers": 0}
        assert s.knowledge_version() == before + 3

    def test_past_answers_are_idempotent_by_id(self, s: Store) -> None:
        rows = [
            PastAnswer(question="Is it waterproof?", answer="IPX5", product_id="a", time=1.0),
            PastAnswer(question="Battery?", answer="30 hours"),
            PastAnswer(id="given", question="Colours?", answer="Black and white"),
        ]
        first = s.add_answers(rows)
        again = s.add_answers(rows)
        assert (first.inserted, again.inserted, again.duplicates) == (3, 0, 3)
        stored = {a.key: a for batch in s.iter_answers(batch=2) for a in batch}
        assert set(stored) == {r.key for r in rows}
        assert stored[rows[0].key].product_id == "a"
        assert stored[rows[0].key].time == 1.0
        assert stored["given"].answer == "Black and white"
        assert s.count_knowledge()["answers"] == 3

    def test_knowledge_writes_roll_back_with_the_transaction(self, s: Store) -> None:
        with pytest.raises(RuntimeError), s.transaction():
            s.add_answers([PastAnswer(question="q", answer="a")])
            raise RuntimeError("crash mid-ingest")
        assert s.count_knowledge()["answers"] == 0

    def test_forgetting_a_visitor_takes_their_sessions_and_names_no_one(self, s: Store) -> None:
        s.upsert_products([product("a")])
        s.add_events(
            [
                Event.model_validate({"session_id": "s1", "item_id": "a", "type": "view"}),
                event("u1", "a", "click", session_id="s1"),
                event("u1", "a", "purchase", session_id="s2"),
                event("u10", "a", "view", session_id="s3"),
            ]
        )
        s.record_ingest({"kind": "events", "rejected": [{"value": "u1"}, {"value": "u10"}]})
        assert s.visitor_sessions(["u1"]) == {"s1", "s2"}
        assert s.forget_visitors(["u1"], actor="test") == 3
        assert [e.visitor for e in s.list_events()] == ["u10"]
        assert s.ingest_reports()[0]["rejected"] == [{"value": "[forgotten]"}, {"value": "u10"}]
        [row] = s.audit()
        assert (row["action"], row["actor"]) == ("forget", "test")
        assert (row["visitors"], row["rows"]) == (1, 3)
        assert "u1" not in str(row)

    def test_retention_deletes_what_is_older_and_is_audited(self, s: Store) -> None:
        old = datetime(2020, 1, 1, tzinfo=UTC)
        new = datetime(2026, 1, 1, tzinfo=UTC)
        s.upsert_products([product("a")])
        s.add_events([event("u1", "a", timestamp=old), event("u2", "a", timestamp=new)])
        cutoff = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
        assert s.delete_events_before(cutoff, "retention") == 1
        assert [e.visitor for e in s.list_events()] == ["u2"]
        assert s.audit()[0]["action"] == "retention"
