"""Several serving nodes on one PostgreSQL store behave as one shop.

Two real ``shopmind serve`` processes, each with a home of its own (its build artifacts),
share one real PostgreSQL server that this module starts on loopback: a product written
through node A is found by node B's search within 2 s; an event posted to A changes B's
next recommendations; a build made on A is followed by B; and with the server gone, writes
answer 503 with Retry-After while reads keep serving, until it is back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopmind.store import open_store
from shopmind.store.pglocal import LocalPostgres, postgres_bin
from tests.conftest import free_port
from tests.contract.store_contract import event, product

SHOPMIND = Path(sys.executable).parent / "shopmind"
CONFIG = '[ingest]\nprogress = false\n[search]\nencoder = "none"\n'


@dataclass
class Node:
    base: str
    home: Path
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(self.base + path, params=params, timeout=30)

    def post(self, path: str, body: object) -> httpx.Response:
        return httpx.post(self.base + path, json=body, timeout=30)


@dataclass
class Shop:
    pg: LocalPostgres
    url: str
    a: Node
    b: Node
    env: dict[str, str]


def _catalog() -> tuple[list[Any], list[Any]]:
    """Twenty products in pairs bought together by many visitors: a visitor who views one
    of a pair is recommended the other."""
    products = [product(f"p{n:02d}", title=f"Oak item {n}") for n in range(20)]
    events = []
    for pair in range(10):
        for visitor in range(6):
            who = f"buyer{pair}-{visitor}"
            events += [event(who, f"p{2 * pair:02d}", "purchase", timestamp=1.7e9 + visitor)]
            events += [event(who, f"p{2 * pair + 1:02d}", "purchase", timestamp=1.7e9 + visitor)]
    return products, events


def _start(home: Path, env: dict[str, str]) -> Node:
    port = free_port()
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(SHOPMIND), "--home", str(home), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    node = Node(f"http://127.0.0.1:{port}", home, process, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if node.get("/ready").status_code == 200:
                return node
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    _stop(node)
    raise AssertionError(f"node did not start:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(node: Node) -> None:
    node.process.terminate()
    try:
        node.process.wait(20)
    except subprocess.TimeoutExpired:
        node.process.kill()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries; ./install.sh --dev installs them")
    root = tmp_path_factory.mktemp("nodes")
    with LocalPostgres() as pg:
        url = pg.create_database("shop")
        with open_store(url) as store:
            products, events = _catalog()
            store.upsert_products(products)
            store.add_events(events)
        env = {**os.environ, "SHOPMIND_STORE__URL": url}
        for name in ("a", "b"):
            (root / name).mkdir()
            (root / name / "shopmind.toml").write_text(CONFIG)
        built = subprocess.run(
            [str(SHOPMIND), "--home", str(root / "a"), "build"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert built.returncode == 0, built.stderr
        nodes: list[Node] = []
        try:
            nodes.append(_start(root / "a", env))
            nodes.append(_start(root / "b", env))
            yield Shop(pg, url, nodes[0], nodes[1], env)
        finally:
            for node in nodes:
                _stop(node)


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    body = response.json()
    return [item["id"] for item in body.get("items", body.get("hits", []))]


def test_the_second_node_follows_the_build_made_on_the_first(shop: Shop) -> None:
    built = shop.a.get("/stats").json()["build"]
    assert built is not None
    assert shop.b.get("/stats").json()["build"]["id"] == built["id"]  # followed at start


def test_a_product_written_through_one_node_is_found_on_the_other_within_2_s(
    shop: Shop,
) -> None:
    written = shop.a.post("/products", {"id": "walnut-1", "title": "Walnut chessboard"})
    assert written.status_code == 201, written.text
    started = time.monotonic()
    while "walnut-1" not in _ids(shop.b.get("/search", q="walnut chessboard")):
        assert time.monotonic() - started < 2.0, "node B did not see the product within 2 s"
        time.sleep(0.05)


def test_an_event_posted_to_one_node_changes_the_others_next_recommendations(
    shop: Shop,
) -> None:
    before = _ids(shop.b.get("/recommend", user="newcomer", k=5))
    posted = shop.a.post("/events", {"user_id": "newcomer", "item_id": "p06", "type": "cart"})
    assert posted.status_code == 202, posted.text
    after = _ids(shop.b.get("/recommend", user="newcomer", k=5))
    assert after != before
    assert after[0] == "p07"  # bought together with p06 by every buyer of it


def test_a_new_build_made_anywhere_reaches_every_node(shop: Shop) -> None:
    old = shop.b.get("/stats").json()["build"]["id"]
    built = subprocess.run(
        [str(SHOPMIND), "--home", str(shop.a.home), "build"],
        env=shop.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    new = shop.a.get("/stats").json()["build"]["id"]
    assert new > old
    deadline = time.monotonic() + 15
    while shop.b.get("/stats").json()["build"]["id"] != new:
        assert time.monotonic() < deadline, "node B did not follow the new build"
        time.sleep(0.2)


def test_without_the_database_writes_answer_503_and_reads_keep_serving(shop: Shop) -> None:
    assert _ids(shop.a.get("/search", q="oak item"))  # products read once: remembered
    shop.pg.stop("immediate")
    try:
        refused = shop.a.post("/events", {"user_id": "u9", "item_id": "p01", "type": "view"})
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"] == "store_unavailable"
        assert int(refused.headers["Retry-After"]) > 0
        assert "127.0.0.1" in refused.json()["message"]
        assert _ids(shop.a.get("/search", q="oak item"))
        assert _ids(shop.b.get("/recommend", user="newcomer", k=5))
    finally:
        shop.pg.start()
    deadline = time.monotonic() + 15
    while True:  # reconnects by itself
        again = shop.a.post("/events", {"user_id": "u9", "item_id": "p01", "type": "view"})
        if again.status_code == 202:
            break
        assert time.monotonic() < deadline, again.text
        time.sleep(0.2)
