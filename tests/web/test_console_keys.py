"""The console on a server that needs API keys, in headless Chromium: it asks for a key on the
first 401, keeps it for the tab only, and sends it with every request after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from shopmind.config import load
from shopmind.security.keys import KeyBook, keys_path
from shopmind.serve import create_app
from tests.conftest import served
from tests.web.test_console import headless_chromium


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """An empty shop with one write key, served on a free port: (address, key)."""
    home = tmp_path_factory.mktemp("keys") / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text('[search]\nencoder = "none"\n', encoding="utf-8")
    book = KeyBook(keys_path(home))
    _, secret = book.create("write", description="console test")
    book.close()
    with served(create_app(load(home=home))) as base:
        yield base, secret


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from headless_chromium(tmp_path_factory, 800)


def test_the_console_asks_for_a_key_and_keeps_it_for_the_tab(
    guarded: tuple[str, str], browser: BrowserContext, tmp_path: Path
) -> None:
    address, secret = guarded
    page = browser.new_page()
    sent: list[str | None] = []
    page.on(
        "request",
        lambda r: sent.append(r.headers.get("authorization")) if "/evaluations" in r.url else None,
    )
    page.goto(f"{address}/#evaluations")
    dialog = page.locator("#key-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#key-why")).to_contain_text("needs an API key")
    page.fill("#key-input", "sm_wrong")
    page.click("#key-save")
    expect(dialog).to_be_visible()  # an unknown key is asked for again
    expect(page.locator("#key-why")).to_contain_text("unknown")
    page.fill("#key-input", secret)
    page.click("#key-save")
    expect(page.locator("#evaluations-status")).to_contain_text("No evaluation runs yet")
    expect(dialog).to_be_hidden()
    assert sent[-1] == f"Bearer {secret}"
    assert page.evaluate("() => localStorage.getItem('shopmind-key')") is None  # tab only
    other = browser.new_page()  # a new tab starts without it
    other.goto(f"{address}/#evaluations")
    expect(other.locator("#key-dialog")).to_be_visible()
    other.close()
    page.close()
