"""Transaction logs (the Online Retail layout) in through ``ingest events``: order lines become
purchase events with units and unit prices, cancellations become counted returns."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.config import EventsConfig, Settings
from shopmind.errors import InvalidInput
from shopmind.events.matrix import build_interactions
from shopmind.ingest import ingest_events
from shopmind.store import Store
from tests.conftest import write

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
LINES = (
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,"
    "United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom\n"
    "536366,22632,HAND WARMER RED POLKA DOT,6,2010-12-01 08:28:00,1.85,,United Kingdom\n"
    "C536379,71053,WHITE METAL LANTERN,-2,2010-12-01 09:41:00,3.39,17850.0,United Kingdom\n"
    "536380,22961,JAM MAKING SET PRINTED,24,2010-12-01 09:45:00,1.45,12583,France\n"
)
NEGATIVE_PRICE = "A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,-11062.06,,United Kingdom\n"
MAP = (
    "user_id=CustomerID",
    "session_id=InvoiceNo",
    "item_id=StockCode",
    "timestamp=InvoiceDate",
    "quantity=Quantity",
    "price=UnitPrice",
)


def gz(path: Path, text: str) -> Path:
    """Write ``text`` gzip-compressed."""
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


def test_order_lines_become_purchases_and_a_cancellation_a_return(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    src = gz(tmp_path / "retail.csv.gz", HEADER + LINES)
    report = ingest_events(store, src, settings.ingest, mapping=MAP, default_type="purchase")
    assert (report.rows, report.inserted, report.rejected) == (6, 6, 0)
    assert report.quality["events_by_type"] == {"purchase": 5, "return": 1}
    assert report.quality["purchases_read_as_returns"] == 1
    assert any("1 purchase row(s) with a negative quantity" in n for n in report.notes)
    assert report.quality["unknown_item_events"] == 6  # no catalog yet: kept and counted
    assert report.quality["anonymous_events"] == 2
    assert report.quality["bot_like_visitors"] == 0

    (returned,) = store.list_events(visitor="17850", types=("return",))
    assert (returned.item_id, returned.quantity, returned.price) == ("71053", 2.0, 3.39)
    assert returned.session_id == "C536379"  # the invoice groups an order's lines
    bought = store.list_events(visitor="17850", types=("purchase",))
    assert sorted((e.item_id, e.quantity, e.price) for e in bought) == [
        ("71053", 6.0, 3.39),
        ("85123A", 6.0, 2.55),
    ]
    first = next(e for e in bought if e.item_id == "85123A")
    assert first.user_id == "17850"  # not 17850.0
    assert first.ts == datetime(2010, 12, 1, 8, 26, tzinfo=UTC).timestamp()
    assert first.context == {
        "Description": "WHITE HANGING HEART T-LIGHT HOLDER",
        "Country": "United Kingdom",
    }
    guest = store.list_events(visitor="~536366")  # no CustomerID: the invoice is the visitor
    assert {(e.user_id, e.item_id) for e in guest} == {(None, "22633"), (None, "22632")}
    assert store.list_events(visitor="12583")[0].context["Country"] == "France"


def test_returns_are_not_interest(tmp_path: Path, store: Store, settings: Settings) -> None:
    # decided in issue 21: a return weighs 0 (events.weights lists no "return"), so a
    # cancelled line neither adds to nor takes from what the visitor is shown
    assert "return" not in EventsConfig().weights
    src = gz(tmp_path / "retail.csv.gz", HEADER + LINES)
    ingest_events(store, src, settings.ingest, mapping=MAP, default_type="purchase")
    inter = build_interactions(store.iter_events(), EventsConfig(half_life_days=0))
    row = inter.visitors.index("17850")
    weights = dict(zip(inter.items, inter.matrix.toarray()[row], strict=True))
    assert weights["71053"] == weights["85123A"] == EventsConfig().weights["purchase"]


def test_a_negative_price_refuses_the_file_naming_row_and_field(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    ok = gz(tmp_path / "ok.csv.gz", HEADER + LINES)
    ingest_events(store, ok, settings.ingest, mapping=MAP, default_type="purchase")
    before = store.count_events()
    zero = "536381,22961,JAM MAKING SET PRINTED,0,2010-12-01 09:45:00,1.45,12583,France\n"
    bad = write(tmp_path / "bad.csv", HEADER + NEGATIVE_PRICE + LINES + zero)
    with pytest.raises(InvalidInput) as caught:
        ingest_events(store, bad, settings.ingest, mapping=MAP, default_type="purchase")
    text = str(caught.value)
    assert "row 1: field 'price'" in text and "must not be negative" in text
    assert "unit price" in text  # the fix
    assert "row 8: field 'quantity'" in text  # quantity 0 is no order line
    assert store.count_events() == before  # nothing stored

    skipped = ingest_events(
        store, bad, settings.ingest, mapping=MAP, skip_invalid=True, default_type="purchase"
    )
    assert (skipped.inserted, skipped.rejected) == (6, 2)
    assert skipped.rejected_by_field == {"price": 1, "quantity": 1}
    assert skipped.quality["purchases_read_as_returns"] == 1
    assert skipped.reject_file is None  # no reject folder given
    assert store.count_events() == before + 6


def test_float_ids_from_typed_readers_lose_their_point_zero(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    rows = [
        {"user_id": 17850.0, "item_id": 22633.0, "type": "purchase", "quantity": 2},
        {"session_id": 536366.0, "item_id": "85123A", "type": "purchase", "qty": -1},
        {"user_id": "12583.0", "item_id": 1.5, "type": "view"},
    ]
    src = gz(tmp_path / "e.jsonl.gz", "".join(json.dumps(r) + "\n" for r in rows))
    report = ingest_events(store, src, settings.ingest)
    assert report.inserted == 3
    assert [e.item_id for e in store.list_events(visitor="17850")] == ["22633"]
    (ret,) = store.list_events(visitor="~536366")
    assert (ret.type, ret.quantity) == ("return", 1.0)  # the qty alias, read as a return
    assert [e.item_id for e in store.list_events(visitor="12583")] == ["1.5"]


def test_cli_reads_the_gzip_log_and_ends_with_the_json_summary(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n", encoding="utf-8")
    src = gz(tmp_path / "online_retail.csv.gz", HEADER + NEGATIVE_PRICE + LINES)
    maps = [arg for pair in MAP for arg in ("--map", pair)]
    args = ["--home", str(home), "ingest", "events", str(src), "--type", "purchase", *maps]
    result = CliRunner().invoke(main, [*args, "--skip-invalid", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["rows"], summary["inserted"], summary["rejected"]) == (7, 6, 1)
    assert summary["rejected_by_field"] == {"price": 1}
    assert summary["quality"]["events_by_type"] == {"purchase": 5, "return": 1}
    assert summary["quality"]["purchases_read_as_returns"] == 1
    rejects = [json.loads(x) for x in Path(summary["reject_file"]).read_text().splitlines()]
    assert [(r["row"], r["errors"][0]["field"]) for r in rejects] == [(1, "price")]


def test_the_first_lines_of_the_real_log(
    tmp_path: Path, data_dir: Path, store: Store, settings: Settings
) -> None:
    real = data_dir / "online-retail" / "online_retail.csv.gz"
    if not real.is_file():
        pytest.skip(f"{real} not found")
    with gzip.open(real, "rt", encoding="utf-8", newline="") as fh:
        head = [next(fh) for _ in range(2_001)]
    src = gz(tmp_path / "retail-head.csv.gz", "".join(head))
    rows = list(csv.DictReader(head))
    returns = sum(1 for r in rows if float(r["Quantity"]) < 0)
    bad_price = sum(1 for r in rows if float(r["UnitPrice"]) < 0)
    guests = sum(1 for r in rows if not r["CustomerID"])
    report = ingest_events(
        store, src, settings.ingest, mapping=MAP, skip_invalid=True, default_type="purchase"
    )
    assert report.rows == 2_000 and returns > 0 and guests > 0
    assert report.rejected == bad_price
    assert report.inserted == 2_000 - bad_price
    assert report.quality["purchases_read_as_returns"] == returns
    assert report.quality["events_by_type"]["return"] == returns
    assert report.quality["anonymous_events"] == guests
    assert report.quality["missing_timestamps"] == 0
    assert store.count_events() == report.inserted
    assert not any(e.user_id and e.user_id.endswith(".0") for e in store.list_events(limit=2_000))
    units = sum(e.quantity or 0 for b in store.iter_events() for e in b if e.type == "purchase")
    assert units == sum(float(r["Quantity"]) for r in rows if float(r["Quantity"]) > 0)
