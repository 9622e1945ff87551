"""Attribution's cost (issue 24): what logging every answer adds to a request.

Stages, each in a fresh process:

- ``log``: the attribution step alone, in process: a request id, positions and
  propensities on a 10-result answer and its row queued for the request log (the book's
  writer thread writing batches beside it), 50,000 times: p50 / p99 per answer.
- ``http``: the real server over the demo shop, ``/search`` and ``/recommend`` for a known
  visitor with 4 clients for 15 s each, in the same run: the request log off
  (``experiments.log_requests = false``, the baseline), on, on with a running A/B
  experiment that holds every visitor (assignment + variant settings + log), and off again
  (the spread of the two baselines is the machine's noise).

Run::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_experiments.py

Target: attribution adds <= 1 ms p99 to a request.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import harness
import httpx
import numpy as np
from harness import SHOPMIND, drive, start_server

SECONDS = 15.0
CLIENTS = 4


def stage_log(data: Path, home: Path) -> dict[str, Any]:
    import uuid

    from shopmind.experiments.book import ExperimentBook, LoggedRequest, Shown

    book = ExperimentBook.open(home, f"sqlite:///{home / 'shopmind.db'}")
    items = [{"id": f"p{i}", "score": 1.0 / (i + 1)} for i in range(10)]
    spent = []
    for n in range(50_000):
        start = time.perf_counter()
        rid = uuid.uuid4().hex
        for pos, item in enumerate(items, start=1):
            item["position"] = pos
            item.setdefault("propensity", 1.0)
        shown = [Shown(str(i["id"]), int(i["position"]), float(i["propensity"])) for i in items]
        book.log(LoggedRequest(rid, time.time(), "/search", f"v{n % 500}", "q", {}, shown, 1.0))
        spent.append(time.perf_counter() - start)
    book.close()
    us = np.asarray(spent) * 1e6
    return {"answers": len(spent), "p50_us": float(np.percentile(us, 50)),
            "p99_us": float(np.percentile(us, 99)), "max_us": float(us.max())}  # fmt: skip


def stage_http(data: Path, home: Path) -> dict[str, Any]:
    subprocess.run([SHOPMIND, "--home", str(home), "demo", "--no-serve"], check=True,
                   capture_output=True)  # fmt: skip
    env = {"SHOPMIND_INGEST__PROGRESS": "false", "OPENBLAS_NUM_THREADS": "1"}
    out: dict[str, Any] = {}
    spec = home / "ab.json"
    spec.write_text(
        '{"name": "bench", "routes": ["/search", "/recommend"], "variants": ['
        '{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5, '
        '"settings": {"search": {"alpha": 0.6}, "recommend": {"history": 40}}}]}'
    )
    off = {"SHOPMIND_EXPERIMENTS__LOG_REQUESTS": "false"}
    # the baseline first and last: a machine that drifts during the run shows as its spread
    ways = (("off", off), ("on", {}), ("ab", {}), ("off again", off))
    for way, extra in ways:
        if way == "ab":  # stays running for "off again", which logs nothing anyway
            subprocess.run([SHOPMIND, "--home", str(home), "experiments", "start", str(spec)],
                           check=True, capture_output=True)  # fmt: skip
        server, url = start_server(home, {**env, **extra})
        try:
            for route, params in (
                ("/search", lambda n, i: {"q": "wireless earbuds", "user": f"u{n}-{i % 50}"}),
                ("/recommend", lambda n, i: {"user": f"u{n}-{i % 50}"}),
            ):
                drive(url, route, params, CLIENTS, 3.0)  # warm-up
                out[f"{way} {route}"] = drive(url, route, params, CLIENTS, SECONDS)
            logged = httpx.get(f"{url}/experiments").json()
            out[f"{way} experiments"] = len(logged)
        finally:
            server.terminate()
            server.wait(30)
    return out


STAGES = {"log": stage_log, "http": stage_http}


def report(results: dict[str, Any]) -> None:
    log = results["log"]
    print(f"attribution step in process: p50 {log['p50_us']:.1f} us, p99 {log['p99_us']:.1f} us "
          f"({log['answers']:,} answers)")  # fmt: skip
    http = results["http"]
    print("| route | request log | req/s | p50 ms | p99 ms | p99 vs the better off |")
    print("|---|---|---:|---:|---:|---:|")
    for route in ("/search", "/recommend"):
        base = min(http[f"off {route}"], http[f"off again {route}"], key=lambda r: r["p99_ms"])
        for way in ("off", "on", "ab", "off again"):
            r = http[f"{way} {route}"]
            print(f"| {route} | {way} | {r['qps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                  f"{r['p99_ms'] - base['p99_ms']:+.2f} |")  # fmt: skip


if __name__ == "__main__":
    harness.main(__file__, __doc__ or "", STAGES, report)
