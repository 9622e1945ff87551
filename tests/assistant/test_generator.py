"""The optional generator against a real local OpenAI-compatible endpoint, and its fact check."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shopmind.assistant.generator import Generator, Rephrased, unsupported_claims
from shopmind.config import AssistantConfig
from shopmind.errors import ConfigError

MODEL = "shop-llm"
KEY = "sk-test-123"
MESSAGE = "How much are the X200 earbuds and how long does the battery last?"
GROUNDED = "The X200 earbuds cost 299 yuan; the battery lasts 30 h."
EVIDENCE = ["X200 wireless earbuds, price 299.00 yuan", "battery_hours=30, waterproof IPX7"]
FAITHFUL = "Sure! The X200 earbuds are ¥299, and one charge lasts about 30 hours (IPX7)."


@dataclass
class Script:
    """What the fake endpoint does next, and what it received."""

    mode: str = "faithful"
    reply: str = FAITHFUL
    received: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    script: Script

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the slow mode) is expected; stay quiet."""


class _ChatHandler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        script = self.server.script
        length = int(self.headers.get("Content-Length", "0"))
        payload = json.loads(self.rfile.read(length))
        script.received.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "json": payload}
        )
        if script.mode == "slow":
            script.stop.wait(10.0)
        if script.mode == "error":
            self._send(500, b'{"error": {"message": "boom"}}')
            return
        if script.mode == "trickle":  # headers at once, then a byte now and then
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            while not script.stop.wait(0.1):
                self.wfile.write(b" ")
                self.wfile.flush()
            return
        if script.mode == "malformed":
            self._send(200, b'{"choices": [{"message": ')
            return
        completion = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": payload["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": script.reply},
                    "finish_reason": "stop",
                }
            ],
        }
        self._send(200, json.dumps(completion, ensure_ascii=False).encode("utf-8"))


@dataclass
class Endpoint:
    url: str
    script: Script


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = _Server(("127.0.0.1", 0), _ChatHandler)
    server.script = Script()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    port = server.server_address[1]
    try:
        yield Endpoint(f"http://127.0.0.1:{port}/v1/chat/completions", server.script)
    finally:
        server.script.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make(url: str, timeout_s: float = 3.0) -> Generator:
    config = AssistantConfig(
        generator_url=url, generator_model=MODEL, generator_key=KEY, generator_timeout_s=timeout_s
    )
    generator = Generator.from_config(config)
    assert generator is not None
    return generator


def ask(generator: Generator) -> Rephrased:
    return generator.rephrase(MESSAGE, GROUNDED, EVIDENCE, language="en")


def test_from_config_needs_an_http_url() -> None:
    assert Generator.from_config(AssistantConfig()) is None
    with pytest.raises(ConfigError, match="generator_url"):
        Generator.from_config(AssistantConfig(generator_url="file:///etc/passwd"))
    assert KEY not in repr(make("http://localhost:1/v1/chat/completions"))


def test_faithful_reply_is_used_and_request_is_openai_shaped(endpoint: Endpoint) -> None:
    out = ask(make(endpoint.url))

    assert out == Rephrased(FAITHFUL, True, "")
    [got] = endpoint.script.received
    assert got["path"] == "/v1/chat/completions"
    assert got["auth"] == f"Bearer {KEY}"
    body = got["json"]
    assert body["model"] == MODEL
    assert body["temperature"] == 0
    system, user = body["messages"]
    assert system["role"] == "system" and "ONLY" in system["content"]
    assert "English" in system["content"]
    assert user["role"] == "user"
    assert MESSAGE in user["content"] and GROUNDED in user["content"]
    for i, text in enumerate(EVIDENCE, 1):
        assert f"[{i}] {text}" in user["content"]


def test_chinese_reply_is_checked_too(endpoint: Endpoint) -> None:
    endpoint.script.reply = "是的，X200 耳机售价 299 元，充一次电可用 30 小时，防水 IPX7。"

    out = make(endpoint.url).rephrase("X200多少钱？", GROUNDED, EVIDENCE, language="zh")

    assert out.used and out.text == endpoint.script.reply
    assert "Chinese" in endpoint.script.received[0]["json"]["messages"][0]["content"]


