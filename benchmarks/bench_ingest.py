"""Ingest benchmark: the full HomeDepot catalog, the full Games interactions, events over HTTP.

Each stage runs in a fresh process (so peak memory is its own) against a fresh store, next
to a baseline measured in the same run:

- catalog and events from file: the same file parsed with ``csv`` and written raw with
  ``executemany`` into a bare SQLite table (no validation, no mapping, no indexes, no
  quality checks) - the floor that shopmind's checks and safety are paid on top of;
- events over HTTP: the same batches stored in-process (``ingest_event_batch``), so the
  ratio is the cost of the HTTP edge (FastAPI + uvicorn + JSON);
- the catalog and the events into PostgreSQL (a durable server of the benchmark's own on
  loopback, fsync on, as shipped), beside SQLite's figures of the same run.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_ingest.py [--data ../shared/data]

Targets (issue 3): catalog < 10 s, Games events >= 50,000/s, HTTP >= 5,000 events/s;
(issue 23) PostgreSQL: catalog < 15 s, events >= 50,000/s.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import harness
from harness import peak_mib, proc_peak_mib, start_server

HTTP_BATCHES = 200
HTTP_BATCH = 500


def _settings(home: Path, store_url: str = "") -> Any:
    from shopmind.config import load

    home.mkdir(parents=True, exist_ok=True)
    store = f'[store]\nurl = "{store_url}"\n' if store_url else ""
    (home / "shopmind.toml").write_text(f"{store}[ingest]\nprogress = false\n")
    return load(home=home)


@contextmanager
def _postgres() -> Iterator[str]:
    """A durable PostgreSQL server of this stage's own (started before the clock runs)."""
    from shopmind.store.pglocal import LocalPostgres

    with LocalPostgres(durable=True) as server:
        yield server.create_database("bench")


def stage_catalog(data: Path, home: Path, store_url: str = "") -> dict[str, Any]:
    from shopmind.ingest import ingest_products
    from shopmind.store import open_store

    settings = _settings(home, store_url)
    with open_store(settings.store_url, settings.store) as store:
        t = time.perf_counter()
        report = ingest_products(
            store, data / "homedepot" / "products.csv", settings.ingest, mapping=["id=product_uid"]
        )
        seconds = time.perf_counter() - t
    return {"rows": report.inserted, "seconds": seconds, "peak_mib": peak_mib()}


def stage_events(data: Path, home: Path, store_url: str = "") -> dict[str, Any]:
    from shopmind.ingest import ingest_events
    from shopmind.store import open_store

    settings = _settings(home, store_url)
    with open_store(settings.store_url, settings.store) as store:
        t = time.perf_counter()
        report = ingest_events(
            store, data / "amazon-games" / "Games-6k.test.inter", settings.ingest
        )
        seconds = time.perf_counter() - t
    return {"rows": report.inserted, "seconds": seconds, "peak_mib": peak_mib()}


def stage_catalog_pg(data: Path, home: Path) -> dict[str, Any]:
    with _postgres() as url:
        return stage_catalog(data, home, url)


def stage_events_pg(data: Path, home: Path) -> dict[str, Any]:
    with _postgres() as url:
        return stage_events(data, home, url)


