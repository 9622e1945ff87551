"""Searches off the event loop, a bounded number at a time per process (``serve.compute``)."""

from __future__ import annotations

import threading
import time
import warnings
from types import SimpleNamespace
from typing import Any, cast

import anyio
import pytest
from fastapi import Request
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.build import run_build
from shopmind.config import ServeConfig, Settings, load
from shopmind.serve import create_app
from shopmind.serve.compute import cores, in_search_slot, search_slots
from shopmind.store import Store
from tests.contract.store_contract import product

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient


def test_slots_are_the_cores_shared_by_the_processes_unless_set() -> None:
    assert search_slots(ServeConfig(), available=2) == 2
    assert search_slots(ServeConfig(workers=2), available=2) == 1
    assert search_slots(ServeConfig(workers=4), available=2) == 1  # never none
    assert search_slots(ServeConfig(workers=2), available=8) == 4
    assert search_slots(ServeConfig(workers=2, search_threads=3), available=2) == 3
    assert search_slots(ServeConfig()) == cores() >= 1


def _request(slots: int) -> Request:
    """What ``in_search_slot`` reads of a request: its app's slots."""
    app = SimpleNamespace(state=SimpleNamespace(search_slots=anyio.CapacityLimiter(slots)))
    return cast(Request, SimpleNamespace(app=app))


@pytest.mark.parametrize("slots", [1, 2])
def test_at_most_the_slots_run_at_once_in_arrival_order(slots: int) -> None:
    lock = threading.Lock()
    running, most, started = 0, 0, []

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            started.append(n)
        time.sleep(0.05)
        with lock:
            running -= 1
        return n * n

    async def main() -> list[int]:
        request = _request(slots)
        answers: dict[int, int] = {}

        async def ask(n: int) -> None:
            answers[n] = await in_search_slot(request, lambda: work(n))

        async with anyio.create_task_group() as group:
            for n in range(6):
                group.start_soon(ask, n)
                await anyio.sleep(0.005)  # they arrive in this order
        return [answers[n] for n in range(6)]

    assert anyio.run(main) == [n * n for n in range(6)]
    assert most == slots
    if slots == 1:
        assert started == list(range(6))  # first come, first served


def test_without_slots_the_work_still_runs() -> None:
    request = cast(Request, SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace())))
    assert anyio.run(in_search_slot, request, lambda: 42) == 42


@pytest.fixture
def shop(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch) -> Settings:
    store.upsert_products([product("a", title="Oakly Sofa"), product("b", title="Desk Lamp")])
    run_build(store, settings.home, settings.events, search=settings.search)
    return load(home=settings.home)


def test_a_server_opens_its_slots_at_startup(
    shop: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(shop)) as client:
        app: Any = client.app
        assert app.state.search_slots.total_tokens == search_slots(shop.serve)
    monkeypatch.setenv("SHOPMIND_SERVE__SEARCH_THREADS", "3")
    with TestClient(create_app(load(home=shop.home))) as client:
        app = client.app
        assert app.state.search_slots.total_tokens == 3
        assert client.get("/search", params={"q": "sofa"}).json()["hits"][0]["id"] == "a"
