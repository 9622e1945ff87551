"""Recommendation benchmark on the Amazon Games data (50,546 visitors, 16,859 products).

Stages (each its own process):

- in process: fitting the served blend (EASE + sequence neighbours + text + trending + the
  transformer, the ``recommend`` defaults) on the valid histories, its peak memory, and the
  latency of one visitor's top-10 (p50/p99 over 2,000 visitors, one thread) next to EASE
  alone, ItemKNN and popular fitted in the same process. Title vectors come from the shared cache
  (``$BENCH_CACHE_DIR``, default ``~/.cache/shopmind-bench``; the first run encodes them).
- over HTTP: the histories ingested as purchase events (with made-up timestamps one minute
  apart, in history order; the data has no times) into a real store, a real
  ``shopmind serve`` (fitting at start-up), 8 concurrent clients asking ``/recommend`` for
  random visitors: requests per second, p50/p99; plus the time from ``POST /events`` to a
  changed ``/recommend`` for a fresh visitor.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_recommend.py [--data ../shared/data]
"""

from __future__ import annotations

import csv
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import harness
import numpy as np
from harness import peak_mib, start_server

HTTP_CLIENTS = 8
HTTP_SECONDS = 20.0
SEQUENTIAL_SECONDS = 300.0  # the served default (recommend.sequential_seconds)
CACHE = Path(os.environ.get("BENCH_CACHE_DIR", Path.home() / ".cache" / "shopmind-bench"))


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def stage_inprocess(data: Path, home: Path) -> dict[str, Any]:
    from shopmind.embed import encode_cached, make_encoder
    from shopmind.evaluate.recommend import read_split
    from shopmind.recommend import (
        EASE,
        Content,
        Histories,
        Hybrid,
        ItemKNN,
        Popular,
        Recommender,
        Sequential,
        Transitions,
    )

    split = read_split(data / "amazon-games")
    n = len(split.items)
    vectors = encode_cached(make_encoder("minilm"), split.titles, CACHE, progress=False)
    out: dict[str, Any] = {"visitors": len(split.valid), "products": n}
    started = time.perf_counter()
    blend = Hybrid(
        {
            "ease": EASE(l2=100.0, recency=0.8),
            "transitions": Transitions(),
            "content": Content(),
            "popular": Popular(),
            "sequential": Sequential(max_seconds=SEQUENTIAL_SECONDS, progress=False),
        },
        {"ease": 1.0, "transitions": 0.5, "content": 0.3, "popular": 0.1, "sequential": 1.0},
    ).fit(split.valid, n, vectors)
    out["fit_s"] = time.perf_counter() - started
    out["peak_mib"] = peak_mib()
    ease = blend.components["ease"]
    assert isinstance(ease, EASE)
    plain = EASE(l2=100.0)
    plain.n_items, plain.weights = n, ease.weights
    started = time.perf_counter()
    knn = ItemKNN().fit(split.valid, n)
    out["itemknn_fit_s"] = time.perf_counter() - started
    popular = Popular().fit(split.valid, n)
    rng = np.random.default_rng(0)
    users = rng.choice(len(split.test), size=2_000, replace=False)
    models: dict[str, Recommender] = {"shopmind": blend, "ease": plain, "itemknn": knn,
                                      "popular": popular}  # fmt: skip
    for name, model in models.items():
        latencies = []
        for u in users:
            one = Histories([split.test.items[u]])
            s = time.perf_counter()
            model.recommend(one, k=10)
            latencies.append(1000 * (time.perf_counter() - s))
        out[name] = {"p50_ms": _pct(latencies, 50), "p99_ms": _pct(latencies, 99)}
    return out


