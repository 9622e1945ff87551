"""The console's Shop page and visitor profile card in a real browser: headless Chromium
(Debian's, through Playwright, as ``test_console.py``) against a real HTTP server (uvicorn in
a thread, ``create_app``) over a small seeded shop made with the command line: a catalog, a
transaction log ingested as purchases, a few browsing sessions, ``analyze profiles`` and
``analyze forecast --horizon 4`` (no ``analyze segments``: that route answers 404).

The shop: 12 products in three departments over 20 weeks; product 20000 sells six times its
usual rate in the last week and 20001 almost stops, so the trends have a riser and a decliner.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from click.testing import CliRunner
from playwright.sync_api import BrowserContext, Page, Request, expect

from shopmind.cli import main
from shopmind.config import load
from shopmind.serve import create_app
from shopmind.web import STATIC_DIR
from tests.conftest import served
from tests.web.test_console import headless_chromium, screenshot_folder

VENDOR = STATIC_DIR / "vendor"
UPLOT = "/console/vendor/uPlot.iife.min.js"
DEPARTMENTS = ["Garden > Pots", "Kitchen > Mugs", "Home > Candles"]
WEEKS = 20
START = datetime(2024, 1, 1, 9, 0)  # a Monday


def _write_shop(folder: Path, seed: int = 7) -> tuple[Path, Path, Path]:
    """The catalog, the transaction log and the browsing sessions of the seeded shop."""
    rng = np.random.default_rng(seed)
    products = folder / "products.jsonl"
    with products.open("w", encoding="utf-8") as fh:
        for k in range(12):
            row = {
                "id": f"{20000 + k}",
                "title": f"Thing {k}",
                "category": DEPARTMENTS[k % 3],
                "price": 2.5,
                "stock": 3 if k < 4 else 400,
            }
            fh.write(json.dumps(row) + "\n")
    sales = folder / "sales.csv"
    invoice = 5000
    with sales.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]
        )
        for week in range(WEEKS):
            for k in range(12):
                rate = 4.0 + k % 4
                if k == 0 and week == WEEKS - 1:
                    rate *= 6  # the riser
                if k == 1:
                    rate = 14.0 if week < WEEKS - 1 else 0.5  # the decliner
                for _ in range(int(rng.poisson(rate))):
                    invoice += 1
                    when = START + timedelta(days=7 * week + int(rng.integers(0, 7)), minutes=k)
                    customer = 13000 + int(rng.integers(0, 40 + 3 * week))
                    qty = 1 + int(rng.integers(0, 2))
                    out.writerow(
                        [invoice, 20000 + k, qty, f"{when:%Y-%m-%d %H:%M:%S}", 2.5, customer]
                    )
    visits = folder / "visits.jsonl"
    with visits.open("w", encoding="utf-8") as fh:
        for s in range(60):
            day = START + timedelta(days=7 * (WEEKS - 4) + s % 27, hours=s % 9)
            context = {
                "device": "mobile" if s % 3 else "desktop",
                "source": "search" if s % 2 else "direct",
            }
            items = [f"{20000 + (s + j) % 12}" for j in range(3)]
            steps = [("view", i) for i in items] + [("click", i) for i in items[:2]]
            steps.append(("cart", items[0]))
            for n, (kind, item) in enumerate(steps):
                row = {
                    "user_id": f"{13000 + s % 40}",
                    "session_id": f"web{s}",
                    "item_id": item,
                    "type": kind,
                    "timestamp": (day + timedelta(minutes=n)).isoformat(),
                    "context": context,
                }
                fh.write(json.dumps(row) + "\n")
    return products, sales, visits


def _cli(home: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    assert result.exit_code == 0, (
        f"shopmind {' '.join(args)}: {result.output}\n{result.exception!r}"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeded shop, served by the real app on a free port."""
    assert (VENDOR / "uPlot.iife.min.js").is_file(), (
        f"uPlot is not vendored in {VENDOR}: run ./install.sh (it fetches it from npm)"
    )
    folder = tmp_path_factory.mktemp("shop")
    home = folder / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n", encoding="utf-8")
    products, sales, visits = _write_shop(folder)
    with pytest.MonkeyPatch.context() as env:
        for key in [k for k in os.environ if k.startswith("SHOPMIND_")]:
            env.delenv(key)
        _cli(home, "ingest", "products", str(products))
        maps = ["item_id=StockCode", "timestamp=InvoiceDate", "quantity=Quantity",
                "price=UnitPrice", "user_id=CustomerID", "session_id=InvoiceNo"]  # fmt: skip
        _cli(home, "ingest", "events", str(sales), "--type", "purchase",
             *[arg for m in maps for arg in ("--map", m)])  # fmt: skip
        _cli(home, "ingest", "events", str(visits))
        _cli(home, "analyze", "profiles")
        _cli(home, "analyze", "forecast", "--horizon", "4")
        with served(create_app(load(home=home))) as base:
            yield base


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$CONSOLE_SCREENSHOTS`` when set (README's pictures)."""
    return screenshot_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from headless_chromium(tmp_path_factory, 900)


@pytest.fixture
def sent() -> list[Request]:
    """Every request the page makes, checked after the test: none leaves the server."""
    return []


@pytest.fixture
def page(browser: BrowserContext, server: str, sent: list[Request]) -> Iterator[Page]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda r: sent.append(r))
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"
    away = [r.url for r in sent if not r.url.startswith((f"{server}/", "data:", "blob:"))]
    assert away == [], f"the console fetched from elsewhere: {away}"


