"""Buy again on a real shop: next-month purchases of Online Retail's customers (issue 21).

The log's purchases before a cutoff (the newest day − 30) go into a fresh SQLite store as
``purchase`` events (a customer's lines of one day are one order; guests left out), with a
catalog of every product; ``RecommendEngine`` is fitted on them as serving fits it. Then for
every customer who bought before the cutoff and again after it, the served list of 10 (from
their newest ``recommend.history`` events, as the route reads them) is scored against the
products they bought in the 30 days after: recall@10 (hits over min(10, products bought)) and
NDCG@10. Arms differ only in ``recommend.buy_again``: 0 is the old rule (everything bought is
left out), 1 the default. The blend is EASE + transitions + popular (no text vectors; the
transformer is off to keep the run short: its weight is 0 in every arm).

Run::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_rebuy.py \\
        --transactions ../shared/data/online-retail/online_retail.csv.gz
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from shopmind.catalog import Product
from shopmind.config import EventsConfig, RecommendConfig
from shopmind.events import Event
from shopmind.insight.transactions import read_transactions
from shopmind.recommend.engine import RecommendEngine
from shopmind.store import open_store

DAY = 86_400


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=Path, required=True)
    parser.add_argument("--days", type=int, default=30, help="The target window after the cutoff.")
    parser.add_argument("--weights", default="0,1,3", help="buy_again values to compare.")
    args = parser.parse_args()

    sales = read_transactions(args.transactions, {})
    cut = int(sales.day.max()) - args.days + 1
    customer = sales.customer.astype(str)
    items = sales.item.astype(str)
    known = customer != ""
    before, after = known & (sales.day < cut), known & (sales.day >= cut)
    targets: dict[str, set[str]] = defaultdict(set)
    for i in np.flatnonzero(after):
        targets[customer[i]].add(items[i])

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/shop.db")
        titles = sales.titles
        store.upsert_products(
            [Product(id=p, title=titles.get(p) or p) for p in sorted(set(items.tolist()))]
        )
        rows = np.flatnonzero(before)
        events = [
            Event(
                user_id=customer[i],
                item_id=items[i],
                type="purchase",
                quantity=float(sales.quantity[i]),
                timestamp=datetime.fromtimestamp(int(sales.day[i]) * DAY + 43_200, UTC),
            )
            for i in rows
        ]
        for start in range(0, len(events), 50_000):
            store.add_events(events[start : start + 50_000])
        buyers = {customer[i] for i in rows}
        judged = sorted(v for v in targets if v in buyers)
        print(
            f"{len(events):,} purchase lines before {_day(cut)} from {len(buyers):,} customers; "
            f"{len(judged):,} of them buy again in the {args.days} days after",
            flush=True,
        )
        results: dict[str, dict[str, float]] = {}
        for weight in (float(w) for w in args.weights.split(",")):
            config = RecommendConfig(
                weights={"ease": 1.0, "transitions": 0.5, "popular": 0.1, "sequential": 0.0},
                buy_again=weight,
            )
            started = time.perf_counter()
            engine = RecommendEngine.fit(store, EventsConfig(), config)
            fitted = time.perf_counter() - started
            recall, ndcg = [], []
            for visitor in tqdm(judged, desc=f"buy_again={weight:g}", leave=False):
                mine = store.list_events(
                    visitor=visitor, limit=config.history, types=engine.history_types
                )
                picks = [p.id for p in engine.recommend(mine, k=10)]
                bought = targets[visitor]
                hits = [1.0 if p in bought else 0.0 for p in picks]
                ideal = min(10, len(bought))
                recall.append(sum(hits) / ideal)
                dcg = sum(h / math.log2(r + 2) for r, h in enumerate(hits))
                ndcg.append(dcg / sum(1 / math.log2(r + 2) for r in range(ideal)))
            name = f"buy_again={weight:g}"
            results[name] = {
                "recall@10": round(float(np.mean(recall)), 4),
                "ndcg@10": round(float(np.mean(ndcg)), 4),
                "fit_seconds": round(fitted, 1),
            }
            print(
                f"{name:16s} recall@10 {results[name]['recall@10']:.4f}  "
                f"ndcg@10 {results[name]['ndcg@10']:.4f}  (fit {fitted:.1f} s)",
                flush=True,
            )
        store.close()
    base = results[next(iter(results))]["ndcg@10"]
    for r in results.values():
        r["ndcg_ratio"] = round(r["ndcg@10"] / base, 2) if base else float("nan")
    print(json.dumps({"customers": len(judged), "cutoff": _day(cut), "arms": results}))


def _day(day: int) -> str:
    return datetime.fromtimestamp(day * DAY, UTC).date().isoformat()


if __name__ == "__main__":
    main()
