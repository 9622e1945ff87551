"""A vector cache per encoder, so that a rebuild encodes only new or changed texts."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from shopmind.embed.base import Encoder

logger = logging.getLogger(__name__)


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def encode_cached(
    encoder: Encoder,
    texts: Sequence[str],
    folder: Path | None,
    batch: int = 512,
    progress: bool = True,
) -> np.ndarray:
    """Document vectors for ``texts``, reusing and extending ``folder/<vectors name>.npz``
    (:attr:`Encoder.vectors_name`)."""
    keys = [_key(t) for t in texts]
    known: dict[str, np.ndarray] = {}
    path = folder / f"{encoder.vectors_name}.npz" if folder is not None else None
    if path is not None and path.is_file():
        data = np.load(path)
        known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        logger.info("encoding %d of %d texts with %s", len(missing), len(texts), encoder.name)
        bar = tqdm(
            total=len(missing),
            desc=f"encode ({encoder.name})",
            unit=" texts",
            disable=not progress or None,
        )
        for start in range(0, len(missing), batch):
            part = missing[start : start + batch]
            vectors = encoder.encode_documents([t for _, t in part])
            known.update(zip((k for k, _ in part), vectors, strict=True))
            bar.update(len(part))
        bar.close()
        if path is not None:
            _save(path, known)
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)


def _save(path: Path, vectors: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-", suffix=".npz")
    os.close(fd)
    np.savez(tmp, keys=np.asarray(list(vectors)), vectors=np.stack(list(vectors.values())))
    os.replace(tmp, path)
