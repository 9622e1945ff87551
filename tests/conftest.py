"""Shared fixtures: real SQLite stores in tmp_path, settings per test, the shared data sets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from shopmind.config import Settings, load
from shopmind.store import SQLiteStore, Store

DATA = Path(
    os.environ.get(
        "SHARED_DATA_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
).resolve()


def open_at_once(imports: str, run: str, path: Path | str, processes: int = 4) -> list[list[str]]:
    """Run ``processes`` Python processes that execute ``imports``, wait for one common
    moment, then execute ``run`` (``path`` is ``sys.argv[1]``): what the worker processes of
    ``serve --workers N`` do to the files of a home. Asserts every process succeeded and
    returns each one's printed words."""
    code = f"import sys, time\n{imports}\nwhile time.time() < float(sys.argv[2]): pass\n{run}"
    start = str(time.time() + 3.0)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path), start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    done = [r.communicate(timeout=60) for r in runs]
    failed = [err for r, (_, err) in zip(runs, done, strict=True) if r.returncode != 0]
    assert not failed, failed[0]
    return [out.split() for out, _ in done]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SHOPMIND_* variable from the caller's shell leaks into a test; and servers leave the
    collector alone (settling the heap makes a full collection of the test process at each
    app start): tests/serve/test_heap.py and the end-to-end server turn it on."""
    for name in list(os.environ):
        if name.startswith("SHOPMIND_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SHOPMIND_SERVE__HEAP_SETTLE_S", "0")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh home in tmp_path and progress bars off."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "shopmind.toml").write_text(
        '[ingest]\nprogress = false\n[search]\nencoder = "none"\n'
    )
    return load(home=tmp_path / "home")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A real SQLite store file inside the test's home."""
    s = SQLiteStore(settings.home / "shopmind.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared real data sets (../shared/data); tests that need them skip without them."""
    if not DATA.is_dir():
        pytest.skip(f"shared data not found at {DATA}")
    return DATA


def head_lines(src: Path, dst: Path, lines: int) -> Path:
    """Copy the first ``lines`` lines (header included) of a shared file into a test folder."""
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as fout:
        for i, line in enumerate(fin):
            if i >= lines:
                break
            fout.write(line)
    return dst


def write(path: Path, text: str) -> Path:
    """Write a small UTF-8 test file and return its path."""
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    """A free TCP port on loopback."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port: its base address."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL server of the tests' own on 127.0.0.1 (Debian's binaries, a
    temporary data directory), started once for the session and removed after it."""
    from shopmind.store.pglocal import LocalPostgres, postgres_bin

    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries; ./install.sh --dev installs them")
    with LocalPostgres() as server:
        yield server


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def pg_url(postgres: Any) -> str:
    """The URL of a new, empty database on the session's PostgreSQL server."""
    return str(postgres.create_database(f"test_{next(_databases)}"))
