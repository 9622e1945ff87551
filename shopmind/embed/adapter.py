"""A learned linear adapter over a frozen encoder's vectors, and the encoder it makes.

The multilingual encoder (USE) cannot be fine-tuned here, but its vectors can be moved:
``v' = normalise(v + v W)``, with one residual map for queries and one for products,
starting at the identity (W = 0). This is the parameter-efficient line of work (linear
adapters over frozen embeddings, as in LoRA's low-cost updates): a few hundred thousand
numbers trained in seconds, Chinese and English alike, and the base model untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopmind.embed.base import Encoder, normalise_rows


@dataclass(frozen=True)
class LinearAdapter:
    """Residual linear maps for query and product vectors (``dim`` x ``dim`` each)."""

    query: np.ndarray
    document: np.ndarray

    @classmethod
    def identity(cls, dim: int) -> LinearAdapter:
        """The adapter that changes nothing."""
        zero = np.zeros((dim, dim), dtype=np.float32)
        return cls(zero, zero.copy())

    def queries(self, vectors: np.ndarray) -> np.ndarray:
        """Adapted, L2-normalised query vectors."""
        return normalise_rows(vectors + vectors @ self.query)

    def documents(self, vectors: np.ndarray) -> np.ndarray:
        """Adapted, L2-normalised product vectors."""
        return normalise_rows(vectors + vectors @ self.document)

    def save(self, path: Path) -> None:
        """Write ``path`` (.npz) atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".adapter-", suffix=".npz")
        os.close(fd)
        np.savez(tmp, query=self.query, document=self.document)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> LinearAdapter:
        """An adapter written by :meth:`save`."""
        data = np.load(path)
        return cls(data["query"].astype(np.float32), data["document"].astype(np.float32))


class AdaptedEncoder(Encoder):
    """A frozen base encoder whose vectors pass through a :class:`LinearAdapter`."""

    def __init__(self, base: Encoder, adapter: LinearAdapter, name: str) -> None:
        self.base = base
        self.adapter = adapter
        self.name = name
        self.dim = base.dim
        self.languages = base.languages

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.adapter.documents(self.base.encode_documents(texts))

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        return self.adapter.queries(self.base.encode_query(texts))


__all__ = ["AdaptedEncoder", "LinearAdapter"]
