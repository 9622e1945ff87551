"""Experiments proven in simulation: simulated shoppers (a position-based click model over
graded judgments, :mod:`shopmind.evaluate.clicks`) meet two known rankers, and each method of
:mod:`shopmind.experiments` is measured against the truth the model knows exactly.

- **verdict**: how many searches team-draft interleaving and an A/B test on clicks per
  search each need before their always-valid test (mSPRT) calls a winner at 95%, over
  ``runs`` seeded repetitions; a verdict is right when it names the ranker whose true
  expected clicks per search are higher.
- **A/A**: ``aa_experiments`` experiments that compare a ranker with itself, looked at after
  each of ``days`` days; the false-positive rate of the always-valid test, beside a
  fixed-horizon t-test looked at the same way (the peeking problem it solves).
- **off-policy**: traffic logged by a production ranker (``b``) that shows a shuffled list of
  the candidates in ``epsilon`` of its searches, with each slot's propensity; the candidate
  ranker's (``a``) clicks per search estimated from that log by IPS, SNIPS and doubly robust
  (a position-based click model fitted on the log) against its true expected clicks, beside
  the naive estimate (the log's own click rate).
- **ceiling**: the gain over an A/B test that no click-based comparison can beat under the
  model (:func:`sensitivity_ceiling`), to read the interleaving ratio against.
- **exploration**: for queries where ranker ``a`` keeps a highly graded product just off the
  page, how many searches the Thompson slot (:class:`~shopmind.experiments.explore.Thompson`)
  needs before what it learned would lift the product into the organic list, against no
  exploration (which never shows it, so never learns), and the clicks per search each costs.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from shopmind.evaluate.clicks import Array, ClickModel
from shopmind.experiments.explore import Shown, Thompson
from shopmind.experiments.interleave import credit, preference, team_draft
from shopmind.experiments.offpolicy import Slates, estimate, fit_position_model
from shopmind.experiments.stats import ALPHA, always_valid_p, one_sample_ratios, paired_ratios

logger = logging.getLogger(__name__)

Lists = Mapping[str, Sequence[str]]  # query -> ranked product ids


@dataclass(frozen=True)
class Plan:
    """How much to simulate (the defaults are what ``evaluate experiments`` runs)."""

    k: int = 10
    runs: int = 40
    cap: int = 200_000  # searches before a run without a verdict stops
    aa_experiments: int = 200
    days: int = 14
    per_day: int = 500  # searches per variant per day in an A/A experiment
    logged: int = 50_000  # logged searches for off-policy evaluation
    epsilon: float = 0.2
    explore_queries: int = 50
    explore_searches: int = 2_000
    seed: int = 0


def _first_verdict(p_values: Array, alpha: float) -> int | None:
    hit = np.flatnonzero(p_values < alpha)
    return int(hit[0]) if hit.size else None


def interleaving_run(
    model: ClickModel, a: Lists, b: Lists, queries: Sequence[str], plan: Plan, seed: int
) -> tuple[int | None, float]:
    """One interleaving run: searches to the verdict (None within ``plan.cap``) and the mean
    preference for ``a`` at that point."""
    rng = np.random.default_rng(seed)
    draft = random.Random(seed)
    prefs: list[float] = []
    chunk = 250
    while len(prefs) < plan.cap:
        for q in rng.choice(len(queries), size=chunk):
            query = queries[int(q)]
            mixed = team_draft([a[query][: plan.k], b[query][: plan.k]], plan.k, draft)
            clicked = np.flatnonzero(model.clicks(query, mixed.items, rng))
            credits = credit(mixed.teams, clicked.tolist(), 2, mixed.shared)
            prefs.append(preference(credits, 0, 1))
        values = np.asarray(prefs)
        at = _first_verdict(always_valid_p(one_sample_ratios(values)), ALPHA)
        if at is not None:
            return at + 1, float(values[: at + 1].mean())
    return None, float(np.mean(prefs))


def _list_chances(model: ClickModel, lists: Lists, queries: Sequence[str], k: int) -> Array:
    out = np.zeros((len(queries), k))
    for row, q in enumerate(queries):
        chances = model.click_chances(q, list(lists[q][:k]))
        out[row, : chances.size] = chances
    return out


def ab_run(chances_a: Array, chances_b: Array, plan: Plan, seed: int) -> tuple[int | None, float]:
    """One A/B run: searches (both variants together) to the verdict and the difference in
    clicks per search (a - b) there. Each search is a new shopper, sent to either variant."""
    rng = np.random.default_rng(seed)
    pairs = plan.cap // 2
    qa = rng.integers(0, chances_a.shape[0], pairs)
    qb = rng.integers(0, chances_b.shape[0], pairs)
    clicks_a = (rng.random((pairs, plan.k)) < chances_a[qa]).sum(axis=1).astype(np.float64)
    clicks_b = (rng.random((pairs, plan.k)) < chances_b[qb]).sum(axis=1).astype(np.float64)
    at = _first_verdict(always_valid_p(paired_ratios(clicks_b, clicks_a)), ALPHA)
    if at is None:
        return None, float(clicks_a.mean() - clicks_b.mean())
    return 2 * (at + 1), float(clicks_a[: at + 1].mean() - clicks_b[: at + 1].mean())


def _verdicts(found: list[tuple[int | None, float]], better_a: bool, cap: int) -> dict[str, Any]:
    decided = [(n, d) for n, d in found if n is not None]
    right = sum(1 for _, d in decided if (d > 0) == better_a)
    needed = sorted(n if n is not None else cap for n, _ in found)
    return {
        "queries_to_verdict": int(np.median(needed)),
        "queries_p90": int(np.quantile(needed, 0.9)),
        "decided": len(decided) / len(found),
        "right": right / len(decided) if decided else 0.0,
        "runs": len(found),
    }


def sensitivity_ceiling(chances_a: Array, chances_b: Array) -> dict[str, float]:
    """How many times fewer searches than the A/B test (fixed horizon, same confidence) two
    comparisons that no click-based method can beat would need, under this click model:

    - ``paired_clicks``: every shopper sees both full lists, and the clicks on each are
      compared (the same query and shopper for both rankers, but still click noise): the
      bound for any interleaving, which observes one list's clicks per search;
    - ``noiseless``: the true expected clicks of both lists, compared query by query (no
      click noise at all).

    In a position-based model clicks are independent coin flips, so click noise, which no
    design that reads clicks removes, caps what interleaving can gain over an A/B test."""
    mean_a, mean_b = chances_a.sum(axis=1), chances_b.sum(axis=1)
    noise_a = (chances_a * (1.0 - chances_a)).sum(axis=1).mean()
    noise_b = (chances_b * (1.0 - chances_b)).sum(axis=1).mean()
    diff = mean_a - mean_b
    effect = float(diff.mean()) ** 2
    if effect == 0.0:
        return {"paired_clicks": 1.0, "noiseless": 1.0}
    ab = 2.0 * (noise_a + mean_a.var() + noise_b + mean_b.var()) / effect
    noiseless = max(float(diff.var()), 1e-12) / effect
    return {
        "paired_clicks": float(ab / ((diff.var() + noise_a + noise_b) / effect)),
        "noiseless": float(ab / noiseless),
    }


def aa_false_positives(chances: Array, plan: Plan, seed: int) -> dict[str, Any]:
    """The share of A/A experiments that the always-valid test, and a t-test read daily,
    ever call significant."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    n = plan.days * plan.per_day
    looks = np.arange(plan.per_day, n + 1, plan.per_day) - 1
    sequential = peeking = 0
    for _ in range(plan.aa_experiments):
        x = (rng.random((n, plan.k)) < chances[rng.integers(0, chances.shape[0], n)]).sum(1)
        y = (rng.random((n, plan.k)) < chances[rng.integers(0, chances.shape[0], n)]).sum(1)
        x, y = x.astype(np.float64), y.astype(np.float64)
        ratios = paired_ratios(x, y)[looks]
        sequential += bool(always_valid_p(ratios)[-1] < ALPHA)
        count = looks + 1
        mx, my = np.cumsum(x)[looks] / count, np.cumsum(y)[looks] / count
        vx = (np.cumsum(x * x)[looks] - count * mx * mx) / (count - 1)
        vy = (np.cumsum(y * y)[looks] - count * my * my) / (count - 1)
        z = np.abs(mx - my) / np.sqrt((vx + vy) / count)
        peeking += bool(np.any(2 * norm.sf(z) < ALPHA))
    return {
        "experiments": plan.aa_experiments,
        "days": plan.days,
        "searches_per_variant_per_day": plan.per_day,
        "always_valid": sequential / plan.aa_experiments,
        "t_test_peeking_daily": peeking / plan.aa_experiments,
    }