def test_invented_price_falls_back_to_grounded(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint.script.reply = "Good news: the X200 earbuds are on sale for $259, lasting 30 hours."

    with caplog.at_level(logging.WARNING, logger="shopmind.assistant.generator"):
        out = ask(make(endpoint.url))

    assert not out.used
    assert out.text == GROUNDED
    assert "259" in out.reason and out.reason.startswith("reply states")
    assert any("259" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_slow_endpoint_is_cut_at_the_timeout(endpoint: Endpoint) -> None:
    endpoint.script.mode = "slow"
    generator = make(endpoint.url, timeout_s=0.5)

    start = time.monotonic()
    out = ask(generator)
    elapsed = time.monotonic() - start

    assert out == Rephrased(GROUNDED, False, "timed out after 0.5 s")
    assert elapsed < 0.5 + 1.0


def test_trickling_endpoint_is_cut_at_the_timeout(endpoint: Endpoint) -> None:
    endpoint.script.mode = "trickle"
    generator = make(endpoint.url, timeout_s=0.5)

    start = time.monotonic()
    out = ask(generator)

    assert out == Rephrased(GROUNDED, False, "timed out after 0.5 s")
    assert time.monotonic() - start < 0.5 + 1.0


def test_http_500_falls_back_to_grounded(endpoint: Endpoint) -> None:
    endpoint.script.mode = "error"
    assert ask(make(endpoint.url)) == Rephrased(GROUNDED, False, "HTTP 500")


def test_malformed_json_falls_back_to_grounded(endpoint: Endpoint) -> None:
    endpoint.script.mode = "malformed"
    assert ask(make(endpoint.url)) == Rephrased(GROUNDED, False, "malformed reply")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [("   ", "empty reply"), ("The X200 is great. " * 60, "reply too long")],
)
def test_empty_or_rambling_reply_falls_back(endpoint: Endpoint, reply: str, reason: str) -> None:
    endpoint.script.reply = reply
    out = ask(make(endpoint.url))
    assert not out.used and out.text == GROUNDED and out.reason.startswith(reason)


def test_nothing_listening_falls_back_to_grounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("http_proxy", raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = ask(make(f"http://127.0.0.1:{port}/v1/chat/completions", timeout_s=2.0))
    assert not out.used and out.text == GROUNDED
    assert out.reason.startswith("endpoint unreachable: ")


def test_decimals_compare_by_value() -> None:
    assert unsupported_claims("Now only $59.90!", ["price: 59.9"]) == []
    assert unsupported_claims("It costs 59.9 USD", ["price 59.90"]) == []
    assert unsupported_claims("It costs 59.99", ["price 59.9"]) == ["59.99"]


def test_thousands_separators_and_currency_marks() -> None:
    assert unsupported_claims("Price: ¥1,299", ["price=1299"]) == []
    assert unsupported_claims("售价299元", ["price 299"]) == []
    assert unsupported_claims("$1,299.00 and 20% off", ["1299 yuan, 20 percent"]) == []
    assert unsupported_claims("¥1,399", ["price=1299"]) == ["¥1,399"]


def test_model_tokens_compare_whole() -> None:
    assert unsupported_claims("Rated IPX7.", ["waterproof: ipx7"]) == []
    assert unsupported_claims("Rated IPX7.", ["waterproof: IPX5"]) == ["IPX7"]
    assert unsupported_claims("A 5000mAh cell lasts 30h", ["5000 mAh", "30 hours"]) == []
    assert unsupported_claims("bluetooth 5.3", ["Bluetooth v5.3"]) == []
    assert unsupported_claims("bluetooth 5.2", ["Bluetooth 5.3"]) == ["5.2"]


def test_ranges_citations_and_no_numbers() -> None:
    assert unsupported_claims("Fits sizes 38-42.", ["sizes 38 to 42"]) == []
    assert unsupported_claims("Fits sizes 38–44.", ["sizes 38 to 42"]) == ["44"]
    assert unsupported_claims("It is waterproof [2].", ["a", "waterproof"]) == []
    assert unsupported_claims("Yes, it is waterproof and light.", ["IPX7, 45 g"]) == []
    assert unsupported_claims("", []) == []
