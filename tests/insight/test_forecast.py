"""Demand forecasts: reading transaction logs, weekly series, the backtest protocol and the
forecasters on small seeded shops whose answer is known."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.errors import InvalidFile, InvalidInput, TrainingError
from shopmind.insight.backtest import origins_for, run_backtest
from shopmind.insight.demand import calendar
from shopmind.insight.forecasters import Forecast, make_forecaster
from shopmind.insight.gbm import GlobalBoosting
from shopmind.insight.reconcile import reconcile
from shopmind.insight.series import build_panel
from shopmind.insight.stock import advise
from shopmind.insight.transactions import is_non_product, read_transactions

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
          "CustomerID", "Country"]  # fmt: skip


def _shop(path: Path, weeks: int = 30, products: int = 12, seed: int = 3) -> Path:
    """A seeded shop: product k sells about (k+1)*3 units a week, trending up for even k,
    plus one cancellation, one postage line and one guest line per week."""
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1, 9, 0)  # a Monday
    rows: list[list[object]] = []
    invoice = 1000
    for w in range(weeks):
        for k in range(products):
            rate = (k + 1) * 3 * (1 + (0.04 * w if k % 2 == 0 else 0))
            units = int(rng.poisson(rate))
            if units == 0:
                continue
            invoice += 1
            when = start + timedelta(days=7 * w + int(rng.integers(0, 7)), minutes=k)
            rows.append([invoice, f"{20000 + k}", f"THING {k}", units, when, 2.5, 12345 + k, "UK"])
        day = start + timedelta(days=7 * w + 2)
        rows.append([f"C{invoice}", "20001", "THING 1", -2, day, 2.5, 12346, "UK"])
        rows.append([invoice, "POST", "POSTAGE", 1, day, 18.0, 12346, "UK"])
        rows.append([invoice + 90000, "20002", "THING 2", 1, day, 2.5, "", "UK"])
    with gzip.open(path, "wt", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for r in rows:
            out.writerow(
                [x.strftime("%Y-%m-%d %H:%M:%S") if isinstance(x, datetime) else x for x in r]
            )
    return path


def test_reading_leaves_out_and_counts_what_is_not_demand(tmp_path: Path) -> None:
    sales = read_transactions(_shop(tmp_path / "t.csv.gz", weeks=4))
    c = sales.cleaning
    assert c.cancellations == 4 and c.non_product == 4
    assert c.units_returned == 8
    assert c.kept == len(sales) == c.lines - 8
    assert "POST" not in set(sales.item)
    assert "" in set(sales.customer)  # a guest line is still demand
    assert "cancellations" in c.render()


def test_non_product_codes() -> None:
    assert is_non_product("POST") and is_non_product("BANK CHARGES") and is_non_product("M")
    assert is_non_product("C2", "CARRIAGE")
    assert not is_non_product("85123A", "WHITE HANGING HEART T-LIGHT HOLDER")


def test_bad_rows_name_the_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice\n"
        "1,20001,3,2024-01-02 10:00:00,2.5\n"
        "2,20002,2,yesterday,2.5\n"
        "3,20003,1,2024-01-03 10:00:00,-4\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as err:
        read_transactions(path)
    text = str(err.value)
    assert "row 2" in text and "'InvoiceDate'" in text and "not a date" in text
    assert "row 3" in text and "'UnitPrice'" in text and "negative price" in text


def test_missing_columns_say_how_to_map(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match="--map item=COLUMN"):
        read_transactions(path)
    path.write_text("code,n,when\nX1,2,2024-01-01\n", encoding="utf-8")
    sales = read_transactions(path, ["item=code", "quantity=n", "time=when"])
    assert list(sales.item) == ["X1"] and np.isnan(sales.price[0])


def test_weeks_end_on_sunday_and_a_partial_last_week_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    lines = ["StockCode,Quantity,InvoiceDate,UnitPrice"]
    day = date(2024, 1, 3)  # a Wednesday
    for d in range(20):  # to Monday 2024-01-22: the week of the 22nd is partial
        lines.append(f"10001,1,{day + timedelta(days=d)} 10:00:00,1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    panel = build_panel(read_transactions(path), "W")
    assert panel.start == date(2024, 1, 1)  # the Monday of the first week
    assert panel.period_end(0) == date(2024, 1, 7)  # a Sunday
    assert panel.periods == 3  # the weeks of Jan 1, 8 and 15; Jan 22's is dropped
    assert panel.units[0].tolist() == [5.0, 7.0, 7.0]


def test_origins_follow_the_protocol_and_check_limits() -> None:
    assert origins_for(39, 4, 12) == list(range(27, 36))
    with pytest.raises(TrainingError, match="1 to 12"):
        origins_for(39, 13, 12)
    with pytest.raises(TrainingError, match="needs at least 20"):
        origins_for(15, 4, 12)


def test_reconciled_products_add_up_to_the_total() -> None:
    bottom = Forecast(np.array([[10.0], [20.0]]), np.array([[5.0], [10.0]]),
                      np.array([[15.0], [30.0]]))  # fmt: skip
    total = Forecast(np.array([[36.0]]), np.array([[35.0]]), np.array([[37.0]]))
    out = reconcile(bottom, total, [np.array([0, 1])])
    assert out.mean.sum() == pytest.approx(35.9, abs=0.2)  # the confident total wins
    assert out.mean[1, 0] - 20 > out.mean[0, 0] - 10  # the wider product moves more


def test_stock_advice_orders_below_the_reorder_point() -> None:
    fc = Forecast(np.full((2, 4), 10.0), np.full((2, 4), 5.0), np.full((2, 4), 15.0))
    advice = advise(["low", "high"], fc, {"low": 5.0, "high": 500.0}, lead_time=2, review=1)
    low = next(a for a in advice if a.product == "low")
    high = next(a for a in advice if a.product == "high")
    assert advice[0].product == "low" and low.stockout_risk is not None
    assert low.stockout_risk > 0.99 and low.order_quantity > 25 and low.reorder_point > 20
    assert high.order_quantity == 0 and high.action == "enough stock"
    assert high.periods_of_cover == 4.0
    with pytest.raises(TrainingError, match="horizon"):
        advise(["x"], fc, {}, lead_time=4, review=1)


def test_global_model_beats_naive_on_a_trending_shop(tmp_path: Path) -> None:
    panel = build_panel(read_transactions(_shop(tmp_path / "t.csv.gz")), "W")
    result = run_backtest(
        panel,
        horizon=4,
        window=8,
        top=12,
        methods=["shopmind", "naive", "seasonal_naive"],
        forecasters={"shopmind": GlobalBoosting(trees=60)},
        progress=False,
    )
    assert "seasonal_naive" in result.skipped  # 30 weeks: no two seasons
    ours, naive = result.methods["shopmind"], result.methods["naive"]
    assert ours.wape < naive.wape
    assert 0.5 < ours.coverage80 <= 1.0
    assert result.summary()["origins"] == 5


def test_unknown_method_lists_the_known_ones() -> None:
    with pytest.raises(Exception, match="naive, seasonal_naive, ets, theta"):
        make_forecaster("prophet")


def test_evaluate_forecast_cli_ends_with_the_contract_line(tmp_path: Path) -> None:
    data = _shop(tmp_path / "t.csv.gz")
    result = CliRunner().invoke(
        main,
        ["--home", str(tmp_path / "home"), "evaluate", "forecast", "--transactions", str(data),
         "--window", "8", "--top", "12", "--methods", "shopmind,naive,ets", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["series"] == 12
    assert set(last["methods"]) == {"shopmind", "naive", "ets"}
    assert {"wape", "mase", "coverage80"} <= set(last["methods"]["ets"])
    assert last["cleaning"]["cancellations"] == 30


def test_evaluate_forecast_refuses_a_horizon_longer_than_the_history(tmp_path: Path) -> None:
    data = _shop(tmp_path / "t.csv.gz", weeks=10)
    result = CliRunner().invoke(
        main, ["--home", str(tmp_path / "h"), "evaluate", "forecast", "--transactions", str(data)]
    )
    assert result.exit_code == 1
    assert "full periods; a backtest over the last 12 needs at least 20" in result.output


def test_analyze_forecast_from_the_store_serves_fans_and_stock(tmp_path: Path) -> None:
    from shopmind.config import load
    from shopmind.serve import create_app
    from tests.serve.test_search_api import TestClient

    home = tmp_path / "home"
    data = _shop(tmp_path / "t.csv.gz", weeks=24)
    runner = CliRunner()
    ingest = runner.invoke(
        main,
        ["--home", str(home), "ingest", "events", str(data), "--type", "purchase",
         "--map", "user_id=CustomerID", "--map", "session_id=InvoiceNo",
         "--map", "item_id=StockCode", "--map", "timestamp=InvoiceDate",
         "--map", "quantity=Quantity", "--map", "price=UnitPrice", "--skip-invalid"],
    )  # fmt: skip
    assert ingest.exit_code == 0, ingest.output
    before = runner.invoke(main, ["--home", str(home), "analyze", "stock"])
    assert before.exit_code == 1 and "shopmind analyze forecast" in before.output
    made = runner.invoke(
        main, ["--home", str(home), "analyze", "forecast", "--horizon", "4", "--json"]
    )
    assert made.exit_code == 0, made.output
    summary = json.loads(made.stdout.strip().splitlines()[-1])
    assert summary["products"] == 12 and summary["horizon"] == 4
    assert len(summary["total_forecast"]) == 4 and min(summary["total_forecast"]) > 0
    with TestClient(create_app(load(home=str(home)))) as client:
        total = client.get("/insight/forecast").json()
        one = client.get("/insight/forecast", params={"product": "20011"}).json()
        missing = client.get("/insight/forecast", params={"product": "nope"})
        stock = client.get("/insight/stock", params={"limit": 3}).json()
        parts = [
            client.get("/insight/forecast", params={"product": s["key"].split(":", 1)[1]}).json()
            for s in total["series"]
            if s["key"].startswith("product:")
        ]
    fan = one["forecast"]
    assert len(fan["p50"]) == 4 and all(
        lo <= mid <= hi for lo, mid, hi in zip(fan["p10"], fan["p50"], fan["p90"], strict=True)
    )
    assert len(parts) == 12
    sums = np.sum([p["forecast"]["p50"] for p in parts], axis=0)
    assert np.allclose(sums, total["forecast"]["p50"], rtol=1e-3, atol=0.01)  # they add up
    assert len(total["periods"]) == total["past_periods"] + 4
    assert missing.status_code == 404 and "analyze forecast --top" in missing.text
    assert len(stock["stock"]) == 3 and stock["stock"][0]["action"] == "stock unknown"


def test_calendar_features_only_where_two_years_show_seasons(tmp_path: Path) -> None:
    short = build_panel(read_transactions(_shop(tmp_path / "s.csv.gz", weeks=30)), "W")
    long = build_panel(read_transactions(_shop(tmp_path / "l.csv.gz", weeks=110)), "W")
    assert calendar(short, 10) == ()
    week, month = calendar(long, 10)
    first = long.period_start(10)
    assert (week, month) == (first.isocalendar().week, first.month)
    days = build_panel(read_transactions(_shop(tmp_path / "d.csv.gz", weeks=10)), "D")
    assert calendar(days, 3) == (float(days.period_start(3).weekday()),)


def test_conformal_calibration_brings_coverage_towards_80_percent(tmp_path: Path) -> None:
    raw_in: list[float] = []
    tuned_in: list[float] = []
    for products, seed in ((40, 5), (80, 3)):
        file = _shop(tmp_path / f"t{seed}.csv.gz", products=products, seed=seed)
        panel = build_panel(read_transactions(file), "W")
        raw = GlobalBoosting(trees=60, calibrate=False).forecast(panel, 24, 4, products)
        tuned = GlobalBoosting(trees=60).forecast(panel, 24, 4, products)
        np.testing.assert_allclose(tuned.mean, raw.mean)  # the median is untouched
        actual = panel.units[:products, 24:28]
        for f, into in ((raw, raw_in), (tuned, tuned_in)):
            into.extend(((actual >= f.lower) & (actual <= f.upper)).ravel().astype(float))
    assert np.mean(raw_in) < np.mean(tuned_in)  # quantile models on past rows: too narrow
    assert 0.75 <= np.mean(tuned_in) <= 0.85
