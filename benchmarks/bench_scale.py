"""A shop at scale on one machine: 1M products and 20M events through PostgreSQL, built
locally and on Spark, with time, peak memory and disk per stage.

The shop is synthetic and seeded (the same files for the same sizes and seed): products in
200 categories, half with Chinese titles and half with English ones, prices and brands;
visitors with one or two favourite categories who view, click, cart, buy and rate
products, popular ones more (a power law within each category), in sessions spread over
90 days. The stages run one after another, each in a process of its own (so its peak
memory is its own; a Spark stage counts its JVM too), against one durable PostgreSQL
server started by the benchmark on loopback:

1. ``generate``: the catalog and the events as Parquet files;
2. ``ingest_products`` and ``ingest_events``: ``ingest`` into PostgreSQL (one
   transaction per file, COPY), with PostgreSQL's data directory size after each;
3. ``reads``: one visitor's newest events (``list_events(visitor, limit=50)``, what every
   ``/recommend`` reads) for 2,000 random visitors, p50/p99;
4. ``build_local`` and ``build_spark`` (``--master``, ``local[2]`` by default): the
   lexical index, the interaction matrix, bought-together, and the blend (ItemKNN above
   20,000 products, ALS, transitions, trending, the transformer), with the build's size on
   disk and Spark's scratch space at its peak;
5. ``recommend``: the two builds' lists for the same 500 visitors, their overlap@10; then
   one real serving node (``shopmind serve`` on the local build): its start-up time, its
   memory once warm (what a node needs) and its /recommend and /search latencies.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_scale.py \\
        [--products 1000000] [--events 20000000] [--dir /tmp/shopmind-scale] [--json]

Target (issue 23): completes at 20M events on this machine and prints its table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from shopmind.files import folder_bytes

CATEGORIES = 200
DAY = 86_400.0
START = 1_767_225_600.0  # 2026-01-01
ZH_WORDS = "无线 蓝牙 耳机 充电 手机 保温 水杯 运动 跑步 鞋 户外 背包 咖啡 机 电动 牙刷 护肤"
EN_WORDS = (
    "wireless bluetooth earphones charger phone insulated bottle running shoes outdoor "
    "backpack coffee maker electric toothbrush face cream kids toy blocks lamp desk chair"
)
ZH, EN = ZH_WORDS.split(" "), EN_WORDS.split(" ")
TYPES = np.array(["view", "click", "cart", "purchase", "rating"])
TYPE_P = np.array([0.70, 0.15, 0.08, 0.05, 0.02])


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _tree_rss_mib(root: int) -> float:
    """The resident memory of a process and all its descendants (Spark's JVM), in MiB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = dict(
                line.split(":", 1) for line in (entry / "status").read_text().splitlines()
            )
        except (OSError, ValueError):
            continue
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0"))
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total = 0
    for pid in rss:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += rss[pid]
    return total / 1024.0


