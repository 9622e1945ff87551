"""Which products that match no query word are shown: the meaning floor, calibrated.

A product that shares no word with the query joins the results (and their count and facets)
when it stands out: its similarity to the query vector the page is ranked by (after
pseudo-relevance feedback) lies at least ``search.meaning_z`` standard deviations above the
mean similarity of *the products of its own language* to that vector. Two more rules:

- **as similar as the word matches**: a product reaching ``search.meaning_relative`` of the
  best word match's similarity joins too (in a small or specialist catalog, much of which
  is the query's kind of product, nothing about it is unusual), if the query means
  something to the encoder there (below);
- **a query no word matches** must mean something to the encoder: the query's own vector
  (before feedback, which pulls toward whatever came first) must be more similar to the
  product than meaningless queries get to that language's products: seeded random strings
  of the query's script (Latin letters, or Chinese characters), encoded once per catalog,
  the guard being the 90th percentile of their best similarity to the language's products.
  A z-score alone cannot say "nothing": some product always tops a query's distribution,
  so "banana" in a shop without fruit would show its nearest product. Queries with word
  matches are anchored by them and need no guard (on HomeDepot, where MiniLM finds random
  strings close to model codes, it would hide more than the fixed floor did).

Why not one cosine (the former ``min_similarity = 0.3``): an encoder's similarities run
lower across languages than within one. With the multilingual USE, "rice cooker" is 0.25
from 美的 电饭煲 and 0.37 from an English rice cooker, so a fixed floor removed exactly the
cross-lingual matches. Standardising per query and per product language, and guarding with
what noise reaches per encoder and language pair, calibrates the floor for every encoder,
language pair and query at once. Measured (benchmarks/README.md, "The meaning floor"): z = 2
is the lowest threshold that shows no more judged-irrelevant products than the fixed floor
did on two bilingual catalogs.

The same per-language scale feeds fusion in a catalog of several languages
(:meth:`LanguageScale.for_fusion`): otherwise a product in the other language, found
by meaning, ranks below weaker matches in the query's language (on the demo catalog
"rice cooker" showed its 电饭煲 18th; now 5th).

The mean and spread are taken over a fixed, seeded sample of each language's products (all
of them up to :data:`SAMPLE`), read from the similarities already computed when the search
is exact (an approximate index computes the sample's). A language with fewer than
:data:`MIN_GROUP` products has no spread to speak of and is measured against the whole
catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shopmind.catalog.models import has_chinese
from shopmind.embed import Encoder

SAMPLE = 4_096
MIN_GROUP = 20
NULL_QUERIES = 32  # meaningless queries per script
NULL_QUANTILE = 90.0
MIN_SPREAD = 1e-6
_SEED = 0
_LETTERS = np.asarray(list("abcdefghijklmnopqrstuvwxyz"))


@dataclass(frozen=True)
class MeaningFloor:
    """Per-language samples of a catalog's products, and what noise reaches them.

    Attributes:
        names: the language of each group.
        group_of: each product's group (index into ``names``).
        samples: per group, the rows whose similarities give its mean and spread.
        guards: per query script (``latin``, ``cjk``), per group, the similarity a
            meaningless query reaches (empty: no guard, when built without an encoder).
    """

    names: tuple[str, ...]
    group_of: np.ndarray
    samples: tuple[np.ndarray, ...]
    guards: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        languages: Sequence[str],
        vectors: np.ndarray | None = None,
        encoder: Encoder | None = None,
    ) -> MeaningFloor:
        """The floor of a catalog whose products (in index order) have ``languages``;
        with its ``vectors`` and their ``encoder``, the noise guards too."""
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
        guards: dict[str, np.ndarray] = {}
        if vectors is not None and encoder is not None and n:
            for script, queries in null_queries(rng).items():
                null = np.asarray(encoder.encode_query(queries), dtype=np.float32)
                guards[script] = np.asarray(
                    [
                        np.percentile((vectors[rows] @ null.T).max(axis=0), NULL_QUANTILE)
                        for rows in samples
                    ]
                )
        return cls(tuple(names), group_of, tuple(samples), guards)

    def scale(
        self, similarity: np.ndarray, vectors: np.ndarray, vector: np.ndarray, exact: bool
    ) -> LanguageScale:
        """Each language's mean similarity to the query ``vector`` and its spread, over the
        language's sample: measured once a query, for the floor and for fusion.

        Args:
            similarity: every product's similarity to ``vector`` (exact search), or at
                least that of the products to judge (an approximate index).
            vectors: every product's vector.
            vector: the query vector.
            exact: whether ``similarity`` holds every product's real similarity; if not,
                the samples' similarities are computed from the vectors.
        """
        mean = np.zeros(len(self.names))
        spread = np.zeros(len(self.names))
        for g, sample in enumerate(self.samples):
            sims = similarity[sample] if exact else vectors[sample] @ vector
            mean[g] = float(sims.mean())
            spread[g] = float(sims.std())
        return LanguageScale(self.group_of, mean, spread)

    def guard(self, rows: np.ndarray, script: str) -> np.ndarray:
        """The similarity to the query's own vector each of ``rows`` must exceed (what a
        meaningless query of that ``script`` reaches in its language; -1 without guards)."""
        by_group = self.guards.get(script)
        if by_group is None:
            return np.full(len(rows), -1.0)
        return np.asarray(by_group[self.group_of[rows]], dtype=np.float64)

    def language(self, row: int) -> str:
        """The language group a product is measured in."""
        return self.names[int(self.group_of[row])]


@dataclass(frozen=True)
class LanguageScale:
    """One query's similarity scale in each language (:meth:`MeaningFloor.scale`)."""

    group_of: np.ndarray
    mean: np.ndarray
    spread: np.ndarray

    def standardised(self, rows: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        """How many standard deviations above its language's mean each of ``rows`` is
        (``-inf`` in a language whose products are all alike to the query); ``similarity``
        holds at least the similarity of ``rows``."""
        groups = self.group_of[rows]
        spread = self.spread[groups]
        out = np.full(len(rows), -np.inf, dtype=np.float64)
        alike = spread > MIN_SPREAD
        out[alike] = (similarity[rows[alike]] - self.mean[groups[alike]]) / spread[alike]
        return out

    def for_fusion(self, similarity: np.ndarray) -> np.ndarray | None:
        """Every product's similarity in standard deviations of its language's, for fusion:
        a product is then compared with the others on its own language's scale, so the
        lower similarities across languages do not sink it below weaker matches in the
        query's language. None with one language (an affine change fusion's scaling
        undoes)."""
        if len(self.mean) < 2:
            return None
        spread = np.maximum(self.spread, MIN_SPREAD)
        scaled: np.ndarray = (similarity - self.mean[self.group_of]) / spread[self.group_of]
        return scaled


def script_of(text: str) -> str:
    """``cjk`` when the text has Chinese characters, else ``latin``."""
    return "cjk" if has_chinese(text) else "latin"


def null_queries(rng: np.random.Generator) -> dict[str, list[str]]:
    """Seeded meaningless queries: Latin pseudo-words, and runs of random Chinese characters."""
    latin = [
        " ".join(
            "".join(rng.choice(_LETTERS, int(rng.integers(3, 9))))
            for _ in range(int(rng.integers(1, 3)))
        )
        for _ in range(NULL_QUERIES)
    ]
    cjk = [
        "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x9FA6, int(rng.integers(2, 5))))
        for _ in range(NULL_QUERIES)
    ]
    return {"latin": latin, "cjk": cjk}


def _sample(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if len(rows) <= SAMPLE:
        return rows
    return np.sort(rng.choice(rows, SAMPLE, replace=False))


__all__ = ["MIN_GROUP", "SAMPLE", "LanguageScale", "MeaningFloor", "null_queries", "script_of"]