def _shop_files(data: Path, home: Path) -> tuple[Path, Path, list[str]]:
    from shopmind.evaluate.recommend import read_split

    split = read_split(data / "amazon-games")
    products = home / "products.csv"
    with products.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title"])
        for pid, title in zip(split.items, split.titles, strict=True):
            w.writerow([pid, title or f"product {pid}"])
    events = home / "events.csv"
    users = []
    with events.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["user_id", "item_id", "type", "timestamp"])
        clock = 1_600_000_000
        for u, hist in enumerate(split.valid.items):
            users.append(f"u{u}")
            for item in hist.tolist():
                clock += 60
                w.writerow([f"u{u}", split.items[item], "purchase", clock])
    return products, events, users


def stage_http(data: Path, home: Path) -> dict[str, Any]:
    import httpx

    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text(
        '[ingest]\nprogress = false\n[search]\nencoder = "minilm"\n'
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    (home / "cache").mkdir(exist_ok=True)
    (home / "cache" / "embeddings").symlink_to(CACHE, target_is_directory=True)
    products, events, users = _shop_files(data, home)
    env = {"SHOPMIND_SERVE__LOG_LEVEL": "error"}
    prep = [harness.SHOPMIND, "--home", str(home)]
    out: dict[str, Any] = {}
    for label, args in (
        ("ingest_products_s", ["ingest", "products", str(products)]),
        ("ingest_events_s", ["ingest", "events", str(events)]),
        ("build_s", ["build"]),
    ):
        s = time.perf_counter()
        subprocess.run([*prep, *args], env={**os.environ, **env}, check=True, capture_output=True)
        out[label] = time.perf_counter() - s
    s = time.perf_counter()
    server, url = start_server(home, env, wait_s=900)
    out["start_s"] = time.perf_counter() - s
    rng = np.random.default_rng(0)
    picks = rng.integers(len(users), size=1_000_000)
    try:
        out.update(
            harness.drive(
                url,
                "/recommend",
                lambda n, i: {"user": users[int(picks[(n * 100_003 + i) % len(picks)])], "k": 10},
                HTTP_CLIENTS,
                HTTP_SECONDS,
            )
        )
        with httpx.Client(base_url=url, timeout=30) as c:
            before = c.get("/recommend", params={"user": "bench-new", "k": 10}).json()
            t = time.perf_counter()
            c.post("/events", json={"user_id": "bench-new", "item_id": "0", "type": "cart"})
            after = c.get("/recommend", params={"user": "bench-new", "k": 10}).json()
            out["event_to_change_ms"] = 1000 * (time.perf_counter() - t)
            out["event_changed_list"] = before != after
    finally:
        server.terminate()
        server.wait(30)
    return out


STAGES = {"inprocess": stage_inprocess, "http": stage_http}


def report(res: dict[str, Any]) -> None:
    """Print the numbers next to the baselines."""
    ip, http = res["inprocess"], res["http"]
    print(f"\n{ip['visitors']:,} visitors, {ip['products']:,} products")
    print(f"fit (served blend): {ip['fit_s']:.1f} s, peak {ip['peak_mib']:.0f} MiB; "
          f"ItemKNN fit {ip['itemknn_fit_s']:.1f} s")  # fmt: skip
    print(f"{'one visitor, top-10':22} {'p50 ms':>8} {'p99 ms':>8}")
    for name in ("shopmind", "ease", "itemknn", "popular"):
        print(f"{name:22} {ip[name]['p50_ms']:8.2f} {ip[name]['p99_ms']:8.2f}")
    print(
        f"HTTP /recommend, {HTTP_CLIENTS} clients: {http['qps']:.0f} req/s, p50 "
        f"{http['p50_ms']:.1f} ms, p99 {http['p99_ms']:.1f} ms, errors {http['errors']}; "
        f"server start (fit) {http['start_s']:.0f} s; event -> changed list "
        f"{http['event_to_change_ms']:.1f} ms ({http['event_changed_list']})"
    )
    print(f"ingest events {http['ingest_events_s']:.0f} s, build {http['build_s']:.0f} s")


if __name__ == "__main__":
    harness.main(__file__, __doc__ or "", STAGES, report)