class Watch:
    """While a stage runs, every second: the size of its scratch folder and the memory of
    its process tree; keeps the peaks."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.peak = 0
        self.tree_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _sample(self) -> None:
        if self.folder is not None:
            self.peak = max(self.peak, folder_bytes(self.folder))
        self.tree_mib = max(self.tree_mib, _tree_rss_mib(os.getpid()))

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


# -- the shop ----------------------------------------------------------------------------------
def _title(rng: np.random.Generator, category: int) -> str:
    words = ZH if category % 2 == 0 else EN
    picked = rng.choice(len(words), 3, replace=False)
    sep = "" if category % 2 == 0 else " "
    return sep.join(words[i] for i in picked) + f" {category}-{rng.integers(1000)}"


def generate(folder: Path, products: int, events: int, seed: int) -> dict[str, Any]:
    """Write ``products.parquet`` and ``events/part-*.parquet`` (seeded)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm import tqdm

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    category = np.sort(rng.integers(0, CATEGORIES, products))
    starts = np.searchsorted(category, np.arange(CATEGORIES + 1))
    catalog = pa.table(
        {
            "id": [f"p{i:07d}" for i in range(products)],
            "title": [_title(rng, int(c)) for c in category],
            "category": [f"dept {c // 20} > cat {c}" for c in category],
            "brand": [f"brand {b}" for b in rng.integers(0, 500, products)],
            "price": np.round(rng.lognormal(3.5, 0.8, products), 2),
        }
    )
    pq.write_table(catalog, folder / "products.parquet")

    out = folder / "events"
    out.mkdir(exist_ok=True)
    chunk = 1_000_000
    first_visitor = 0
    written = 0
    part = 0
    with tqdm(total=events, desc="generate events", unit=" events", disable=None) as bar:
        while written < events:
            n = min(chunk, events - written)
            sizes = rng.geometric(0.1, n)  # mean 10 events per visitor
            cut = int(np.searchsorted(np.cumsum(sizes), n)) + 1
            sizes = sizes[:cut]
            sizes[-1] -= int(sizes.sum()) - n
            sizes = sizes[sizes > 0]
            visitors = len(sizes)
            owner = np.repeat(np.arange(visitors), sizes)
            taste = rng.integers(0, CATEGORIES, (visitors, 2))
            favourite = taste[owner, rng.integers(0, 2, n)]
            cat = np.where(rng.random(n) < 0.8, favourite, rng.integers(0, CATEGORIES, n))
            lo, hi = starts[cat], starts[cat + 1]
            item = lo + np.floor((hi - lo) * rng.random(n) ** 3).astype(np.int64)
            item = np.minimum(item, np.maximum(hi - 1, lo))
            kind = rng.choice(len(TYPES), n, p=TYPE_P)
            value = np.where(kind == 4, rng.integers(1, 6, n), np.nan)
            begin = START + rng.random(visitors) * 90 * DAY
            gaps = rng.exponential(600.0, n)
            first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            clock = np.cumsum(gaps)
            clock -= np.repeat(clock[first] - gaps[first], sizes)
            ts = np.repeat(begin, sizes) + clock
            session = (clock // 3_600).astype(np.int64)
            ids = first_visitor + owner
            table = pa.table(
                {
                    "user_id": [f"u{v}" for v in ids],
                    "session_id": [f"u{v}-{s}" for v, s in zip(ids, session, strict=True)],
                    "item_id": [f"p{i:07d}" for i in item],
                    "type": TYPES[kind].tolist(),
                    "value": pa.array(value, from_pandas=True),
                    "timestamp": ts,
                }
            )
            pq.write_table(table, out / f"part-{part:04d}.parquet")
            part += 1
            written += n
            first_visitor += visitors
            bar.update(n)
    meta = {"products": products, "events": events, "visitors": first_visitor}
    (folder / "meta.json").write_text(json.dumps(meta))
    return {**meta, "disk_mib": folder_bytes(folder) / 2**20}


def _visitors(args: argparse.Namespace) -> int:
    return int(json.loads((args.dir / "shop" / "meta.json").read_text())["visitors"])


# -- stages (each in a process of its own) ----------------------------------------------------
def _settings(home: Path, url: str, extra: str = "") -> Any:
    from shopmind.config import load

    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text(
        f'[store]\nurl = "{url}"\n[ingest]\nprogress = false\n[search]\nencoder = "none"\n{extra}'
    )
    return load(home=home)


def _recommend_toml(args: argparse.Namespace) -> str:
    return (
        "[recommend]\n"
        f"als_iterations = {args.als_iterations}\n"
        f"sequential_seconds = {args.sequential_seconds}\n"
        "[recommend.weights]\n"
        "ease = 1.0\nals = 0.5\ntransitions = 0.5\ncontent = 0.3\npopular = 0.1\n"
        "sequential = 1.0\n"
    )


def stage_ingest_products(args: argparse.Namespace) -> dict[str, Any]:
    from shopmind.ingest import ingest_products
    from shopmind.store import open_store

    settings = _settings(args.dir / "home-ingest", args.url)
    with open_store(settings.store_url, settings.store) as store:
        t = time.perf_counter()
        report = ingest_products(store, args.dir / "shop" / "products.parquet", settings.ingest)
        seconds = time.perf_counter() - t
    return {"rows": report.inserted, "seconds": seconds, "per_s": report.inserted / seconds}


def stage_ingest_events(args: argparse.Namespace) -> dict[str, Any]:
    from shopmind.ingest import ingest_events
    from shopmind.store import open_store

    settings = _settings(args.dir / "home-ingest", args.url)
    rows = 0
    t = time.perf_counter()
    with open_store(settings.store_url, settings.store) as store:
        for path in sorted((args.dir / "shop" / "events").glob("*.parquet")):
            rows += ingest_events(store, path, settings.ingest).inserted
    seconds = time.perf_counter() - t
    return {"rows": rows, "seconds": seconds, "per_s": rows / seconds}


def stage_reads(args: argparse.Namespace) -> dict[str, Any]:
    from shopmind.store import open_store

    settings = _settings(args.dir / "home-ingest", args.url)
    rng = np.random.default_rng(7)
    times = []
    with open_store(settings.store_url, settings.store) as store:
        for v in rng.integers(0, _visitors(args), 2_000):
            t = time.perf_counter()
            store.list_events(visitor=f"u{v}", limit=50)
            times.append(1000 * (time.perf_counter() - t))
    ms = np.asarray(times)
    return {
        "reads": len(times),
        "seconds": float(ms.sum() / 1000),
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
    }


def _build(args: argparse.Namespace, engine: str) -> dict[str, Any]:
    from shopmind.build import run_build
    from shopmind.store import open_store

    home = args.dir / f"home-{engine}"
    settings = _settings(home, args.url, _recommend_toml(args))
    scratch = args.dir / f"tmp-{engine}"
    scratch.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = str(scratch)  # the export and Spark's shuffle files, measured
    os.environ["SPARK_LOCAL_DIRS"] = str(scratch)
    os.environ.setdefault("SPARK_DRIVER_MEMORY", "8g")  # local[2]: the driver does the work
    import tempfile

    tempfile.tempdir = str(scratch)
    with open_store(settings.store_url, settings.store) as store, Watch(scratch) as watch:
        t = time.perf_counter()
        manifest = run_build(
            store,
            home,
            settings.events,
            search=settings.search,
            recommend=settings.recommend,
            engine=engine,  # type: ignore[arg-type]
            master=args.master,
        )
        seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "visitors": manifest.visitors,
        "interactions": manifest.interactions,
        "build_mib": folder_bytes(home / "builds" / manifest.id) / 2**20,
        "scratch_peak_mib": watch.peak / 2**20,
    }


