"""The shared benchmark harness: each stage in a fresh process, real servers on loopback.

A benchmark script defines ``STAGES`` (name -> function(data, home) -> dict) and a
``report(results)`` that prints; :func:`main` runs every stage in its own process (so peak
memory is that stage's own) with a fresh temporary home, or one stage when ``--stage`` is
given (that is how the parent calls it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SHOPMIND = str(Path(sys.executable).parent / "shopmind")

Stage = Callable[[Path, Path], dict[str, Any]]


def peak_mib() -> float:
    """This process's peak resident memory, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def proc_peak_mib(pid: int) -> float:
    """Another process's peak resident memory (Linux), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    home: Path, env: dict[str, str], wait_s: float = 60.0, processes: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``shopmind serve`` on a free loopback port and wait until it is ready: every
    one of its ``processes`` has answered ``/ready`` (each on a new connection)."""
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [SHOPMIND, "--home", str(home), "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    ready: set[int] = set()
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{url}/ready")
            if r.status_code == 200:
                ready.add(r.json()["detail"]["process"])
                if len(ready) >= processes:
                    return server, url
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"shopmind serve did not become ready at {url}")


def drive(
    url: str,
    path: str,
    params: Callable[[int, int], dict[str, Any]],
    clients: int = 8,
    seconds: float = 20.0,
) -> dict[str, Any]:
    """``clients`` threads GET ``path`` for ``seconds``; client n's i-th request sends
    ``params(n, i)``. Returns requests per second, p50/p99 latency (ms) and errors."""
    import threading

    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=url, timeout=30) as c:
            i = 0
            while time.perf_counter() < stop:
                s = time.perf_counter()
                r = c.get(path, params=params(n, i))
                mine.append(1000 * (time.perf_counter() - s))
                bad += r.status_code != 200
                i += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return rates(latencies, time.perf_counter() - started, errors)


def rates(latencies: list[float], elapsed: float, errors: int) -> dict[str, Any]:
    """Requests per second, p50/p99/max latency (ms), requests and errors of a load run."""
    import numpy as np

    lat = np.asarray(latencies) if latencies else np.zeros(1)
    return {
        "qps": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
        "max_ms": float(lat.max()),
        "requests": len(latencies),
        "errors": errors,
    }


def _run_stage(script: str, name: str, data: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        out = subprocess.run(
            [sys.executable, script, "--stage", name, "--data", str(data), "--home", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(
    script: str, doc: str, stages: Mapping[str, Stage], report: Callable[[dict[str, Any]], None]
) -> None:
    """Parse the command line; run one stage, or all of them and report."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--stage", choices=sorted(stages))
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(stages[args.stage](args.data, args.home)))
        return
    print(f"{Path(script).stem} on {os.cpu_count()} cores, data {args.data}")
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    results = {name: _run_stage(script, name, args.data) for name in stages}
    report(results)
    print(json.dumps(results))


def hammer(
    base: str,
    requests: list[tuple[str, dict[str, Any]]],
    clients: int = 8,
    seconds: float = 20.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``clients`` concurrent keep-alive connections GET the ``requests`` (path, params) in
    turn, each once, until all are answered or ``seconds`` pass. Returns requests per
    second, p50/p99/max latency (ms), errors, the client used and its own CPU share of the
    machine (its process time over wall time and cores: what it took from the server on a
    small machine).

    The client is ``wrk`` (Debian's, one thread, ``benchmarks/replay.lua``) where it is on
    the PATH, else one asyncio process with aiohttp (``requirements/bench.txt``); set
    ``BENCH_CLIENT=aiohttp`` to choose it. On 2 cores wrk took 3% of the machine where
    aiohttp took 10%, CPU the server had back (benchmarks/README.md)."""
    if os.environ.get("BENCH_CLIENT", "wrk") == "wrk" and shutil.which("wrk"):
        return _wrk(base, requests, clients, seconds, headers or {})
    import asyncio

    import aiohttp

    latencies: list[float] = []
    errors = 0

    async def run() -> float:
        nonlocal errors
        stop = time.perf_counter() + seconds
        queue = iter(requests)
        limit = aiohttp.TCPConnector(limit=clients, force_close=False)
        async with aiohttp.ClientSession(base, connector=limit, headers=headers) as session:

            async def client() -> None:
                nonlocal errors
                for path, params in queue:
                    if time.perf_counter() >= stop:
                        return
                    s = time.perf_counter()
                    async with session.get(path, params=params) as r:
                        await r.read()
                        errors += r.status != 200
                    latencies.append(1000 * (time.perf_counter() - s))

            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(clients)))
            return time.perf_counter() - started

    cpu = time.process_time()
    try:
        import uvloop

        elapsed = uvloop.run(run())
    except ImportError:
        elapsed = asyncio.run(run())
    cpu = time.process_time() - cpu
    share = cpu / elapsed / (os.cpu_count() or 1)
    return {**rates(latencies, elapsed, errors), "client_cpu_share": share, "client": "aiohttp"}


def _wrk(
    base: str,
    requests: list[tuple[str, dict[str, Any]]],
    clients: int,
    seconds: float,
    headers: dict[str, str],
) -> dict[str, Any]:
    """:func:`hammer` with wrk: one thread, ``clients`` connections, ``replay.lua`` sending
    the requests in order and timing from the first sent to the last answered."""
    from urllib.parse import urlencode

    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        listed = Path(tmp) / "paths.lua"
        quoted = (
            json.dumps(path + ("?" + urlencode(params, doseq=True) if params else ""))
            for path, params in requests
        )  # JSON's string escapes are Lua's for these (ASCII, no control characters)
        listed.write_text("return {\n" + ",\n".join(quoted) + "\n}\n", encoding="ascii")
        command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += ["-s", str(Path(__file__).with_name("replay.lua")), base]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            command,
            env={**os.environ, "REPLAY_PATHS": str(listed)},
            capture_output=True,
            text=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    answered = min(int(got["answered"]), len(requests))
    if answered == len(requests):  # ended by the last answer
        elapsed = float(got["finished"]) - float(got["started"])
    else:  # ended by the clock
        elapsed = float(got["duration_s"])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "qps": answered / elapsed,
        "p50_ms": got["p50_us"] / 1000,
        "p99_ms": got["p99_us"] / 1000,
        "max_ms": got["max_us"] / 1000,
        "requests": answered,
        "errors": int(got["failed"]) + int(got["socket_errors"]),
        "client_cpu_share": cpu / elapsed / (os.cpu_count() or 1),
        "client": "wrk",
    }
