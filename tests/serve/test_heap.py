"""The serving heap kept out of the garbage collector's full passes (``serve.heap``)."""

from __future__ import annotations

import gc
import time
import warnings
import weakref
from collections.abc import Iterator

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.build import run_build
from shopmind.config import Settings, load
from shopmind.serve import create_app
from shopmind.serve.heap import HeapKeeper
from shopmind.store import Store
from tests.contract.store_contract import product

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient


class _Cycle:
    """An object that refers to itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _frozen(obj: object) -> bool:
    """Whether ``obj`` is tracked but in no generation the collector passes over."""
    return gc.is_tracked(obj) and not any(o is obj for g in range(3) for o in gc.get_objects(g))


@pytest.fixture
def thawed() -> Iterator[None]:
    """Whatever a test freezes is given back to the collector after it."""
    try:
        yield
    finally:
        gc.unfreeze()


def test_a_tick_freezes_survivors_and_a_swap_frees_frozen_cycles(thawed: None) -> None:
    generation = [0]
    keeper = HeapKeeper(lambda: generation[0], every_s=60.0)
    keeper.settle()
    assert gc.get_freeze_count() > 0

    young = _Cycle()
    assert not _frozen(young)
    keeper.tick()
    assert _frozen(young)  # survived until the tick: out of the collector's passes
    gone = weakref.ref(young)
    del young
    gc.collect()
    assert gone() is not None  # a frozen cycle is not collected...
    keeper.tick()
    assert gone() is not None and keeper.settles == 1  # ...nor by a tick with the same parts

    generation[0] += 1  # an engine swapped
    keeper.tick()
    assert gone() is None
    assert keeper.settles == 2 and keeper.ticks == 3


def test_a_tick_collects_what_died_young(thawed: None) -> None:
    keeper = HeapKeeper(lambda: 0, every_s=60.0)
    keeper.settle()
    young = _Cycle()
    gone = weakref.ref(young)
    del young
    keeper.tick()
    assert gone() is None


@pytest.fixture
def shop(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch) -> Settings:
    store.upsert_products([product("a", title="Oakly Sofa"), product("b", title="Desk Lamp")])
    run_build(store, settings.home, settings.events, search=settings.search)
    monkeypatch.setenv("SHOPMIND_SERVE__HEAP_SETTLE_S", "0.05")
    return load(home=settings.home)


def test_a_server_settles_at_start_keeps_settled_and_gives_the_heap_back(
    shop: Settings, thawed: None
) -> None:
    with TestClient(create_app(shop)) as client:
        keeper = client.app.state.heap  # type: ignore[attr-defined]
        assert isinstance(keeper, HeapKeeper)
        assert keeper.settles == 1 and gc.get_freeze_count() > 0
        assert client.get("/search", params={"q": "sofa"}).json()["hits"][0]["id"] == "a"
        deadline = time.monotonic() + 10
        while keeper.ticks < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert keeper.ticks >= 2 and keeper.settles == 1

        # a catalog write re-indexes: the new engine's swap brings a full settle
        kettle = {"id": "k", "title": "Glass Kettle"}
        assert client.post("/products", json=kettle).status_code == 201
        assert client.app.state.search.wait(30)  # type: ignore[attr-defined]
        while keeper.settles < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert keeper.settles == 2
        assert client.get("/search", params={"q": "kettle"}).json()["hits"][0]["id"] == "k"
    assert gc.get_freeze_count() == 0


def test_zero_leaves_the_collector_alone(
    shop: Settings, monkeypatch: pytest.MonkeyPatch, thawed: None
) -> None:
    monkeypatch.setenv("SHOPMIND_SERVE__HEAP_SETTLE_S", "0")
    with TestClient(create_app(load(home=shop.home))) as client:
        assert getattr(client.app.state, "heap", None) is None  # type: ignore[attr-defined]
        assert gc.get_freeze_count() == 0
