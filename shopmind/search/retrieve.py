"""First stage: score the catalog for a query with the lexical and dense retrievers, fused.

The products the lexical index matches and the ``dense_depth`` nearest by the encoder are
fused; the results a shopper sees (and their count and facets) are the word matches plus
those nearest products the meaning floor admits (:mod:`shopmind.search.meaning`: unusually
similar among the products of their language, or a fixed ``min_similarity`` when one is
set), so a query with no word in the catalog still finds products by meaning, and a query
in one language the shop's products in another. Fusion (convex by default,
or RRF) gives each fused product one score; the others keep a tiny score from their
similarity, so every product has a consistent order (the evaluator ranks judged products
that neither retriever brought up).

The query vector is refined twice before the final fusion, both measured on the HomeDepot
judgments (benchmarks/README.md):

- a query with a typo is also encoded as corrected (``did you mean``), and the two vectors
  averaged: the encoder reads ``conduet`` as noise, ``conduit`` as a product;
- pseudo-relevance feedback (Rocchio 1971, as in dense-retrieval PRF): the vector moves
  toward the mean vector of the top ``feedback_depth`` products, which pulls in products
  that use the shop's words for what the shopper described. The top are the word matches'
  by default (free: the catalog is scored once), or the first fusion's (``feedback_from =
  "fused"``: a second pass over the vectors). A query no word matches takes the second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from shopmind.batching import Coalescer, coalescer_for
from shopmind.config import SearchConfig
from shopmind.embed import Encoder
from shopmind.embed.base import normalise_rows
from shopmind.index import LexicalIndex, QueryTerm, VectorIndex
from shopmind.index.ann import IvfIndex
from shopmind.index.lexical import Postings
from shopmind.search.hybrid import convex, ranks_of, rrf
from shopmind.search.meaning import MeaningFloor, script_of
from shopmind.search.query import SynonymTable, did_you_mean, read_as

_TIE_BREAK = 1e-6
QUERY_CACHE = 10_000
# with an approximate index, the best word matches by BM25F that get an exact similarity
# (per nearest product fused): the others fuse as the least similar product known
EXACT_MATCHES_PER_NEAREST = 5


@lru_cache(maxsize=QUERY_CACHE)
def query_vector(encoder: Encoder, query: str) -> np.ndarray:
    """A query's vector, kept for the last ``QUERY_CACHE`` distinct (encoder, query) pairs.

    Shop traffic repeats its head queries and encoding is most of a hybrid query's time;
    keyed by the encoder, the cache outlives the engines a re-index replaces.
    """
    vector: np.ndarray = _query_batcher(encoder)(query)
    vector.setflags(write=False)
    return vector


def _encode(encoder: Encoder, queries: Sequence[str]) -> list[np.ndarray]:
    return list(encoder.encode_query(queries))


def _query_batcher(encoder: Encoder) -> Coalescer[str, np.ndarray]:
    """One coalescer per encoder: queries encoded at the same time go in one call."""
    return coalescer_for(encoder, "queries", _encode)


@dataclass(frozen=True)
class Dense:
    """The dense retriever: product vectors and the encoder that made them, and for large
    catalogs an approximate index over the vectors (``search.ann_min_products``)."""

    vectors: VectorIndex
    encoder: Encoder
    ann: IvfIndex | None = None

    def with_ann(self, config: SearchConfig, trained: IvfIndex | None = None) -> Dense:
        """Itself, with an approximate index when the catalog is large enough for one;
        ``trained``'s clusters are reused when they fit (no k-means on a re-index)."""
        n = len(self.vectors.ids)
        if self.ann is not None or n < config.ann_min_products:
            return self
        vectors = self.vectors.vectors
        if trained is not None and trained.fits(vectors):
            return Dense(self.vectors, self.encoder, trained.refilled(vectors))
        return Dense(
            self.vectors, self.encoder, IvfIndex.build(vectors, config.ann_lists, config.ann_probes)
        )


