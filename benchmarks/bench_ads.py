"""Sponsored-products benchmark: one simulated day of search traffic through the ad server.

The demo catalog (320 products, Chinese and English) in a real SQLite store, a hybrid search
engine over it (USE, the encoder served for a catalog with Chinese; ``--encoder hashing``
needs no model), 20 campaigns (four per advertised category) with different bids, budgets
and targeting, and 50,000 searches spread over one UTC day on a realistic daily curve
(quietest at 08:00, busiest at 20:00) by 5,000 visitors. Each search runs ``AdServer.place``
with the simulated clock (``now=``) for one slot; each ad is clicked with a true click rate
that grows with its relevance (seeded), and the click is charged through ``AdServer.click``
at its own time (5-60 s later).

The same traffic runs twice: with pacing (``ads.pacing_slack`` = 0.1, the default) and,
as the baseline, without (a slack of the whole budget: only the budget cap holds).

Printed per campaign: budget, spend, clicks, the largest overspend of a day's budget
(the check: at most one click's price), the hour half of the day's spend was reached, the
hour the budget ran out; then the spend curve by hour of the budget-limited campaigns next
to the traffic curve; and auction throughput (``place`` calls per second, one thread).

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_ads.py [--searches 50000]
"""

from __future__ import annotations

import argparse
import heapq
import logging
import math
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from shopmind.ads import AdServer, Campaign, CampaignBook, CampaignIn, EngineQuality, Pacer, utc_day
from shopmind.catalog import Product
from shopmind.config import AdsConfig
from shopmind.demo.catalog import demo_products, search_terms
from shopmind.embed import HashingEncoder, make_encoder
from shopmind.search import SearchEngine
from shopmind.store import SQLiteStore

DAY = datetime(2026, 3, 2, tzinfo=UTC)
ADVERTISED = (  # the categories advertisers compete in, four campaigns each
    "Electronics > Audio > Headphones",
    "Electronics > Phones > Accessories",
    "Electronics > Phones > Smartphones",
    "Home & Kitchen > Cookware",
    "Sports & Outdoors > Running",
)
ADVERTISED_SHARE = 0.6  # of the searches, in those categories
BUDGETS = (5.0, 10.0, 20.0, 40.0, 80.0, 150.0, 400.0, 2_000.0)


@dataclass
class Run:
    """What one simulated day produced."""

    name: str
    place_seconds: float = 0.0
    click_seconds: float = 0.0
    auctions: int = 0
    shown: int = 0
    clicks: int = 0
    spend_by_hour: dict[int, np.ndarray] = field(default_factory=dict)  # campaign -> 24 sums
    spend: dict[int, float] = field(default_factory=dict)
    clicks_by: dict[int, int] = field(default_factory=dict)
    day_spend: dict[int, list[float]] = field(default_factory=dict)  # the day, the day after


class Unpaced(Pacer):
    """The baseline: any campaign with one click left enters every auction."""

    def admit(self, budget: float, bid: float, spent: float, now: datetime) -> bool:
        return budget - spent >= bid


def _catalog(seed: int) -> list[Product]:
    return [Product.model_validate(row) for row in demo_products(seed)]


