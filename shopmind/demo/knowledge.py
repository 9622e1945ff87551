"""The demo shop's past customer questions and answers, for the customer-service assistant.

:func:`demo_qa` gives a few hundred past customer questions about the demo catalogue's products
(:func:`shopmind.demo.catalog.demo_products`) with the answers the shop gave: Chinese products
are asked in Chinese, English ones in English, and an answer states only what the product's
attributes, title or description say (a water rating, battery hours, a size) or what the
pages say. The output depends only on the products and the seed. This module plans which
product is asked what; the questions themselves are in the ``qa_*`` modules. The shop's
policy pages, :func:`demo_documents`, live in :mod:`shopmind.demo.pages` and are re-exported
here.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from shopmind.demo.pages import demo_documents
from shopmind.demo.qa_accessories import (
    acc_bank,
    acc_compat,
    acc_length,
    acc_material,
    acc_power,
    acc_protector,
)
from shopmind.demo.qa_base import (
    Item,
    Topic,
    casual,
    colour,
    delivery,
    returns,
    warranty,
    water_rating,
)
from shopmind.demo.qa_electronics import (
    hp_anc,
    hp_battery,
    hp_box,
    hp_connect,
    hp_fit,
    hp_latency,
    hp_swim,
    hp_water,
    ph_5g,
    ph_battery,
    ph_box,
    ph_elder,
    ph_screen,
    ph_storage,
    ph_water,
)
from shopmind.demo.qa_home import (
    fu_assembly,
    fu_material,
    fu_motor,
    fu_size,
    li_bright,
    li_ct,
    li_dim,
    li_install,
    li_kids,
)
from shopmind.demo.qa_kitchen import (
    ck_clean,
    ck_dishwasher,
    ck_induction,
    ck_material,
    ck_size,
    sa_boil,
    sa_capacity,
    sa_noise,
    sa_power,
    sa_voltage,
)
from shopmind.demo.qa_leisure import (
    bk_copy,
    bk_edition,
    bk_genre,
    bk_level,
    bk_pages,
    sk_amount,
    sk_scent,
    sk_sensitive,
    sk_shelf,
    sk_spf,
    sk_type,
    to_age,
    to_build,
    to_compat,
    to_material,
    to_missing,
)
from shopmind.demo.qa_sport import (
    fi_band,
    fi_clean,
    fi_mat,
    fi_smell,
    fi_water,
    fi_weight,
    ru_fit_kind,
    ru_size,
    ru_wash,
    ru_water,
    ru_width,
)

__all__ = ["demo_documents", "demo_qa"]

_Q_START = datetime(2026, 1, 1, tzinfo=UTC)
_Q_END = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
_WATER_TOPICS = frozenset({"water", "swim"})
_COUNT_WEIGHTS = (34, 40, 16, 6, 3, 1)  # questions per product: 0..5
_WATER_QUOTA = 28  # at least this many 'is it waterproof' questions per language
_WEIGHTS = {"battery": 8, "size": 6, "age": 6, "type": 5, "ct": 5}  # else 3, common topics 1
_TOTAL = (330, 390)
_MIN_PER_SHELF = 5  # rows per (category, language) at least


_COMMON: tuple[tuple[str, Topic], ...] = (
    ("delivery", delivery), ("returns", returns), ("warranty", warranty), ("colour", colour),
)  # fmt: skip
_TOPICS: dict[str, tuple[tuple[str, Topic], ...]] = {
    "Headphones": (
        ("water", hp_water), ("swim", hp_swim), ("battery", hp_battery),
        ("connect", hp_connect), ("anc", hp_anc), ("fit", hp_fit), ("box", hp_box),
        ("latency", hp_latency),
    ),
    "Smartphones": (
        ("battery", ph_battery), ("screen", ph_screen), ("5g", ph_5g),
        ("storage", ph_storage), ("water", ph_water), ("box", ph_box), ("elder", ph_elder),
    ),
    "Accessories": (
        ("compat", acc_compat), ("material", acc_material), ("power", acc_power),
        ("bank", acc_bank), ("length", acc_length), ("protector", acc_protector),
    ),
    "Cookware": (
        ("dishwasher", ck_dishwasher), ("material", ck_material),
        ("induction", ck_induction), ("size", ck_size), ("clean", ck_clean),
    ),
    "Small Appliances": (
        ("power", sa_power), ("boil", sa_boil), ("capacity", sa_capacity),
        ("noise", sa_noise), ("voltage", sa_voltage),
    ),
    "Furniture": (
        ("assembly", fu_assembly), ("material", fu_material), ("size", fu_size),
        ("motor", fu_motor),
    ),
    "Lighting": (
        ("ct", li_ct), ("bright", li_bright), ("dim", li_dim), ("kids", li_kids),
        ("install", li_install),
    ),
    "Fitness": (
        ("mat", fi_mat), ("smell", fi_smell), ("weight", fi_weight), ("water", fi_water),
        ("clean", fi_clean), ("band", fi_band),
    ),
    "Running": (
        ("size", ru_size), ("width", ru_width), ("water", ru_water), ("wash", ru_wash),
        ("kind", ru_fit_kind),
    ),
    "Fiction": (("pages", bk_pages), ("edition", bk_edition), ("genre", bk_genre),
                ("copy", bk_copy)),
    "Technology": (("pages", bk_pages), ("edition", bk_edition), ("level", bk_level),
                   ("copy", bk_copy)),
    "Skincare": (
        ("type", sk_type), ("scent", sk_scent), ("spf", sk_spf), ("amount", sk_amount),
        ("sensitive", sk_sensitive), ("shelf", sk_shelf),
    ),
    "Building": (
        ("age", to_age), ("material", to_material), ("compat", to_compat),
        ("build", to_build), ("missing", to_missing),
    ),
}  # fmt: skip


def _options(it: Item) -> dict[str, Topic]:
    """The topics this product's facts support (a scratch generator decides nothing)."""
    topics = (*_TOPICS.get(it.leaf, ()), *_COMMON)
    return {name: fn for name, fn in topics if fn(it, random.Random(0)) is not None}