@dataclass
class Retrieval:
    """Everything the first stage knows about one query."""

    terms: list[QueryTerm]
    postings: Postings | None
    lexical: np.ndarray
    dense: np.ndarray | None
    fused: np.ndarray
    candidates: np.ndarray
    fusion: str
    corrected: str | None = None  # the query with its typos corrected (did you mean)
    feedback: int = 0  # how many top products refined the query vector
    nearest: np.ndarray | None = None  # the similarities of the nearest products, ascending
    # products shown by meaning alone under the calibrated floor: row -> standard deviations
    # above their language's mean similarity to the query
    by_meaning: dict[int, float] = field(default_factory=dict)
    floor: MeaningFloor | None = None
    read_as: str | None = None  # the query as the encoder read it, when not as typed

    def dense_rank(self, doc: int) -> int:
        """1-based rank of a product by similarity (0 without a dense retriever)."""
        if self.dense is None:
            return 0
        value = self.dense[doc]
        near = self.nearest
        if near is not None and len(near) and value >= near[0]:
            # every product more similar is among the nearest: count there, not in the catalog
            return 1 + len(near) - int(np.searchsorted(near, value, side="right"))
        return 1 + int(np.count_nonzero(self.dense > value))


def retrieve(
    index: LexicalIndex,
    dense: Dense | None,
    config: SearchConfig,
    query: str,
    synonyms: SynonymTable | None = None,
    floor: MeaningFloor | None = None,
) -> Retrieval:
    """Score every product for ``query`` (see the module docstring).

    ``floor``: the catalog's calibrated meaning floor (the engine builds it from the
    products' languages); without one, the catalog is measured as one language.
    """
    n = len(index.ids)
    terms = index.query_terms(query)
    if synonyms is not None:
        terms = synonyms.expand(index, terms, query)
    postings = index.postings(terms) if terms else None
    lexical = postings.scores(n) if postings is not None else np.zeros(n, dtype=np.float32)
    corrected = did_you_mean(index, query, terms)
    if dense is None or n == 0:
        return Retrieval(
            terms,
            postings,
            lexical,
            None,
            lexical.astype(np.float64),
            np.flatnonzero(lexical > 0),
            "lexical",
            corrected,
        )
    # pinyin and traditional characters spelled as the catalog's Chinese for the encoder
    reading = read_as(index, query)
    vector = query_vector(dense.encoder, reading or query)
    if corrected is not None:
        vector = _unit(vector + query_vector(dense.encoder, corrected))
    depth = min(config.dense_depth, n)
    feedback = config.feedback_depth if config.feedback_weight > 0 else 0
    top = np.zeros(0, dtype=np.int64)
    first: np.ndarray | None = None
    if feedback and config.feedback_from == "lexical" and np.any(lexical > 0):
        matches = np.flatnonzero(lexical > 0)
        if len(matches) > feedback:  # the mean needs the top, not their order
            matches = matches[np.argpartition(-lexical[matches], feedback - 1)[:feedback]]
        top = matches
    elif feedback:
        first, near = _similarity(dense, vector, lexical, depth)
        fused, scored, _ = _fuse(lexical, first, near, config)
        top = scored[np.argsort(-fused[scored], kind="stable")[:feedback]]
    ranked_by = vector  # the vector the final fusion ranks by
    if len(top):
        centroid = dense.vectors.vectors[top].mean(axis=0)
        ranked_by = _unit(vector + config.feedback_weight * centroid)
        similarity, near = _similarity(dense, ranked_by, lexical, depth)
    else:
        similarity, near = _similarity(dense, vector, lexical, depth)
        first = similarity
    floor = floor or MeaningFloor.build([""] * n)
    exact = dense.ann is None
    scale = floor.scale(similarity, dense.vectors.vectors, ranked_by, exact)
    fused, scored, in_dense = _fuse(lexical, similarity, near, config, scale.for_fusion(similarity))
    # an approximate index may miss a word match more similar than its nearest: rank then
    # among every similarity known
    nearest = np.sort(similarity[in_dense]) if dense.ann is None else None
    # shown (and counted, and faceted): word matches, and near products the floor admits
    near_only = np.flatnonzero(in_dense & (lexical <= 0))
    shown = lexical > 0
    by_meaning: dict[int, float] = {}

    def own(rows: np.ndarray) -> np.ndarray:
        """The query's own similarity (before feedback, which pulls the vector toward
        whatever came first) to the products at ``rows`` of ``near_only``."""
        if first is not None and dense.ann is None:
            known: np.ndarray = first[near_only[rows]]
            return known
        # an approximate index knows the first pass's similarity of its own nearest only
        computed: np.ndarray = dense.vectors.vectors[near_only[rows]] @ vector
        return computed

    if config.min_similarity is not None:  # the fixed floor
        shown[near_only[own(np.arange(len(near_only))) >= config.min_similarity]] = True
    else:
        # calibrated: standing out among the products of its language, or as similar as
        # the word matches; and meaning something to the encoder when no word anchors it
        zs = scale.standardised(near_only, similarity)
        admitted = zs >= config.meaning_z
        if np.any(lexical > 0):
            # where the query's kind of product is much of the catalog (a small or
            # specialist shop), nothing about it is unusual
            best = float(similarity[lexical > 0].max())
            check = np.flatnonzero(
                ~admitted & (similarity[near_only] >= config.meaning_relative * best)
            )
        else:
            check = np.flatnonzero(admitted)
            admitted[check] = False
        script = script_of(reading or query)
        admitted[check] = own(check) > floor.guard(near_only[check], script)
        shown[near_only[admitted]] = True
        by_meaning = dict(zip(near_only[admitted].tolist(), zs[admitted].tolist(), strict=True))
    return Retrieval(
        terms,
        postings,
        lexical,
        similarity,
        fused,
        np.flatnonzero(shown),
        config.fusion,
        corrected,
        len(top),
        nearest,
        by_meaning,
        floor,
        reading,
    )


