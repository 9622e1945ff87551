"""Which products that match no query word are shown: the meaning floor, calibrated.

A product that shares no word with the query joins the results (and their count and facets)
when the encoder finds it unusually similar to the query *among the products of its own
language*: its similarity to the query vector the page is ranked by (after pseudo-relevance
feedback) lies at least ``search.meaning_z`` standard deviations above the mean similarity
of that language's products to the same query.

Why not one cosine (the former ``min_similarity = 0.3``): an encoder's similarities run
lower across languages than within one. With the multilingual USE, "rice cooker" is 0.25
from 美的 电饭煲 and 0.37 from an English rice cooker, so a fixed floor removed exactly the
cross-lingual matches. Standardising per query and per product language calibrates the
floor for every encoder, language pair and query at once: a product is compared with the
other products the query could have found in its language, not with a number tuned on
another encoder. Measured (benchmarks/README.md, "the meaning floor"): on a zh/en catalog,
served recall@10 0.790 with the fixed floor and 0.966 with z >= 2, with as few products
judged junk shown by meaning; z = 2 is where lowering it further starts adding junk faster
than relevant products (1.75: +1% recall, 3 times the junk).

The mean and spread are taken over a fixed, seeded sample of each language's products (all
of them up to :data:`SAMPLE`), so exact and approximate (IVF) search decide alike and the
cost stays a few thousand dot products. A language with fewer than :data:`MIN_GROUP`
products has no spread to speak of and is measured against the whole catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SAMPLE = 4_096
MIN_GROUP = 20
_SEED = 0


@dataclass(frozen=True)
class MeaningFloor:
    """Per-language samples of a catalog's products for the calibrated floor.

    Attributes:
        names: the language of each group.
        group_of: each product's group (index into ``names``).
        samples: per group, the rows whose similarities give its mean and spread.
        z: standard deviations above the mean a product must be.
    """

    names: tuple[str, ...]
    group_of: np.ndarray
    samples: tuple[np.ndarray, ...]
    z: float

    @classmethod
    def build(cls, languages: Sequence[str], z: float) -> MeaningFloor:
        """The floor of a catalog whose products (in index order) have ``languages``."""
        rng = np.random.default_rng(_SEED)
        n = len(languages)
        labels = np.asarray(languages, dtype=object) if n else np.zeros(0, dtype=object)
        every = _sample(np.arange(n, dtype=np.int64), rng)
        names: list[str] = []
        samples: list[np.ndarray] = []
        group_of = np.zeros(n, dtype=np.int64)
        small: list[np.ndarray] = []
        for name in sorted({str(x) for x in labels}):
            rows = np.flatnonzero(labels == name)
            if len(rows) < MIN_GROUP:
                small.append(rows)
                continue
            group_of[rows] = len(names)
            names.append(name)
            samples.append(_sample(rows, rng))
        if small or not names:
            # the few products of a rare language (or a tiny catalog) against the whole
            group_of[np.concatenate(small) if small else np.zeros(0, dtype=np.int64)] = len(names)
            names.append("all")
            samples.append(every)
        return cls(tuple(names), group_of, tuple(samples), z)

    def standardised(
        self,
        rows: np.ndarray,
        similarity: np.ndarray,
        vectors: np.ndarray,
        vector: np.ndarray,
        exact: bool,
    ) -> np.ndarray:
        """How many standard deviations above its language's mean each of ``rows`` is.

        Args:
            rows: the products to judge.
            similarity: every product's similarity to ``vector`` (exact search), or at
                least that of ``rows`` (an approximate index).
            vectors: every product's vector.
            vector: the query vector.
            exact: whether ``similarity`` holds every product's real similarity; if not,
                the samples' similarities are computed from the vectors.
        """
        out = np.zeros(len(rows), dtype=np.float64)
        groups = self.group_of[rows]
        for g in np.unique(groups):
            sample = self.samples[g]
            sims = similarity[sample] if exact else vectors[sample] @ vector
            spread = float(sims.std())
            at = groups == g
            if spread > 1e-9:
                out[at] = (similarity[rows[at]] - float(sims.mean())) / spread
        return out

    def language(self, row: int) -> str:
        """The language group a product is measured in."""
        return self.names[int(self.group_of[row])]


def _sample(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if len(rows) <= SAMPLE:
        return rows
    return np.sort(rng.choice(rows, SAMPLE, replace=False))


__all__ = ["MIN_GROUP", "SAMPLE", "MeaningFloor"]
