"""The console's Experiments page in a real browser (headless Chromium through Playwright)
against a real HTTP server over the demo shop, with an experiment seeded four days back: its
logged answers written through the book, its clicks posted to ``/events`` with their
``request_id`` and their times."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from shopmind.config import Settings
from shopmind.experiments.book import ExperimentBook, LoggedRequest, Shown
from shopmind.experiments.spec import check_spec
from shopmind.serve import create_app
from tests.conftest import served
from tests.serve.test_search_api import _demo_home
from tests.web.test_console import headless_chromium
from tests.web.test_shop_page import _drawn_pixels

DAY = 86_400.0
SPEC = {
    "name": "seeded",
    "routes": ["/recommend"],
    "variants": [
        {"name": "control", "share": 0.5},
        {"name": "more_trending", "share": 0.5, "settings": {"recommend": {"history": 10}}},
    ],
}


def _seed(settings: Settings) -> list[tuple[str, str, str, float]]:
    """The experiment, started four days ago, and its answers: (request, visitor, item, ts)
    of those whose first product was clicked (every treatment visitor, half the control)."""
    start = time.time() - 4 * DAY
    clicks = []
    with ExperimentBook.open(settings.home, settings.store_url) as book:
        running = book.start(check_spec(SPEC, settings), now=start).running
        for n in range(80):
            visitor = f"seed{n}"
            variant = running.variant(visitor).name
            ts = start + (n % 4) * DAY + 600 + n
            items = [Shown(f"p{i:04d}", i) for i in range(1, 6)]
            rid = f"seed-{n}"
            arms = {"seeded": variant}
            book.log(LoggedRequest(rid, ts, "/recommend", visitor, None, arms, items, 4.0))
            if variant == "more_trending" or n % 2 == 0:
                clicks.append((rid, visitor, items[0].item, ts + 30))
    return clicks


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = _demo_home(tmp_path_factory.mktemp("experiments-page") / "home")
    clicks = _seed(settings)
    with served(create_app(settings)) as base:
        for rid, visitor, item, ts in clicks:
            stamp = datetime.fromtimestamp(ts, UTC).isoformat()
            answer = httpx.post(f"{base}/events", json={
                "user_id": visitor, "item_id": item, "type": "click", "request_id": rid,
                "timestamp": stamp,
            }, timeout=30)  # fmt: skip
            assert answer.status_code == 202, answer.text
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from headless_chromium(tmp_path_factory, 900)


@pytest.fixture
def page(browser: BrowserContext, server: str) -> Iterator[Page]:
    page = browser.new_page()
    errors: list[str] = []
    away: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda r: away.append(r.url) if not r.url.startswith(server) else None)
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert away == [], f"the console fetched from elsewhere: {away}"


def test_the_experiments_page_shows_the_report_and_draws_the_daily_curves(
    page: Page, server: str, tmp_path: Path
) -> None:
    report = httpx.get(f"{server}/experiments/seeded/report", timeout=30).json()
    page.goto(f"{server}/#experiments/seeded")
    chart = page.locator("#experiment-chart")
    expect(chart.locator(".uplot canvas")).to_be_visible()
    expect(page.locator("#experiments")).to_contain_text("seeded")
    rows = page.locator("#experiment-variants tr[data-variant]")
    expect(rows).to_have_count(2)
    for variant in ("control", "more_trending"):
        row = page.locator(f'#experiment-variants tr[data-variant="{variant}"]')
        numbers = report["variants"][variant]
        expect(row).to_contain_text(str(numbers["visitors"]))
        expect(row).to_contain_text(f"{numbers['metric']['mean']:.4f}")
    assert report["variants"]["more_trending"]["metric"]["mean"] == pytest.approx(1.0)
    expect(
        page.locator('#experiment-comparisons li[data-variant="more_trending"]')
    ).to_contain_text("always-valid p")
    expect(page.locator("#experiment-srm")).to_contain_text("Sample ratio as asked")
    # the curves: x = the daily looks, one line per variant, the control's band
    columns = chart.evaluate("host => host.chart.data.map(c => Array.from(c))")
    assert len(columns) == 1 + 2 + 2
    assert len(columns[0]) == len(report["curves"]["days"]) >= 4
    assert columns[2] == pytest.approx(
        [p["mean"] for p in report["curves"]["variants"]["more_trending"]]
    )
    assert _drawn_pixels(page, "#experiment-chart") > 1000
    assert "ctr per day" in (chart.get_attribute("aria-label") or "")
