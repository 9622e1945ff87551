"""Ranking-stage benchmark: scoring throughput and the latency the ranker adds to requests.

A demo shop with ``--visitors`` simulated visitors (3,000: about 30,000 impressions) is
built into a temporary home and its ranker trained (``shopmind train ranker``'s code path).

* **Scoring**: ``Ranker.score`` of 200 catalog products for each of 300 visitors (their
  stored events read first, outside the timing), one thread: candidates per second and the
  p50/p99 of one call; ``Ranker.reorder`` the same with reasons for the first 10.
* **Added latency, in process**: the same searches and recommendation requests with and
  without the ranker as a second stage (``reorder=``, 200 candidates), the visitor's events
  read from SQLite inside the timing (serving reads them per request).
* **Added latency, over HTTP**: a real ``shopmind serve`` with the ranker and one with
  ``rank.enabled = false`` (ads off in both), one client, ``/search`` and ``/recommend``.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_rank.py [--visitors 3000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.harness import start_server
from shopmind.build import open_ranker, open_recommend, open_search, ranker_path, run_build
from shopmind.config import load
from shopmind.demo import build_demo
from shopmind.rank import train_ranker
from shopmind.recommend.engine import search_vectors
from shopmind.store import SQLiteStore

QUERIES = [
    "headphones",
    "无线耳机",
    "running shoes",
    "跑鞋",
    "lamp",
    "咖啡机",
    "novel",
    "lego",
    "pan",
    "手机壳",
]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def _timed(calls: list[Any]) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append(1000 * (time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=3_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-rank-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "shopmind.toml").write_text(
            f"[ingest]\nprogress = false\n[demo]\nvisitors = {args.visitors}\n"
            "[recommend]\nsequential_min_visitors = 1000000\n",
            encoding="utf-8",
        )
        settings = load(home=home)
        store = SQLiteStore(home / "shopmind.db")
        build_demo(store, settings)
        run_build(store, home, settings.events)
        engine = open_search(home, store, settings.search)
        clock = time.perf_counter()
        events = (e for batch in store.iter_events() for e in batch)
        ranker, report = train_ranker(
            events, store.all_products(), search_vectors(engine), settings.rank, progress=False
        )
        ranker.save(ranker_path(home))
        results["train"] = {
            "impressions": ranker.report["impressions"],
            "seconds": round(time.perf_counter() - clock, 1),
            "valid_auc": round(report.best_auc, 4),
            "ensemble": settings.rank.ensemble,
        }
        ranker = open_ranker(home, store, engine, settings.rank)
        rng = random.Random(7)
        visitors = sorted({e.visitor for e in store.list_events(limit=100_000)})
        chosen = [rng.choice(visitors) for _ in range(args.requests)]
        ids = [p.id for p in store.all_products()]
        histories = {v: store.list_events(visitor=v, limit=500) for v in set(chosen)}
        samples = [rng.sample(ids, 200) for _ in chosen]
        for v, cand in zip(chosen[:20], samples[:20], strict=True):  # warm the caches
            ranker.reorder(v, histories[v], cand, 10)
        score = _timed(
            [
                lambda v=v, c=c: ranker.score(v, histories[v], c)
                for v, c in zip(chosen, samples, strict=True)
            ]
        )
        reorder = _timed(
            [
                lambda v=v, c=c: ranker.reorder(v, histories[v], c, 10)
                for v, c in zip(chosen, samples, strict=True)
            ]
        )
        results["scoring"] = {
            "candidates": 200,
            "score_p50_ms": _pct(score, 50),
            "score_p99_ms": _pct(score, 99),
            "candidates_per_s": 200 / (statistics.mean(score) / 1000),
            "reorder_p50_ms": _pct(reorder, 50),
            "reorder_p99_ms": _pct(reorder, 99),
        }

        def stage(v: str) -> Any:
            evs = store.list_events(visitor=v, limit=500)
            return lambda cand, n: ranker.reorder(v, evs, cand, n)

        queries = [QUERIES[i % len(QUERIES)] for i in range(args.requests)]
        plain = _timed([lambda q=q: engine.search(q, k=10) for q in queries])
        ranked = _timed(
            [
                lambda q=q, v=v: engine.search(q, k=10, reorder=stage(v), candidates=200)
                for q, v in zip(queries, chosen, strict=True)
            ]
        )
        rec = open_recommend(home, store, settings.events, settings.recommend, engine)
        rec_plain = _timed(
            [lambda v=v: rec.recommend(store.list_events(visitor=v, limit=50), 10) for v in chosen]
        )
        rec_ranked = _timed(
            [
                lambda v=v: rec.recommend(
                    store.list_events(visitor=v, limit=50), 10, None, stage(v), 200
                )
                for v in chosen
            ]
        )
        results["in_process"] = {
            name: {
                "p50_ms": _pct(a, 50),
                "p99_ms": _pct(a, 99),
                "ranked_p50_ms": _pct(b, 50),
                "ranked_p99_ms": _pct(b, 99),
            }
            for name, a, b in (("search", plain, ranked), ("recommend", rec_plain, rec_ranked))
        }
        store.close()
        results["http"] = {}
        for label, enabled in (("ranked", "true"), ("plain", "false")):
            env = {
                "SHOPMIND_RANK__ENABLED": enabled,
                "SHOPMIND_ADS__ENABLED": "false",
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1",
            }
            server, url = start_server(home, env)
            try:
                import httpx

                with httpx.Client(base_url=url, timeout=30) as client:
                    for i in range(20):
                        client.get("/search", params={"q": queries[i], "user": chosen[i]})
                    s = _timed(
                        [
                            lambda q=q, v=v: client.get("/search", params={"q": q, "user": v})
                            for q, v in zip(queries, chosen, strict=True)
                        ]
                    )
                    r = _timed(
                        [lambda v=v: client.get("/recommend", params={"user": v}) for v in chosen]
                    )
                results["http"][label] = {
                    "search_p50_ms": _pct(s, 50), "search_p99_ms": _pct(s, 99),
                    "recommend_p50_ms": _pct(r, 50), "recommend_p99_ms": _pct(r, 99),
                }  # fmt: skip
            finally:
                server.terminate()
                server.wait(30)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
