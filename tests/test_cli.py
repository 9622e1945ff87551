"""The ``shopmind`` command line, run in-process with click's CliRunner on real homes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from shopmind.cli import main
from tests.conftest import head_lines

PRODUCTS = [
    # sku_code, title, price, category
    ("A1", "声浪 无线耳机 S1 主动降噪 黑色", "299", "Electronics > Audio > Headphones"),
    ("A2", "QuietBeat Wireless Earbuds X2", "59.99", "Electronics > Audio > Headphones"),
    ("A3", "厨乐 不粘锅 28cm 少油烟", "129", "Home & Kitchen > Cookware"),
    ("A4", "FlexCore Yoga Mat 6mm", "24.99", "Sports & Outdoors > Fitness"),
    ("A5", "星耀 智能手机 8+256GB", "2999", "Electronics > Phones > Smartphones"),
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh data home with progress bars off."""
    path = tmp_path / "home"
    path.mkdir()
    (path / "shopmind.toml").write_text("[ingest]\nprogress = false\n", encoding="utf-8")
    return path


def _run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def _ok(home: Path, *args: str) -> Result:
    result = _run(home, *args)
    assert result.exit_code == 0, (
        f"shopmind {' '.join(args)} exited {result.exit_code}\n{result.output}"
        + (f"\n{result.exception!r}" if result.exception else "")
    )
    return result


def _json(result: Result) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


def _stats(home: Path) -> dict[str, Any]:
    data: dict[str, Any] = _json(_ok(home, "stats", "--json"))
    return data


def _write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def products_csv(tmp_path: Path) -> Path:
    return _write_csv(
        tmp_path / "catalog.csv", ["sku_code", "title", "price", "category"], list(PRODUCTS)
    )


@pytest.fixture
def loaded(home: Path, products_csv: Path) -> Path:
    """A home holding the five products of PRODUCTS."""
    _ok(home, "ingest", "products", str(products_csv), "--map", "id=sku_code")
    return home


def _event_rows(n: int, with_ids: bool = False) -> list[tuple[str, ...]]:
    items = [p[0] for p in PRODUCTS]
    types = ["view", "click", "cart", "purchase"]
    rows = []
    for i in range(n):
        row = (f"u{i % 4}", items[i % len(items)], types[i % 4], f"2025-03-0{1 + i % 9}T12:00:00Z")
        rows.append((f"e{i:03d}", *row) if with_ids else row)
    return rows


# -- help, version, config --------------------------------------------------------------------
def test_help_lists_the_subcommands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "build", "serve", "demo", "stats", "products", "config"):
        assert command in result.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "0.1.0" in result.output


def test_config_prints_json(home: Path) -> None:
    data = json.loads(_ok(home, "config").stdout)
    assert data["home"] == str(home)
    assert data["serve"]["port"] == 8000
    assert data["ingest"]["progress"] is False  # from HOME/shopmind.toml


def test_config_error_exits_1_naming_the_key(home: Path) -> None:
    (home / "shopmind.toml").write_text("[serve]\nprot = 1\n", encoding="utf-8")
    result = _run(home, "config")
    assert result.exit_code == 1
    assert "serve.prot" in result.stderr


