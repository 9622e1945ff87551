"""An experiment's report, from the request log and the events attributed to it.

Attribution: an impression, click, cart or purchase that carries a ``request_id`` counts
for that request, its variant and the product's position in it; a purchase without one
counts for the visitor's latest request of the experiment that showed the product within
the purchase window before it. An event whose ``request_id`` the log does not hold is kept
in the store as every event is, and counted here as ``unattributed``.

The unit is the visitor (assignment is per visitor): each visitor's metric is
- ``ctr``: attributed clicks per list shown to them;
- ``add_to_cart_rate``: attributed carts per list;
- ``conversion``: 1 when they made an attributed purchase;
- ``revenue_per_visitor``: the attributed purchases' amount (quantity x price, or value).
Variants are compared with the first one (the control): means with confidence intervals,
CUPED on the same behaviour in the ``pre_days`` before the start (clicks, carts, purchases
or revenue from the store's events), the sample-ratio check, and the always-valid p-value
over daily looks (the running minimum, so a daily glance costs nothing). Guardrails: each
variant's latency p99 and, on ``/search``, its share of answers with no result.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopmind.events import StoredEvent
from shopmind.experiments.book import Experiment, ExperimentBook, LoggedRequest
from shopmind.experiments.interleave import Tally
from shopmind.experiments.stats import (
    ALPHA,
    always_valid_p,
    compare,
    cuped,
    estimate,
    mixture_ratio,
    mixture_tau2,
    sample_ratio,
)
from shopmind.store import Store

DAY = 86_400.0
_ATTRIBUTED = ("impression", "click", "cart", "purchase")


@dataclass
class _Visitor:
    variant: str
    first: float
    requests: list[float] = field(default_factory=list)
    clicks: list[float] = field(default_factory=list)
    carts: list[float] = field(default_factory=list)
    purchases: list[tuple[float, float]] = field(default_factory=list)  # (ts, amount)

    def value(self, metric: str, until: float) -> float:
        shown = sum(1 for t in self.requests if t <= until)
        if metric == "ctr":
            return sum(1 for t in self.clicks if t <= until) / shown if shown else 0.0
        if metric == "add_to_cart_rate":
            return sum(1 for t in self.carts if t <= until) / shown if shown else 0.0
        if metric == "conversion":
            return float(any(t <= until for t, _ in self.purchases))
        return sum(a for t, a in self.purchases if t <= until)


def _amount(e: StoredEvent) -> float:
    if e.price is not None:
        return e.price * (e.quantity if e.quantity is not None else 1.0)
    return e.value or 0.0


def _pre_value(metric: str, events: list[StoredEvent]) -> float:
    if metric == "ctr":
        return float(sum(e.type == "click" for e in events))
    if metric == "add_to_cart_rate":
        return float(sum(e.type == "cart" for e in events))
    if metric == "conversion":
        return float(any(e.type == "purchase" for e in events))
    return sum(_amount(e) for e in events if e.type == "purchase")


def build_report(
    experiment: Experiment,
    requests: Iterable[LoggedRequest],
    events: Iterable[StoredEvent],
    window_hours: float = 24.0,
    now: float | None = None,
) -> dict[str, Any]:
    """The report of one experiment (see the module's docstring)."""
    spec = experiment.spec
    name = spec.name
    start = experiment.started
    end = experiment.stopped if experiment.stopped is not None else (now or math.inf)
    window = window_hours * 3600
    logged: dict[str, LoggedRequest] = {}
    visitors: dict[str, _Visitor] = {}
    shown_to: dict[str, dict[str, list[LoggedRequest]]] = defaultdict(lambda: defaultdict(list))
    latency: dict[str, list[float]] = defaultdict(list)
    empty: dict[str, list[int]] = defaultdict(list)
    for r in requests:
        if r.ts < start or r.ts > end:
            continue
        variant = r.arms.get(name)
        if variant is None:
            continue
        logged[r.request_id] = r
        latency[variant].append(r.latency_ms)
        if r.route == "/search" and r.total is not None:
            empty[variant].append(int(r.total == 0))
        if r.visitor is None:
            continue
        v = visitors.setdefault(r.visitor, _Visitor(variant, r.ts))
        v.requests.append(r.ts)
        for s in r.items:
            shown_to[r.visitor][s.item].append(r)

    pre: dict[str, list[StoredEvent]] = defaultdict(list)
    pre_start = start - spec.pre_days * DAY
    tally = Tally([v.name for v in spec.variants])
    teams = {v.name: i for i, v in enumerate(spec.variants)}
    credits: dict[str, list[int]] = {}
    by_position: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # position -> [clicks, n]
    unattributed = attributed = 0
    for e in events:
        if e.ts is None:
            continue
        if pre_start <= e.ts < start and e.visitor in visitors:
            pre[e.visitor].append(e)
            continue
        if e.ts < start or e.ts > end or e.type not in _ATTRIBUTED:
            continue
        rid = e.context.get("request_id")
        request = logged.get(rid) if rid else None
        if rid and request is None:
            unattributed += 1
            continue
        if request is None and e.type == "purchase" and e.item_id is not None:
            before = [
                r for r in shown_to.get(e.visitor, {}).get(e.item_id, [])
                if r.ts <= e.ts <= r.ts + window
            ]  # fmt: skip
            request = max(before, key=lambda r: r.ts) if before else None
        if request is None or request.visitor is None:
            continue
        attributed += 1
        v = visitors[request.visitor]
        position = next((s for s in request.items if s.item == e.item_id), None)
        if e.type == "click":
            v.clicks.append(e.ts)
            if position is not None:
                by_position[position.position][0] += 1
                if spec.kind == "interleaving" and position.team in teams:
                    got = credits.setdefault(request.request_id, [0] * len(teams))
                    got[teams[position.team]] += 1
        elif e.type == "cart":
            v.carts.append(e.ts)
        elif e.type == "purchase":
            v.purchases.append((e.ts, _amount(e)))
    for r in logged.values():
        for s in r.items:
            by_position[s.position][1] += 1

    control = spec.variants[0].name
    metric = spec.primary
    latest = [t for v in visitors.values() for t in (*v.requests, *v.clicks, *v.carts)]
    latest += [t for v in visitors.values() for t, _ in v.purchases]
    horizon = min(end, max(latest, default=start))
    values = {
        n: np.array([v.value(metric, horizon) for v in visitors.values() if v.variant == n])
        for n in teams
    }
    covariate = {
        n: np.array([_pre_value(metric, pre[k]) for k, v in visitors.items() if v.variant == n])
        for n in teams
    }
    pooled = cuped(
        np.concatenate([values[n] for n in teams]) if visitors else np.zeros(0),
        np.concatenate([covariate[n] for n in teams]) if visitors else np.zeros(0),
    )
    adjusted: dict[str, np.ndarray] = {}
    at = 0
    for n in teams:
        adjusted[n] = pooled.adjusted[at : at + values[n].size]
        at += values[n].size

    variants: dict[str, Any] = {}
    for n in teams:
        lat = latency.get(n, [])
        variants[n] = {
            "visitors": int(values[n].size),
            "requests": sum(len(x.requests) for x in visitors.values() if x.variant == n),
            **_outcomes([x for x in visitors.values() if x.variant == n]),
            "metric": estimate(values[n], 1 - ALPHA).as_dict(),
            "metric_cuped": estimate(adjusted[n], 1 - ALPHA).as_dict(),
            "latency_p99_ms": float(np.percentile(lat, 99)) if lat else None,
            "zero_result_rate": float(np.mean(empty[n])) if empty.get(n) else None,
        }
        variants[n]["guardrails"] = _guardrails(spec.guardrails.model_dump(), variants[n])
    comparisons = {}
    looks = _daily_looks(start, horizon)
    for arm in spec.variants[1:]:
        raw = compare(values[control], values[arm.name])
        adj = compare(adjusted[control], adjusted[arm.name])
        p_daily = _daily_p(visitors, control, arm.name, metric, looks)
        comparisons[arm.name] = {
            "raw": raw.as_dict(),
            "cuped": {**adj.as_dict(), "always_valid_p": min(adj.always_valid_p, p_daily)},
            "always_valid_p_daily": p_daily,
            "significant": min(adj.always_valid_p, p_daily) < ALPHA,
        }
    srm = sample_ratio(
        {n: int(values[n].size) for n in teams}, {v.name: v.share for v in spec.variants}
    )
    for got in credits.values():
        tally.add(got)
    if spec.kind == "interleaving":  # interleaved lists without a credited click are ties
        for _ in range(len(logged) - len(credits)):
            tally.add([0] * len(teams))
    out: dict[str, Any] = {
        "experiment": experiment.as_dict(),
        "metric": metric,
        "control": control,
        "variants": variants,
        "comparisons": comparisons,
        "cuped_variance_reduction": pooled.variance_reduction,
        "sample_ratio": srm.as_dict(),
        "attributed_events": attributed,
        "unattributed_events": unattributed,
        "positions": {
            str(p): {"clicks": c, "shown": n, "ctr": c / n if n else 0.0}
            for p, (c, n) in sorted(by_position.items())
        },
        "curves": _curves(visitors, [v.name for v in spec.variants], metric, looks),
    }
    if spec.kind == "interleaving":
        out["interleaving"] = tally.report()
    return out


def events_since(store: Store, since: float) -> Iterator[StoredEvent]:
    """The store's events from ``since`` on (events without a time are left out)."""
    return (e for batch in store.iter_events(since=since) for e in batch)


def report_for(
    book: ExperimentBook, store: Store, name: str, window_hours: float = 24.0
) -> dict[str, Any]:
    """The report of experiment ``name`` from the book's log and the store's events (read
    from ``pre_days`` before its start). NotFound for an unknown name."""
    experiment = book.get(name)
    since = experiment.started - experiment.spec.pre_days * DAY
    events = events_since(store, since)
    requests = book.requests(experiment.started, experiment.stopped)
    return build_report(experiment, requests, events, window_hours, now=time.time())


def _outcomes(members: list[_Visitor]) -> dict[str, float]:
    return {
        "clicks": sum(len(x.clicks) for x in members),
        "carts": sum(len(x.carts) for x in members),
        "purchases": sum(len(x.purchases) for x in members),
        "revenue": sum(a for x in members for _, a in x.purchases),
    }


def _guardrails(limits: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, limit in limits.items():
        if limit is None:
            continue
        value = row.get(key)
        out[key] = {"limit": limit, "value": value, "ok": value is None or value <= limit}
    return out


def _daily_looks(start: float, horizon: float) -> list[float]:
    days = max(1, math.ceil((horizon - start) / DAY))
    return [min(start + (d + 1) * DAY, horizon) for d in range(days)]


def _daily_p(
    visitors: dict[str, _Visitor], a: str, b: str, metric: str, looks: list[float]
) -> float:
    """The always-valid p-value over daily looks (visitors seen by each day, their metric up
    to that day), read after the last look."""
    ratios = []
    for until in looks:
        xa = np.array([v.value(metric, until) for v in visitors.values()
                       if v.variant == a and v.first <= until])  # fmt: skip
        xb = np.array([v.value(metric, until) for v in visitors.values()
                       if v.variant == b and v.first <= until])  # fmt: skip
        if xa.size < 2 or xb.size < 2:
            ratios.append(1.0)
            continue
        va, vb = float(xa.var(ddof=1)), float(xb.var(ddof=1))
        variance = va / xa.size + vb / xb.size
        tau2 = mixture_tau2((va + vb) / 2)
        diff = float(xb.mean() - xa.mean())
        ratios.append(float(mixture_ratio(np.array([diff]), np.array([variance]), tau2)[0]))
    return float(always_valid_p(np.array(ratios))[-1]) if ratios else 1.0


def _curves(
    visitors: dict[str, _Visitor], names: list[str], metric: str, looks: list[float]
) -> dict[str, Any]:
    """Per day, each variant's metric with its interval (the console draws these)."""
    series: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for until in looks:
        for n in names:
            got = estimate([v.value(metric, until) for v in visitors.values()
                            if v.variant == n and v.first <= until])  # fmt: skip
            series[n].append({"n": got.n, "mean": got.mean, "low": got.low, "high": got.high})
    return {"days": looks, "variants": series}
