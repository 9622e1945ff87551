"""ALS in the served blend: a visitor's score splits exactly into their events' shares
(the reasons tree names them), and factors computed elsewhere are served as they are."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopmind.config import EventsConfig, RecommendConfig, Settings
from shopmind.demo import write_demo_files
from shopmind.ingest import ingest_events, ingest_products
from shopmind.recommend import Histories
from shopmind.recommend.engine import Filters, RecommendEngine
from shopmind.recommend.factors import Factors
from shopmind.store import Store

from .test_contract import N, toy_histories


def test_als_contributions_add_up_to_the_score() -> None:
    model = Factors(factors=4, iterations=10, regularization=0.01).fit(toy_histories(), N)
    items = np.array([0, 1, 3, 1])
    weights = np.array([1.0, 2.0, 0.5, 1.0], dtype=np.float32)
    score = model.score(Histories([items], [weights]))[0]
    for target in (2, 4, 9):
        shares = model.contributions(items, weights, target)
        assert shares.shape == (4,)
        assert abs(shares.sum() - score[target]) <= 1e-4 * max(1.0, abs(score[target]))
    assert model.contributions(items, weights, 2)[:3].sum() > 0  # the consoles push 2 up


def test_a_prefitted_als_is_served_and_named_in_the_reasons(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    products, events = write_demo_files(tmp_path / "demo", visitors=80)
    ingest_products(store, products, settings.ingest)
    ingest_events(store, events, settings.ingest)
    config = RecommendConfig(weights={"als": 1.0}, als_factors=8, als_iterations=5)
    local = RecommendEngine.fit(store, EventsConfig(), config)
    als = local.model.components["als"]
    assert isinstance(als, Factors) and als.item_factors.shape == (len(local.ids), 8)
    # the same factors handed in (as the Spark build does) are served, not fitted again
    scaled = Factors.fitted(als.item_factors * 2.0, **als.params())
    served = RecommendEngine.fit(store, EventsConfig(), config, prefit={"als": scaled})
    assert served.model.components["als"] is scaled
    visitor = store.list_events(limit=1)[0].visitor
    history = store.list_events(visitor=visitor, limit=50)
    picks = served.recommend(history, 5, Filters(), None, 200)
    signals = [n for p in picks for n in p.reasons.children if n.label.startswith("co-")]
    assert signals and all(n.label == "co-behaviour (ALS factors)" for n in signals)
    assert all(n.children[0].label.startswith("because you ") for n in signals)