def _plan(items: list[Item], rng: random.Random) -> dict[str, list[str]]:
    """Which topics each product is asked about: ``_WATER_QUOTA`` "is it waterproof"
    questions per language first (products with a water rating before the others), then a
    skewed number per product (many none or one, a few up to five), at least
    ``_MIN_PER_SHELF`` per category and language, and ``_TOTAL`` rows in all."""
    options = {it.pid: _options(it) for it in items}
    plan: dict[str, list[str]] = {it.pid: [] for it in items}

    def free(it: Item) -> list[str]:
        return [name for name in options[it.pid] if name not in plan[it.pid]]

    for zh in (True, False):
        pool = [it for it in items if it.zh == zh and "water" in options[it.pid]]
        rated = [it for it in pool if water_rating(it)]
        rest = [it for it in pool if not water_rating(it)]
        rng.shuffle(rated)
        rng.shuffle(rest)
        count = 0
        for it in rated + rest:
            if count >= _WATER_QUOTA:
                break
            if "water" in free(it) and len(plan[it.pid]) < 5:
                plan[it.pid].append("water")
                count += 1
    for it in items:
        want = rng.choices(range(len(_COUNT_WEIGHTS)), weights=_COUNT_WEIGHTS)[0]
        while len(plan[it.pid]) < want and free(it):
            names = free(it)
            weights = [_WEIGHTS.get(name, 1 if name in dict(_COMMON) else 3) for name in names]
            plan[it.pid].append(rng.choices(names, weights=weights)[0])

    def add_one(candidates: list[Item]) -> bool:
        open_ = [it for it in candidates if free(it) and len(plan[it.pid]) < 5]
        if not open_:
            return False
        it = rng.choice(open_)
        plan[it.pid].append(rng.choice(free(it)))
        return True

    shelves: dict[tuple[str, bool], list[Item]] = defaultdict(list)
    for it in items:
        shelves[(it.leaf, it.zh)].append(it)
    for shelf in shelves.values():
        while sum(len(plan[it.pid]) for it in shelf) < _MIN_PER_SHELF and add_one(shelf):
            pass
    while sum(map(len, plan.values())) < _TOTAL[0] and add_one(items):
        pass
    while sum(map(len, plan.values())) > _TOTAL[1]:
        trimmable = [
            it for it in items if len(plan[it.pid]) > 1 and not _WATER_TOPICS & set(plan[it.pid])
        ]
        if not trimmable:
            break
        plan[rng.choice(trimmable).pid].pop()
    return plan


def _asked_at(it: Item, rng: random.Random) -> str:
    start = max(_Q_START, it.created + timedelta(days=1))
    start = min(start, _Q_END - timedelta(days=1))
    seconds = rng.randrange(int((_Q_END - start).total_seconds()))
    return (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def demo_qa(products: list[dict[str, Any]], seed: int = 42) -> list[dict[str, Any]]:
    """About 350 past customer questions with the shop's answers, for ``products``.

    Chinese products (``language == "zh"``) are asked in Chinese, the others in English.
    Answers state only what the product's attributes, title or description say, plus the
    shop's own policies (:func:`demo_documents`). Rows are ordered by time and numbered
    ``qa0001``...; the same products and seed give the same rows.

    Raises:
        ValueError: a product lacks ``id``, ``title`` or ``category``.
    """
    rng = random.Random(seed)
    items = [Item.of(p) for p in products]
    plan = _plan(items, rng)
    rows: list[dict[str, Any]] = []
    for it in items:
        topics = {**_options(it)}
        for name in plan[it.pid]:
            qa = topics[name](it, rng)
            if qa is None:  # pragma: no cover - _options kept only topics that answer
                continue
            question, answer = qa
            rows.append(
                {
                    "question": casual(question, it.zh, rng),
                    "answer": answer,
                    "product_id": it.pid,
                    "time": _asked_at(it, rng),
                }
            )
    rows.sort(key=lambda row: (row["time"], row["product_id"], row["question"]))
    return [{"id": f"qa{n:04d}", **row} for n, row in enumerate(rows, start=1)]