def stage_build_local(args: argparse.Namespace) -> dict[str, Any]:
    return _build(args, "local")


def stage_build_spark(args: argparse.Namespace) -> dict[str, Any]:
    return _build(args, "spark")


def stage_recommend(args: argparse.Namespace) -> dict[str, Any]:
    from shopmind.build import open_recommend
    from shopmind.recommend.engine import Filters
    from shopmind.store import open_store

    rng = np.random.default_rng(11)
    lists: dict[str, list[list[str]]] = {}
    times: dict[str, float] = {}
    visitors = [f"u{v}" for v in rng.integers(0, _visitors(args), 500)]
    for engine in ("local", "spark"):
        home = args.dir / f"home-{engine}"
        settings = _settings(home, args.url, _recommend_toml(args))
        with open_store(settings.store_url, settings.store) as store:
            model = open_recommend(home, store, settings.events, settings.recommend)
            t = time.perf_counter()
            out = []
            for v in visitors:
                history = store.list_events(visitor=v, limit=settings.recommend.history)
                picks = model.recommend(history, 10, Filters(), None, settings.rank.candidates)
                out.append([p.id for p in picks])
            times[engine] = 1000 * (time.perf_counter() - t) / len(visitors)
            lists[engine] = out
    overlap = np.mean(
        [len(set(a) & set(b)) / 10 for a, b in zip(lists["local"], lists["spark"], strict=True)]
    )
    return {
        "seconds": sum(times.values()) * len(visitors) / 1000,
        "ms_per_list_local": times["local"],
        "ms_per_list_spark": times["spark"],
        "overlap_at_10": float(overlap),
        **_node_or_error(args, visitors),
    }


