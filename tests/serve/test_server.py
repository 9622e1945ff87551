"""End to end: ``shopmind demo`` as a real uvicorn server process, driven over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shopmind.serve.compute import cores

SHOPMIND = Path(sys.executable).parent / "shopmind"
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


def _tail(path: Path, chars: int = 4_000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    if not SHOPMIND.is_file():
        pytest.fail(f"the shopmind console script is missing at {SHOPMIND}; pip install -e .")
    port = _free_port()
    log = tmp_path / "server.log"
    # the heap settled every second, as a served shop's is every ten (conftest turns it off)
    env = {**os.environ, "SHOPMIND_INGEST__PROGRESS": "false", "SHOPMIND_SERVE__HEAP_SETTLE_S": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(SHOPMIND), "--home", str(tmp_path / "home"), "demo", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        yield Server(base, process, log)
    finally:
        _stop(process)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server was not healthy within {START_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def _events(batch: int, size: int) -> list[dict[str, object]]:
    return [
        {
            "event_id": f"e2e-{batch}-{i}",
            "user_id": f"e2e-user-{i % 50}",
            "item_id": f"p{1 + (i % 300):04d}",
            "type": ("view", "click", "cart")[i % 3],
            "timestamp": 1_762_000_000 + batch * size + i,
        }
        for i in range(size)
    ]


def test_demo_server_end_to_end(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=30.0) as http:
        assert http.get("/docs").status_code == 200
        ready = http.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["detail"]["products"] >= 300

        page = http.get("/products", params={"limit": 5})
        assert page.status_code == 200
        body = page.json()
        assert len(body["items"]) == 5
        assert body["total"] >= 300

        before = http.get("/stats").json()
        assert before["events"] > 0
        assert before["build"] is not None
        for batch in range(10):
            response = http.post("/events/batch", json={"events": _events(batch, 500)})
            assert response.status_code == 202, response.text
            assert response.json()["inserted"] == 500
        after = http.get("/stats").json()
        assert after["events"] - before["events"] == 5_000
        assert after["products"] == before["products"]

        resent = http.post("/events/batch", json={"events": _events(0, 500)})
        assert resent.json()["duplicates"] == 500
        assert http.get("/stats").json()["events"] == after["events"]

        recent = http.get("/events", params={"visitor": "e2e-user-0", "limit": 3}).json()
        assert len(recent) == 3
        stamps = [e["ts"] for e in recent]
        assert stamps == sorted(stamps, reverse=True)

    _stop(server.process)
    # uvicorn re-raises the signal it caught after a graceful shutdown
    assert server.process.returncode in (0, -signal.SIGTERM), _tail(server.log)
    log = _tail(server.log, 20_000)
    assert "Application shutdown complete" in log, log  # the lifespan closed the store
    assert "Traceback" not in log, log


def _answer(base: str, path: str, **params: object) -> tuple[int, dict[str, object]]:
    """One request on a new connection (the kernel may hand it to any process), and the id
    of the process that answered it (asked on the same connection)."""
    with httpx.Client(base_url=base, timeout=10.0) as http:
        body: dict[str, object] = http.get(path, params=params).json()
        ready = http.get("/ready").json()
    return int(ready["detail"]["process"]), body


def test_several_processes_serve_one_store_and_all_see_a_catalog_write(tmp_path: Path) -> None:
    from shopmind.catalog import Product
    from shopmind.store import open_store

    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "elsewhere.toml"  # not in the home: --config must reach the processes
    config.write_text('[search]\nencoder = "hashing"\nsynonyms = [["zebra", "okapi"]]\n')
    with open_store(f"sqlite:///{home / 'shopmind.db'}") as store:
        store.upsert_products(
            [Product(id=f"p{i}", title=f"Oak table {i}", price=10.0 + i) for i in range(20)]
        )
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                SHOPMIND,
                "-v",  # info: each process logs its index build
                "--home",
                home,
                "--config",
                config,
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={
                **os.environ,
                "SHOPMIND_INGEST__PROGRESS": "false",
                "SHOPMIND_SERVE__HEAP_SETTLE_S": "1",  # as a served shop's is every ten
            },
            cwd=tmp_path,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        seen: set[int] = set()
        deadline = time.monotonic() + START_TIMEOUT_S
        while len(seen) < 2 and time.monotonic() < deadline:
            seen.add(_answer(base, "/health")[0])
        assert len(seen) == 2, f"one process answered everything:\n{_tail(log)}"
        # a burst of keep-alive connections, all open before any asks: each process listens
        # on a socket of its own, so the kernel spreads them (a shared socket handed them
        # all to whichever process woke first). All in one: a chance of 2 in 65,536.
        burst = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(16)]
        try:
            for connection in burst:
                connection.connect()
            owners = set()
            for connection in burst:
                connection.request("GET", "/ready")
                owners.add(json.loads(connection.getresponse().read())["detail"]["process"])
        finally:
            for connection in burst:
                connection.close()
        assert owners == seen, f"a burst of 16 connections reached {len(owners)} process(es)"

        new = {"id": "z1", "title": "Zebra striped lamp", "price": 30.0}
        assert httpx.post(f"{base}/products", json=new, timeout=10.0).status_code == 201
        found: set[int] = set()
        deadline = time.monotonic() + 20.0
        while found != seen and time.monotonic() < deadline:
            process_id, body = _answer(base, "/search", q="okapi")  # the file's synonym
            hits = body["hits"]
            assert isinstance(hits, list)
            if hits and hits[0]["id"] == "z1":
                found.add(process_id)
        assert found == seen, f"the write reached {len(found)} of 2 processes:\n{_tail(log)}"

        # each settles its heap at start-up, and again at the tick after the re-index
        def settled() -> list[int]:
            text = _tail(log, 50_000)
            return [text.count(f"[process {p}] shopmind.serve.heap: heap settled") for p in seen]

        deadline = time.monotonic() + 10.0
        while min(settled()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert min(settled()) >= 2, f"heap settles per process: {settled()}\n{_tail(log)}"
    finally:
        _stop(process)
    text = _tail(log, 20_000)
    assert "Traceback" not in text
    for process_id in seen:  # the two processes' lines can be told apart
        assert f"[process {process_id}] shopmind." in text, text
    # --workers 2 reached each process: the two share the cores for their searches
    slots = f"searches off the event loop: {max(1, cores() // 2)} at a time"
    assert log.read_text(errors="replace").count(slots) == 2, text
