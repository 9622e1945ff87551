"""Catalogs of products that go by shop-specific model names, for the tuning tests.

Real catalogs name products by brand and model ("Zentro Pods 3", "声动 Buds 3") more than
by what they are, so a pretrained encoder cannot know which queries they answer: that is
what tuning on the shop's signals must teach. Each category has queries and title
templates; every title is made in five numbered models.
"""

from __future__ import annotations

import numpy as np

from shopmind.catalog import Product
from shopmind.embed import Encoder
from shopmind.evaluate.metrics import ndcg_at_k
from shopmind.train import Pairs

Categories = dict[str, tuple[list[str], list[str]]]  # name -> (queries, title templates)


def named_catalog(categories: Categories, language: str) -> tuple[list[Product], dict[str, str]]:
    """The products, and each product's category."""
    products: list[Product] = []
    category: dict[str, str] = {}
    for name, (_, titles) in categories.items():
        for title in titles:
            for n in range(1, 6):
                pid = f"{name}-{len(products)}"
                products.append(Product(id=pid, title=title.format(n=n), language=language))
                category[pid] = name
    return products, category


def category_pairs(categories: Categories, category: dict[str, str], queries: range) -> Pairs:
    """Each category's queries numbered ``queries`` -> every product of the category."""
    pairs = Pairs(source="test judgments")
    for name, (texts, _) in categories.items():
        for i in queries:
            for pid, c in category.items():
                if c == name:
                    pairs.add(texts[i], pid, 1.0)
    return pairs


def mean_ndcg(encoder: Encoder, products: list[Product], judged: Pairs) -> float:
    """Mean nDCG@10 of ``judged``'s queries over the whole catalog, by ``encoder`` alone."""
    docs = encoder.encode_documents([p.title for p in products])
    total = 0.0
    for query in judged.anchors:
        scores = docs @ encoder.encode_query([query])[0]
        ranked = [products[i].id for i in np.argsort(-scores)[:10]]
        total += ndcg_at_k(judged.positives[query], ranked, 10)
    return total / len(judged.anchors)