def off_policy(
    model: ClickModel, a: Lists, b: Lists, queries: Sequence[str], plan: Plan, seed: int
) -> dict[str, Any]:
    """Estimate ranker ``a``'s clicks per search from traffic that ``b`` served (with
    ``epsilon`` of its searches shuffled), against the truth."""
    rng = np.random.default_rng(seed)
    k = plan.k
    n = plan.logged
    shown: list[list[str]] = []
    logging_p = np.zeros((n, k))
    target_p = np.zeros((n, k))
    clicks = np.zeros((n, k))
    randomized = np.zeros(n, dtype=bool)
    asked = rng.integers(0, len(queries), n)
    for row, qi in enumerate(asked):
        q = queries[int(qi)]
        prod, cand = list(b[q][:k]), list(a[q][:k])
        pool = list(dict.fromkeys(prod + cand))
        explore = rng.random() < plan.epsilon
        items = [pool[int(j)] for j in rng.permutation(len(pool))[:k]] if explore else prod
        randomized[row] = explore
        for i, item in enumerate(items):
            logging_p[row, i] = (1 - plan.epsilon) * (i < len(prod) and prod[i] == item) + (
                plan.epsilon / len(pool)
            )
            target_p[row, i] = float(i < len(cand) and cand[i] == item)
        seen = model.clicks(q, items, rng)
        clicks[row, : seen.size] = seen
        shown.append(items)
    fitted = fit_position_model(
        clicks, [(int(q), items) for q, items in zip(asked, shown, strict=True)], randomized
    )
    predicted = np.zeros((n, k))
    predicted_target = np.zeros((n, k))
    for row, qi in enumerate(asked):
        q = queries[int(qi)]
        predicted[row, : len(shown[row])] = fitted(int(qi), shown[row])
        cand = list(a[q][:k])
        predicted_target[row, : len(cand)] = fitted(int(qi), cand)
    got = estimate(Slates(clicks, logging_p, target_p, predicted, predicted_target), seed=seed)
    true = model.expected_ctr({q: list(a[q][:k]) for q in queries})
    values = {name: float(got[name]["value"]) for name in ("naive", "ips", "snips", "dr")}
    return {
        "true_ctr": true,
        **values,
        "error": {name: (v - true) / true if true else None for name, v in values.items()},
        "intervals": {name: [got[name]["low"], got[name]["high"]] for name in values},
        "logged_searches": n,
        "epsilon": plan.epsilon,
        "production_ctr_true": model.expected_ctr({q: list(b[q][:k]) for q in queries}),
        "max_weight": got["max_weight"],
    }


