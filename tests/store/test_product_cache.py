"""Products read back for answers are remembered until the catalog changes (a real SQLite
store): as fresh as a read of the store, without reading it for every answer."""

from __future__ import annotations

from collections.abc import Sequence

from shopmind.catalog import Product
from shopmind.store import Store
from shopmind.store.cache import ProductCache


class Counting:
    """The store, counting the product reads that reach it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.asked: list[list[str]] = []

    def catalog_version(self) -> int:
        return self.store.catalog_version()

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        self.asked.append(list(ids))
        return self.store.get_products(ids)


def test_a_page_is_read_once_until_the_catalog_changes(store: Store) -> None:
    store.upsert_products(
        [Product(id=f"p{i}", title=f"Lamp {i}", price=10.0 + i) for i in range(5)]
    )
    counting = Counting(store)
    cache = ProductCache(counting)  # type: ignore[arg-type]
    first = cache(["p0", "p1", "gone"])
    assert set(first) == {"p0", "p1"} and first["p1"].price == 11.0
    assert cache(["p1", "p0", "gone"]).keys() == first.keys()  # from memory, unknown too
    assert counting.asked == [["p0", "p1", "gone"]]
    assert set(cache(["p1", "p2"])) == {"p1", "p2"}
    assert counting.asked[-1] == ["p2"]  # only what it did not know

    store.upsert_products([Product(id="p1", title="Lamp 1", price=99.0)])  # a price change
    assert cache(["p1"])["p1"].price == 99.0  # seen at once: the version moved
    store.delete_products(["p0"])
    assert cache(["p0", "p1"]).keys() == {"p1"}


def test_a_small_cache_starts_again_when_full(store: Store) -> None:
    store.upsert_products([Product(id=f"p{i}", title=f"Mug {i}") for i in range(30)])
    counting = Counting(store)
    cache = ProductCache(counting, max_products=10)  # type: ignore[arg-type]
    for i in range(0, 30, 5):
        assert len(cache([f"p{j}" for j in range(i, i + 5)])) == 5
    assert len(cache(["p0"])) == 1
    assert counting.asked[-1] == ["p0"]  # forgotten when it passed 10
