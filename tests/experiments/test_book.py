"""The experiments book on both backends: shared experiments, the request log, forgetting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopmind.ads import CampaignBook
from shopmind.config import Settings
from shopmind.errors import InvalidInput
from shopmind.experiments.assign import assignments
from shopmind.experiments.book import FLUSH_S, REFRESH_S, ExperimentBook, LoggedRequest, Shown
from shopmind.experiments.spec import check_spec

SPEC = {
    "name": "blend",
    "variants": [
        {"name": "control", "share": 0.5},
        {"name": "more_als", "share": 0.5, "settings": {"recommend": {"weights": {"als": 2.0}}}},
    ],
}


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A home and the store URL the books open beside (a PostgreSQL database: two nodes)."""
    if request.param == "sqlite":
        yield tmp_path, f"sqlite:///{tmp_path / 'shopmind.db'}"
    else:
        yield tmp_path, str(request.getfixturevalue("pg_url"))


def _answer(n: int, visitor: str, arms: dict[str, str]) -> LoggedRequest:
    items = [Shown(f"p{i}", i + 1) for i in range(3)]
    return LoggedRequest(f"r{n}", 1000.0 + n, "/recommend", visitor, None, arms, items, 2.5)


def test_two_books_share_experiments_and_one_request_log(where: tuple[Path, str]) -> None:
    home, url = where
    with ExperimentBook.open(home, url) as a, ExperimentBook.open(home, url) as b:
        started = a.start(check_spec(SPEC, Settings()))
        assert started.status == "running" and (started.start, started.end) == (0, 10_000)
        time.sleep(REFRESH_S + FLUSH_S + 0.2)  # the other node's writer thread reads again
        [running] = b.running()  # the other node sees it
        assert running.spec.name == "blend"
        # the same visitor gets the same variant from either node
        for visitor in ("u1", "u2", "u3"):
            assert running.variant(visitor) == a.running()[0].variant(visitor)
            assert assignments(b.running(), visitor, "/recommend") == [running]
        assert assignments(b.running(), "u1", "/similar") == []  # not one of its routes
        with pytest.raises(InvalidInput, match="exists"):
            b.start(check_spec(SPEC, Settings()))
        a.log(_answer(1, "u1", {"blend": "control"}))
        b.log(_answer(2, "u2", {"blend": "more_als"}))
        b.log(_answer(2, "u2", {"blend": "more_als"}))  # a request id is logged once
        assert b.flush() == 2  # each node writes its own queue (its thread: within 0.5 s)
        assert [r.request_id for r in a.requests()] == ["r1", "r2"]
        got = b.request("r1")
        assert got is not None and got.items[1] == Shown("p1", 2) and got.latency_ms == 2.5
        assert a.exposure.of(["p0"])["p0"].impressions == 1  # this process's own count
        assert b.forget_visitors(["u1"]) == 1
        assert [r.request_id for r in a.requests()] == ["r2"]
        a.log(_answer(3, "u3", {}))
        assert a.delete_before(1002.5) == 1  # retention: r2 (t=1002) goes, r3 stays
        assert [r.request_id for r in b.requests()] == ["r3"]
        assert a.stop("blend").status == "stopped"
        assert b.get("blend").stopped is not None


def test_exploration_counts_are_shared_by_every_process_and_kept_over_restarts(
    where: tuple[Path, str],
) -> None:
    home, url = where
    with ExperimentBook.open(home, url) as a, ExperimentBook.open(home, url) as b:
        a.log(_answer(1, "u1", {}))  # before exploration reads: counted, kept in memory
        a.flush()
        assert b.exposure.of(["p0"])["p0"].impressions == 0  # b explores: it shares now
        assert a.exposure.of(["p0"])["p0"].impressions == 1
        a.exposure.clicked("p0")
        b.log(_answer(2, "u2", {}))
        a.flush(), b.flush()  # what each counted since it started goes into the book
        a.read_exposure(), b.read_exposure()
        for book in (a, b):
            record = book.exposure.of(["p0", "p2"])
            assert (record["p0"].impressions, record["p0"].clicks) == (2, 1)
            assert record["p2"].impressions == 2
        b.log(_answer(3, "u3", {}))  # counted here at once, elsewhere after the next read
        assert b.exposure.of(["p1"])["p1"].impressions == 3
        b.read_exposure()  # not written yet: still counted
        assert b.exposure.of(["p1"])["p1"].impressions == 3
    with ExperimentBook.open(home, url) as restarted:
        restarted.exposure.of([])
        restarted.read_exposure()
        assert restarted.exposure.of(["p1"])["p1"].impressions == 3  # b wrote it on close


def test_the_experiments_book_and_the_campaign_book_share_one_database(
    where: tuple[Path, str],
) -> None:
    home, url = where
    with CampaignBook.open(home, url) as ads, ExperimentBook.open(home, url) as log:
        log.start(check_spec(SPEC, Settings()))
        assert ads.campaigns() == []
        assert [e.spec.name for e in log.experiments()] == ["blend"]


def test_a_lost_database_never_stalls_logging_and_the_log_catches_up(tmp_path: Path) -> None:
    """The shop's PostgreSQL stops: answers still queue at once and the running experiments
    stay known; once it is back the writer thread writes what waited."""
    from shopmind.store.pglocal import LocalPostgres, postgres_bin

    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries; ./install.sh --dev installs them")
    with LocalPostgres() as server:
        url = server.create_database("lost")
        with ExperimentBook.open(tmp_path, url) as book:
            book.start(check_spec(SPEC, Settings()))
            server.stop()
            started = time.perf_counter()
            for n in range(100):
                book.log(_answer(n, f"u{n}", {"blend": "control"}))
            assert time.perf_counter() - started < 0.5  # queued, not written
            assert [r.spec.name for r in book.running()] == ["blend"]
            assert book.flush() == 0  # kept for the next try
            server.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if len(list(book.requests())) == 100:
                        break
                except Exception:  # the reconnect may take a moment
                    pass
                time.sleep(0.2)
            assert len(list(book.requests())) == 100 and book.dropped == 0
