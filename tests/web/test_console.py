"""The web console in a real browser: headless Chromium (Debian's, driven by Playwright)
against a real ``shopmind --home DIR demo --port P`` server on the demo shop.

Screenshots land in a temporary folder (or in ``$CONSOLE_SCREENSHOTS`` when set, which is
how README's picture is made). Without Chromium the tests skip, except under CI, where the
install step puts it there and its absence is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
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

from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright  # noqa: E402

from tests.conftest import free_port as _port  # noqa: E402

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


def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$CONSOLE_SCREENSHOTS`` when set (README's pictures)."""
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def headless_chromium(
    tmp_path_factory: pytest.TempPathFactory, height: int, **options: Any
) -> Iterator[BrowserContext]:
    """A fresh headless Chromium profile, 1280 wide, closed after."""
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": height},
            **options,
        )
        yield context
        context.close()


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
    return screenshot_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from headless_chromium(tmp_path_factory, 860, accept_downloads=True)


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


# ---- the shop assistant's chat panel (POST /assistant) ----------------------------------------
CJK = re.compile(r"[\u3400-\u9fff]")


def _ask(page: Page, message: str, product: str | None = None) -> Locator:
    """Type ``message`` (and the page's product) into the chat, press Enter, and return the
    assistant's reply once it is in the conversation."""
    replies = page.locator("#chat-log .chat-reply")
    before = replies.count()
    if product is not None:
        page.locator("#chat-product").fill(product)
    page.locator("#chat-input").fill(message)
    page.locator("#chat-input").press("Enter")
    expect(replies).to_have_count(before + 1, timeout=60_000)
    expect(page.locator("#chat-status")).not_to_have_class(re.compile(r"\berror\b"))
    return replies.nth(before)


def _prices(reply: Locator) -> list[float]:
    values: list[str] = reply.locator(".chat-product").evaluate_all(
        "cards => cards.map(c => c.dataset.price)"
    )
    return [float(v) for v in values]


