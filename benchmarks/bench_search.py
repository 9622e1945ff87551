"""Search benchmark on the full HomeDepot catalog: index build, latency in process and over HTTP.

Stages (each its own process): shopmind's default hybrid pipeline (BM25F + MiniLM, fused),
shopmind lexical only (``search.encoder = "none"``), and the baseline in the same run:
plain BM25 (bm25s ``get_scores`` + ``argpartition``, the library's fast path) over the
same titles.

- index build: seconds and peak memory of the build process. Product vectors come from a
  shared cache (``$BENCH_CACHE_DIR``, default ``~/.cache/shopmind-bench``): the first run
  encodes the 54,667 titles (about 10 minutes on one core), later runs reuse them;
- in process: per-query latency p50/p99 of ``SearchEngine.search`` (k=10: query encoding,
  fusion, facets, reasons included) and of the baseline's top-10, one thread;
- over HTTP: a real ``shopmind serve`` process (hybrid), 8 concurrent clients, queries per
  second and p50/p99.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_search.py [--data ../shared/data]
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import numpy as np
from harness import peak_mib, start_server

from shopmind.index.topk import top_k

HTTP_CLIENTS = 8
HTTP_SECONDS = 20.0
CACHE = Path(os.environ.get("BENCH_CACHE_DIR", Path.home() / ".cache" / "shopmind-bench"))


def _queries(data: Path) -> list[str]:
    with (data / "homedepot" / "judgments.csv").open(encoding="utf-8", newline="") as fh:
        return sorted({" ".join(r["search_term"].split()) for r in csv.DictReader(fh)})


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def _timed(
    search: Callable[[str], object], data: Path, build_s: float, peak: float
) -> dict[str, Any]:
    """Per-query latency of ``search`` over every judged query, with the build numbers."""
    latencies = []
    for q in _queries(data):
        s = time.perf_counter()
        search(q)
        latencies.append(1000 * (time.perf_counter() - s))
    return {
        "build_s": build_s,
        "peak_mib": peak,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "queries": len(latencies),
    }


def _home(home: Path, encoder: str) -> None:
    """A bench home whose vector cache is the shared one (encoding 55k titles takes minutes)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text(
        f'[ingest]\nprogress = false\n[search]\nencoder = "{encoder}"\n'
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    (home / "cache").mkdir(exist_ok=True)
    (home / "cache" / "embeddings").symlink_to(CACHE, target_is_directory=True)


def _stage_pipeline(data: Path, home: Path, encoder: str) -> dict[str, Any]:
    import torch

    from shopmind.build import open_search, run_build
    from shopmind.config import load
    from shopmind.ingest import ingest_products
    from shopmind.store import open_store

    torch.set_num_threads(1)
    _home(home, encoder)
    settings = load(home=home)
    with open_store(settings.store_url, settings.store) as store:
        ingest_products(store, data / "homedepot" / "products.csv", settings.ingest)
        t = time.perf_counter()
        run_build(store, settings.home, settings.events, search=settings.search)
        build_s = time.perf_counter() - t
        peak = peak_mib()
        engine = open_search(settings.home, store, settings.search)
        return _timed(lambda q: engine.search(q, k=10), data, build_s, peak)


def stage_hybrid(data: Path, home: Path) -> dict[str, Any]:
    return _stage_pipeline(data, home, "auto")


def stage_lexical(data: Path, home: Path) -> dict[str, Any]:
    return _stage_pipeline(data, home, "none")


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

    def top10(q: str) -> None:
        toks = tokens(q)
        if toks:
            top_k(retriever.get_scores(toks), 10)

    return _timed(top10, data, build_s, peak)


def _stage_http(data: Path, home: Path, workers: int) -> dict[str, Any]:
    _home(home, "auto")
    env = {
        "SHOPMIND_INGEST__PROGRESS": "false",
        "SHOPMIND_SERVE__LOG_LEVEL": "error",
        "SHOPMIND_SERVE__WORKERS": str(workers),
    }
    prep = [harness.SHOPMIND, "--home", str(home)]
    products = str(data / "homedepot" / "products.csv")
    for args in (["ingest", "products", products], ["build"]):
        subprocess.run([*prep, *args], env={**os.environ, **env}, check=True, capture_output=True)
    server, url = start_server(home, env, processes=workers)
    queries = _queries(data)
    try:
        return harness.drive(
            url,
            "/search",
            lambda n, i: {"q": queries[(n + i * HTTP_CLIENTS) % len(queries)], "k": 10},
            HTTP_CLIENTS,
            HTTP_SECONDS,
        )
    finally:
        server.terminate()
        server.wait(30)


def stage_http(data: Path, home: Path) -> dict[str, Any]:
    return _stage_http(data, home, 1)


def stage_http2(data: Path, home: Path) -> dict[str, Any]:
    return _stage_http(data, home, 2)


STAGES = {
    "hybrid": stage_hybrid,
    "lexical": stage_lexical,
    "bm25s": stage_bm25s,
    "http": stage_http,
    "http2": stage_http2,
}


def report(res: dict[str, Any]) -> None:
    """Print the table of results next to the baselines."""
    hybrid, lexical, base = res["hybrid"], res["lexical"], res["bm25s"]
    print(f"\n{'':28} {'hybrid':>10} {'lexical':>10} {'bm25s':>10} {'hybrid/bm25s':>13}")
    for key, label in [
        ("build_s", "index build (s)"),
        ("peak_mib", "build peak memory (MiB)"),
        ("p50_ms", "in-process p50 (ms)"),
        ("p99_ms", "in-process p99 (ms)"),
    ]:
        print(
            f"{label:28} {hybrid[key]:>10.2f} {lexical[key]:>10.2f} {base[key]:>10.2f} "
            f"{hybrid[key] / base[key]:>13.2f}"
        )
    print(
        "(shopmind's build includes the interaction matrix and, for hybrid, product vectors "
        "from the shared cache; a query includes encoding it, fusion, filters, facets and "
        f"reasons; {hybrid['queries']:,} queries, one thread)"
    )
    for stage, processes in (("http", 1), ("http2", 2)):
        http = res[stage]
        print(
            f"\nHTTP, {processes} server process(es), {HTTP_CLIENTS} concurrent clients for "
            f"{HTTP_SECONDS:.0f} s: {http['qps']:.0f} queries/s, p50 {http['p50_ms']:.1f} ms, "
            f"p99 {http['p99_ms']:.1f} ms, {http['errors']} errors of {http['requests']:,}"
        )


if __name__ == "__main__":
    harness.main(__file__, __doc__ or "", STAGES, report)
