"""Search benchmark on the full HomeDepot catalog: index build, latency in process and over HTTP.

Stages (each its own process): shopmind's default hybrid pipeline (BM25F + MiniLM, fused),
the same through the approximate (IVF) index that catalogs of ``search.ann_min_products``
use, shopmind lexical only (``search.encoder = "none"``), and the baseline in the same run:
plain BM25 (bm25s ``get_scores`` + ``argpartition``, the library's fast path) over the
same titles.

- index build: seconds and peak memory of the build process. Product vectors come from a
  shared cache (``$BENCH_CACHE_DIR``, default ``~/.cache/shopmind-bench``): the first run
  encodes the 54,667 titles (about 10 minutes on one core), later runs reuse them;
- in process: per-query latency p50/p99 of ``SearchEngine.search`` (k=10: query encoding,
  fusion, facets, reasons included) and of the baseline's top-10, one thread;
- over HTTP: a real ``shopmind serve`` (hybrid), one process and two (``serve.workers``),
  8 concurrent clients, queries per second and p50/p99.

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


def _home(home: Path, encoder: str, ann: bool = False) -> None:
    """A bench home whose vector cache is the shared one (encoding 55k titles takes minutes);
    with ``ann``, the approximate index serves this catalog (by default only far larger)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text(
        f'[ingest]\nprogress = false\n[search]\nencoder = "{encoder}"\n'
        + ("ann_min_products = 1\n" if ann else "")
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    (home / "cache").mkdir(exist_ok=True)
    (home / "cache" / "embeddings").symlink_to(CACHE, target_is_directory=True)


def _stage_pipeline(data: Path, home: Path, encoder: str, ann: bool = False) -> dict[str, Any]:
    import torch

    from shopmind.build import open_search, run_build
    from shopmind.config import load
    from shopmind.ingest import ingest_products
    from shopmind.store import open_store

    torch.set_num_threads(1)
    _home(home, encoder, ann)
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


def stage_hybrid_ann(data: Path, home: Path) -> dict[str, Any]:
    return _stage_pipeline(data, home, "auto", ann=True)


def stage_scan_1m(data: Path, home: Path) -> dict[str, Any]:
    """Exact scan against the approximate index on a million synthetic 384-d unit vectors
    (2,000 clusters): how the dense stage scales past the HomeDepot catalog."""
    import torch

    from shopmind.index import VectorIndex
    from shopmind.index.ann import IvfIndex

    torch.set_num_threads(1)
    n, dim, depth = 1_000_000, 384, 1_000
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((2_000, dim), dtype=np.float32)
    vectors = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        part = centres[rng.integers(0, 2_000, 100_000)]
        part += rng.standard_normal(part.shape, dtype=np.float32)
        vectors[start : start + 100_000] = part / np.linalg.norm(part, axis=1, keepdims=True)
    queries = vectors[rng.choice(n, 200, replace=False)] + 0.05 * rng.standard_normal(
        (200, dim), dtype=np.float32
    )
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    index = VectorIndex("synthetic", [str(i) for i in range(n)], vectors)
    exact_ms, truth = [], []
    for q in queries:
        t = time.perf_counter()
        scores = index.scores(q)
        top = np.argpartition(-scores, depth - 1)[:depth]
        exact_ms.append(1000 * (time.perf_counter() - t))
        truth.append(top[np.argsort(-scores[top])])
    t = time.perf_counter()
    ann = IvfIndex.build(vectors)
    build_s = time.perf_counter() - t
    ann_ms, found = [], []
    for q in queries:
        t = time.perf_counter()
        rows, _ = ann.search(q, depth)
        ann_ms.append(1000 * (time.perf_counter() - t))
        found.append(rows)
    return {
        "products": n,
        "lists": ann.lists,
        "probes": ann.probes,
        "ann_build_s": build_s,
        "exact_p50_ms": _pct(exact_ms, 50),
        "exact_p99_ms": _pct(exact_ms, 99),
        "ann_p50_ms": _pct(ann_ms, 50),
        "ann_p99_ms": _pct(ann_ms, 99),
        "recall@100": float(
            np.mean([len(set(f) & set(t[:100])) / 100 for f, t in zip(found, truth, strict=True)])
        ),
        "recall@1000": float(
            np.mean([len(set(f) & set(t)) / depth for f, t in zip(found, truth, strict=True)])
        ),
    }


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
    "hybrid_ann": stage_hybrid_ann,
    "scan_1m": stage_scan_1m,
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
    ann = res["hybrid_ann"]
    print(
        f"\nhybrid through the approximate index (IVF, {ann['queries']:,} queries): build "
        f"{ann['build_s']:.2f} s, peak {ann['peak_mib']:.0f} MiB, p50 {ann['p50_ms']:.2f} ms, "
        f"p99 {ann['p99_ms']:.2f} ms"
    )
    big = res["scan_1m"]
    print(
        f"the 1,000 nearest of {big['products']:,} synthetic vectors: exact scan "
        f"p50 {big['exact_p50_ms']:.1f} / p99 {big['exact_p99_ms']:.1f} ms; IVF ({big['lists']} "
        f"lists, {big['probes']} probed, built in {big['ann_build_s']:.1f} s) p50 "
        f"{big['ann_p50_ms']:.2f} / p99 {big['ann_p99_ms']:.2f} ms, recall of the exact top 100 "
        f"{big['recall@100']:.3f}, of the top 1,000 {big['recall@1000']:.3f}"
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
