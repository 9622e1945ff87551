"""The ranker serving holds: loaded from its file, reloaded on a change, and asked cheaply."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

from shopmind.rank import Ranker
from shopmind.rank.live import LiveRanker


def test_a_trained_ranker_is_noticed_within_the_check_interval(tmp_path: Path) -> None:
    path = tmp_path / "ranker.pt"
    loads: list[Path] = []
    sentinel = cast(Ranker, object())  # what load returns stands for a loaded ranker

    def load(p: Path) -> Ranker:
        loads.append(p)
        return sentinel

    live = LiveRanker(path, load, check_seconds=0.2)
    assert live.present is False and live.ranker is None
    path.write_bytes(b"trained")
    assert live.present is False  # looked at most every check_seconds: not yet
    time.sleep(0.25)
    assert live.present is True
    live.reset()
    assert live.ranker is sentinel and loads == [path]
    assert live.present is True  # loaded: no file look-up at all
