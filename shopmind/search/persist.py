"""Write a search engine's index and columns into a build folder, and load them back."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from shopmind.catalog import Product
from shopmind.config import SearchConfig
from shopmind.embed import Encoder, shared_encoder
from shopmind.index import LexicalIndex, VectorIndex, product_fields
from shopmind.index.analyze import ANALYZER_VERSION
from shopmind.index.ann import IvfIndex
from shopmind.search.engine import CatalogColumns, Lookup, SearchEngine
from shopmind.search.retrieve import Dense

logger = logging.getLogger(__name__)


ANN_FILE = "vectors.ivf"


def save_search(
    folder: Path,
    products: list[Product],
    encoder: Encoder | None = None,
    cache: Path | None = None,
    config: SearchConfig | None = None,
) -> tuple[LexicalIndex, VectorIndex | None]:
    """Index products and write the lexical index, catalog columns and (with an encoder)
    the product vectors into ``folder/search``, with their approximate index when the
    catalog is large enough for one (``search.ann_min_products``); returns the indexes."""
    index = LexicalIndex().build_products(products)
    index.save(folder / "search")
    vectors = None
    if encoder is not None:
        vectors = VectorIndex.from_products(encoder, products, cache)
        vectors.save(folder / "search")
        ann = Dense(vectors, encoder).with_ann(config or SearchConfig()).ann
        if ann is not None:
            ann.save(folder / "search" / ANN_FILE)
    cols = CatalogColumns.from_products(products)
    (folder / "search" / "columns.json").write_text(
        json.dumps(
            {
                "titles": cols.titles,
                "categories": cols.categories,
                "brands": [str(b) for b in cols.brands],
                "languages": cols.languages,
            },
            ensure_ascii=False,
        )
    )
    np.savez(
        folder / "search" / "columns.npz",
        prices=cols.prices,
        in_stock=cols.in_stock,
        created=cols.created,
    )
    return index, vectors


def load_search(
    folder: Path,
    lookup: Lookup,
    popularity: dict[str, float],
    config: SearchConfig | None = None,
    models: Path | None = None,
) -> SearchEngine:
    """The search engine of a build folder written by :func:`save_search`.

    The encoder is the one the vectors were made with (never another: vectors of two
    models are not comparable), a tuned one loaded from ``models``;
    ``search.encoder = "none"`` turns dense retrieval off.
    """
    config = config or SearchConfig()
    index = LexicalIndex.load(folder / "search")
    if index.analyzer != ANALYZER_VERSION:
        # terms from another analysis would miss the queries' terms: index the words again
        logger.warning(
            "%s was indexed by text analysis %d (now %d): indexing its %d products' words "
            "again in memory; run 'shopmind build' to save them",
            folder,
            index.analyzer,
            ANALYZER_VERSION,
            len(index.ids),
        )
        # the store's text now: a product deleted since the build gets no words, one edited
        # since keeps its built vector and columns until the next re-index or build
        found = lookup(index.ids)
        fresh = LexicalIndex(field_weights=index.field_weights, k1=index.k1, b=index.b)
        index = fresh.build(
            (pid, product_fields(found[pid]) if pid in found else {}) for pid in index.ids
        )
    dense = None
    if (folder / "search" / "vectors.json").is_file() and config.encoder != "none":
        vectors = VectorIndex.load(folder / "search")
        ann = None
        large = len(vectors.ids) >= config.ann_min_products  # the settings now, not the build's
        if large and (folder / "search" / ANN_FILE).is_file():
            ann = IvfIndex.load(folder / "search" / ANN_FILE, config.ann_probes)
            if ann.rows != len(vectors.ids):
                raise ValueError(f"{folder / 'search' / ANN_FILE} is not of these vectors")
        dense = Dense(vectors, shared_encoder(vectors.encoder, models), ann)
    text = json.loads((folder / "search" / "columns.json").read_text())
    arrays = np.load(folder / "search" / "columns.npz")
    cols = CatalogColumns(
        titles=text["titles"],
        categories=text["categories"],
        brands=np.asarray(text["brands"], dtype=object),
        prices=arrays["prices"],
        in_stock=arrays["in_stock"],
        created=arrays["created"],
        languages=text.get("languages", []),  # a build before languages: detected
    )
    if "zh" in cols.languages and not index.hanzi:
        logger.warning(
            "%s was built before pinyin spellings were kept: pinyin queries match by their "
            "words but are not read as Chinese by the encoder; run 'shopmind build'",
            folder,
        )
    pop = np.asarray([popularity.get(pid, 0.0) for pid in index.ids], dtype=np.float32)
    logger.info("search index loaded: %d products, %d terms", len(index.ids), len(index.vocab))
    return SearchEngine(index, cols, lookup, pop, dense, config)