def _get(server: str, path: str, **params: str) -> Any:
    return httpx.get(f"{server}{path}", params=params, timeout=30).json()


def _sig(value: float) -> str:
    """A p or q value as the page writes it: 0.0031, or 6.3e-8 below 0.001."""
    if value and abs(value) < 0.001:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.2g}"


def _drawn_pixels(page: Page, selector: str) -> int:
    """Non-transparent pixels on the canvas under ``selector``."""
    count: int = page.locator(f"{selector} canvas").evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    return count


def test_the_shop_page_draws_every_route_with_the_vendored_chart_library(
    page: Page, server: str, sent: list[Request], shots: Path
) -> None:
    page.goto(f"{server}/#shop")
    chart = page.locator("#forecast-chart")
    expect(chart.locator(".uplot canvas")).to_be_visible()
    # uPlot came from the package, and nothing left 127.0.0.1 (checked by the fixture too)
    scripts = [r for r in sent if r.url.endswith("uPlot.iife.min.js")]
    assert [r.url for r in scripts] == [f"{server}{UPLOT}"]
    response = scripts[0].response()
    assert response is not None and response.status == 200
    assert response.body() == (VENDOR / "uPlot.iife.min.js").read_bytes()
    assert all(r.url.startswith(f"{server}/") for r in sent)
    # the fan chart: the route's numbers in uPlot, drawn on the canvas, the band between p10/p90
    data = _get(server, "/insight/forecast")
    past = len(data["history"])
    columns = chart.evaluate("host => host.chart.data.map(c => Array.from(c))")
    assert columns[1][:past] == data["history"]
    assert columns[2][past:] == data["forecast"]["p50"]
    assert columns[3][past:] == data["forecast"]["p90"]
    assert columns[4][past:] == data["forecast"]["p10"]
    assert chart.evaluate("host => host.chart.bands.map(b => b.series)") == [[3, 4]]
    assert _drawn_pixels(page, "#forecast-chart") > 2000
    assert "80%" in (chart.get_attribute("aria-label") or "")
    # the funnel: four steps with the route's units, and a breakdown by source
    funnel = _get(server, "/insight/funnels")
    steps = page.locator("#funnel .funnel-step")
    expect(steps).to_have_count(4)
    assert steps.evaluate_all("s => s.map(e => e.dataset.step)") == funnel["steps"]
    shown = [int(t.replace(",", "")) for t in page.locator(".funnel-units").all_inner_texts()]
    assert shown == funnel["overall"]["units"] and shown[0] > shown[3] > 0
    rate = f"{100 * funnel['overall']['rates'][0]:.1f}%"
    assert rate in steps.nth(1).inner_text()
    groups = page.locator("#funnel-breakdown tr[data-group]")
    assert sorted(groups.evaluate_all("r => r.map(e => e.dataset.group)")) == sorted(
        funnel["by_source"]
    )
    page.locator("#funnel-by").select_option("by_category")
    expect(groups).to_have_count(len(funnel["by_category"]))
    # trends: the riser and the decliner, each row with a sparkline of its weekly series
    trends = _get(server, "/insight/trends", window="7", baseline="28", on="purchase", top="10")
    rising = page.locator('.trends[data-direction="rising"] tr.trend[data-kind="products"]')
    declining = page.locator('.trends[data-direction="declining"] tr.trend[data-kind="products"]')
    expect(rising.first).to_be_visible()
    assert rising.first.get_attribute("data-id") == "20000"
    assert declining.first.get_attribute("data-id") == "20001"
    for row in [*rising.all(), *declining.all()]:
        points = row.locator("svg.spark polyline").get_attribute("points") or ""
        trend = next(
            t
            for d in ("rising", "declining")
            for t in trends[d]["products"]
            if t["id"] == row.get_attribute("data-id")
        )
        assert len(points.split()) == len(trend["weekly"]) > 1
        assert float(row.get_attribute("data-q") or "nan") == trend["q"] <= 0.05
        assert _sig(trend["q"]) in row.inner_text()
        assert row.locator("td").nth(2).inner_text() == f"{trend['change_pct']:+,.1f}%"
    # cohorts as a heat map; the stock advice from the forecast
    cohorts = _get(server, "/insight/cohorts", period="month")
    expect(page.locator("#cohorts tr.cohort")).to_have_count(len(cohorts["cohorts"]))
    assert page.locator("#cohorts td.heat[style*='rgba']").count() > 0
    stock = _get(server, "/insight/stock", limit="20")["stock"]
    expect(page.locator("#stock tr[data-product]")).to_have_count(len(stock))
    assert (
        page.locator("#stock tr[data-product]").first.get_attribute("data-product")
        == (stock[0]["product"])
    )
    # searches: no searches in this shop, the tables say none; segments were never made: 404
    expect(page.locator("#searches h4")).to_have_count(4)
    segments = httpx.get(f"{server}/insight/segments")
    assert segments.status_code == 404
    expect(page.locator("#segments-status")).to_have_class("status error")
    assert segments.json()["message"] in page.locator("#segments-status").inner_text()
    assert page.locator("#segments tr").count() == 0
    page.screenshot(path=str(shots / "console-shop.png"), full_page=True)


