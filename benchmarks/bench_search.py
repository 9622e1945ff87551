"""Search benchmark on the full HomeDepot catalog: index build, latency in process and over HTTP.

Baseline in the same run: plain BM25 (bm25s ``get_scores`` + ``argpartition``, the fast
path of the library; its ``retrieve()`` wrapper is slower) over the same titles.

- index build: seconds and peak memory of the build process (shopmind's lexical index vs
  bm25s's index);
- in process: per-query latency p50/p99 of ``SearchEngine.search`` (k=10, reasons
  included) and of the baseline's top-10, one thread;
- over HTTP: a real ``shopmind serve`` process, 8 concurrent clients, queries per second
  and p50/p99.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_search.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
HTTP_CLIENTS = 8
HTTP_SECONDS = 20.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _queries(data: Path) -> list[str]:
    with (data / "homedepot" / "judgments.csv").open(encoding="utf-8", newline="") as fh:
        return sorted({" ".join(r["search_term"].split()) for r in csv.DictReader(fh)})


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def stage_shopmind(data: Path, home: Path) -> dict[str, Any]:
    from shopmind.build import open_search, run_build
    from shopmind.config import load
    from shopmind.ingest import ingest_products
    from shopmind.store import open_store

    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n")
    settings = load(home=home)
    with open_store(settings.store_url, settings.store) as store:
        ingest_products(store, data / "homedepot" / "products.csv", settings.ingest)
        t = time.perf_counter()
        run_build(store, settings.home, settings.events)
        build_s = time.perf_counter() - t
        peak = _peak_mib()
        engine = open_search(settings.home, store)
        latencies = []
        for q in _queries(data):
            s = time.perf_counter()
            engine.search(q, k=10)
            latencies.append(1000 * (time.perf_counter() - s))
    return {
        "build_s": build_s,
        "peak_mib": peak,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "queries": len(latencies),
    }


def stage_bm25s(data: Path, home: Path) -> dict[str, Any]:
    import bm25s

    with (data / "homedepot" / "products.csv").open(encoding="utf-8", newline="") as fh:
        titles = [r["title"] for r in csv.DictReader(fh)]

    def tokens(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    t = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([tokens(x) for x in titles], show_progress=False)
    build_s = time.perf_counter() - t
    peak = _peak_mib()
    latencies = []
    for q in _queries(data):
        s = time.perf_counter()
        toks = tokens(q)
        if toks:
            scores = retriever.get_scores(toks)
            top = np.argpartition(-scores, 9)[:10]
            top[np.argsort(-scores[top])]
        latencies.append(1000 * (time.perf_counter() - s))
    return {
        "build_s": build_s,
        "peak_mib": peak,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "queries": len(latencies),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stage_http(data: Path, home: Path) -> dict[str, Any]:
    import httpx

    shopmind = str(Path(sys.executable).parent / "shopmind")
    env = {**os.environ, "SHOPMIND_INGEST__PROGRESS": "false", "SHOPMIND_SERVE__LOG_LEVEL": "error"}
    prep = [shopmind, "--home", str(home)]
    subprocess.run(
        [*prep, "ingest", "products", str(data / "homedepot" / "products.csv")],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run([*prep, "build"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*prep, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    queries = _queries(data)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    try:
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url) as c:
            for _ in range(600):
                try:
                    if c.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        stop = time.perf_counter() + HTTP_SECONDS

        def client(n: int) -> None:
            nonlocal errors
            mine: list[float] = []
            bad = 0
            with httpx.Client(base_url=url, timeout=30) as c:
                i = n
                while time.perf_counter() < stop:
                    s = time.perf_counter()
                    r = c.get("/search", params={"q": queries[i % len(queries)], "k": 10})
                    mine.append(1000 * (time.perf_counter() - s))
                    bad += r.status_code != 200
                    i += HTTP_CLIENTS
            with lock:
                latencies.extend(mine)
                errors += bad

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(HTTP_CLIENTS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    return {
        "qps": len(latencies) / seconds,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "requests": len(latencies),
        "errors": errors,
    }


STAGES = {"shopmind": stage_shopmind, "bm25s": stage_bm25s, "http": stage_http}


def _run(name: str, data: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-search-{name}-") as tmp:
        out = subprocess.run(
            [sys.executable, __file__, "--stage", name, "--data", str(data), "--home", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--stage", choices=sorted(STAGES))
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(STAGES[args.stage](args.data, args.home)))
        return
    print(f"bench_search on {os.cpu_count()} cores, data {args.data}")
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    res = {name: _run(name, args.data) for name in STAGES}
    ours, base, http = res["shopmind"], res["bm25s"], res["http"]
    print(f"\n{'':28} {'shopmind':>10} {'bm25s':>10} {'ratio':>7}")
    for key, label in [
        ("build_s", "index build (s)"),
        ("peak_mib", "build peak memory (MiB)"),
        ("p50_ms", "in-process p50 (ms)"),
        ("p99_ms", "in-process p99 (ms)"),
    ]:
        print(f"{label:28} {ours[key]:>10.2f} {base[key]:>10.2f} {ours[key] / base[key]:>7.2f}")
    print(
        f"(shopmind's build includes the interaction matrix; its query includes filters, "
        f"facets and reasons; {ours['queries']:,} queries)"
    )
    print(
        f"\nHTTP, {HTTP_CLIENTS} concurrent clients for {HTTP_SECONDS:.0f} s: "
        f"{http['qps']:.0f} queries/s, p50 {http['p50_ms']:.1f} ms, p99 {http['p99_ms']:.1f} ms, "
        f"{http['errors']} errors of {http['requests']:,}"
    )
    print(json.dumps(res))


if __name__ == "__main__":
    main()