def exploration(
    model: ClickModel, a: Lists, queries: Sequence[str], plan: Plan, seed: int
) -> dict[str, Any]:
    """Searches until a good product just off the page would be lifted into the list."""
    rng = np.random.default_rng(seed)
    k = plan.k
    policy = Thompson()
    exam = model.examination(2 * k)
    picked: list[tuple[str, int]] = []
    for q in queries:
        ranked = list(a[q][: 2 * k])
        attract = model.attraction(q, ranked)
        off_page = [j for j in range(k, len(ranked)) if attract[j] >= 0.5 * model.top]
        if off_page and attract[:k].mean() < attract[off_page[0]]:
            picked.append((q, off_page[0]))
    picked = picked[: plan.explore_queries]
    if not picked:
        return {"queries": 0, "note": "no query keeps a highly graded product just off the page"}
    needed: list[int | None] = []
    clicks_with = clicks_without = 0.0
    explored_slots = 0
    for q, new in picked:
        ranked = list(a[q][: 2 * k])
        scores = [1.0 / (r + 1) for r in range(len(ranked))]
        attract = model.attraction(q, ranked)
        history = {  # the organic products' record: 1,000 searches at their positions
            item: Shown(1000 * exam[r], 1000 * exam[r] * attract[r])
            for r, item in enumerate(ranked[:k])
        }
        clicks_without += float((exam[:k] * attract[:k]).sum()) * plan.explore_searches
        surfaced = None
        for t in range(plan.explore_searches):
            placed = policy.place(ranked, scores, k, history, rng)
            explored_slots += len(placed.explored)
            position_of = {item: i for i, item in enumerate(placed.items)}
            got = model.clicks(q, placed.items, rng)
            clicks_with += float(got.sum())
            for item, i in position_of.items():
                old = history.get(item, Shown())
                history[item] = Shown(old.impressions + exam[i], old.clicks + got[i])
            if surfaced is None and _lifted(history, ranked, new, k - policy.slots(k), policy):
                surfaced = t + 1
                break
        needed.append(surfaced)
        if surfaced is not None:  # the rest of the horizon: the product is organic now
            rest = plan.explore_searches - surfaced
            lifted = [*ranked[: k - 1], ranked[new]]
            clicks_with += float(model.click_chances(q, lifted).sum()) * rest
    searches = plan.explore_searches * len(picked)
    found = [n for n in needed if n is not None]
    return {
        "queries": len(picked),
        "searches_per_query": plan.explore_searches,
        "surfaced_share": len(found) / len(picked),
        "searches_to_surface_p50": int(np.median(found)) if found else None,
        "without_exploration": {"surfaced_share": 0.0, "searches_to_surface_p50": None},
        "clicks_per_search": clicks_with / searches,
        "clicks_per_search_without": clicks_without / searches,
        "explored_slot_share": explored_slots / (searches * k),
    }


