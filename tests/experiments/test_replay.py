"""Replay over a request log with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from shopmind.events import StoredEvent
from shopmind.experiments.book import LoggedRequest, Shown
from shopmind.experiments.replay import replay


def _click(n: int, rid: str, item: str) -> StoredEvent:
    return StoredEvent(n, None, "v", "v", None, item, "click", None, None, None, None,
                       1.0, {"request_id": rid})  # fmt: skip


def test_snips_gives_back_a_repeated_logs_rate_and_reweighs_other_rankings() -> None:
    """Half the answers showed [a, b], half a shuffled [b, a] with propensity 0.5 each; a
    attracts every shopper who looks, b none."""
    rng = np.random.default_rng(0)
    requests, events = [], []
    for n in range(2000):
        order = ["a", "b"] if rng.random() < 0.5 else ["b", "a"]
        rid = f"r{n}"
        requests.append(LoggedRequest(rid, float(n), "/search", "v", "q",
                                      {}, [Shown(order[0], 1, 0.5), Shown(order[1], 2, 0.5)],
                                      1.0))  # fmt: skip
        look = [1.0, 0.5]  # position 2 is looked at half as often
        for i, item in enumerate(order):
            if item == "a" and rng.random() < look[i]:
                events.append(_click(n, rid, item))
    # a "candidate" that repeats each logged list: IPS counts every click 1 / 0.5 times
    logged = replay(requests, events, lambda r: [s.item for s in r.items], k=2)
    assert logged["ips"]["value"] == pytest.approx(2 * logged["naive"]["value"], rel=1e-9)
    assert logged["snips"]["value"] == pytest.approx(logged["naive"]["value"], rel=0.02)
    best = replay(requests, events, lambda r: ["a", "b"], k=2)  # a always first: truth 1.0
    worst = replay(requests, events, lambda r: ["b", "a"], k=2)  # a always second: 0.5
    assert best["snips"]["value"] == pytest.approx(1.0, abs=0.05)
    assert worst["snips"]["value"] == pytest.approx(0.5, abs=0.05)
    assert best["dr"]["value"] == pytest.approx(1.0, abs=0.05)
    assert best["matched_share"] == pytest.approx(0.5, abs=0.05)
    assert replay([], [], lambda r: [])["requests"] == 0
