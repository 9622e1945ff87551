"""Behaviour ingest from real formats: RecBole, Diginetica, CSV/JSONL/Parquet, plus quality."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shopmind.config import Settings
from shopmind.errors import InvalidFile, InvalidInput
from shopmind.ingest import ingest_events, ingest_products
from shopmind.store import Store
from tests.conftest import head_lines, write


def test_games_sequences_expand_in_order_and_resending_is_a_no_op(
    tmp_path: Path, data_dir: Path, store: Store, settings: Settings
) -> None:
    games = data_dir / "amazon-games"
    valid = head_lines(games / "Games-6k.valid.inter", tmp_path / "Games-6k.valid.inter", 51)
    test = head_lines(games / "Games-6k.test.inter", tmp_path / "Games-6k.test.inter", 51)
    lines = valid.read_text().splitlines()[1:]
    expected = sum(len(line.split("\t")[1].split()) + 1 for line in lines)
    report = ingest_events(store, valid, settings.ingest)
    assert (report.rows, report.inserted) == (50, expected)
    assert report.quality["events_by_type"] == {"purchase": expected}
    assert report.quality["unknown_item_events"] == expected  # no catalog yet: kept, counted
    user0 = lines[0].split("\t")
    history = [e.item_id for e in reversed(store.list_events(visitor=user0[0], limit=1000))]
    assert history == [*user0[1].split(), user0[2]]
    # the test file repeats each valid history plus one more item: only those are new
    again = ingest_events(store, test, settings.ingest)
    assert (again.inserted, again.duplicates) == (50, expected)


def test_movielens_ratings_with_timestamps(
    tmp_path: Path, data_dir: Path, store: Store, settings: Settings
) -> None:
    src = head_lines(data_dir / "movielens-100k" / "ml-100k.inter", tmp_path / "ml.inter", 201)
    report = ingest_events(store, src, settings.ingest)
    assert report.inserted == 200
    assert report.quality["events_by_type"] == {"rating": 200}
    assert report.quality["missing_timestamps"] == 0
    first = store.list_events(visitor="196")[-1]
    assert (first.item_id, first.value, first.ts) == ("242", 3.0, 881250949.0)
    assert ingest_events(store, src, settings.ingest).duplicates == 200  # derived event ids


def test_diginetica_sessions_are_anonymous_views(
    tmp_path: Path, data_dir: Path, store: Store, settings: Settings
) -> None:
    src = head_lines(
        data_dir / "diginetica-sample" / "sample_train-item-views.csv", tmp_path / "d.csv", 301
    )
    report = ingest_events(store, src, settings.ingest)
    assert report.format == "diginetica"
    assert report.inserted == 300
    lines = src.read_text().splitlines()[1:]
    assert report.quality["anonymous_events"] == sum(1 for x in lines if x.split(";")[1] == "NA")
    session = store.list_events(visitor="~1", limit=100)
    assert session and all(e.type == "view" and e.user_id is None for e in session)
    assert all(e.ts is not None and e.ts > 1.46e9 for e in session)


def test_csv_with_aliases_context_columns_and_unknown_products(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    ingest_products(store, write(tmp_path / "p.csv", "id,title\na,Alpha\n"), settings.ingest)
    src = write(
        tmp_path / "e.csv",
        "user,product_id,event_type,ts,device,search_term\n"
        "u1,a,add_to_cart,2025-01-01T10:00:00Z,mobile,\n"
        "u1,b,Purchase,1735725600,desktop,\n"
        "u2,,search,1735725601000,mobile,无线耳机\n",
    )
    report = ingest_events(store, src, settings.ingest)
    assert report.inserted == 3
    assert report.quality["unknown_item_events"] == 1
    assert report.quality["unknown_item_samples"] == ["b"]
    got = {e.type: e for e in store.list_events(limit=10)}
    assert set(got) == {"cart", "purchase", "search"}
    assert got["cart"].context == {"device": "mobile"}
    assert got["search"].query == "无线耳机"
    assert got["search"].ts == 1735725601.0  # epoch milliseconds understood
    assert got["purchase"].ts == 1735725600.0


def test_jsonl_and_parquet_events(tmp_path: Path, store: Store, settings: Settings) -> None:
    rows = [
        {"session_id": "s1", "item_id": "a", "type": "impression", "position": 2, "page": 1},
        {"user_id": 7, "item_id": 3, "type": "rating", "value": 5},
    ]
    ingest_events(
        store, write(tmp_path / "e.jsonl", "\n".join(json.dumps(r) for r in rows)), settings.ingest
    )
    assert store.list_events(visitor="~s1")[0].position == 2
    assert store.list_events(visitor="7")[0].item_id == "3"
    table = pa.table({"user_id": ["p1", "p2"], "item_id": ["x", "y"], "type": ["view", "click"]})
    pq.write_table(table, tmp_path / "e.parquet")
    assert ingest_events(store, tmp_path / "e.parquet", settings.ingest).inserted == 2
    assert store.count_events() == 4


def test_a_bad_event_refuses_the_file_and_changes_nothing(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    ingest_events(
        store, write(tmp_path / "ok.csv", "user_id,item_id,type\nu,a,view\n"), settings.ingest
    )
    bad = write(
        tmp_path / "bad.csv",
        "user_id,session_id,item_id,type,value\nu,,a,view,\nu,,a,buy_now,\n,,a,view,\n"
        "u,,a,rating,\nu,,,click,\n",
    )
    with pytest.raises(InvalidInput) as caught:
        ingest_events(store, bad, settings.ingest)
    text = str(caught.value)
    assert "row 2: field 'type'" in text and "use one of: view" in text
    assert "row 3: field 'user_id'" in text
    assert "row 4: field 'value'" in text
    assert "row 5: field 'item_id'" in text
    assert store.count_events() == 1


def test_files_without_a_type_need_one_named(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    src = write(tmp_path / "clicks.csv", "user_id,item_id\nu,a\nu,b\n")
    with pytest.raises(InvalidFile, match="--type"):
        ingest_events(store, src, settings.ingest)
    with pytest.raises(InvalidFile, match="unknown event type"):
        ingest_events(store, src, settings.ingest, default_type="clik")
    assert ingest_events(store, src, settings.ingest, default_type="click").inserted == 2


def test_quality_flags_bots_and_future_times_without_dropping_them(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    now = time.time()
    lines = ["user_id,item_id,type,timestamp"]
    lines += [f"bot,i{i % 50},view,{now - 3600 + i * 0.2}" for i in range(300)]  # 5 a second
    lines += [f"human,i{i},view,{now - 3600 + i * 30}" for i in range(100)]  # 2 a minute
    lines += [f"human,i1,view,{now + 86_400 * 30}"]  # a month ahead
    report = ingest_events(store, write(tmp_path / "q.csv", "\n".join(lines)), settings.ingest)
    q = report.quality
    assert report.inserted == 401
    assert q["bot_like_visitors"] == 1
    assert q["bot_like_samples"][0]["visitor"] == "bot"
    assert q["future_timestamps"] == 1
    assert store.count_events() == 401
