"""The ``Encoder`` contract: texts to L2-normalised float32 vectors, queries and products apart.

Queries and documents are separate calls so that asymmetric models (prompts, prefixes)
slot in without touching callers. Batch-first: a list of n texts gives an (n, dim) array.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Encoder(ABC):
    """Turns text into vectors whose dot product is cosine similarity."""

    name: str
    dim: int
    languages: frozenset[str]
    fusion_alpha: float | None = None  # a tuned model's learned lexical weight in fusion

    @property
    def vectors_name(self) -> str:
        """The name its product vectors are cached under: the encoder's own, unless it
        encodes products exactly as another encoder does (a tuned query tower)."""
        return self.name

    @abstractmethod
    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 vectors of product texts, L2-normalised."""

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 vectors of queries; by default the same as documents."""
        return self.encode_documents(texts)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    out: np.ndarray = (v / np.maximum(norms, 1e-12)).astype(np.float32)
    return out
