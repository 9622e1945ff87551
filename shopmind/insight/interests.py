"""Interest clusters: groups of the shop's products by meaning, each named by its words.

The products' vectors (the language model's, from the current build's search index) are
clustered by seeded k-means on unit vectors (``k`` = ``profiles.clusters``, fewer for a
small catalog: at most one cluster per 5 products). A cluster is named by its top words:
the title words most over-represented in it, scored by ``share_in_cluster ×
log(share_in_cluster / share_in_catalog)`` (words in at least 2 of its titles and 5% of
them; stop words and numbers left out). A visitor's share per cluster counts their
interest events about clustered products.

Example::

    clusters = cluster_products(ids, vectors, titles, k=12, seed=0)
    clusters.names[clusters.label_of("sku-1")]  # 'mug, tea, cup'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopmind.index.analyze import STOP_WORDS

PER_CLUSTER = 5  # fewest products per cluster on average
_WORD = re.compile(r"[^\W\d_][^\W_]{2,}")


@dataclass(frozen=True)
class ProductClusters:
    """A cluster label per product id, and each cluster's name and top words."""

    ids: list[str]
    labels: np.ndarray  # int32 per product, in ``ids`` order
    words: list[list[str]]  # top words per cluster
    sizes: list[int]
    _row: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._row.update({pid: n for n, pid in enumerate(self.ids)})

    @property
    def names(self) -> list[str]:
        """Each cluster's name: its top words joined."""
        return [", ".join(w) if w else f"cluster {n}" for n, w in enumerate(self.words)]

    def label_of(self, product_id: str) -> int:
        """The cluster of a product; -1 when it was not clustered."""
        row = self._row.get(product_id)
        return -1 if row is None else int(self.labels[row])

    def labels_for(self, product_ids: Sequence[str]) -> np.ndarray:
        """The cluster of each product id (-1 for unclustered ones), int32."""
        return np.fromiter((self.label_of(p) for p in product_ids), np.int32, len(product_ids))

    def as_dict(self) -> dict[str, Any]:
        """The clusters as JSON (without the per-product labels)."""
        return {
            "clusters": [
                {"cluster": n, "name": name, "words": words, "products": size}
                for n, (name, words, size) in enumerate(
                    zip(self.names, self.words, self.sizes, strict=True)
                )
            ]
        }


def title_words(title: str) -> set[str]:
    """The distinct lower-case words of a title (3+ letters, no stop words or numbers)."""
    return {w for w in _WORD.findall(title.lower()) if w not in STOP_WORDS}


def cluster_products(
    ids: Sequence[str],
    vectors: np.ndarray,
    titles: Sequence[str],
    k: int,
    seed: int = 0,
    top: int = 3,
) -> ProductClusters:
    """Seeded k-means over unit product vectors, each cluster named by its top title words.

    Args:
        ids: product ids, in the rows' order.
        vectors: one vector per product.
        titles: one title per product.
        k: clusters wanted (at most one per 5 products; at least 1).
        seed: the k-means seed.
        top: words per name.
    """
    from sklearn.cluster import KMeans

    n = len(ids)
    if n == 0:
        return ProductClusters([], np.zeros(0, dtype=np.int32), [], [])
    k = max(1, min(k, n // PER_CLUSTER))
    unit = np.asarray(vectors, dtype=np.float32)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    if k == 1:
        labels = np.zeros(n, dtype=np.int32)
    else:
        km = KMeans(n_clusters=k, n_init=3, random_state=seed, max_iter=100)
        labels = km.fit_predict(unit).astype(np.int32)
    bags = [title_words(t) for t in titles]
    overall: Counter[str] = Counter(w for bag in bags for w in bag)
    words = []
    sizes = np.bincount(labels, minlength=k)
    for c in range(k):
        inside: Counter[str] = Counter(w for bag, lab in zip(bags, labels, strict=True)
                                       if lab == c for w in bag)  # fmt: skip
        words.append(_top_words(inside, overall, int(sizes[c]), n, top))
    return ProductClusters(list(ids), labels, words, [int(s) for s in sizes])


def _top_words(
    inside: Counter[str], overall: Counter[str], size: int, n: int, top: int
) -> list[str]:
    floor = max(2, int(np.ceil(0.05 * size)))
    scored = []
    for word, count in inside.items():
        if count < floor:
            continue
        share = count / size
        lift = share / (overall[word] / n)
        if lift > 1.0:
            scored.append((share * np.log(lift), word))
    scored.sort(key=lambda sw: (-sw[0], sw[1]))
    return [w for _, w in scored[:top]]


def visitor_shares(visitor: np.ndarray, label: np.ndarray, n_visitors: int, k: int) -> np.ndarray:
    """Each visitor's share of interest events per cluster (rows sum to 1, or 0 without
    clustered events), from parallel arrays of visitor codes and cluster labels (-1 = none).
    """
    keep = label >= 0
    counts = np.zeros((n_visitors, max(k, 0)), dtype=np.float32)
    if k and keep.any():
        flat = visitor[keep].astype(np.int64) * k + label[keep]
        counts = (
            np.bincount(flat, minlength=n_visitors * k).reshape(n_visitors, k).astype(np.float32)
        )
    totals = counts.sum(axis=1, keepdims=True)
    shares: np.ndarray = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return shares
