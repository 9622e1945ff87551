"""Seeded visitor simulation that produces behaviour events for the demo shop.

Every visitor has a stable taste (1-2 favourite leaf categories, a price band relative to each
category's prices, a preferred language and sometimes a favourite brand) and a handful of sessions
spread over the simulated period. A session is a funnel: an optional search with its result
impressions, clicks, product views, add-to-carts, purchases (only after a cart of the same item,
often together with a complementary product) and occasional ratings. The output depends only on
the products and the arguments.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

from shopmind.demo.catalog import search_terms

__all__ = ["simulate_events", "visitor_tastes"]

_DAY = 86_400
_BANDS = ("cheap", "mid", "premium")
_SESSION_WEIGHTS = (28, 22, 16, 11, 9, 6, 4, 4)  # 1..8 sessions per visitor
_HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 4, 3, 3, 3, 3, 3, 4, 5, 6, 6, 5, 0)
_COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "Electronics > Phones > Smartphones": ("Electronics > Phones > Accessories",),
    "Electronics > Audio > Headphones": ("Electronics > Phones > Accessories",),
    "Electronics > Phones > Accessories": ("Electronics > Phones > Accessories",),
    "Sports & Outdoors > Fitness": ("Sports & Outdoors > Fitness",),
    "Sports & Outdoors > Running": ("Sports & Outdoors > Running", "Sports & Outdoors > Fitness"),
    "Home & Kitchen > Furniture": ("Home & Kitchen > Lighting",),
    "Home & Kitchen > Small Appliances": ("Home & Kitchen > Cookware",),
    "Home & Kitchen > Cookware": ("Home & Kitchen > Cookware",),
    "Beauty > Skincare": ("Beauty > Skincare",),
    "Books > Technology": ("Books > Technology",),
}

Product = dict[str, object]
Event = dict[str, object]


def _text(product: Product, key: str) -> str:
    value = product.get(key)
    return value if isinstance(value, str) else ""


def _number(product: Product, key: str) -> float:
    value = product.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


class _Shop:
    """Indexes over the catalogue shared by every visitor of one simulation."""

    def __init__(self, products: list[Product], seed: int) -> None:
        self.products = {_text(p, "id"): p for p in products if _text(p, "id")}
        self.ids = sorted(self.products)
        self.by_category: dict[str, list[str]] = defaultdict(list)
        groups: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
        for pid in self.ids:
            product = self.products[pid]
            self.by_category[_text(product, "category")].append(pid)
            key = (_text(product, "category"), _text(product, "currency"))
            groups[key].append((_number(product, "price"), pid))
        self.categories = sorted(self.by_category)
        self.band: dict[str, str] = {}
        for members in groups.values():
            members.sort()
            for rank, (_, pid) in enumerate(members):
                self.band[pid] = _BANDS[min(2, rank * 3 // len(members))]
        self.terms = search_terms()
        self.complements = self._complements(random.Random(f"shopmind-demo-complements-{seed}"))

    def _complements(self, rng: random.Random) -> dict[str, list[str]]:
        """Fixed complementary items per product, so co-purchases repeat across buyers."""
        out: dict[str, list[str]] = {}
        for pid in self.ids:
            product = self.products[pid]
            targets = [
                other
                for category in _COMPLEMENTS.get(_text(product, "category"), ())
                for other in self.by_category.get(category, [])
                if other != pid
            ]
            lang = _text(product, "language")
            same_lang = [o for o in targets if _text(self.products[o], "language") == lang]
            pool = same_lang or targets
            brand = _text(product, "brand")
            first = [o for o in pool if _text(self.products[o], "brand") == brand][:1]
            rest = [o for o in pool if o not in first]
            out[pid] = first + rng.sample(rest, min(3 - len(first), len(rest)))
        return out

    def on_taste(self, pid: str, taste: dict[str, object]) -> bool:
        categories = taste["categories"]
        in_category = isinstance(categories, list) and self.category(pid) in categories
        return in_category and self.band.get(pid) == taste["price_band"]

    def category(self, pid: str) -> str:
        return _text(self.products[pid], "category")

    def in_stock(self, pid: str) -> bool:
        stock = self.products[pid].get("stock")
        return not isinstance(stock, int | float) or stock > 0

    def language_ok(self, pid: str, language: object) -> bool:
        return language == "both" or _text(self.products[pid], "language") == language

    def pick(self, rng: random.Random, taste: dict[str, object]) -> str:
        """A product to look at: mostly (about 80%) from the favourite categories and band."""
        categories = taste["categories"]
        if isinstance(categories, list) and categories and rng.random() < 0.85:
            category = str(rng.choice(categories))
            pool = [p for p in self.by_category.get(category, []) if self.on_taste(p, taste)]
            if rng.random() < 0.9:
                pool = [p for p in pool if self.language_ok(p, taste["language"])] or pool
            brand = taste["brand"]
            if brand and rng.random() < 0.5:
                pool = [p for p in pool if _text(self.products[p], "brand") == brand] or pool
            if pool:
                return rng.choice(pool)
        return rng.choice(self.ids)

    def query(self, rng: random.Random, category: str, language: str, brand: object) -> str:
        leaf = category.rsplit(" > ", 1)[-1].lower()
        terms = self.terms.get(category, {}).get(language) or [leaf]
        term = rng.choice(terms)
        if isinstance(brand, str) and brand and rng.random() < 0.25:
            brand_is_zh = any("\u4e00" <= ch <= "\u9fff" for ch in brand)
            if brand_is_zh == (language == "zh"):
                return f"{brand} {term}"
        return term

    def results(self, rng: random.Random, category: str, query: str, language: str) -> list[str]:
        """A plausible result page: title matches first, then same-language items."""
        words = query.casefold().split()
        pool = self.by_category.get(category) or self.ids

        def score(pid: str) -> float:
            title = _text(self.products[pid], "title").casefold()
            hits = sum(word in title for word in words)
            same = _text(self.products[pid], "language") == language
            return 2.0 * hits + (1.0 if same else 0.0) + rng.random() * 1.5

        ranked = sorted(pool, key=score, reverse=True)
        n = rng.randint(5, 10)
        if len(ranked) < n:
            extra = rng.sample(self.ids, min(len(self.ids), 3 * n))
            ranked += [p for p in extra if p not in ranked]
        return ranked[:n]


def visitor_tastes(
    products: list[dict[str, object]], n_visitors: int = 300, seed: int = 42
) -> dict[str, dict[str, object]]:
    """Stable tastes of the simulated visitors, keyed "v001", "v002", ...

    Each value holds ``user_id`` ("u001", or None for anonymous visitors), ``session_prefix``
    (the visitor's session ids are ``f"{session_prefix}-{k:02d}"``), ``categories`` (1-2 leaf
    category paths), ``price_band`` ("cheap" / "mid" / "premium" within each category and
    currency), ``language`` ("zh" / "en" / "both"), ``brand`` (str or None) and ``device``.
    """
    rng = random.Random(f"shopmind-demo-tastes-{seed}")
    shop = _Shop(products, seed)
    categories = shop.categories
    weights = [len(shop.by_category[c]) for c in categories]
    width = max(3, len(str(n_visitors)))
    anonymous = set(rng.sample(range(1, n_visitors + 1), round(n_visitors * 0.2)))
    tastes: dict[str, dict[str, object]] = {}
    for i in range(1, n_visitors + 1):
        favourites = [rng.choices(categories, weights)[0]] if categories else []
        if favourites and len(categories) > 1 and rng.random() < 0.5:
            related = [c for c in _COMPLEMENTS.get(favourites[0], ()) if c in categories]
            others = [c for c in related if c not in favourites] if rng.random() < 0.5 else []
            others = others or [c for c in categories if c not in favourites]
            favourites.append(rng.choice(others))
        language = rng.choices(("zh", "en", "both"), (40, 35, 25))[0]
        band = rng.choices(_BANDS, (40, 40, 20))[0]
        brand: str | None = None
        if favourites and rng.random() < 0.4:
            brands = sorted(
                {
                    _text(shop.products[p], "brand")
                    for p in shop.by_category[favourites[0]]
                    if shop.language_ok(p, language)
                }
                - {""}
            )
            brand = rng.choice(brands) if brands else None
        tastes[f"v{i:0{width}d}"] = {
            "user_id": None if i in anonymous else f"u{i:0{width}d}",
            "session_prefix": f"s{i:0{max(4, width)}d}",
            "categories": favourites,
            "price_band": band,
            "language": language,
            "brand": brand,
            "device": rng.choices(("mobile", "desktop"), (60, 40))[0],
        }
    return tastes


class _Session:
    """Collects the events of one session with increasing timestamps (whole seconds)."""

    def __init__(self, rng: random.Random, t0: int, base: dict[str, object], device: str) -> None:
        self.rng, self.t, self.base, self.device = rng, t0, base, device
        self.events: list[Event] = []
        self.times: list[int] = []

    def finish(self, latest: int) -> list[tuple[int, Event]]:
        """Timestamped events, moved earlier as a block if the session would end after latest."""
        shift = max(0, self.t - latest)
        for t, event in zip(self.times, self.events, strict=True):
            event["timestamp"] = float(t - shift)
        return [(t - shift, event) for t, event in zip(self.times, self.events, strict=True)]

    def add(
        self,
        kind: str,
        item_id: str | None = None,
        *,
        value: float | None = None,
        query: str | None = None,
        position: int | None = None,
        gap: tuple[int, int] = (5, 120),
    ) -> None:
        if self.events:
            self.t += self.rng.randint(*gap)
        self.times.append(self.t)
        self.events.append(
            {
                **self.base,
                "item_id": item_id,
                "type": kind,
                "value": value,
                "query": query,
                "position": position,
                "page": 1 if position is not None else None,
                "timestamp": 0.0,
                "context": {"device": self.device},
            }
        )


def _run_session(rng: random.Random, shop: _Shop, taste: dict[str, object], s: _Session) -> None:
    favourites = taste["categories"]
    if not isinstance(favourites, list) or not shop.ids:
        return
    clicked: list[str] = []
    if rng.random() < 0.45:
        explore = not favourites or rng.random() < 0.15
        category = str(rng.choice(shop.categories if explore else favourites))
        preferred = taste["language"]
        if preferred == "both":
            language = rng.choice(("zh", "en"))
        else:
            other = "en" if preferred == "zh" else "zh"
            language = str(preferred) if rng.random() < 0.85 else other
        query = shop.query(rng, category, language, taste["brand"])
        s.add("search", query=query)
        results = shop.results(rng, category, query, language)
        for position, pid in enumerate(results, start=1):
            s.add("impression", pid, position=position, gap=(5, 8))
        for position, pid in enumerate(results, start=1):
            liking = 1.0 if shop.on_taste(pid, taste) else 0.2
            if shop.language_ok(pid, taste["language"]):
                liking *= 1.5
            if rng.random() < 0.6 * liking / position**0.6:
                clicked.append(pid)
        clicked = clicked[:3]
    seen: list[str] = []
    for pid in clicked:
        s.add("click", pid, gap=(5, 40))
        s.add("view", pid, gap=(5, 15))
        seen.append(pid)
    for _ in range(rng.randint(0, 2) if clicked else rng.randint(1, 4)):
        pid = shop.pick(rng, taste)
        if rng.random() < 0.3:
            s.add("click", pid, gap=(10, 120))
            s.add("view", pid, gap=(5, 15))
        else:
            s.add("view", pid, gap=(10, 120))
        seen.append(pid)
    to_buy: list[str] = []
    carted: set[str] = set()
    for pid in dict.fromkeys(seen):
        liked = shop.on_taste(pid, taste)
        if pid in carted or not shop.in_stock(pid) or rng.random() >= (0.25 if liked else 0.07):
            continue
        s.add("cart", pid, gap=(10, 90))
        carted.add(pid)
        if rng.random() < 0.55:
            to_buy.append(pid)
            extras = [
                c for c in shop.complements.get(pid, []) if c not in carted and shop.in_stock(c)
            ]
            if extras and rng.random() < 0.6:
                extra = extras[0] if rng.random() < 0.6 else rng.choice(extras)
                s.add("view", extra, gap=(10, 120))
                s.add("cart", extra, gap=(10, 90))
                carted.add(extra)
                if rng.random() < 0.85:
                    to_buy.append(extra)
    for pid in to_buy:
        quantity = rng.choices((1.0, 2.0, 3.0), (90, 8, 2))[0]
        s.add("purchase", pid, value=quantity, gap=(20, 120))
    for pid in to_buy:
        liked = shop.on_taste(pid, taste)
        if rng.random() < (0.35 if liked else 0.2):
            scores = (1, 3, 10, 40, 46) if liked else (12, 18, 30, 25, 15)
            rating = rng.choices((1.0, 2.0, 3.0, 4.0, 5.0), scores)[0]
            s.add("rating", pid, value=rating, gap=(30, 120))


def simulate_events(
    products: list[dict[str, object]],
    n_visitors: int = 300,
    seed: int = 42,
    start: float = 1_761_955_200.0,
    days: int = 28,
) -> list[dict[str, object]]:
    """Simulate visitor behaviour and return events sorted by timestamp.

    Visitors follow :func:`visitor_tastes` for the same products, ``n_visitors`` and ``seed``.
    Timestamps lie in ``[start, start + days * 86400)``; the same arguments give the same events.
    """
    tastes = visitor_tastes(products, n_visitors, seed)
    shop = _Shop(products, seed)
    n_days = max(1, days)
    first = math.ceil(start)
    latest = math.ceil(start + n_days * _DAY) - 1  # last whole second inside the window
    timed: list[tuple[int, Event]] = []
    for key, taste in tastes.items():
        rng = random.Random(f"shopmind-demo-visitor-{seed}-{key}")
        n_sessions = rng.choices(range(1, 9), _SESSION_WEIGHTS)[0]
        if n_sessions <= n_days:
            session_days = sorted(rng.sample(range(n_days), n_sessions))
        else:
            session_days = sorted(rng.choices(range(n_days), k=n_sessions))
        main_device = str(taste["device"])
        for k, day in enumerate(session_days, start=1):
            hour = rng.choices(range(24), _HOUR_WEIGHTS)[0]
            t0 = first + day * _DAY + hour * 3600 + rng.randrange(3600)
            other_device = "desktop" if main_device == "mobile" else "mobile"
            device = main_device if rng.random() < 0.85 else other_device
            base: dict[str, object] = {
                "user_id": taste["user_id"],
                "session_id": f"{taste['session_prefix']}-{k:02d}",
            }
            session = _Session(rng, t0, base, device)
            _run_session(rng, shop, taste, session)
            timed.extend(session.finish(latest))
    timed.sort(key=lambda item: item[0])  # stable: ties keep visitor / session order
    events: list[Event] = []
    for n, (_, event) in enumerate(timed, start=1):
        events.append({"event_id": f"demo-{n:06d}", **event})
    return events