def _raw_sqlite(path: Path, rows: list[list[str]], width: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    cols = ", ".join(f"c{i} TEXT" for i in range(width))
    conn.execute(f"CREATE TABLE t ({cols})")
    marks = ",".join("?" * width)
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO t VALUES ({marks})", rows)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t


def stage_baseline_catalog(data: Path, home: Path) -> dict[str, Any]:
    home.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with (data / "homedepot" / "products.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = list(reader)
    _raw_sqlite(home / "raw.db", rows, 2)
    return {"rows": len(rows), "seconds": time.perf_counter() - t, "peak_mib": peak_mib()}


def stage_baseline_events(data: Path, home: Path) -> dict[str, Any]:
    home.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    rows: list[list[str]] = []
    with (data / "amazon-games" / "Games-6k.test.inter").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            user, history, target = line.rstrip("\n").split("\t")
            rows.extend([user, item] for item in [*history.split(), target])
    _raw_sqlite(home / "raw.db", rows, 2)
    return {"rows": len(rows), "seconds": time.perf_counter() - t, "peak_mib": peak_mib()}


def _batches(data: Path) -> list[list[dict[str, Any]]]:
    out: list[list[dict[str, Any]]] = []
    batch: list[dict[str, Any]] = []
    base = 1_750_000_000
    with (data / "amazon-games" / "Games-6k.test.inter").open(encoding="utf-8") as fh:
        next(fh)
        for n, line in enumerate(fh):
            user, history, _ = line.rstrip("\n").split("\t")
            for pos, item in enumerate(history.split()):
                batch.append(
                    {
                        "event_id": f"http:{user}:{pos}",
                        "user_id": user,
                        "item_id": item,
                        "type": "view",
                        "timestamp": base + n,
                    }
                )
                if len(batch) == HTTP_BATCH:
                    out.append(batch)
                    batch = []
                    if len(out) == HTTP_BATCHES:
                        return out
    return out


def stage_http(data: Path, home: Path) -> dict[str, Any]:
    import httpx

    _settings(home)
    batches = _batches(data)
    server, url = start_server(home, {"SHOPMIND_SERVE__LOG_LEVEL": "warning"})
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            t = time.perf_counter()
            latencies = []
            for batch in batches:
                s = time.perf_counter()
                r = client.post("/events/batch", json={"events": batch})
                latencies.append(time.perf_counter() - s)
                r.raise_for_status()
            seconds = time.perf_counter() - t
            stored = client.get("/stats").json()["events"]
        server_peak = proc_peak_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    latencies.sort()
    return {
        "rows": stored,
        "seconds": seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "peak_mib": server_peak,
    }


def stage_baseline_http(data: Path, home: Path) -> dict[str, Any]:
    from shopmind.events import Event
    from shopmind.ingest import ingest_event_batch
    from shopmind.store import open_store

    settings = _settings(home)
    batches = _batches(data)
    with open_store(settings.store_url, settings.store) as store:
        t = time.perf_counter()
        for batch in batches:
            events = [Event.model_validate(e) for e in batch]
            ingest_event_batch(store, events, settings.ingest)
        seconds = time.perf_counter() - t
        stored = store.count_events()
    return {"rows": stored, "seconds": seconds, "peak_mib": peak_mib()}


STAGES = {
    "catalog": stage_catalog,
    "baseline_catalog": stage_baseline_catalog,
    "events": stage_events,
    "baseline_events": stage_baseline_events,
    "catalog_pg": stage_catalog_pg,
    "events_pg": stage_events_pg,
    "http": stage_http,
    "baseline_http": stage_baseline_http,
}


def report(results: dict[str, Any]) -> None:
    """Print the table of results next to the baselines."""
    rows = [
        ("HomeDepot catalog (CSV)", "catalog", "baseline_catalog", "products", "< 10 s"),
        ("Games events (RecBole .inter)", "events", "baseline_events", "events", ">= 50,000/s"),
        ("events over HTTP, batches of 500", "http", "baseline_http", "events", ">= 5,000/s"),
        ("HomeDepot catalog -> PostgreSQL", "catalog_pg", "baseline_catalog", "products", "< 15 s"),
        ("Games events -> PostgreSQL", "events_pg", "baseline_events", "events", ">= 50,000/s"),
    ]
    print()
    print(
        f"{'what':34} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9}  "
        f"{'baseline rows/s':>15} {'x baseline time':>15}  target"
    )
    for title, ours, base, _, target in rows:
        r, b = results[ours], results[base]
        print(
            f"{title:34} {r['rows']:>9,} {r['seconds']:>8.2f} {r['rows'] / r['seconds']:>9,.0f} "
            f"{r['peak_mib']:>9.0f}  {b['rows'] / b['seconds']:>15,.0f} "
            f"{r['seconds'] / b['seconds']:>15.2f}  {target}"
        )
    http = results["http"]
    print(f"\nHTTP batch latency: p50 {http['p50_ms']:.1f} ms, p99 {http['p99_ms']:.1f} ms")
    print(
        "baselines: file rows = csv parse + raw executemany into a bare table (no checks); "
        "HTTP = the same batches stored in-process; HTTP peak MiB is the server's"
    )


if __name__ == "__main__":
    harness.main(__file__, __doc__ or "", STAGES, report)
