"""The coalescer answers concurrent single calls with batch calls, correctly and in order."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from shopmind.batching import Coalescer
from shopmind.index import VectorIndex


class Recorder:
    def __init__(self, delay: float = 0.0) -> None:
        self.sizes: list[int] = []
        self.delay = delay

    def __call__(self, items: Sequence[int]) -> list[int]:
        self.sizes.append(len(items))
        time.sleep(self.delay)
        if any(i < 0 for i in items):
            raise ValueError("negative item")
        return [i * i for i in items]


def _hammer(call: Coalescer[int, int], items: list[int]) -> dict[int, object]:
    out: dict[int, object] = {}
    start = threading.Barrier(len(items))

    def one(i: int) -> None:
        start.wait()
        try:
            out[i] = call(i)
        except ValueError as exc:
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads), "a caller never got its answer"
    return out


def test_a_lone_call_is_a_batch_of_one() -> None:
    rec = Recorder()
    call = Coalescer(rec)
    assert [call(3), call(4)] == [9, 16]
    assert rec.sizes == [1, 1]


def test_concurrent_calls_are_batched_and_each_gets_its_own_answer() -> None:
    rec = Recorder(delay=0.02)
    call = Coalescer(rec, max_batch=8)
    out = _hammer(call, list(range(40)))
    assert out == {i: i * i for i in range(40)}
    assert sum(rec.sizes) == 40
    assert max(rec.sizes) > 1 and max(rec.sizes) <= 8  # batched, never above the cap


def test_a_failing_batch_fails_its_callers_and_the_next_batch_still_runs() -> None:
    rec = Recorder(delay=0.01)
    call = Coalescer(rec, max_batch=64)
    out = _hammer(call, [-1, *range(1, 20)])
    failed = {i for i, v in out.items() if isinstance(v, ValueError)}
    assert -1 in failed  # the batch holding the bad item failed as a whole
    assert all(out[i] == i * i for i in range(1, 20) if i not in failed)
    assert call(5) == 25  # not stuck after a failure
    with pytest.raises(ValueError):
        call(-2)


def test_vector_scores_from_many_threads_equal_single_products() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    index = VectorIndex("test", [str(i) for i in range(500)], vectors)
    queries = rng.normal(size=(24, 16)).astype(np.float32)
    got: dict[int, np.ndarray] = {}
    barrier = threading.Barrier(len(queries))

    def one(i: int) -> None:
        barrier.wait()
        got[i] = index.scores(queries[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(queries))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for i, q in enumerate(queries):
        np.testing.assert_array_equal(got[i], index.scores(q))  # as if alone
        # half precision: within 2e-3 of float32 for these (not unit) 16-d vectors
        np.testing.assert_allclose(got[i], vectors @ q, rtol=2e-3, atol=2e-2)
    both = index.scores_many([queries[0], queries[1]])
    np.testing.assert_array_equal(np.stack(both), np.stack([got[0], got[1]]))
