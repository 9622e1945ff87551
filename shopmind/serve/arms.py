"""Experiments at serving time: which variant answers a request, and the answer's log.

:func:`arms_for` finds the running experiments of a route that the visitor is in (sticky by
hashing, :mod:`shopmind.experiments.assign`) and merges their variants' overrides into the
settings; :func:`search_engine_for` and :func:`recommend_engine_for` give the engine those
settings ask for (a shallow variant of the serving one, cached). :func:`answered` gives the
answer its ``request_id``, every result its 1-based ``position`` and ``propensity``, and
queues the answer for the request log.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, cast

from fastapi import Request

from shopmind.config import Settings
from shopmind.experiments.assign import Running, assignments
from shopmind.experiments.book import ExperimentBook, LoggedRequest, Shown, new_request_id
from shopmind.experiments.interleave import draft_propensities, team_draft
from shopmind.experiments.spec import apply_overrides
from shopmind.recommend.engine import RecommendEngine
from shopmind.search import SearchEngine

_CACHE = 32
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Arms:
    """What experiments decide for one request.

    Attributes:
        settings: the settings with ``overrides`` merged in.
        assigned: experiment name -> variant name, for the log and the answer.
        overrides: the visitor's variants' setting overrides, by section.
        interleave: an interleaving experiment the visitor is in, or None.
    """

    settings: Settings
    assigned: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    interleave: Running | None = None

    @property
    def search(self) -> dict[str, Any]:
        """The search overrides (for the search engine's variant)."""
        return self.overrides.get("search", {})

    @property
    def recommend(self) -> dict[str, Any]:
        """The recommendation overrides (for the recommendation engine's variant)."""
        return self.overrides.get("recommend", {})


def book(request: Request) -> ExperimentBook | None:
    """The experiments book of the app (None before the start or without one)."""
    return cast(ExperimentBook | None, getattr(request.app.state, "experiments", None))


def _cached(request: Request, key: str, make: Any) -> Any:
    with _LOCK:
        cache = getattr(request.app.state, "variants", None)
        if cache is None:
            cache = request.app.state.variants = OrderedDict()
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    made = make()
    with _LOCK:
        cache[key] = made
        while len(cache) > _CACHE:
            cache.popitem(last=False)
    return made


def arms_for(request: Request, settings: Settings, visitor: str | None, route: str) -> Arms:
    """The variants answering ``visitor`` on ``route`` (the settings alone when none)."""
    found = book(request)
    if found is None or visitor is None:
        return Arms(settings)
    running = assignments(found.running(), visitor, route)
    if not running:
        return Arms(settings)
    assigned: dict[str, str] = {}
    overrides: dict[str, dict[str, Any]] = {}
    interleave = None
    for r in running:
        if r.spec.kind == "interleaving":
            if interleave is None:
                interleave = r
                assigned[r.spec.name] = "interleaved"
            continue
        variant = r.variant(visitor)
        assigned[r.spec.name] = variant.name
        overrides = _with(overrides, variant.settings)
    return _arms(request, settings, assigned, overrides, interleave)


def _with(base: dict[str, dict[str, Any]], more: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``base``'s overrides with ``more``'s laid over them, section by section."""
    out = {section: dict(values) for section, values in base.items()}
    for section, values in more.items():
        out.setdefault(section, {}).update(values)
    return out


def _arms(
    request: Request,
    base: Settings,
    assigned: dict[str, str],
    overrides: dict[str, dict[str, Any]],
    interleave: Running | None = None,
) -> Arms:
    """Arms whose settings are the serving ``base`` with ``overrides`` merged in (cached by
    the overrides: the base is the app's, one per process)."""
    if not overrides:
        return Arms(base, assigned, overrides, interleave)
    key = "settings:" + json.dumps(overrides, sort_keys=True)
    merged = _cached(request, key, lambda: apply_overrides(base, overrides))
    return Arms(merged, assigned, overrides, interleave)


def variant_arms(request: Request, settings: Settings, arms: Arms, running: Running) -> list[Arms]:
    """One Arms per variant of the interleaving experiment ``running``: the visitor's A/B
    overrides (``arms``) with each variant's own laid over them, on the serving
    ``settings``."""
    return [
        _arms(request, settings, {running.spec.name: v.name}, _with(arms.overrides, v.settings))
        for v in running.spec.variants
    ]


def interleave_items(
    running: Running, lists: list[list[dict[str, Any]]], k: int
) -> list[dict[str, Any]]:
    """One list drafted from every variant's list (team draft, a fresh random order per
    request); each item names its ``team``, the variant that placed it, and its
    ``propensity``: the chance team draft puts it at that position."""
    names = [v.name for v in running.spec.variants]
    item_of: dict[str, dict[str, Any]] = {}
    for items in lists:
        for item in items:
            item_of.setdefault(str(item["id"]), item)
    ids = [[str(item["id"]) for item in items] for items in lists]
    mixed = team_draft(ids, k, random.Random())
    chances = draft_propensities(ids, k, mixed.items)
    return [
        {**item_of[i], "team": names[t], "propensity": round(p, 6)}
        for i, t, p in zip(mixed.items, mixed.teams, chances, strict=True)
    ]


def search_engine_for(request: Request, engine: SearchEngine, arms: Arms) -> SearchEngine:
    """The serving search engine, or its variant with the arms' search settings."""
    if not arms.search:
        return engine
    key = f"search:{id(engine)}:" + json.dumps(arms.search, sort_keys=True)
    return cast(SearchEngine, _cached(request, key, lambda: engine.variant(arms.search)))


def recommend_engine_for(request: Request, engine: RecommendEngine, arms: Arms) -> RecommendEngine:
    """The serving recommendation engine, or its variant with the arms' settings."""
    if not arms.recommend:
        return engine
    key = f"recommend:{id(engine)}:" + json.dumps(arms.recommend, sort_keys=True)
    return cast(RecommendEngine, _cached(request, key, lambda: engine.variant(arms.recommend)))


def answered(
    request: Request,
    settings: Settings,
    route: str,
    visitor: str | None,
    query: str | None,
    arms: Arms,
    items: list[dict[str, Any]],
    started: float,
    total: int | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """Number the results, log the answer, and return what the answer adds at its top:
    ``request_id`` and, when the visitor is in experiments, ``experiments``."""
    request_id = new_request_id()
    for n, item in enumerate(items, start=offset + 1):
        item["position"] = n
        item.setdefault("propensity", 1.0)
    found = book(request)
    if found is not None and settings.experiments.log_requests:
        shown = [
            Shown(str(i["id"]), int(i["position"]), float(i["propensity"]), i.get("team"))
            for i in items
        ]
        latency = (time.perf_counter() - started) * 1000
        assigned = dict(arms.assigned)
        row = LoggedRequest(
            request_id, time.time(), route, visitor, query, assigned, shown, latency, total
        )
        found.log(row)
    head: dict[str, Any] = {"request_id": request_id}
    if arms.assigned:
        head["experiments"] = dict(arms.assigned)
    return head
