"""Exploration at serving time: the Thompson slot on a recommendation list.

With ``experiments.explore`` on, ``/recommend`` asks the engine for more candidates than
the page holds, and :class:`~shopmind.experiments.explore.Thompson` may give the page's
reserved slot (``explore_share`` of it) to a candidate past the page that has had few
impressions and clears the relevance floor. Such a result says so in its reasons tree
("exploring a new product", with the chance it had) and carries that chance as its
``propensity``, which attribution logs and replay reweights by. Impressions and clicks are
the shop's (:class:`~shopmind.experiments.explore.Exposure`): every server process writes
its counts into the experiments book with the request log and reads everyone's every
:data:`~shopmind.experiments.book.EXPOSURE_S`, so processes and restarts share them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import Request

from shopmind.config import Settings
from shopmind.experiments.explore import Thompson
from shopmind.serve.arms import book

LABEL = "exploring a new product"
_RNG = np.random.default_rng()


def candidates(settings: Settings, k: int) -> int:
    """How many picks to ask for so that exploration has a pool past the page."""
    return k + max(k, 10) if settings.experiments.explore else k


def explored(
    request: Request, settings: Settings, items: list[dict[str, Any]], k: int
) -> list[dict[str, Any]]:
    """The page of ``k`` from ``items`` (best first, more than ``k``), its reserved slot
    given by Thompson sampling; without exploration, the first ``k``."""
    config = settings.experiments
    if not config.explore or len(items) <= k:
        return items[:k]
    found = book(request)
    ids = [str(i["id"]) for i in items]
    shown = found.exposure.of(ids) if found is not None else {}
    known = [s for s in shown.values() if s.impressions >= config.explore_new_below]
    rate = sum(s.clicks for s in known) / max(sum(s.impressions for s in known), 1.0)
    policy = Thompson(
        share=config.explore_share,
        new_below=config.explore_new_below,
        floor=config.explore_floor,
        prior_ctr=min(max(rate, 0.01), 0.5) if known else 0.05,
    )
    placed = policy.place(ids, [float(i["score"]) for i in items], k, shown, _RNG)
    by_id = {str(i["id"]): i for i in items}
    out = []
    for position, (item_id, chance) in enumerate(zip(placed.items, placed.propensity, strict=True)):
        item = dict(by_id[item_id])
        item["propensity"] = round(chance, 4)
        if position in placed.explored:
            item["reasons"] = {"label": LABEL, "value": round(chance, 4),
                               "children": [item["reasons"]]}  # fmt: skip
            item["explored"] = True
        out.append(item)
    return out
