"""SIGKILL the real server while clients post events (three times here; the long run is
``benchmarks/kill_test.py --kills 20``): every acknowledged event survives, and the store
passes SQLite's integrity check after each kill."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.kill_test import run


def test_killed_servers_lose_no_acknowledged_event(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text('[search]\nencoder = "none"\n')
    summary = run(kills=3, home=home, threads=2, batch=10)
    assert summary["intact"] == 3, summary
    assert int(str(summary["acknowledged"])) > 0
