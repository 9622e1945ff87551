"""Visitor profiles for every visitor at once, from the store's events (``analyze profiles``).

One pass reads the events into columns (:mod:`shopmind.insight.history`); the rest is numpy
over all visitors together: the behaviour features at the shop's "now" (its newest event),
RFM quintile scores among the customers, lifecycle stages against the shop's own gaps
between orders (:mod:`shopmind.insight.lifecycle`), the buy-again probability from a model
trained on the latest full window (:mod:`shopmind.insight.buyagain`), and each visitor's
shares of the interest clusters of the product vectors (:mod:`shopmind.insight.interests`).
The result is saved as one artifact (:mod:`shopmind.insight.profilebook`); a profile read
adds only the visitor's newest events (:mod:`shopmind.insight.profileview`).

Example::

    book = build_profiles(store, settings.profiles, settings.events, vectors)
    book.save(profiles_path(settings.home))
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from tqdm import tqdm

from shopmind.build import current_folder
from shopmind.catalog import Product
from shopmind.config import EventsConfig, ProfilesConfig, Settings
from shopmind.errors import NotFound, TrainingError
from shopmind.events.models import StoredEvent, iso_utc
from shopmind.events.profile import price_tertiles
from shopmind.index import VectorIndex
from shopmind.insight.behaviour import FEATURES, features_at, shop_gaps
from shopmind.insight.buyagain import BuyAgainModel, is_customer
from shopmind.insight.history import KIND, PURCHASE, History
from shopmind.insight.interests import ProductClusters, cluster_products, visitor_shares
from shopmind.insight.lifecycle import STAGES, stages, thresholds
from shopmind.insight.profilebook import ProfileBook, profiles_path
from shopmind.insight.rfm import rfm_scores
from shopmind.store import Store

logger = logging.getLogger(__name__)

Vectors = tuple[list[str], np.ndarray]


def product_vectors(home: Path) -> Vectors | None:
    """The product vectors of the home's current build (None without a build or vectors)."""
    try:
        folder = current_folder(home) / "search"
    except NotFound:
        return None
    if not (folder / "vectors.json").is_file():
        return None
    index = VectorIndex.load(folder)
    return index.ids, index.vectors


def refresh_profiles(store: Store, settings: Settings) -> ProfileBook:
    """Build every visitor's profile with the current build's vectors and save it in the
    home (what ``shopmind analyze profiles`` and ``shopmind build`` run)."""
    book = build_profiles(
        store,
        settings.profiles,
        settings.events,
        product_vectors(settings.home),
        settings.ingest.progress,
    )
    book.save(profiles_path(settings.home))
    return book


def summary(book: ProfileBook) -> dict[str, Any]:
    """What a build of the profiles holds, as JSON (without the per-visitor arrays)."""
    meta = book.meta
    keys = ("as_of", "days", "events", "customers", "stages", "lifecycle", "model", "seconds")
    return {
        "visitors": len(meta["visitors"]),
        **{k: meta[k] for k in keys},
        "clusters": [{k: c[k] for k in ("cluster", "name", "products")} for c in meta["clusters"]],
    }


def interest_types(config: EventsConfig) -> set[str]:
    """The event types that show interest: those weighed above 0, and "more like this"."""
    return {t for t, w in config.weights.items() if w > 0} | {"more_like_this"}


def read_history(
    store: Store, products: list[Product], progress: bool = True
) -> tuple[History, np.ndarray]:
    """Every event as columns (catalog prices fill in missing ones), and a category code
    per product code of the history (-1 for none)."""
    total = store.count_events()
    bar = tqdm(
        total=total,
        desc="profiles: read events",
        unit=" events",
        disable=None if progress else True,
    )

    def batches() -> Iterator[list[StoredEvent]]:
        for batch in store.iter_events():
            bar.update(len(batch))
            yield batch

    with bar:
        history = History.from_batches(batches(), prices={p.id: p.price for p in products})
    category = {p.id: p.category for p in products if p.category}
    code = {c: n for n, c in enumerate(sorted(set(category.values())))}
    item_category = np.asarray(
        [code.get(category.get(i, ""), -1) for i in history.items], dtype=np.int32
    )
    return history, item_category