def test_the_forecast_selector_draws_a_category_and_a_product_from_the_stock_list(
    page: Page, server: str
) -> None:
    page.goto(f"{server}/#shop")
    chart = page.locator("#forecast-chart")
    expect(chart.locator(".uplot canvas")).to_be_visible()
    select = page.locator("#forecast-series")
    keys = select.locator("option").evaluate_all("o => o.map(e => e.value)")
    series = _get(server, "/insight/forecast")["series"]
    assert keys == ["total", *[s["key"] for s in series]]
    select.select_option("category:Kitchen")
    expect(page.locator("#forecast-status")).to_contain_text("Kitchen")
    kitchen = _get(server, "/insight/forecast", category="Kitchen")
    columns = chart.evaluate("host => host.chart.data.map(c => Array.from(c))")
    assert columns[2][len(kitchen["history"]) :] == kitchen["forecast"]["p50"]
    assert "series=category%3AKitchen" in page.url
    row = page.locator("#stock tr[data-product]").first
    product = row.get_attribute("data-product")
    row.get_by_role("button").click()
    expect(select).to_have_value(f"product:{product}")
    expect(page.locator("#forecast-status")).to_contain_text(f"Thing {int(product or 0) - 20000}")
    assert _drawn_pixels(page, "#forecast-chart") > 1000


def test_errors_and_a_missing_chart_library_are_said_in_the_page(page: Page, server: str) -> None:
    # the library not installed (its file gone): how to get it, instead of a blank chart
    page.route(f"**{UPLOT}", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(f"{server}/#shop")
    status = page.locator("#forecast-status")
    expect(status).to_contain_text("./install.sh")
    expect(status).to_have_class("status error")
    assert "uplot@1.6.32" in status.inner_text()
    assert page.locator("#forecast-chart canvas").count() == 0
    expect(page.locator("#funnel .funnel-step")).to_have_count(4)  # the rest still draws
    # installed again: a product without a forecast says so, then the total draws
    page.unroute(f"**{UPLOT}")
    page.goto(f"{server}/#shop?series=product:no-such-product")
    expect(status).to_contain_text("no forecast for product:no-such-product")
    expect(status).to_have_class("status error")
    assert page.locator("#forecast-chart canvas").count() == 0
    page.goto(f"{server}/#shop")
    expect(page.locator("#forecast-chart .uplot canvas")).to_be_visible()
    expect(status).not_to_have_class("status error")


def test_the_visitor_view_shows_the_profile(page: Page, server: str, shots: Path) -> None:
    visitor = "13005"
    profile = _get(server, f"/visitors/{visitor}/profile")
    page.goto(f"{server}/#visitor/{visitor}")
    card = page.locator("#visitor-card")
    expect(card.locator(".profile-stage")).to_have_text(profile["lifecycle"]["stage"])
    score = profile["rfm"]["score"]
    expect(card.locator(".profile-rfm-score")).to_have_text(
        f"R{score['r']} F{score['f']} M{score['m']} = {score['rfm']}"
    )
    probability = profile["buy_again"]["probability"]
    expected = "no model yet" if probability is None else f"{100 * probability:.1f}%"
    expect(card.locator(".profile-buy-again")).to_have_text(expected)
    sessions = card.locator(".sessions li")
    expect(sessions).to_have_count(len(profile["sessions"]))
    assert profile["sessions"][0]["start"][:10] in sessions.first.inner_text()
    assert f"{profile['rfm']['frequency']}" in card.inner_text()
    page.screenshot(path=str(shots / "console-visitor-profile.png"))
    # reached from the visitors list, and an unknown visitor says so in the card
    options = page.locator("#visitor-list option").evaluate_all("o => o.map(e => e.value)")
    assert visitor in options or len(options) == 50
    page.goto(f"{server}/#visitor/nobody-at-all")
    expect(page.locator("#visitor-card-status")).to_have_class("status error")
    assert "nobody-at-all" in page.locator("#visitor-card-status").inner_text()
    assert card.locator("dl").count() == 0
