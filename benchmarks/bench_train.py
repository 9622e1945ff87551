"""Training-speed benchmark: MiniLM's query tower, whole fine-tuning, and an adapter.

Pairs come from the shared HomeDepot judgments (query -> products judged >= 2.5, judged
negatives <= 2). Each configuration trains for a fixed wall-clock budget in its own run
and reports steps, pairs per second of training steps (set-up and validation checks
apart), and what 15 minutes of steps (the ``train.max_seconds`` default) would cover;
whole fine-tuning (nothing frozen) is the baseline the others are compared with, in the
same run. The adapter is timed over the frozen MiniLM product vectors (the same code path
the multilingual encoder takes). Product vectors come from the shared cache
(``$BENCH_CACHE_DIR``, default ``~/.cache/shopmind-bench``; the first run encodes them).

Usage::

    .venv/bin/python benchmarks/bench_train.py [--data ../shared/data] [--seconds 120]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("BENCH_CACHE_DIR", Path.home() / ".cache" / "shopmind-bench"))
BUDGET = 900.0  # the train.max_seconds default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--seconds", type=float, default=120.0, help="Budget per configuration.")
    args = parser.parse_args()

    from shopmind.catalog import Product
    from shopmind.config import TrainConfig
    from shopmind.embed import make_encoder
    from shopmind.embed.models import ModelRegistry
    from shopmind.evaluate import read_judgments
    from shopmind.train import pairs_from_judgments, train_model

    with (args.data / "homedepot" / "products.csv").open(encoding="utf-8", newline="") as fh:
        products = [Product(id=r["product_uid"], title=r["title"]) for r in csv.DictReader(fh)]
    judged = read_judgments(args.data / "homedepot" / "judgments.csv").queries
    pairs = pairs_from_judgments(judged, {p.id for p in products})
    minilm = make_encoder("minilm")
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "pairs": len(pairs),
        "queries": len(pairs.positives),
        "budget_s": args.seconds,
    }
    configs = {
        "query tower (default)": TrainConfig(max_seconds=args.seconds),
        "finetune: 3 layers frozen, hard negatives": TrainConfig(
            max_seconds=args.seconds, method="finetune"
        ),
        "finetune, nothing frozen (baseline)": TrainConfig(
            max_seconds=args.seconds, method="finetune", freeze_layers=0
        ),
        "finetune, 3 frozen, no hard negatives": TrainConfig(
            max_seconds=args.seconds, method="finetune", hard_negatives=False
        ),
    }
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        registry = ModelRegistry(Path(tmp) / "models")
        for name, config in configs.items():
            started = time.perf_counter()
            trained = train_model(products, pairs, minilm, registry, config, cache=CACHE)
            report = trained.report
            pairs_per_s = report.steps * config.batch_size / max(report.step_seconds, 1e-9)
            results[name] = {
                "steps": report.steps,
                "seconds": report.seconds,
                "step_seconds": report.step_seconds,
                "wall_s": round(time.perf_counter() - started, 1),
                "checks": len(report.curve),
                "pairs_per_s": round(pairs_per_s, 1),
                "pairs_in_15_min": int(pairs_per_s * BUDGET),
                "valid_ndcg@10": [report.untuned, report.best],
            }
            print(name, json.dumps(results[name]), flush=True)
        base = results["finetune, nothing frozen (baseline)"]["pairs_per_s"]
        for name in ("query tower (default)", "finetune: 3 layers frozen, hard negatives"):
            results[f"{name} vs baseline speed"] = round(
                results[name]["pairs_per_s"] / max(base, 1e-9), 2
            )

        # the adapter path (a linear map over frozen vectors), over MiniLM's vectors here
        adapter_config = TrainConfig(max_seconds=args.seconds, method="adapter")
        started = time.perf_counter()
        trained = train_model(products, pairs, minilm, registry, adapter_config, cache=CACHE)
        report = trained.report
        results["adapter over frozen vectors"] = {
            "epochs": report.epochs,
            "seconds": report.seconds,
            "wall_s": round(time.perf_counter() - started, 1),
            "valid_ndcg@10": [report.untuned, report.best],
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