def _campaigns(products: list[Product], n: int, rng: np.random.Generator) -> list[CampaignIn]:
    """``n`` campaigns: one category and language each, 3-8 in-stock products, varied money."""
    terms = search_terms()
    out: list[CampaignIn] = []
    for i in range(n):
        path = ADVERTISED[i % len(ADVERTISED)]
        language = "zh" if (i // len(ADVERTISED)) % 2 else "en"
        pool = [
            p.id for p in products if p.category == path and p.language == language and p.in_stock
        ]
        chosen = sorted(
            rng.choice(pool, size=min(len(pool), int(rng.integers(3, 9))), replace=False)
        )
        bid = round(float(rng.uniform(0.2, 2.0)), 2)
        budget = max(BUDGETS[i % len(BUDGETS)], bid)
        kind = i % 4  # keywords, category, both, untargeted
        keywords = terms[path][language][:3] if kind in (0, 2) else []
        categories = [path.rsplit(" > ", 1)[0]] if kind in (1, 2) else []
        out.append(
            CampaignIn(
                name=f"c{i + 1:02d} {path.split(' > ')[-1]} ({language})",
                advertiser=f"advertiser {i % 7}",
                products=[str(p) for p in chosen],
                bid=bid,
                daily_budget=budget,
                keywords=keywords,
                categories=categories,
                start=DAY - timedelta(days=1),
            )
        )
    return out


def _traffic(
    searches: int, visitors: int, rng: np.random.Generator
) -> list[tuple[float, str, str]]:
    """(epoch seconds, visitor, query) over the day: intensity 1 + 0.8 cos(2π(h - 20) / 24)."""
    terms = search_terms()
    others = [p for p in sorted(terms) if p not in ADVERTISED]
    hours = np.arange(24)
    weight = 1.0 + 0.8 * np.cos(2 * math.pi * (hours - 20) / 24)
    hour = rng.choice(24, size=searches, p=weight / weight.sum())
    stamps = np.sort(DAY.timestamp() + hour * 3600 + rng.uniform(0, 3600, size=searches))
    ranks = np.arange(1, visitors + 1)
    zipf = 1.0 / np.sqrt(ranks)  # a few visitors search a lot, most a little
    who = rng.choice(visitors, size=searches, p=zipf / zipf.sum())
    out = []
    for ts, v in zip(stamps, who, strict=True):
        paths = ADVERTISED if rng.random() < ADVERTISED_SHARE else others
        path = paths[int(rng.integers(len(paths)))]
        words = terms[path]["zh" if rng.random() < 0.5 else "en"]
        out.append((float(ts), f"v{int(v):05d}", words[int(rng.integers(len(words)))]))
    return out


def simulate(
    name: str,
    config: AdsConfig,
    products: list[Product],
    engine: SearchEngine,
    campaigns: list[CampaignIn],
    traffic: list[tuple[float, str, str]],
    seed: int,
    paced: bool = True,
) -> tuple[Run, list[Campaign]]:
    """One day through a fresh store and book; returns the run and the stored campaigns."""
    rng = np.random.default_rng(seed)
    run = Run(name)
    with tempfile.TemporaryDirectory(prefix="bench-ads-") as tmp:
        store = SQLiteStore(Path(tmp) / "shopmind.db", synchronous="normal")
        book = CampaignBook(Path(tmp) / "ads.sqlite")
        store.upsert_products(products)
        stored = [book.add_campaign(c, now=DAY - timedelta(days=1)) for c in campaigns]
        server = AdServer(book, store, config, EngineQuality(lambda: engine, store))
        if not paced:
            server.pacer = Unpaced()
        organic: dict[str, list[str]] = {}
        pending: list[tuple[float, str, int]] = []  # (click time, token, campaign)
        run.spend_by_hour = {c.id: np.zeros(24) for c in stored}

        def charge_until(ts: float) -> None:
            while pending and pending[0][0] <= ts:
                at, token, campaign = heapq.heappop(pending)
                started = time.perf_counter()
                paid = server.click(token, at)
                run.click_seconds += time.perf_counter() - started
                run.clicks += 1
                run.clicks_by[campaign] = run.clicks_by.get(campaign, 0) + 1
                hour = min(23, int((at - DAY.timestamp()) // 3600))
                run.spend_by_hour[campaign][hour] += paid

        for ts, visitor, query in traffic:
            charge_until(ts)
            if query not in organic:
                organic[query] = [h.product.id for h in engine.search(query, k=10).hits]
            now = datetime.fromtimestamp(ts, UTC)
            started = time.perf_counter()
            hits = server.place(
                placement="search",
                visitor=visitor,
                query=query,
                organic=organic[query],
                slots=config.search_slots,
                now=now,
            )
            run.place_seconds += time.perf_counter() - started
            run.auctions += 1
            run.shown += len(hits)
            for hit in hits:
                quality = hit.reasons.find("quality")
                relevance = quality.value if quality is not None and quality.value else 0.0
                if rng.random() < 0.02 + 0.08 * relevance:  # the true click rate
                    heapq.heappush(
                        pending, (ts + float(rng.uniform(5, 60)), hit.token, hit.campaign)
                    )
        charge_until(float("inf"))
        run.spend = {c.id: book.totals(c.id)[2] for c in stored}
        first = utc_day(DAY.timestamp())
        days = [book.spend_on_day(first), book.spend_on_day(first + 1)]
        run.day_spend = {c.id: [d.get(c.id, 0.0) for d in days] for c in stored}
        book.close()
        store.close()
    return run, stored


def _hour(curve: np.ndarray, share: float) -> str:
    """The hour by the end of which ``share`` of the curve's sum was spent."""
    total = curve.sum()
    if total <= 0:
        return "-"
    cumulative = np.cumsum(curve) / total
    h = int(np.searchsorted(cumulative, share - 1e-9))
    return f"{h + 1:02d}h"


def _out_hour(curve: np.ndarray, budget: float, bid: float) -> int | None:
    """The hour (1-24) by the end of which less than one click was left, or None."""
    hit = np.flatnonzero(budget - np.cumsum(curve) < bid)
    return int(hit[0]) + 1 if hit.size else None


def report(paced: Run, flat: Run, stored: list[Campaign], traffic_hours: np.ndarray) -> None:
    runs = (paced, flat)
    print(f"\n{'':<49}| {'paced (slack 0.1)':<31}| baseline (no pacing)")
    cells = f"{'spend':>8} {'clicks':>6} {'over':>6} {'50% at':>6} {'out':>4}"
    print(f"{'campaign':<32} {'bid':>5} {'budget':>8}  | {cells} | {cells}")
    worst = -math.inf  # the largest (day's spend - budget)
    ok = True
    limited: list[Campaign] = []
    for c in stored:
        row = f"{c.name[:32]:<32} {c.bid:>5.2f} {c.daily_budget:>8.2f}  "
        for run in runs:
            curve = run.spend_by_hour[c.id]
            over = max(run.day_spend[c.id]) - c.daily_budget  # the largest day's overspend
            worst = max(worst, over)
            ok = ok and over <= c.bid + 1e-9
            out = _out_hour(curve, c.daily_budget, c.bid)
            row += (
                f"| {run.spend[c.id]:>8.2f} {run.clicks_by.get(c.id, 0):>6} {over:>6.2f} "
                f"{_hour(curve, 0.5):>6} {'-' if out is None else f'{out:02d}h':>4} "
            )
        print(row)
        if _out_hour(flat.spend_by_hour[c.id], c.daily_budget, c.bid) is not None:
            limited.append(c)
    print(
        f"\ncheck, both runs: a day's spend - budget <= one click's price (the bid): "
        f"{'✔' if ok else '✘'} (largest overspend of any campaign and day: {worst + 0.0:.2f})"
    )
    print(
        f"\nthe {len(limited)} campaigns whose budget ran out without pacing: spend by hour "
        "(% of their day's spend; cumulative)"
    )
    print(f"{'hour':>4} {'traffic':>8} {'paced':>7} {'cum':>5} {'baseline':>9} {'cum':>5}")
    shares = []
    for run in runs:
        total = sum((run.spend_by_hour[c.id] for c in limited), np.zeros(24))
        shares.append(100 * total / max(total.sum(), 1e-9))
    traffic = 100 * traffic_hours / max(traffic_hours.sum(), 1)
    for h in range(24):
        p_cum, b_cum = shares[0][: h + 1].sum(), shares[1][: h + 1].sum()
        print(
            f"{h:>4} {traffic[h]:>8.1f} {shares[0][h]:>7.1f} {p_cum:>5.0f} "
            f"{shares[1][h]:>9.1f} {b_cum:>5.0f}"
        )
    for run in runs:
        outs = [_out_hour(run.spend_by_hour[c.id], c.daily_budget, c.bid) for c in limited]
        hours = sorted(24.5 if o is None else float(o) for o in outs)
        median = f"{float(np.median(hours)):.0f}" if hours else "-"
        rate = run.auctions / run.place_seconds if run.place_seconds else 0.0
        print(
            f"\n{run.name}: those campaigns ran out at a median hour of {median} "
            f"({sum(o is None for o in outs)} never). {run.auctions:,} auctions in "
            f"{run.place_seconds:.1f} s = {rate:,.0f} auctions/s "
            f"({1000 * run.place_seconds / run.auctions:.2f} ms each, one thread); "
            f"{run.shown:,} ads shown, {run.clicks:,} clicks charged in {run.click_seconds:.2f} s; "
            f"spend {sum(run.spend.values()):,.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=50_000)
    parser.add_argument("--visitors", type=int, default=5_000)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--encoder", default="use", help="use, minilm, hashing or none")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rng = np.random.default_rng(args.seed)
    products = _catalog(42)
    encoder = None
    if args.encoder == "hashing":
        encoder = HashingEncoder()
    elif args.encoder != "none":
        encoder = make_encoder(args.encoder)
    engine = SearchEngine.from_products(products, encoder=encoder)
    campaigns = _campaigns(products, args.campaigns, rng)
    traffic = _traffic(args.searches, args.visitors, rng)
    hours = np.bincount([int((ts - DAY.timestamp()) // 3600) for ts, _, _ in traffic], minlength=24)
    print(
        f"{len(products)} products, {len(campaigns)} campaigns, {len(traffic):,} searches by "
        f"{args.visitors:,} visitors over {DAY.date()} (UTC), encoder {args.encoder}"
    )
    paced, stored = simulate(
        "paced (slack 0.1)", AdsConfig(), products, engine, campaigns, traffic, args.seed
    )
    flat, _ = simulate(
        "baseline (no pacing)", AdsConfig(), products, engine, campaigns, traffic, args.seed, False
    )
    report(paced, flat, stored, hours)


if __name__ == "__main__":
    main()
