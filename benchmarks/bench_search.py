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

import csv
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import harness
import numpy as np
from harness import peak_mib, start_server

HTTP_CLIENTS = 8
HTTP_SECONDS = 20.0


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
        peak = peak_mib()
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
    peak = peak_mib()
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


def stage_http(data: Path, home: Path) -> dict[str, Any]:
    import httpx

    env = {"SHOPMIND_INGEST__PROGRESS": "false", "SHOPMIND_SERVE__LOG_LEVEL": "error"}
    prep = [harness.SHOPMIND, "--home", str(home)]
    products = str(data / "homedepot" / "products.csv")
    for args in (["ingest", "products", products], ["build"]):
        subprocess.run([*prep, *args], env={**os.environ, **env}, check=True, capture_output=True)
    server, url = start_server(home, env)
    queries = _queries(data)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    try:
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


def report(res: dict[str, Any]) -> None:
    """Print the table of results next to the baselines."""
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


if __name__ == "__main__":
    harness.main(__file__, __doc__ or "", STAGES, report)
