"""Kill test (issue 22): SIGKILL the server again and again while clients post events; after
each restart every event acknowledged with a 2xx must be in the store, and SQLite's
``PRAGMA integrity_check`` must say ``ok``.

A real ``shopmind serve`` process on a loopback port over a fresh home; 4 client threads post
small batches of events with unique ``event_id``s and record the ids of every batch answered
2xx; after a random 0.5-2 s the server is killed with SIGKILL (no shutdown of any kind), the
store is checked, and a new server starts on the same home. Prints one line per kill and a
JSON summary.

Run::

    .venv/bin/python benchmarks/kill_test.py --kills 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

SHOPMIND = Path(sys.executable).parent / "shopmind"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SHOPMIND_INGEST__PROGRESS": "false"}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(SHOPMIND), "--home", str(home), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not become ready")


class Clients:
    """Threads posting event batches; ``acked`` holds the ids the server answered 2xx for."""

    def __init__(self, base: str, threads: int, batch: int) -> None:
        self.base = base
        self.batch = batch
        self.acked: set[str] = set()
        self.sent = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]
        self._counter = 0

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(30)

    def _run(self, worker: int) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                with self._lock:
                    self._counter += 1
                    n = self._counter
                ids = [f"k{worker}-{n}-{i}" for i in range(self.batch)]
                events = [
                    {"event_id": e, "user_id": f"v{i % 9}", "item_id": f"p{i % 5}", "type": "view"}
                    for i, e in enumerate(ids)
                ]
                try:
                    answer = client.post(f"{self.base}/events/batch", json={"events": events})
                except httpx.TransportError:
                    time.sleep(0.05)  # the server is down: try again when it is back
                    continue
                with self._lock:
                    self.sent += len(ids)
                    if 200 <= answer.status_code < 300:
                        self.acked.update(ids)


def check_store(path: Path, acked: set[str]) -> tuple[str, int]:
    """The integrity check's answer and how many acknowledged events are missing."""
    conn = sqlite3.connect(path)
    try:
        integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        stored = {r[0] for r in conn.execute("SELECT event_id FROM events")}
    finally:
        conn.close()
    return integrity, len(acked - stored)


def run(
    kills: int, home: Path, seed: int = 7, threads: int = 4, batch: int = 20
) -> dict[str, object]:
    """Kill the server ``kills`` times (see the module docstring); the summary as JSON."""
    rng = random.Random(seed)
    port = _port()
    log = home.parent / "server.log"
    process = _start(home, port, log)
    clients = Clients(f"http://127.0.0.1:{port}", threads, batch)
    clients.start()
    rounds = []
    try:
        for n in range(1, kills + 1):
            time.sleep(rng.uniform(0.5, 2.0))
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            with clients._lock:  # what was acknowledged before the kill
                acked = set(clients.acked)
            integrity, missing = check_store(home / "shopmind.db", acked)
            rounds.append(
                {"kill": n, "acked": len(acked), "missing": missing, "integrity": integrity}
            )
            print(f"kill {n:2d}: {len(acked):7,} acknowledged, {missing} missing, {integrity}")
            process = _start(home, port, log)
    finally:
        clients.stop()
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    intact = sum(r["missing"] == 0 and r["integrity"] == "ok" for r in rounds)
    return {"kills": kills, "intact": intact, "acknowledged": len(clients.acked)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "shopmind.toml").write_text('[search]\nencoder = "none"\n')
        summary = run(args.kills, home)
    print(json.dumps(summary))
    sys.exit(0 if summary["intact"] == args.kills else 1)


if __name__ == "__main__":
    main()
