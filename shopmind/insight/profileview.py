"""One visitor's profile as JSON: the batch-built numbers plus their newest events.

The interests by category, brand and price band come from
:func:`shopmind.events.profile.visitor_profile` over the newest events (against the price
tertiles saved with the profiles); the interest clusters, RFM values and scores, lifecycle
stage and buy-again probability from the profiles artifact (as of its ``as_of``); the
recent sessions from the newest events, split where more than ``profiles.session_minutes``
pass between two events.

A visitor whose first events came after the profiles were built gets the same numbers
computed from those events alone (no RFM scores or probability: those compare customers
with each other and need the batch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from shopmind.catalog import Product
from shopmind.errors import NotFound
from shopmind.events.models import StoredEvent, iso_utc
from shopmind.events.profile import visitor_profile
from shopmind.insight.behaviour import features_at
from shopmind.insight.history import History
from shopmind.insight.lifecycle import STAGES, Thresholds, stages
from shopmind.insight.profilebook import ProfileBook


def recent_sessions(
    events: Sequence[StoredEvent], gap_minutes: float, limit: int
) -> list[dict[str, Any]]:
    """The newest ``limit`` sessions of a visitor's events (given newest first), newest
    first: start, end, events, distinct products (in order of first event), purchased."""
    timed = sorted(((e.ts, e.seq, e) for e in events if e.ts is not None), key=lambda t: t[:2])
    sessions: list[list[StoredEvent]] = []
    last = float("-inf")
    for ts, _, e in timed:
        if sessions and ts - last <= gap_minutes * 60.0:
            sessions[-1].append(e)
        else:
            sessions.append([e])
        last = ts
    out = []
    for group in reversed(sessions[-limit:] if limit else []):
        items = list(dict.fromkeys(e.item_id for e in group if e.item_id is not None))
        out.append(
            {
                "start": iso_utc(group[0].ts),
                "end": iso_utc(group[-1].ts),
                "events": len(group),
                "products": items,
                "purchased": any(e.type == "purchase" for e in group),
            }
        )
    return out


def _number(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 2)


def _rfm(features: Mapping[str, float], scores: Sequence[int] | None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "recency_days": _number(features["recency_days"]),
        "frequency": int(features["frequency"]),
        "monetary": _number(features["monetary"]),
        "avg_order": _number(features["avg_order"]),
        "returns": int(features["returns"]),
        "mean_gap_days": _number(features["mean_gap_days"]),
    }
    if scores is not None and scores[0] > 0:
        r, f, m = (int(s) for s in scores)
        block["score"] = {"r": r, "f": f, "m": m, "rfm": r + f + m}
    else:
        block["score"] = None
    return block


def profile_json(
    visitor: str,
    events: Sequence[StoredEvent],
    products: Mapping[str, Product],
    book: ProfileBook,
    interest: Iterable[str],
    sessions: int = 5,
) -> dict[str, Any]:
    """The visitor's profile (see the module docstring).

    Args:
        visitor: the visitor key (``~SESSION`` for an anonymous visitor).
        events: their newest events, newest first.
        products: the products those events name.
        book: the profiles artifact.
        interest: the event types that show interest.
        sessions: how many recent sessions to show.

    Raises:
        NotFound: the visitor has no events and no profile.
    """
    row = book.row(visitor)
    if row is None and not events:
        raise NotFound(
            f"no events and no profile for visitor {visitor}; pick a visitor from GET "
            "/visitors (an anonymous one is ~SESSION_ID), or rebuild with shopmind analyze "
            "profiles after ingesting their events"
        )
    meta = book.meta
    tertiles = {c: (float(t[0]), float(t[1])) for c, t in meta["tertiles"].items()}
    base = visitor_profile(visitor, events, products, tertiles, interest, timeline=0)
    names = meta["features"]
    if row is not None:
        values = dict(zip(names, book.features[row].tolist(), strict=True))
        scores: Sequence[int] | None = book.rfm[row].tolist()
        stage = STAGES[int(book.stage[row])]
        p = float(book.probability[row])
        shares = book.shares[row] if book.shares.shape[1] else np.zeros(0)
        as_of = meta["as_of"]
    else:
        values, stage, as_of = _live(events, meta)
        scores, p, shares = None, float("nan"), np.zeros(0)
    clusters = [
        {"cluster": c["cluster"], "name": c["name"], "share": round(float(shares[c["cluster"]]), 4)}
        for c in meta["clusters"]
        if len(shares) and shares[c["cluster"]] > 0
    ]
    clusters.sort(key=lambda c: -float(c["share"]))
    return {
        "visitor": visitor,
        "anonymous": base["anonymous"],
        "as_of": as_of,
        "in_build": row is not None,
        "events": base["events"],
        "first_seen": base["first_seen"],
        "last_seen": base["last_seen"],
        "event_types": base["event_types"],
        "interests": {
            "categories": base["categories"],
            "brands": base["brands"],
            "price": base["price"],
            "clusters": clusters,
            "interest_events": base["interest_events"],
        },
        "rfm": _rfm(values, scores),
        "lifecycle": {"stage": stage, "thresholds": meta["lifecycle"]},
        "buy_again": {
            "days": meta["days"],
            "probability": None if np.isnan(p) else round(p, 4),
            "model": meta["model"].get("method"),
        },
        "sessions": recent_sessions(events, meta["session_minutes"], sessions),
    }


def _live(
    events: Sequence[StoredEvent], meta: Mapping[str, Any]
) -> tuple[dict[str, float], str, str | None]:
    """Features and stage of a visitor who is not in the build, from their events alone."""
    history = History.from_batches([list(events)])
    now = max(float(meta["as_of_ts"]), history.last_ts) if len(history) else meta["as_of_ts"]
    feats = features_at(history, now, meta["days"], meta["session_minutes"] * 60.0)
    values = dict(zip(meta["features"], feats.matrix[0].tolist(), strict=True))
    lim = meta["lifecycle"]
    limits = Thresholds(lim["active_days"], lim["lapsed_days"], lim["gaps"], lim["source"])
    code = stages(feats["tenure_days"], feats["recency_days"], feats["last_seen_days"], limits)
    return values, STAGES[int(code[0])], iso_utc(now)
