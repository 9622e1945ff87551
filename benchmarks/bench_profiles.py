"""Visitor profiles at scale: build all of them, then read single profiles (issue 21).

A seeded synthetic shop (5,000 products in 20 categories, 100,000 visitors of whom 30%
anonymous, about 1.5M events: views, clicks, carts, purchases with quantities and prices,
returns) is written once into a home; then, each in a fresh process (so peak memory is
its own):

- ``build``: ``refresh_profiles`` as ``shopmind analyze profiles`` runs it (read the
  events, features, RFM, lifecycle, the buy-again model, interest clusters of the product
  vectors, save the artifact); prints seconds and peak MiB. Target: <= 60 s.
- ``read``: single profiles of 2,000 random visitors, the route's work (artifact lookup,
  the visitor's newest events and products from the store, the JSON), then 500 through
  ``GET /visitors/{id}/profile`` over the real app; p50/p99 ms. Target: p99 <= 20 ms.

Run (one thread, as in benchmarks/README.md)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_profiles.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import peak_mib  # noqa: E402

CATEGORIES = {
    "Kitchen": ["Mugs", "Pans", "Knives", "Kettles", "Plates"],
    "Garden": ["Hoses", "Seeds", "Pots", "Shears", "Lights"],
    "Sport": ["Shoes", "Mats", "Bottles", "Bags", "Bands"],
    "Toys": ["Puzzles", "Blocks", "Dolls", "Kites", "Cards"],
}
ADJECTIVES = ["red", "blue", "large", "small", "classic", "modern", "eco", "deluxe", "mini"]


def _settings(home: Path) -> Any:
    from shopmind.config import load

    return load(home=home)


def generate(home: Path, visitors: int, seed: int) -> dict[str, Any]:
    """Write the synthetic shop into ``home`` (catalog, events, a lexical + vector build)."""
    from shopmind.catalog import Product
    from shopmind.events import Event
    from shopmind.store import open_store

    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text(
        '[ingest]\nprogress = false\n[search]\nencoder = "hashing"\n'
    )
    rng = np.random.default_rng(seed)
    leaves = [(top, leaf) for top, subs in CATEGORIES.items() for leaf in subs]
    products = []
    for n in range(5_000):
        top, leaf = leaves[n % len(leaves)]
        word = ADJECTIVES[rng.integers(len(ADJECTIVES))]
        price = round(float(np.exp(rng.normal(3.0 + (n % 4) * 0.3, 0.6))), 2)
        products.append(
            Product(id=f"p{n}", title=f"{word} {leaf.lower()[:-1]} {n % 97}", price=price,
                    category=f"{top} > {leaf}", brand=f"brand{n % 50}")
        )  # fmt: skip
    by_leaf = [np.arange(i, 5_000, len(leaves)) for i in range(len(leaves))]
    start = 1_700_000_000.0
    settings = _settings(home)
    store = open_store(settings.store_url, settings.store)
    store.upsert_products(products)
    batch: list[Event] = []
    total = 0

    def flush() -> None:
        nonlocal total
        with store.transaction(), store.bulk_load():
            store.add_events(batch)
        total += len(batch)
        batch.clear()

    for v in range(visitors):
        anonymous = rng.random() < 0.3
        likes = rng.choice(len(leaves), size=2, replace=False)
        buyer = rng.random()  # how readily this visitor buys
        first = start + rng.uniform(0, 330) * 86_400
        rate = rng.uniform(3, 40)  # mean days between visits
        sessions = 1 if anonymous else 1 + rng.poisson(2.5)
        when = first
        for s in range(sessions):
            if when > start + 360 * 86_400:
                break  # the shop's year ends
            sid = f"s{v}-{s}"
            ident: dict[str, Any] = (
                {"session_id": sid} if anonymous else {"user_id": f"u{v}", "session_id": sid}
            )
            pool = by_leaf[int(likes[rng.integers(2)])]
            for _ in range(1 + rng.poisson(3.5)):
                item = f"p{pool[rng.integers(len(pool))]}"
                when += rng.uniform(20, 300)
                batch.append(Event(item_id=item, type="view", timestamp=when, **ident))
                if rng.random() < 0.15:
                    batch.append(Event(item_id=item, type="cart", timestamp=when + 30, **ident))
                    if rng.random() < buyer:
                        qty = int(rng.integers(1, 4))
                        batch.append(Event(item_id=item, type="purchase", timestamp=when + 90,
                                           quantity=qty, price=products[int(item[1:])].price,
                                           **ident))  # fmt: skip
                        if rng.random() < 0.03:
                            back = when + 86_400 * 5
                            batch.append(Event(item_id=item, type="return", timestamp=back,
                                               quantity=1, **ident))  # fmt: skip
            when += rng.exponential(rate) * 86_400
            if len(batch) >= 50_000:
                flush()
    flush()
    store.close()
    from shopmind.build import run_build

    store = open_store(settings.store_url, settings.store)
    run_build(store, home, settings.events, search=settings.search)
    store.close()
    return {"visitors": visitors, "events": total, "products": len(products)}


def stage_build(home: Path) -> dict[str, Any]:
    from shopmind.insight.profiles import refresh_profiles, summary
    from shopmind.store import open_store

    settings = _settings(home)
    store = open_store(settings.store_url, settings.store)
    started = time.perf_counter()
    book = refresh_profiles(store, settings)
    seconds = time.perf_counter() - started
    store.close()
    info = summary(book)
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(peak_mib(), 1),
        "visitors": info["visitors"],
        "customers": info["customers"],
        "events": info["events"],
        "stages": info["stages"],
        "model": {k: info["model"].get(k) for k in ("method", "trees", "rows")},
        "clusters": [c["name"] for c in info["clusters"]][:5],
    }


def stage_read(home: Path, reads: int = 2_000, http: int = 500) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from shopmind.insight.profilebook import ProfileBook, profiles_path
    from shopmind.insight.profiles import interest_types
    from shopmind.insight.profileview import profile_json
    from shopmind.serve import create_app
    from shopmind.store import open_store

    settings = _settings(home)
    store = open_store(settings.store_url, settings.store)
    book = ProfileBook.load(profiles_path(home))
    interest = interest_types(settings.events)
    rng = np.random.default_rng(1)
    chosen = [book.visitors[i] for i in rng.choice(len(book.visitors), size=reads)]
    times = []
    for visitor in chosen:
        t = time.perf_counter()
        events = store.list_events(visitor=visitor, limit=1_000)
        products = store.get_products(sorted({e.item_id for e in events if e.item_id}))
        profile_json(visitor, events, products, book, interest, settings.profiles.sessions)
        times.append((time.perf_counter() - t) * 1000)
    store.close()
    served = []
    with TestClient(create_app(settings)) as client:
        client.get(f"/visitors/{chosen[0]}/profile")  # loads the artifact once
        for visitor in chosen[:http]:
            t = time.perf_counter()
            assert client.get(f"/visitors/{visitor}/profile").status_code == 200
            served.append((time.perf_counter() - t) * 1000)
    return {
        "reads": reads,
        "p50_ms": round(float(np.percentile(times, 50)), 2),
        "p99_ms": round(float(np.percentile(times, 99)), 2),
        "http_reads": http,
        "http_p50_ms": round(float(np.percentile(served, 50)), 2),
        "http_p99_ms": round(float(np.percentile(served, 99)), 2),
        "peak_mib": round(peak_mib(), 1),
    }


def _in_process(stage: str, home: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--stage", stage, "--home", str(home)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="Keep the shop here (reused).")
    parser.add_argument("--visitors", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stage", choices=["build", "read"], default=None)
    args = parser.parse_args()
    if args.stage is not None:
        stage = stage_build if args.stage == "build" else stage_read
        print(json.dumps(stage(args.home)))
        return
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-profiles-")) / "home"
    if not (home / "shopmind.db").is_file():
        t = time.perf_counter()
        shop = generate(home, args.visitors, args.seed)
        print(f"shop: {shop} written in {time.perf_counter() - t:.0f} s to {home}", flush=True)
    built = _in_process("build", home)
    print(f"build: {json.dumps(built)}", flush=True)
    read = _in_process("read", home)
    print(f"read: {json.dumps(read)}")
    print(
        json.dumps(
            {
                "visitors": built["visitors"],
                "events": built["events"],
                "build_seconds": built["seconds"],
                "build_peak_mib": built["peak_mib"],
                "read_p50_ms": read["p50_ms"],
                "read_p99_ms": read["p99_ms"],
                "http_p99_ms": read["http_p99_ms"],
            }
        )
    )


if __name__ == "__main__":
    main()
