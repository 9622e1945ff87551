"""Dense vectors of the products, searched by cosine similarity.

The whole catalog is scored for every query: one matrix-vector product, with no recall
lost to an approximate index. The product reads every vector from memory, so it is bound
by memory bandwidth: it reads a half-precision copy of the vectors (PyTorch's float16
kernel), half the bytes of float32 and 2.5x faster here (6.2 -> 2.5 ms on 55k x 384, one
thread; benchmarks/README.md). Similarities differ from float32's by under 5e-4 (unit
vectors). The float32 vectors stay for everything else (feedback, gathers, saving); both
are kept in index order next to the lexical index.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shopmind.catalog import Product
from shopmind.embed import Encoder, encode_cached
from shopmind.index.topk import top_k


def product_text(p: Product) -> str:
    """The text a product is embedded from: its title, with the brand and the leaf category
    when the title does not already say them (short texts suit sentence encoders)."""
    parts = [p.title]
    if p.brand and p.brand.lower() not in p.title.lower():
        parts.append(p.brand)
    if p.category:
        leaf = p.category.split(" > ")[-1]
        if leaf.lower() not in p.title.lower():
            parts.append(leaf)
    return " | ".join(parts)


@dataclass
class VectorIndex:
    """Product vectors in index order, from one encoder (never mixed)."""

    encoder: str
    ids: list[str] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def __post_init__(self) -> None:
        self._row = {pid: i for i, pid in enumerate(self.ids)}
        self._half: Any = None  # the float16 copy the scans read, made on first use
        self._half_lock = threading.Lock()

    @classmethod
    def from_products(
        cls,
        encoder: Encoder,
        products: Sequence[Product],
        cache: Path | None = None,
        progress: bool = True,
    ) -> VectorIndex:
        """Embed products (through the vector cache in ``cache`` when given), in order."""
        texts = [product_text(p) for p in products]
        vectors = encode_cached(encoder, texts, cache, progress=progress)
        return cls(encoder.name, [p.id for p in products], vectors)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of one (normalised) query vector to every product (float32).

        Computed in half precision (see the module docstring); the kernel releases the GIL,
        so the server's threads scan at the same time. Batching queries into one product
        does not pay in float16 (measured: 8 queries cost 8 single products).
        """
        if not len(self.ids):
            return np.zeros(0, dtype=np.float32)
        import torch

        q = torch.from_numpy(np.array(query, dtype=np.float16))  # a copy: queries are read-only
        out: np.ndarray = torch.mv(self._scan_matrix(), q).to(torch.float32).numpy()
        return out

    def scores_many(self, queries: Sequence[np.ndarray]) -> list[np.ndarray]:
        """:meth:`scores` for each of several query vectors (the same numbers)."""
        return [self.scores(q) for q in queries]

    def _scan_matrix(self) -> Any:
        half = self._half
        if half is None:
            import torch

            with self._half_lock:
                if self._half is None:
                    self._half = torch.from_numpy(np.array(self.vectors, dtype=np.float16))
                half = self._half
        return half

    def search(self, query: np.ndarray, k: int = 10) -> tuple[list[str], np.ndarray]:
        """The ``k`` most similar products, best first."""
        s = self.scores(query)
        top = top_k(s, k)
        return [self.ids[i] for i in top], s[top]

    def vector_of(self, product_id: str) -> np.ndarray | None:
        """A product's vector, or None when it is not indexed."""
        row = self._row.get(product_id)
        return None if row is None else self.vectors[row]

    def upsert(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add or replace products' vectors."""
        vectors = np.asarray(vectors, dtype=np.float32)
        new: list[int] = []
        for n, pid in enumerate(ids):
            row = self._row.get(pid)
            if row is None:
                new.append(n)
            else:
                self.vectors[row] = vectors[n]
        if new:
            base = len(self.ids)
            self.ids.extend(ids[n] for n in new)
            stacked = vectors[new]
            self.vectors = np.vstack([self.vectors, stacked]) if self.vectors.size else stacked
            self._row.update({ids[n]: base + i for i, n in enumerate(new)})
        with self._half_lock:  # after the new vectors are in: a scan now copies those
            self._half = None

    def save(self, folder: Path) -> None:
        """Write ``vectors.npy`` and ``vectors.json`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.vectors)
        (folder / "vectors.json").write_text(
            json.dumps({"encoder": self.encoder, "ids": self.ids}, ensure_ascii=False)
        )

    @classmethod
    def load(cls, folder: Path) -> VectorIndex:
        """Read what :meth:`save` wrote."""
        meta = json.loads((folder / "vectors.json").read_text())
        return cls(meta["encoder"], meta["ids"], np.load(folder / "vectors.npy"))
