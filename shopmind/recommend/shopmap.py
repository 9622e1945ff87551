"""The shop as a mind map: categories, their most popular products, and each product's
neighbours, in the one reasons-tree shape (``{label, value, children}``)::

    shop (products)
    └── Electronics (products)
        └── Audio > Headphones (products)            a leaf, named below its top level
            └── Wireless Earbuds X1 (p0001) (popularity: weighted interactions)
                ├── similar
                │   └── Sports Earbuds (p0004) (score)
                └── bought together
                    └── Charging Case (p0107) (score)

A product whose category has one level hangs from its top level directly; one without a
category from ``(no category)``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from shopmind.catalog import Product, normalise_category
from shopmind.errors import NotFound
from shopmind.explain import Node
from shopmind.recommend.engine import Pick, RecommendEngine

NO_CATEGORY = "(no category)"


def product_label(product_id: str, title: str) -> str:
    """How a product is named on the map: its title, then its id in brackets."""
    return f"{title} ({product_id})"


def _under(category: str, path: str) -> bool:
    return category == path or category.startswith(path + " > ")


def _neighbours(branch: Node, picks: list[Pick]) -> None:
    for pick in picks:
        branch.add(product_label(pick.id, pick.title), round(pick.score, 4))


def shop_map(
    engine: RecommendEngine,
    category: str | None = None,
    products: int = 5,
    neighbours: int = 3,
) -> Node:
    """The mind map of the shop, or of one category's subtree (see the module docstring).

    Args:
        engine: the fitted recommendations (catalog, popularity, similar, bought together).
        category: a category path (``Electronics > Audio``); None for the whole shop.
        products: the most popular products shown per leaf category.
        neighbours: the similar and bought-together products shown per product.

    Raises:
        NotFound: no product lies in ``category``.
    """
    path = normalise_category(category) if category else None
    leaves: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, p in enumerate(engine.products):
        cat = p.category or ""
        if path and not _under(cat, path):
            continue
        top, _, rest = cat.partition(" > ")
        leaves[top or NO_CATEGORY][rest].append(i)
    if path and not leaves:
        raise NotFound(
            f"no product lies in the category {path!r}; GET /shopmap shows the categories"
        )
    popularity = np.expm1(engine.trending)
    root = Node("shop", sum(len(ix) for tops in leaves.values() for ix in tops.values()))
    for top in sorted(leaves):
        top_node = root.add(top, sum(len(ix) for ix in leaves[top].values()))
        for rest in sorted(leaves[top]):
            rows = leaves[top][rest]
            leaf_node = top_node.add(rest, len(rows)) if rest else top_node
            best = sorted(rows, key=lambda i: (-popularity[i], engine.ids[i]))[:products]
            for i in best:
                _product(engine, leaf_node, engine.products[i], float(popularity[i]), neighbours)
    return root


def _product(
    engine: RecommendEngine, parent: Node, product: Product, popularity: float, neighbours: int
) -> None:
    node = parent.add(product_label(product.id, product.title), round(popularity, 4))
    _neighbours(node.add("similar"), engine.similar(product.id, neighbours))
    _neighbours(node.add("bought together"), engine.bought_together(product.id, neighbours))