def _lifted(
    history: Mapping[str, Shown], ranked: Sequence[str], new: int, organic: int, policy: Thompson
) -> bool:
    """Whether the new product's learned click rate (posterior mean) beats the weakest
    organic product's: a ranker that learns from clicks would now list it."""

    def mean(item: str) -> float:
        a, b = policy.posterior(history.get(item, Shown()))
        return a / (a + b)

    record = history.get(ranked[new], Shown())
    if record.impressions < 1.0:
        return False
    return mean(ranked[new]) > min(mean(item) for item in ranked[:organic])


def simulate_experiments(
    model: ClickModel, a: Lists, b: Lists, plan: Plan, progress: bool = True
) -> dict[str, Any]:
    """Every measure, with ``a`` the ranker under test and ``b`` the baseline."""
    queries = sorted(q for q in model.grades if q in a and q in b and a[q] and b[q])
    if not queries:
        raise ValueError("no judged query has a list from both rankers")
    true_a = model.expected_ctr({q: list(a[q][: plan.k]) for q in queries})
    true_b = model.expected_ctr({q: list(b[q][: plan.k]) for q in queries})
    better_a = true_a > true_b
    chances_a = _list_chances(model, a, queries, plan.k)
    chances_b = _list_chances(model, b, queries, plan.k)
    bar = tqdm(total=plan.runs * 2 + 3, desc="simulating", unit="step", disable=not progress)
    inter, ab = [], []
    for run in range(plan.runs):
        inter.append(interleaving_run(model, a, b, queries, plan, plan.seed + run))
        bar.update()
        ab.append(ab_run(chances_a, chances_b, plan, plan.seed + run))
        bar.update()
    aa = aa_false_positives(chances_a, plan, plan.seed)
    bar.update()
    ope = off_policy(model, a, b, queries, plan, plan.seed)
    bar.update()
    explore = exploration(model, a, queries, plan, plan.seed)
    bar.update()
    bar.close()
    result_inter, result_ab = (
        _verdicts(inter, better_a, plan.cap),
        _verdicts(ab, better_a, plan.cap),
    )
    return {
        "queries": len(queries),
        "true_ctr": {"a": true_a, "b": true_b},
        "interleaving": result_inter,
        "ab": result_ab,
        "ab_over_interleaving": result_ab["queries_to_verdict"]
        / max(result_inter["queries_to_verdict"], 1),
        "ceiling": sensitivity_ceiling(chances_a, chances_b),
        "aa_false_positive_rate": aa["always_valid"],
        "aa": aa,
        "ope": ope,
        "exploration": explore,
    }