def test_config_option_reads_the_given_file(home: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("[serve]\nport = 9100\n", encoding="utf-8")
    data = json.loads(_ok(home, "--config", str(other), "config").stdout)
    assert data["serve"]["port"] == 9100
    assert data["ingest"]["progress"] is True  # HOME/shopmind.toml is not read then


# -- products ---------------------------------------------------------------------------------
def test_ingest_products_with_map(loaded: Path) -> None:
    stats = _stats(loaded)
    assert stats["products"] == len(PRODUCTS)
    zh = json.loads(_ok(loaded, "products", "get", "A1").stdout)
    assert zh["title"] == PRODUCTS[0][1]
    assert zh["language"] == "zh"
    assert zh["price"] == 299.0
    assert zh["category"] == "Electronics > Audio > Headphones"
    en = json.loads(_ok(loaded, "products", "get", "A2").stdout)
    assert en["language"] == "en"
    assert en["price"] == 59.99


def test_ingest_products_json_report(home: Path, products_csv: Path) -> None:
    report = _json(
        _ok(home, "ingest", "products", str(products_csv), "--map", "id=sku_code", "--json")
    )
    assert report["kind"] == "products"
    assert report["inserted"] == len(PRODUCTS)
    assert report["updated"] == 0
    assert report["rejected"] == 0
    again = _json(
        _ok(home, "ingest", "products", str(products_csv), "--map", "id=sku_code", "--json")
    )
    assert again["inserted"] == 0
    assert again["updated"] == len(PRODUCTS)
    assert _stats(home)["products"] == len(PRODUCTS)


def test_ingest_products_unknown_map_column(home: Path, products_csv: Path) -> None:
    result = _run(home, "ingest", "products", str(products_csv), "--map", "id=nope")
    assert result.exit_code == 1
    assert "nope" in result.stderr
    assert "sku_code" in result.stderr  # lists the file's columns


def test_ingest_missing_file(home: Path, tmp_path: Path) -> None:
    result = _run(home, "ingest", "products", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert "missing.csv" in result.stderr


def _bad_catalog(tmp_path: Path) -> Path:
    rows = [
        ("B1", "Good Product One", "10", "Toys"),
        ("B2", "Good Product Two", "12.5", "Toys"),
        ("B3", "Bad Price Product", "-5", "Toys"),
        ("B4", "Good Product Four", "8", "Toys"),
    ]
    return _write_csv(tmp_path / "bad.csv", ["id", "title", "price", "category"], rows)


def test_invalid_row_refuses_the_whole_file(loaded: Path, tmp_path: Path) -> None:
    before = _stats(loaded)
    result = _run(loaded, "ingest", "products", str(_bad_catalog(tmp_path)))
    assert result.exit_code != 0
    assert "row 3" in result.stderr
    assert "price" in result.stderr
    assert "nothing was stored" in result.stderr
    after = _stats(loaded)
    assert after["products"] == before["products"]
    assert after["events"] == before["events"]
    assert _run(loaded, "products", "get", "B1").exit_code == 1


def test_skip_invalid_stores_valid_rows_and_writes_rejects(home: Path, tmp_path: Path) -> None:
    report = _json(
        _ok(home, "ingest", "products", str(_bad_catalog(tmp_path)), "--skip-invalid", "--json")
    )
    assert report["inserted"] == 3
    assert report["rejected"] == 1
    assert _stats(home)["products"] == 3
    assert _run(home, "products", "get", "B3").exit_code == 1
    rejects = list((home / "rejects").glob("*.jsonl"))
    assert len(rejects) == 1
    assert report["reject_file"] == str(rejects[0])
    lines = [json.loads(line) for line in rejects[0].read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    assert lines[0]["row"] == 3
    assert lines[0]["record"]["id"] == "B3"
    assert lines[0]["errors"][0]["field"] == "price"
    assert lines[0]["errors"][0]["row"] == 3


def test_products_list_pagination(loaded: Path) -> None:
    page = _json(_ok(loaded, "products", "list", "--limit", "2", "--offset", "1", "--json"))
    assert page["total"] == len(PRODUCTS)
    assert page["offset"] == 1
    assert page["limit"] == 2
    assert [p["id"] for p in page["items"]] == ["A2", "A3"]
    last = _json(_ok(loaded, "products", "list", "--limit", "2", "--offset", "4", "--json"))
    assert [p["id"] for p in last["items"]] == ["A5"]
    text = _ok(loaded, "products", "list", "--limit", "2").stdout
    assert "1-2 of 5" in text


def test_products_list_category_subtree(loaded: Path) -> None:
    page = _json(_ok(loaded, "products", "list", "--category", "Electronics", "--json"))
    assert page["total"] == 3
    assert {p["id"] for p in page["items"]} == {"A1", "A2", "A5"}


def test_products_delete(loaded: Path) -> None:
    result = _ok(loaded, "products", "delete", "A1", "A2", "ZZZ")
    assert "deleted 2 of 3" in result.stdout
    gone = _run(loaded, "products", "get", "A1")
    assert gone.exit_code == 1
    assert "A1" in gone.stderr
    assert _stats(loaded)["products"] == len(PRODUCTS) - 2


def test_products_get_unknown_id(loaded: Path) -> None:
    result = _run(loaded, "products", "get", "NOPE-7")
    assert result.exit_code == 1
    assert "NOPE-7" in result.stderr
    assert "does not exist" in result.stderr


def test_partial_ingest_updates_only_given_columns(loaded: Path, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "prices.csv", ["id", "price"], [("A1", "199"), ("A4", "")])
    report = _json(_ok(loaded, "ingest", "products", str(path), "--partial", "--json"))
    assert report["updated"] == 2
    a1 = json.loads(_ok(loaded, "products", "get", "A1").stdout)
    assert a1["price"] == 199.0
    assert a1["title"] == PRODUCTS[0][1]
    a4 = json.loads(_ok(loaded, "products", "get", "A4").stdout)
    assert a4["price"] == 24.99  # a blank cell changes nothing


def test_partial_ingest_of_unknown_product_changes_nothing(loaded: Path, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "prices.csv", ["id", "price"], [("A1", "1"), ("GHOST", "2")])
    result = _run(loaded, "ingest", "products", str(path), "--partial")
    assert result.exit_code == 1
    assert "GHOST" in result.stderr
    assert json.loads(_ok(loaded, "products", "get", "A1").stdout)["price"] == 299.0


# -- events, stats, build ---------------------------------------------------------------------
def test_ingest_events_and_stats(loaded: Path, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "events.csv", ["user_id", "item_id", "type", "timestamp"], _event_rows(12)
    )
    report = _json(_ok(loaded, "ingest", "events", str(path), "--json"))
    assert report["inserted"] == 12
    stats = _stats(loaded)
    assert stats["events"] == 12
    assert stats["products"] == len(PRODUCTS)
    assert stats["visitors"] == 4
    assert stats["events_by_type"] == {"view": 3, "click": 3, "cart": 3, "purchase": 3}
    assert stats["latest_ingests"][0]["kind"] == "events"


def test_ingest_events_with_ids_is_idempotent(loaded: Path, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "events.csv",
        ["event_id", "user_id", "item_id", "type", "timestamp"],
        _event_rows(10, with_ids=True),
    )
    first = _json(_ok(loaded, "ingest", "events", str(path), "--json"))
    assert first["inserted"] == 10
    assert first["duplicates"] == 0
    second = _json(_ok(loaded, "ingest", "events", str(path), "--json"))
    assert second["inserted"] == 0
    assert second["duplicates"] == 10
    assert _stats(loaded)["events"] == 10


def test_ingest_events_without_type_needs_type_option(loaded: Path, tmp_path: Path) -> None:
    rows = [row[:2] + row[3:] for row in _event_rows(6)]
    path = _write_csv(tmp_path / "views.csv", ["user_id", "item_id", "timestamp"], rows)
    refused = _run(loaded, "ingest", "events", str(path))
    assert refused.exit_code == 1
    assert "--type" in refused.stderr
    assert _stats(loaded)["events"] == 0
    report = _json(_ok(loaded, "ingest", "events", str(path), "--type", "view", "--json"))
    assert report["inserted"] == 6
    assert _stats(loaded)["events_by_type"] == {"view": 6}


def test_ingest_events_unknown_type_option(loaded: Path, tmp_path: Path) -> None:
    rows = [row[:2] for row in _event_rows(2)]
    path = _write_csv(tmp_path / "views.csv", ["user_id", "item_id"], rows)
    result = _run(loaded, "ingest", "events", str(path), "--type", "teleport")
    assert result.exit_code == 1
    assert "teleport" in result.stderr
    assert "purchase" in result.stderr  # lists the allowed types


def test_build_after_events(loaded: Path, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "events.csv", ["user_id", "item_id", "type", "timestamp"], _event_rows(12)
    )
    _ok(loaded, "ingest", "events", str(path))
    manifest = _json(_ok(loaded, "build", "--json"))
    assert manifest["interactions"] > 0
    assert manifest["events"] == 12
    assert manifest["products"] == len(PRODUCTS)
    stats = _stats(loaded)
    assert stats["build"] is not None
    assert stats["build"]["id"] == manifest["id"]


def test_stats_text(loaded: Path) -> None:
    text = _ok(loaded, "stats").stdout
    assert "products: 5" in text
    assert "events: 0" in text
    assert "build: none" in text


def test_stats_on_empty_home(home: Path) -> None:
    stats = _stats(home)
    assert stats["products"] == 0
    assert stats["events"] == 0
    assert stats["build"] is None
    assert stats["home"] == str(home)


# -- demo -------------------------------------------------------------------------------------
def test_demo_no_serve_builds_once(tmp_path: Path) -> None:
    home = tmp_path / "demo-home"
    first = _ok(home, "demo", "--no-serve")
    stats = _stats(home)
    assert stats["products"] >= 300
    assert stats["events"] > 1_000
    assert stats["build"] is not None
    assert "ready" in first.stderr
    second = _ok(home, "demo", "--no-serve")
    assert "already holds a shop" in second.stderr
    again = _stats(home)
    assert again["products"] == stats["products"]
    assert again["events"] == stats["events"]


# -- real data --------------------------------------------------------------------------------
def test_ingest_recbole_item_file(home: Path, tmp_path: Path, data_dir: Path) -> None:
    src = head_lines(data_dir / "amazon-games" / "Games-6k.item", tmp_path / "Games-6k.item", 200)
    report = _json(_ok(home, "ingest", "products", str(src), "--json"))
    assert report["format"] == "recbole"
    assert report["inserted"] == 199
    assert report["rejected"] == 0
    assert _stats(home)["products"] == 199
    first = json.loads(_ok(home, "products", "get", "0").stdout)
    assert first["title"] == "Fire Emblem: The Sacred Stones"
    assert first["language"] == "en"