def build_profiles(
    store: Store,
    config: ProfilesConfig,
    events: EventsConfig,
    vectors: Vectors | None = None,
    progress: bool = True,
) -> ProfileBook:
    """Every visitor's profile numbers (see the module docstring).

    Args:
        store: the events and the catalog.
        config: the ``profiles`` settings.
        events: the ``events`` settings (which types show interest).
        vectors: product ids and their vectors (the build's search index); without them
            there are no interest clusters.
        progress: show a progress bar while reading events.
    """
    started = time.perf_counter()
    products = store.all_products()
    history, item_category = read_history(store, products, progress)
    now = history.last_ts if np.isfinite(history.last_ts) else time.time()
    gap = config.session_minutes * 60.0
    feats = features_at(history, now, config.days, gap, item_category)
    orders = history.orders(gap)
    limits = thresholds(
        shop_gaps(orders), config.active_quantile, config.lapsed_quantile, config.days
    )
    stage = stages(feats["tenure_days"], feats["recency_days"], feats["last_seen_days"], limits)
    buyers = feats["frequency"] > 0
    rfm = np.zeros((history.n_visitors, 3), dtype=np.int8)
    rfm[buyers] = np.column_stack(
        rfm_scores(
            feats["recency_days"][buyers], feats["frequency"][buyers], feats["monetary"][buyers]
        )
    )
    probability = np.full(history.n_visitors, np.nan, dtype=np.float32)
    model: dict[str, Any]
    try:
        fitted = BuyAgainModel.fit(history, now, config.days, gap, item_category, config.seed)
        customers = is_customer(history, feats)
        probability[customers] = fitted.predict(feats, customers)
        model = fitted.describe()
    except TrainingError as err:
        logger.warning("no buy-again model: %s", err)
        model = {"method": None, "days": config.days, "reason": str(err)}
    clusters, shares = _interests(history, products, vectors, config, interest_types(events))
    buy = history.kind == PURCHASE
    spend = sp.csr_matrix(
        (history.money[buy], (history.visitor[buy], history.item[buy])),
        shape=(history.n_visitors, len(history.items)),
    )
    spend.sum_duplicates()
    counts = np.bincount(stage, minlength=len(STAGES))
    meta = {
        "built_at": iso_utc(time.time()),
        "as_of": iso_utc(now),
        "as_of_ts": now,
        "days": config.days,
        "session_minutes": config.session_minutes,
        "visitors": history.visitors,
        "items": history.items,
        "features": list(FEATURES),
        "events": len(history),
        "customers": int(buyers.sum()),
        "stages": {s: int(c) for s, c in zip(STAGES, counts, strict=True)},
        "lifecycle": limits.as_dict(),
        "model": model,
        "clusters": clusters.as_dict()["clusters"] if clusters is not None else [],
        "tertiles": {c: list(t) for c, t in price_tertiles(products).items()},
        "seconds": round(time.perf_counter() - started, 3),
    }
    logger.info("profiles of %d visitors in %.1f s", history.n_visitors, meta["seconds"])
    return ProfileBook(
        meta,
        feats.matrix.astype(np.float32),
        rfm,
        stage,
        probability,
        shares,
        spend.tocsr(),
    )


def _interests(
    history: History,
    products: list[Any],
    vectors: Vectors | None,
    config: ProfilesConfig,
    interest: set[str],
) -> tuple[ProductClusters | None, np.ndarray]:
    """The product clusters and every visitor's share of them (none without vectors)."""
    if vectors is None or not len(vectors[0]):
        return None, np.zeros((history.n_visitors, 0), dtype=np.float32)
    ids, matrix = vectors
    titles = {p.id: p.title for p in products}
    keep = [n for n, pid in enumerate(ids) if pid in titles]
    clusters = cluster_products(
        [ids[n] for n in keep],
        matrix[keep],
        [titles[ids[n]] for n in keep],
        config.clusters,
        config.seed,
    )
    item_label = np.append(clusters.labels_for(history.items), -1)  # item -1 -> no cluster
    kinds = np.asarray([KIND[t] for t in interest if t in KIND], dtype=np.int8)
    liked = np.isin(history.kind, kinds)
    label = item_label[history.item[liked]]
    shares = visitor_shares(history.visitor[liked], label, history.n_visitors, len(clusters.sizes))
    return clusters, shares
