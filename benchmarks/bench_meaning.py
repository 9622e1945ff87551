"""The meaning floor: which products that share no word with the query are shown.

Two parts, each against the former fixed floor (``min_similarity = 0.3``) in the same run:

- **relevance by threshold** on bilingual catalogs, with the multilingual encoder (USE)
  chosen as for any catalog with Chinese: the served list's recall@10, the share of its top
  10 judged irrelevant, and its median length, for ``search.meaning_z`` from 1.5 to 3.
  Catalogs: tests/data/bilingual (44 products, 88 queries in English, Chinese, pinyin and
  traditional characters, every pair judged) and the demo catalog (320 products) with its
  shopper queries, judged from the categories: a product of the query's category is
  relevant (3), one of another top-level category irrelevant (1), the rest unjudged;
- **latency** on a large catalog (HomeDepot by default, MiniLM): ``SearchEngine.search``
  (k=10: encoding, fusion, the floor, facets and reasons), the two floors queried
  alternately, one thread.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_meaning.py \\
        [--products ../shared/data/homedepot/products.csv] \\
        [--judgments ../shared/data/homedepot/judgments.csv] [--cache DIR] [--queries 2000]

``--cache``: cached product vectors of the large catalog (``HOME/cache/embeddings`` of a
home that evaluated or built it); without one it is encoded first (minutes).
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from shopmind.catalog import Product
from shopmind.config import SearchConfig
from shopmind.demo import demo_products
from shopmind.demo.catalog import search_terms
from shopmind.embed import resolve_encoder
from shopmind.evaluate import Judgments, evaluate_methods, read_judgments, served_scorer
from shopmind.search import SearchEngine

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = (1.5, 1.75, 2.0, 2.25, 2.5, 3.0)


def _products(path: Path) -> list[Product]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    key = next(k for k in ("product_uid", "id", "product_id") if k in rows[0])
    return [Product(id=r[key], title=r["title"], category=r.get("category")) for r in rows]


def _demo() -> tuple[list[Product], Judgments]:
    products = [
        Product(id=str(r["id"]), title=str(r["title"]), category=str(r["category"]))
        for r in demo_products(42)
    ]
    judged = Judgments()
    for leaf, by_language in search_terms().items():
        top = leaf.split(" > ")[0]
        for query in (q for qs in by_language.values() for q in qs):
            judged.queries[query] = {
                p.id: 3.0 if p.category == leaf else 1.0
                for p in products
                if p.category == leaf or not (p.category or "").startswith(top)
            }
    return products, judged


def relevance(name: str, products: list[Product], judged: Judgments) -> None:
    """The served list's numbers for each threshold and for the fixed floor."""
    encoder = resolve_encoder("auto", products)
    ids = [p.id for p in products]
    configs = {"fixed 0.3": SearchConfig(min_similarity=0.3)}
    configs.update({f"z >= {z:g}": SearchConfig(meaning_z=z) for z in THRESHOLDS})
    print(f"{name}: {len(products)} products, {len(judged)} queries ({encoder and encoder.name})")
    with tempfile.TemporaryDirectory() as cache:
        for label, config in configs.items():
            engine = SearchEngine.from_products(
                products, encoder=encoder, config=config, cache=Path(cache)
            )
            m = evaluate_methods(ids, judged, {"s": served_scorer(engine)}, progress=False)
            s = m["methods"]["s"]
            print(
                f"  {label:10} recall@10 {s['recall@10']:.3f}  irrelevant@10 "
                f"{s['irrelevant@10']:.3f}  nDCG@10 {s['ndcg@10']:.3f}  shown p50 "
                f"{s['shown_p50']:g}"
            )


def latency(products: list[Product], queries: list[str], cache: Path | None) -> None:
    """Per-query latency of the two floors on one catalog, queried alternately."""
    encoder = resolve_encoder("auto", products)
    engines = {
        "fixed 0.3": SearchEngine.from_products(
            products, encoder=encoder, config=SearchConfig(min_similarity=0.3), cache=cache
        ),
        "calibrated": SearchEngine.from_products(products, encoder=encoder, cache=cache),
    }
    for engine in engines.values():  # warm: the query vectors are cached alike for both
        for q in queries:
            engine.search(q)
    times: dict[str, list[float]] = {name: [] for name in engines}
    for q in queries:
        for name, engine in engines.items():
            started = time.perf_counter()
            engine.search(q)
            times[name].append(1000 * (time.perf_counter() - started))
    name = encoder.name if encoder is not None else "lexical"
    print(f"latency: {len(products):,} products ({name}), {len(queries):,} queries")
    base = float(np.percentile(times["fixed 0.3"], 50))
    for name, ms in times.items():
        p50, p99 = float(np.percentile(ms, 50)), float(np.percentile(ms, 99))
        print(f"  {name:10}  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  p50 ratio {p50 / base:.2f}")


def main() -> None:
    data = ROOT / ".." / "shared" / "data" / "homedepot"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=Path, default=data / "products.csv")
    parser.add_argument("--judgments", type=Path, default=data / "judgments.csv")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()

    bilingual = ROOT / "tests" / "data" / "bilingual"
    relevance(
        "bilingual test catalog",
        _products(bilingual / "products.csv"),
        read_judgments(bilingual / "judgments.csv"),
    )
    relevance("demo catalog", *_demo())
    queries = sorted(read_judgments(args.judgments).queries)
    queries = random.Random(7).sample(queries, min(args.queries, len(queries)))
    latency(_products(args.products), queries, args.cache)


if __name__ == "__main__":
    main()