def _assistant_posts(page: Page) -> list[dict[str, Any]]:
    """The bodies the page sends to POST /assistant, as they go."""
    posts: list[dict[str, Any]] = []

    def record(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/assistant"):
            posts.append(request.post_data_json)

    page.on("request", record)
    return posts


def test_the_assistant_answers_a_policy_question_and_shows_its_source(
    page: Page, server: str, shots: Path
) -> None:
    knowledge = httpx.get(f"{server}/assistant/knowledge").json()
    page.goto(f"{server}/#assistant")
    expect(page.locator("#chat-knowledge")).to_contain_text("shop pages")
    session = page.locator("#chat-session").inner_text()
    assert session.startswith("console-") and len(session) > len("console-")
    reply = _ask(page, "what is your return policy?")
    assert reply.locator(".chat-answer").inner_text().strip()
    expect(reply.locator(".chat-intent")).to_have_text(re.compile(r"^policy · [01]\.\d\d$"))
    docs = reply.locator('.chat-citation[data-kind="doc"]')
    assert docs.count() >= 1, (
        f"no doc citation for a policy question; the assistant's knowledge: {knowledge}; "
        f"the answer: {reply.inner_text()!r}"
    )
    chip = docs.first
    assert re.fullmatch(r"\[doc \S+\]", chip.inner_text()), chip.inner_text()
    chip.click()
    detail = page.locator("#chat-citation-detail")
    expect(detail).to_be_visible()
    expect(chip).to_have_attribute("aria-pressed", "true")
    assert detail.get_attribute("data-id") == chip.get_attribute("data-id")
    assert page.locator("#chat-detail-title").inner_text().strip()
    mark = detail.locator("mark")
    expect(mark.first).to_be_visible()
    assert mark.first.inner_text().strip()
    page.screenshot(path=str(shots / "console-assistant-policy.png"))
    page.get_by_role("button", name="Close the source").click()
    expect(detail).to_be_hidden()
    expect(chip).to_have_attribute("aria-pressed", "false")


def test_the_assistant_finds_products_and_refines_them_in_the_same_conversation(
    page: Page, server: str, shots: Path
) -> None:
    page.goto(f"{server}/#assistant")
    posts = _assistant_posts(page)
    first = _ask(page, "wireless earbuds")
    expect(first.locator(".chat-intent")).to_contain_text("find")
    cards = first.locator(".chat-product")
    assert cards.count() >= 1
    before = _prices(first)
    assert len(before) == cards.count()
    card = cards.first
    title = card.locator(".title").inner_text()
    assert card.locator(".meta").inner_text().startswith(card.get_attribute("data-currency") or "")
    assert f"{before[0]:.2f}" in card.locator(".meta").inner_text()
    # a card's reasons: the console's mind map, in the "why?" dialog
    card.get_by_role("button").click()
    expect(page.locator("#why-map .mm-node").first).to_be_visible()
    assert title in page.locator("#why-title").inner_text()
    assert _node_labels(page)[0].startswith("search hit")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    # a product citation opens the product's id and title
    cite = first.locator('.chat-citation[data-kind="product"]').first
    cite.click()
    detail = page.locator("#chat-citation-detail")
    expect(detail).to_be_visible()
    assert (cite.get_attribute("data-id") or "?") in detail.inner_text()
    second = _ask(page, "cheaper")
    after = _prices(second)
    assert after, second.inner_text()
    # cheaper than the typical price shown, in the currency of the first product shown
    currency = first.locator(".chat-product").first.get_attribute("data-currency")
    shown = first.locator(".chat-product")
    same = [
        price
        for price, i in zip(before, range(shown.count()), strict=False)
        if shown.nth(i).get_attribute("data-currency") == currency
    ]
    assert max(after) < statistics.median(same), (before, after)
    currencies = second.locator(".chat-product")
    assert all(
        currencies.nth(i).get_attribute("data-currency") == currency
        for i in range(currencies.count())
    )
    page.screenshot(path=str(shots / "console-assistant-cheaper.png"))
    session = page.locator("#chat-session").inner_text()
    assert [p["session"] for p in posts] == [session, session]
    assert [p["message"] for p in posts] == ["wireless earbuds", "cheaper"]
    # a new conversation: an empty log and a new session id
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#chat-log .chat-turn")).to_have_count(0)
    expect(detail).to_be_hidden()
    fresh = page.locator("#chat-session").inner_text()
    assert fresh != session and fresh.startswith("console-")
    _ask(page, "cheaper")
    assert posts[-1]["session"] == fresh


def test_the_assistant_answers_in_chinese_about_the_product_on_the_page(
    page: Page, server: str, shots: Path
) -> None:
    hits = httpx.get(f"{server}/search", params={"q": "无线耳机"}).json()["hits"]
    chinese = [
        h for h in hits if CJK.search(h["title"]) and "Headphones" in (h.get("category") or "")
    ]
    assert chinese, [h["title"] for h in hits]
    product = chinese[0]["id"]
    page.goto(f"{server}/#assistant/{product}")  # the product page's "Ask the assistant" link
    expect(page.locator("#chat-product")).to_have_value(product)
    posts = _assistant_posts(page)
    reply = _ask(page, "这款耳机防水吗?", product=product)
    assert posts[-1]["product"] == product
    expect(reply).to_have_attribute("data-language", "zh")
    answer = reply.locator(".chat-answer")
    assert answer.get_attribute("lang") == "zh"
    assert CJK.search(answer.inner_text()), answer.inner_text()
    if reply.get_attribute("data-handoff") == "true":
        expect(reply.locator(".chat-handoff")).to_be_visible()
    page.screenshot(path=str(shots / "console-assistant-zh.png"))


def test_an_empty_message_is_not_sent_and_a_refused_one_says_why(page: Page, server: str) -> None:
    page.goto(f"{server}/#assistant")
    posts = _assistant_posts(page)
    page.locator("#chat-input").fill("   ")
    page.locator("#chat-input").press("Enter")
    chat_status = page.locator("#chat-status")
    expect(chat_status).to_have_class(re.compile(r"\berror\b"))
    assert "message" in chat_status.inner_text()
    page.locator("#chat-input").fill("")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(chat_status).to_have_class(re.compile(r"\berror\b"))
    assert posts == [] and page.locator("#chat-log .chat-turn").count() == 0
    # the server refuses a message over assistant.max_message_chars: its message, in the panel
    page.locator("#chat-input").fill("a" * 1500)
    page.locator("#chat-input").press("Enter")
    expect(chat_status).to_contain_text("characters")
    expect(chat_status).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#chat-log .chat-customer.chat-failed")).to_have_count(1)
    assert page.locator("#chat-log .chat-reply").count() == 0
    expect(page.locator("#chat-send")).to_be_enabled()
    # the panel still works
    reply = _ask(page, "wireless earbuds")
    assert reply.locator(".chat-product").count() >= 1
    assert len(posts) == 2


def test_a_reply_is_shown_as_text_with_its_sources(page: Page, server: str) -> None:
    """The panel's drawing on a made-up reply: server text never becomes HTML, a doc's
    answering sentence is marked in its passage, a past answer shows its question."""
    page.goto(f"{server}/#assistant")
    reply = {
        "session": "x",
        "answer": "<b>Returns</b> within 30 days.\nSee <img src=x onerror=alert(1)>",
        "intent": "policy",
        "confidence": 0.8234,
        "language": "en",
        "citations": [
            {
                "kind": "doc",
                "id": "returns#2",
                "title": "Returns <policy>",
                "text": "Keep the box. <i>Returns</i> within 30 days. Refunds take a week.",
                "highlight": "<i>Returns</i> within 30 days.",
            },
            {
                "kind": "qa",
                "id": "qa0012",
                "text": "Yes, <u>IPX4</u>.",
                "question": "Is it waterproof?",
                "product_id": "p0003",
            },
            {"kind": "product", "id": "p0003", "text": "Earbuds", "title": "Earbuds"},
        ],
        "products": [],
        "handoff": True,
        "constraints": {"cheaper": True, "price_max": 20},
        "generated": False,
        "reasons": {"label": "knowledge: doc returns#2", "value": 0.82, "children": []},
    }
    page.evaluate("r => appendTurn(replyTurn(r))", reply)
    turn = page.locator("#chat-log .chat-reply")
    expect(turn).to_have_count(1)
    answer = turn.locator(".chat-answer")
    assert answer.inner_text() == reply["answer"]  # newlines kept, tags as text
    assert answer.locator("b, img").count() == 0
    expect(turn.locator(".chat-intent")).to_have_text("policy · 0.82")
    expect(turn.locator(".chat-handoff")).to_be_visible()
    expect(turn.locator(".chat-constraints")).to_contain_text("cheaper")
    chips = turn.locator(".chat-citation")
    assert chips.all_inner_texts() == ["[doc returns#2]", "[qa qa0012]", "[product p0003]"]
    detail = page.locator("#chat-citation-detail")
    chips.nth(0).click()
    expect(page.locator("#chat-detail-title")).to_have_text("Returns <policy>")
    expect(detail.locator("mark")).to_have_text("<i>Returns</i> within 30 days.")
    assert detail.locator("i").count() == 0
    assert "Keep the box." in detail.inner_text() and "Refunds take a week." in detail.inner_text()
    chips.nth(1).click()
    assert "Is it waterproof?" in detail.inner_text() and "Yes, <u>IPX4</u>." in detail.inner_text()
    assert detail.locator("u, mark").count() == 0
    chips.nth(1).click()  # the pressed chip again: closes it
    expect(detail).to_be_hidden()
    chips.nth(2).click()
    assert "p0003" in detail.inner_text() and "Earbuds" in detail.inner_text()
    turn.get_by_role("button", name="Why this answer?").click()
    expect(page.locator("#why-map .mm-node").first).to_be_visible()
    assert _node_labels(page)[0].startswith("knowledge: doc returns#2")
