"""The web console in a real browser: headless Chromium (Debian's, driven by Playwright)
against a real ``shopmind --home DIR demo --port P`` server on the demo shop.

Screenshots land in a temporary folder (or in ``$CONSOLE_SCREENSHOTS`` when set, which is
how README's picture is made). Without Chromium the tests skip, except under CI, where the
install step puts it there and its absence is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium for the console tests: ./install.sh --dev")
    pytest.skip(
        "no chromium here (./install.sh --dev installs it as root)", allow_module_level=True
    )

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright  # noqa: E402

SHOPMIND = str(Path(sys.executable).parent / "shopmind")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """README's demo command on a fresh home: it builds the shop, then serves the console."""
    home = tmp_path_factory.mktemp("console") / "home"
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPMIND_")}
    log = (home.parent / "server.log").open("wb")
    proc = subprocess.Popen(
        [SHOPMIND, "--home", str(home), "demo", "--port", str(port)],
        env={**env, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, (home.parent / "server.log").read_text()[-3000:]
            time.sleep(0.5)
        else:
            raise AssertionError("the demo server did not get ready in 240 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 860},
            accept_downloads=True,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser: BrowserContext, server: str) -> Iterator[Page]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda r: _local_only(r.url, server))
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"


def _local_only(url: str, server: str) -> None:
    assert url.startswith((server, "data:", "blob:")), f"the console fetched {url}"


def _node_labels(page: Page) -> list[str]:
    labels: list[str] = page.locator("#why-map .mm-node").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('aria-label'))"
    )
    return labels


def test_search_then_why_opens_a_mind_map_of_the_reasons(
    page: Page, server: str, shots: Path
) -> None:
    page.goto(f"{server}/")
    page.get_by_label("Query").fill("wireless earbuds")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("#results li.result")
    expect(results.first).to_be_visible()
    assert results.count() >= 10
    assert "products match" in page.locator("#search-status").inner_text()
    sponsored = page.locator("#results li.result.sponsored")
    assert sponsored.count() >= 1 and "Sponsored" in sponsored.first.inner_text()
    page.screenshot(path=str(shots / "console-search.png"))
    organic = page.locator("#results li.result:not(.sponsored)").first
    title = organic.locator(".title").inner_text()
    organic.get_by_role("button", name=f"Why is {title} shown?").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#why-map .mm-node").first).to_be_visible()
    labels = _node_labels(page)
    assert labels[0].startswith("search hit"), labels[:3]
    assert any(label.startswith("lexical (BM25F)") for label in labels)
    assert any(label.startswith("matched terms") for label in labels)
    assert any(label.startswith("ranker") for label in labels)  # the demo trains a ranker
    assert any(label.startswith("pCTR") for label in labels)
    page.locator("#why-map").screenshot(path=str(shots / "console-mindmap.png"))
    # collapse a branch from the keyboard, then expand it again
    branch = page.locator('#why-map .mm-node[aria-expanded="true"][aria-level="2"]').first
    name = branch.get_attribute("aria-label")
    branch.focus()
    page.keyboard.press("Enter")
    collapsed = page.locator(f'#why-map .mm-node[aria-label="{name}"]')
    expect(collapsed).to_have_attribute("aria-expanded", "false")
    assert len(_node_labels(page)) < len(labels)
    page.keyboard.press("Enter")
    expect(collapsed).to_have_attribute("aria-expanded", "true")
    # zoom, and the exports
    page.get_by_role("button", name="Zoom in").click()
    assert "scale(1.25)" in (page.locator("#why-map svg > g").get_attribute("transform") or "")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the reasons tree as JSON").click()
    tree = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert tree["label"] == labels[0].split(":")[0] or labels[0].startswith(tree["label"])
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the mind map as SVG").click()
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("<svg")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the mind map as PNG").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"\x89PNG"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_every_control_has_a_name_and_the_keyboard_reaches_search(page: Page, server: str) -> None:
    page.goto(f"{server}/#search")
    unlabeled: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('input, select')]
              .filter(i => i.offsetParent !== null && i.labels.length === 0)
              .map(i => i.id)"""
    )
    assert unlabeled == []
    nameless: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('button, a')]
              .filter(b => !(b.getAttribute('aria-label') || b.textContent.trim()))
              .map(b => b.outerHTML)"""
    )
    assert nameless == []
    page.get_by_label("Query").focus()
    page.keyboard.type("蓝牙耳机")
    page.keyboard.press("Enter")
    expect(page.locator("#results li.result").first).to_be_visible()
    page.keyboard.press("Tab")  # from the query box onwards, without a mouse
    focused = page.evaluate("document.activeElement.id")
    assert focused == "search-user"


