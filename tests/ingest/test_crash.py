"""A real ingest process SIGKILLed midway leaves the store as it was; one left alone completes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shopmind.config import load
from shopmind.store import SQLiteStore

SHOPMIND = str(Path(sys.executable).parent / "shopmind")


def _events_csv(path: Path, rows: int, prefix: str) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("event_id,user_id,item_id,type,timestamp\n")
        for i in range(rows):
            fh.write(f"{prefix}{i},u{i % 5000},p{i % 997},view,{1_700_000_000 + i}\n")
    return path


def _products_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,title,price\n")
        for i in range(rows):
            fh.write(f"n{i},New product number {i},{i % 100}.5\n")
    return path


def _counts(home: Path) -> tuple[int, int, int]:
    store = SQLiteStore(load(home=home).home / "shopmind.db")
    try:
        return store.count_products(), store.count_events(), len(store.ingest_reports())
    finally:
        store.close()


def _ingest(home: Path, kind: str, path: Path) -> subprocess.Popen[bytes]:
    # a small page cache makes SQLite spill the open transaction into the WAL as it goes,
    # so the kill lands while uncommitted rows are on disk
    env = {**os.environ, "SHOPMIND_INGEST__PROGRESS": "false", "SHOPMIND_STORE__CACHE_MB": "1"}
    log = path.with_suffix(".log")
    with log.open("wb") as err:
        return subprocess.Popen(
            [SHOPMIND, "--home", str(home), "ingest", kind, str(path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _log(path: Path) -> str:
    return path.with_suffix(".log").read_text()


def _kill_midway(proc: subprocess.Popen[bytes], wal: Path, grown: int, src: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ingest ended before it could be killed: {_log(src)}")
        if wal.exists() and wal.stat().st_size > grown:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the ingest wrote nothing to the WAL within 60 s")
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL


@pytest.mark.parametrize(("kind", "rows"), [("events", 200_000), ("products", 100_000)])
def test_sigkill_mid_ingest_leaves_the_store_as_before(
    tmp_path: Path, kind: str, rows: int
) -> None:
    home = tmp_path / "home"
    seed_csv = _events_csv(tmp_path / "seed.csv", 1_000, "seed")
    assert _ingest(home, "events", seed_csv).wait(60) == 0, _log(seed_csv)
    before = _counts(home)
    assert before == (0, 1_000, 1)
    wal = home / "shopmind.db-wal"
    start = wal.stat().st_size if wal.exists() else 0
    big = (
        _events_csv(tmp_path / "big.csv", rows, "big")
        if kind == "events"
        else _products_csv(tmp_path / "big.csv", rows)
    )
    _kill_midway(_ingest(home, kind, big), wal, start + 2_000_000, big)
    assert _counts(home) == before
    conn = sqlite3.connect(home / "shopmind.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_an_ingest_left_alone_completes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    src = _events_csv(tmp_path / "e.csv", 50_000, "e")
    assert _ingest(home, "events", src).wait(120) == 0, _log(src)
    assert _counts(home) == (0, 50_000, 1)
