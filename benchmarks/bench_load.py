"""Load with ingest and build running (issue 22): 8 clients for 60 s against the real server
(the demo shop), 70% search / 20% recommend / 10% event posts, while an ingest of 100,000
events (``shopmind ingest events``) and a ``shopmind build`` run beside it in their own
processes. Reports requests, errors by status and p50/p99 per route, then one JSON line.

Everything is on loopback and stops by itself. Run::

    .venv/bin/python benchmarks/bench_load.py --seconds 60 --clients 8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import numpy as np

SHOPMIND = Path(sys.executable).parent / "shopmind"
QUERIES = ["wireless earbuds", "蓝牙耳机", "kettle", "running shoes", "mug", "保温杯", "lamp"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _events_file(path: Path, products: list[str], rows: int, seed: int) -> None:
    rng = random.Random(seed)
    kinds = ["view"] * 6 + ["click"] * 3 + ["cart"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            event = {
                "user_id": f"load-{rng.randrange(5_000)}",
                "item_id": rng.choice(products),
                "type": rng.choice(kinds),
                "timestamp": 1_764_000_000 + i,
            }
            out.write(json.dumps(event) + "\n")


class Load:
    """Clients drawing routes by weight; latencies and statuses per route."""

    def __init__(self, base: str, products: list[str], seed: int) -> None:
        self.base = base
        self.products = products
        self.seed = seed
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter[int]] = defaultdict(Counter)
        self.failures: Counter[str] = Counter()
        self._lock = threading.Lock()

    def client(self, worker: int, until: float) -> None:
        rng = random.Random(self.seed + worker)
        with httpx.Client(base_url=self.base, timeout=30) as http:
            while time.monotonic() < until:
                draw = rng.random()
                started = time.perf_counter()
                try:
                    if draw < 0.7:
                        route = "GET /search"
                        answer = http.get("/search", params={"q": rng.choice(QUERIES), "k": 10})
                    elif draw < 0.9:
                        route = "GET /recommend"
                        user = f"u{rng.randrange(1, 300)}"
                        answer = http.get("/recommend", params={"user": user, "k": 10})
                    else:
                        route = "POST /events"
                        item = rng.choice(self.products)
                        event = {"user_id": f"c{worker}", "item_id": item, "type": "view"}
                        answer = http.post("/events", json=event)
                except httpx.HTTPError as err:
                    with self._lock:
                        self.failures[type(err).__name__] += 1
                    continue
                took = (time.perf_counter() - started) * 1000
                with self._lock:
                    self.latency[route].append(took)
                    self.status[route][answer.status_code] += 1


def _start(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(SHOPMIND), "--home", str(home), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SHOPMIND_INGEST__PROGRESS": "false"},
        )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--ingest-rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        subprocess.run(
            [str(SHOPMIND), "--home", str(home), "demo", "--no-serve"],
            check=True,
            capture_output=True,
        )
        products = [
            json.loads(line)["id"]
            for line in (home / "demo" / "products.jsonl").read_text().splitlines()
        ]
        events = Path(tmp) / "load-events.jsonl"
        _events_file(events, products, args.ingest_rows, seed=11)
        port = _port()
        server = _start(home, port, Path(tmp) / "server.log")
        load = Load(f"http://127.0.0.1:{port}", products, seed=5)
        until = time.monotonic() + args.seconds
        clients = [
            threading.Thread(target=load.client, args=(n, until)) for n in range(args.clients)
        ]
        for t in clients:
            t.start()
        env = {**os.environ, "SHOPMIND_INGEST__PROGRESS": "false"}
        started = time.monotonic()
        ingest = subprocess.run(
            [str(SHOPMIND), "--home", str(home), "ingest", "events", str(events), "--json"],
            capture_output=True,
            env=env,
        )
        ingest_s = time.monotonic() - started
        build = subprocess.run(
            [str(SHOPMIND), "--home", str(home), "build", "--json"], capture_output=True, env=env
        )
        build_s = time.monotonic() - started - ingest_s
        for t in clients:
            t.join()
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    routes = {}
    for route, took in sorted(load.latency.items()):
        routes[route] = {
            "requests": len(took),
            "statuses": {str(k): v for k, v in sorted(load.status[route].items())},
            "p50_ms": round(float(np.percentile(took, 50)), 1),
            "p99_ms": round(float(np.percentile(took, 99)), 1),
        }
        row = routes[route]
        print(
            f"{route:16s} {len(took):7,} requests  statuses {row['statuses']}  "
            f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms"
        )
    errors = sum(
        v for r in load.status.values() for k, v in r.items() if k >= 400 and k != 429
    ) + sum(load.failures.values())
    summary = {
        "seconds": args.seconds,
        "clients": args.clients,
        "requests": sum(len(v) for v in load.latency.values()),
        "errors": errors,
        "transport_failures": dict(load.failures),
        "ingest": {
            "ok": ingest.returncode == 0,
            "seconds": round(ingest_s, 1),
            "rows": args.ingest_rows,
        },
        "build": {"ok": build.returncode == 0, "seconds": round(build_s, 1)},
        "routes": routes,
    }
    print(json.dumps(summary))
    sys.exit(0 if errors == 0 and ingest.returncode == 0 and build.returncode == 0 else 1)


if __name__ == "__main__":
    main()