def _node_or_error(args: argparse.Namespace, visitors: list[str]) -> dict[str, Any]:
    try:
        return _node(args, visitors)
    except Exception as err:  # the stage's other figures still count
        return {"node_error": f"{type(err).__name__}: {err}"}


def _node(args: argparse.Namespace, visitors: list[str]) -> dict[str, Any]:
    """One real serving node on the local build: its memory once loaded and warm, and
    sequential /recommend and /search latencies."""
    import httpx
    from harness import proc_peak_mib, start_server

    t = time.perf_counter()
    server, url = start_server(args.dir / "home-local", {}, wait_s=1_800)
    ready_s = time.perf_counter() - t
    out: dict[str, Any] = {"node_ready_s": ready_s}
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            for route, params in (
                ("/recommend", [{"user": v} for v in visitors[:200]]),
                ("/search", [{"q": q} for q in (EN * 10)[:200]]),
            ):
                ms = []
                for p in params:
                    s = time.perf_counter()
                    client.get(route, params=p).raise_for_status()
                    ms.append(1000 * (time.perf_counter() - s))
                out[f"node{route.replace('/', '_')}_p50_ms"] = float(np.percentile(ms, 50))
                out[f"node{route.replace('/', '_')}_p99_ms"] = float(np.percentile(ms, 99))
        out["node_rss_mib"] = proc_peak_mib(server.pid)
    finally:
        server.terminate()
        server.wait(60)
    return out


STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "ingest_products": stage_ingest_products,
    "ingest_events": stage_ingest_events,
    "reads": stage_reads,
    "build_local": stage_build_local,
    "build_spark": stage_build_spark,
    "recommend": stage_recommend,
}


def _run(args: argparse.Namespace, name: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--stage", name, "--url", args.url]
    for flag in ("products", "events", "dir", "master", "als_iterations", "sequential_seconds"):
        cmd += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    t = time.perf_counter()
    done = subprocess.run(cmd, check=False, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:  # the table still shows the stages that ran
        return {"seconds": time.perf_counter() - t, "peak_mib": float("nan"), "failed": True}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _table(results: dict[str, dict[str, Any]]) -> None:
    print(f"{'stage':<16} {'seconds':>9} {'peak MiB':>9} {'disk MiB':>9}  notes")
    for name, r in results.items():
        notes = {
            k: round(v, 3) if isinstance(v, float) else v
            for k, v in r.items()
            if k not in ("seconds", "peak_mib", "disk_mib")
        }
        disk = r.get("disk_mib", float("nan"))
        print(f"{name:<16} {r['seconds']:>9.1f} {r['peak_mib']:>9.0f} {disk:>9.0f}  {notes}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/shopmind-scale"))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--als-iterations", type=int, default=5)
    parser.add_argument("--sequential-seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--stage", choices=sorted(STAGES))
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    if args.stage:
        # sampled over the stage's process tree (with Spark's JVM): ru_maxrss would count the
        # memory of the parent that the fork inherited
        with Watch() as watch:
            result = STAGES[args.stage](args)
        result["peak_mib"] = watch.tree_mib
        print(json.dumps(result))
        return

    from shopmind.store.pglocal import LocalPostgres

    sizes = f"{args.products:,} products, {args.events:,} events"
    print(f"bench_scale on {os.cpu_count()} cores: {sizes}")
    if args.dir.exists():
        shutil.rmtree(args.dir)
    args.dir.mkdir(parents=True)
    results: dict[str, dict[str, Any]] = {}
    t = time.perf_counter()
    results["generate"] = generate(args.dir / "shop", args.products, args.events, args.seed)
    results["generate"].update(seconds=time.perf_counter() - t, peak_mib=_peak_mib())
    with LocalPostgres(durable=True) as server:
        args.url = server.create_database("scale")
        for name in STAGES:
            results[name] = _run(args, name)
            results[name]["disk_mib"] = server.disk_bytes() / 2**20
            if name.startswith("build"):
                results[name]["disk_mib"] = results[name]["build_mib"]
            print(f"{name}: {json.dumps(results[name])}", flush=True)
    _table(results)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
