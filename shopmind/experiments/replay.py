"""Off-policy replay: a candidate ranking's click rate, from the logged answers.

The request log holds every answer with each result's position and propensity; the store
holds the clicks that carry the answer's ``request_id``. For each logged answer the
candidate ranks again, and the estimators of :mod:`shopmind.experiments.offpolicy` reweight
the logged clicks by how the candidate would have placed the same products. A log of
deterministic lists (propensity 1) can only credit the candidate where it agrees with what
was shown (``matched_share`` says how often); exploration (``experiments.explore``) and
interleaving (its answers log each product's team-draft probability) widen what the log
can answer for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from shopmind.events import StoredEvent
from shopmind.experiments.book import LoggedRequest
from shopmind.experiments.offpolicy import Slates, estimate, fit_position_model

Candidate = Callable[[LoggedRequest], list[str]]


def replay(
    requests: Iterable[LoggedRequest],
    events: Iterable[StoredEvent],
    candidate: Candidate,
    route: str = "/search",
    k: int = 10,
) -> dict[str, Any]:
    """Estimate the candidate's clicks per answer on ``route`` from the log."""
    logged = [r for r in requests if r.route == route and r.items]
    if not logged:
        return {"requests": 0, "note": f"no logged {route} answers to replay yet"}
    index = {r.request_id: n for n, r in enumerate(logged)}
    clicks = np.zeros((len(logged), k))
    for e in events:
        rid = e.context.get("request_id")
        if e.type != "click" or rid not in index:
            continue
        request = logged[index[rid]]
        at = next((s.position - 1 for s in request.items if s.item == e.item_id), None)
        if at is not None and 0 <= at - _first(request) < k:
            clicks[index[rid], at - _first(request)] = 1.0
    logging = np.zeros((len(logged), k))
    target = np.zeros((len(logged), k))
    lists: list[list[str]] = []
    mine: list[list[str]] = []
    for n, r in enumerate(logged):
        page = sorted(r.items, key=lambda s: s.position)[:k]
        shown = [s.item for s in page]
        ranked = candidate(r)[:k]
        for i, s in enumerate(page):
            logging[n, i] = s.propensity
            target[n, i] = float(i < len(ranked) and ranked[i] == s.item)
        lists.append(shown)
        mine.append(ranked)
    model = fit_position_model(clicks, [(r.query, s) for r, s in zip(logged, lists, strict=True)])
    predicted = np.zeros((len(logged), k))
    predicted_target = np.zeros((len(logged), k))
    for n, r in enumerate(logged):
        predicted[n, : len(lists[n])] = model(r.query, lists[n])
        predicted_target[n, : len(mine[n])] = model(r.query, mine[n])
    got = estimate(Slates(clicks, logging, target, predicted, predicted_target))
    got["route"] = route
    got["logged_ctr"] = got["naive"]["value"]
    got["clicks"] = int(clicks.sum())
    return got


def _first(request: LoggedRequest) -> int:
    """The 0-based position of the answer's first result (its page's offset)."""
    return min(s.position for s in request.items) - 1