def _unit(v: np.ndarray) -> np.ndarray:
    unit: np.ndarray = normalise_rows(v[None])[0]
    return unit


def _similarity(
    dense: Dense, vector: np.ndarray, lexical: np.ndarray, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every product's similarity to ``vector``, and the rows of the ``depth`` nearest.

    Exact: the whole catalog is scanned. With an approximate index, only the nearest it
    finds and the best word matches get their similarity; every other product gets the
    least similarity known, so that it neither widens the fusion's scale nor ranks above
    a product scored for real.
    """
    rows, sims = dense.ann.search(vector, depth) if dense.ann is not None else (None, None)
    if rows is None or sims is None or not len(rows):  # exact, or nothing in the clusters
        similarity = dense.vectors.scores(vector)
        return similarity, np.argpartition(-similarity, depth - 1)[:depth]
    matches = np.flatnonzero(lexical > 0)
    keep = EXACT_MATCHES_PER_NEAREST * depth
    if len(matches) > keep:
        matches = matches[np.argpartition(-lexical[matches], keep - 1)[:keep]]
    exact = dense.vectors.vectors[matches] @ vector
    floor = min(float(sims.min(initial=1.0)), float(exact.min(initial=1.0)))
    similarity = np.full(len(lexical), floor, dtype=np.float32)
    similarity[matches] = exact
    similarity[rows] = sims
    return similarity, rows


def _fuse(
    lexical: np.ndarray,
    similarity: np.ndarray,
    nearest: np.ndarray,
    config: SearchConfig,
    meaning: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fused scores of every product, the fused products, and which are among the nearest.

    ``meaning``: the dense score fused (by default the similarity; in a catalog of several
    languages, the similarity on each language's scale)."""
    n = len(lexical)
    meaning = similarity if meaning is None else meaning
    in_dense = np.zeros(n, dtype=bool)
    in_dense[nearest] = True
    scored = np.flatnonzero((lexical > 0) | in_dense)
    if config.fusion == "convex":
        # every fused product is scored by its similarity, the nearest and word matches alike
        scores = convex(lexical[scored], meaning[scored], config.alpha)
    else:
        # the dense list holds only its nearest products, ranked by similarity
        floor = meaning[nearest].min()
        dense_list = np.where(in_dense, meaning - floor + 1.0, 0.0)
        scores = rrf([lexical, dense_list], scored, k=config.rrf_k)
    fused = _TIE_BREAK * (similarity.astype(np.float64) + 1.0) / 4.0
    fused[scored] += scores
    return fused, scored, in_dense


__all__ = ["Dense", "Retrieval", "ranks_of", "retrieve"]
