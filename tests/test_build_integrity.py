"""A damaged build is refused at load: the newest older build that checks out serves."""

from __future__ import annotations

import json
import time

import pytest

from shopmind.build import artifacts, open_search, run_build
from shopmind.build.artifacts import current_build, current_folder
from shopmind.config import Settings
from shopmind.errors import NotFound
from shopmind.store import Store
from tests.contract.store_contract import product


def test_a_damaged_build_falls_back_to_the_last_intact_one(
    settings: Settings, store: Store
) -> None:
    store.upsert_products([product("a", title="Wireless earbuds"), product("b", title="Kettle")])
    first = run_build(store, settings.home, settings.events)
    time.sleep(0.01)
    second = run_build(store, settings.home, settings.events)
    assert second.files and "items.json" in second.files
    assert current_build(settings.home).id == second.id
    items = settings.home / "builds" / second.id / "items.json"
    items.write_text(json.dumps(["a"]))  # damaged: no longer what the build wrote
    artifacts._CHECKED.clear()  # a new process: builds are checked once per process
    assert current_build(settings.home).id == first.id
    assert current_folder(settings.home).name == first.id
    assert [h.product.id for h in open_search(settings.home, store).search("earbuds").hits] == ["a"]
    (settings.home / "builds" / first.id / "manifest.json").write_text("{half")  # unreadable
    artifacts._CHECKED.clear()
    with pytest.raises(NotFound, match="damaged"):
        current_build(settings.home)
