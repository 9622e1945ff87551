"""A deterministic encoder with meaning, for tests and for shops without a model.

Each text becomes a bag of hashed character n-grams (3 to 5 characters of its words,
plus every Chinese character pair), so texts sharing sub-words are close and the result
never changes between runs or machines. It is no language model: "sofa" and "couch"
stay apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from shopmind.embed.base import Encoder, normalise_rows

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _grams(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        if _CJK.search(word):
            out.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
            continue
        padded = f"<{word}>"
        for n in (3, 4, 5):
            out.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
    return out


class HashingEncoder(Encoder):
    """Hashed character n-grams into ``dim`` buckets (signed), L2-normalised."""

    def __init__(self, dim: int = 256) -> None:
        self.name = f"hashing-{dim}"
        self.dim = dim
        self.languages = frozenset({"en", "zh"})

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in _grams(text):
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                h = int.from_bytes(digest, "little")
                out[row, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        return normalise_rows(out)
