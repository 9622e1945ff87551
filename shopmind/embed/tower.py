"""An encoder whose queries go through a tuned query tower and whose products keep the
pretrained encoder's vectors (:mod:`shopmind.train.tower` trains the tower against them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shopmind.embed.base import Encoder


class QueryTowerEncoder(Encoder):
    """Products through ``base``; queries through ``tower``, trained against ``base``'s
    product vectors. Its product vectors are ``base``'s: cached and reused under
    ``base``'s name, so going live or rolling back encodes no product."""

    def __init__(self, base: Encoder, tower: Encoder, name: str) -> None:
        if tower.dim != base.dim:
            raise ValueError(f"the query tower has {tower.dim} dimensions, {base.name} {base.dim}")
        self.base = base
        self.tower = tower
        self.name = name
        self.dim = base.dim
        self.languages = base.languages

    @property
    def vectors_name(self) -> str:
        return self.base.vectors_name

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.base.encode_documents(texts)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        return self.tower.encode_query(texts)


__all__ = ["QueryTowerEncoder"]