def _busy_visitor(server: str) -> str:
    visitors: Any = httpx.get(f"{server}/visitors", params={"limit": 5}).json()
    rows = visitors["visitors"] if isinstance(visitors, dict) else visitors
    return str(rows[0]["id"])


def test_visitor_profile_recommendations_and_feedback_change_the_list(
    page: Page, server: str, shots: Path
) -> None:
    visitor = _busy_visitor(server)
    page.goto(f"{server}/#visitor/{visitor}")
    recs = page.locator("#recs li.result:not(.sponsored)")
    expect(recs.first).to_be_visible()
    expect(page.locator("#profile .bar").first).to_be_visible()
    assert page.locator("#timeline li").count() > 0
    page.screenshot(path=str(shots / "console-visitor.png"))
    first = recs.first.get_attribute("data-id")
    title = recs.first.locator(".title").inner_text()
    recs.first.get_by_role("button", name=f"Not interested in {title}").click()
    expect(page.locator("#visitor-status")).to_contain_text("not interested")
    expect(page.locator(f'#recs li.result[data-id="{first}"]')).to_have_count(0)
    # a recommendation's why names the visitor's products it follows from
    recs.first.get_by_role("button", name="Why is", exact=False).click()
    expect(page.locator("#why-map .mm-node").first).to_be_visible()
    assert _node_labels(page)[0].startswith("recommended")


def test_product_page_shop_map_evaluations_and_campaigns(page: Page, server: str) -> None:
    page.goto(f"{server}/#product/p0001")
    expect(page.locator("#similar li.result").first).to_be_visible()
    page.goto(f"{server}/#map")
    expect(page.locator("#shopmap .mm-node").first).to_be_visible()
    labels = page.locator("#shopmap .mm-node").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('aria-label'))"
    )
    assert any("Electronics" in label for label in labels)
    page.goto(f"{server}/#evaluations")
    expect(page.locator("#evaluations-status")).not_to_have_text("Loading…")
    page.goto(f"{server}/#campaigns")
    expect(page.locator("#campaigns tr").nth(1)).to_be_visible()
    assert "SonicArc" in page.locator("#campaigns").inner_text()


def test_stale_results_and_unknown_visitors_say_so_in_the_page(page: Page, server: str) -> None:
    page.goto(f"{server}/#visitor/nobody-at-all")
    status = page.locator("#visitor-status")
    expect(status).to_have_class("status error")
    assert "nobody-at-all" in status.inner_text()
    page.goto(f"{server}/#search")
    page.evaluate("openWhy('gone', {kind: 'search', q: 'wireless earbuds', id: 'no-such-product'})")
    why = page.locator("#why-status")
    expect(why).to_have_class("status error")
    assert "no-such-product" in why.inner_text()
    assert page.locator("#why-map .mm-node").count() == 0
    page.goto(f"{server}/#product/no-such-product")
    expect(page.locator("#product-status")).to_have_class("status error")


def test_the_mind_map_speaks_chinese_on_request(page: Page, server: str) -> None:
    page.goto(f"{server}/#search?q=蓝牙耳机")
    expect(page.locator("#results li.result").first).to_be_visible()
    page.get_by_role("button", name="Show reasons in Chinese (中文)").click()
    organic = page.locator("#results li.result:not(.sponsored)").first
    organic.get_by_role("button", name="Why is", exact=False).click()
    expect(page.locator("#why-map .mm-node").first).to_be_visible()
    labels = _node_labels(page)
    assert labels[0].startswith("搜索结果")
    assert any(label.startswith("语义") for label in labels)
    assert any(label.startswith("排序模型") for label in labels)
    assert page.evaluate("document.documentElement.lang") == "zh"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Show reasons in English").click()  # and back
    assert page.evaluate("localStorage.getItem('shopmind-lang')") == "en"
