"""The assistant's latency in process on the demo shop, against search alone in the same run.

Builds the demo shop in a temporary home (``shopmind demo --no-serve``'s path: catalog,
events, pages, past questions, build, ranker), then answers a fixed script of
conversations in Chinese and English (policy questions, product questions on a product
page, shopping turns refined by "cheaper" / "其他颜色" / "not BRAND", hand-offs, questions
the shop cannot answer) with one thread, ``repeats`` times, without a generator. Prints the
p50/p99 per intent and overall, and the same percentiles of ``SearchEngine.search`` for the
shopping turns' queries (the floor of what a shopping answer costs).

Usage::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_assistant.py \\
        [--repeats 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from shopmind.assistant import Ask, Assistant, KnowledgeIndex, assistant_encoder
from shopmind.build import open_search, run_build
from shopmind.config import load
from shopmind.demo import build_demo
from shopmind.store import SQLiteStore

SCRIPT: list[list[tuple[str, str | None]]] = [  # conversations: (message, product page)
    [("what is your return policy?", None), ("how long does shipping take?", None)],
    [("退货政策是什么?", None), ("运费多少?", None), ("保修多久?", None)],
    [("wireless earbuds", None), ("cheaper ones?", None), ("其他颜色", None)],
    [("无线耳机 300元以下", None), ("不要白色", None), ("第一个防水吗?", None)],
    [("yoga mat", None), ("not ZenFlow", None), ("compare the first two", None)],
    [("这款耳机防水吗?", "p0005"), ("续航多久?", "p0005"), ("能连两台手机吗?", "p0005")],
    [("is it dishwasher safe?", "p0015"), ("how much is it?", "p0015")],
    [("Will it work on Windows 7?", None), ("do you sell bicycles?", None)],
    [("where is my order?", None), ("我要转人工", None)],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n")
        settings = load(home=home)
        store = SQLiteStore(home / "shopmind.db")
        build_demo(store, settings)
        run_build(store, home, settings.events, search=settings.search)
        engine = open_search(home, store, settings.search)
        knowledge = KnowledgeIndex.from_store(
            store, assistant_encoder(settings.assistant, engine), home / "cache" / "embeddings"
        )
        assistant = Assistant(store, engine, knowledge, settings.assistant)
        by_intent: dict[str, list[float]] = defaultdict(list)
        search_ms: list[float] = []
        for r in range(args.repeats + 1):  # the first round warms caches, not counted
            for c, conversation in enumerate(SCRIPT):
                for message, product in conversation:
                    started = time.perf_counter()
                    reply = assistant.reply(Ask(f"r{r}-c{c}", message, product))
                    ms = 1000 * (time.perf_counter() - started)
                    if r:
                        by_intent[reply.intent].append(ms)
                    if r and reply.intent == "find":
                        started = time.perf_counter()
                        engine.search(message, k=48)
                        search_ms.append(1000 * (time.perf_counter() - started))
        store.close()
    every = [ms for values in by_intent.values() for ms in values]
    result: dict[str, Any] = {
        "answers": len(every),
        "p50_ms": round(float(np.percentile(every, 50)), 2),
        "p99_ms": round(float(np.percentile(every, 99)), 2),
        "by_intent": {
            intent: {
                "n": len(v),
                "p50_ms": round(float(np.percentile(v, 50)), 2),
                "p99_ms": round(float(np.percentile(v, 99)), 2),
            }
            for intent, v in sorted(by_intent.items())
        },
        "search_alone": {
            "p50_ms": round(float(np.percentile(search_ms, 50)), 2),
            "p99_ms": round(float(np.percentile(search_ms, 99)), 2),
        },
    }
    result["p99_over_search_p99"] = round(result["p99_ms"] / result["search_alone"]["p99_ms"], 2)
    print(f"{result['answers']} answers: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms")
    for intent, row in result["by_intent"].items():
        print(f"  {intent:8} n={row['n']:4}  p50 {row['p50_ms']:7.2f}  p99 {row['p99_ms']:7.2f}")
    s = result["search_alone"]
    print(f"  search alone (the shopping turns' messages): p50 {s['p50_ms']}  p99 {s['p99_ms']}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
