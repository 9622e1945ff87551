"""What every demo question template shares, and the questions any product gets.

The product as the templates see it (:class:`Item`), the question/answer pair (:data:`QA`),
the helpers that pick a wording, and the topics common to all products: delivery, returns,
warranty and colour.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "QA",
    "Item",
    "Topic",
    "both",
    "casual",
    "colour",
    "delivery",
    "one",
    "returns",
    "run_kind",
    "title_tokens",
    "warranty",
    "water_rating",
]

QA = tuple[str, str]
_ZH_KEYS = {
    "color": "颜色", "battery_hours": "续航小时", "connectivity": "连接方式",
    "waterproof": "防水等级", "screen_inches": "屏幕尺寸", "battery_mah": "电池容量",
    "network": "网络", "compatibility": "适配机型", "material": "材质",
    "dishwasher_safe": "可洗碗机", "power_watts": "功率", "warranty": "保修", "assembly": "安装",
    "wattage": "功率", "color_temperature": "色温", "weight": "重量", "size": "尺码",
    "width": "鞋宽", "pages": "页数", "edition": "版本", "skin_type": "肤质", "fragrance": "香味",
    "age": "适用年龄",
}  # fmt: skip


@dataclass(frozen=True)
class Item:
    """One product as the question templates see it."""

    pid: str
    title: str
    description: str
    leaf: str
    zh: bool
    attrs: dict[str, str]
    created: datetime

    @classmethod
    def of(cls, product: dict[str, Any]) -> Item:
        for key in ("id", "title", "category"):
            if not product.get(key):
                raise ValueError(f"product {product!r} has no {key!r}; give demo_products() rows")
        created = str(product.get("created_at") or "2025-01-01T00:00:00Z")
        attrs = product.get("attributes") or {}
        return cls(
            pid=str(product["id"]),
            title=str(product["title"]),
            description=str(product.get("description") or ""),
            leaf=str(product["category"]).split(" > ")[-1],
            zh=product.get("language") == "zh",
            attrs={str(k): str(v) for k, v in attrs.items()},
            created=datetime.fromisoformat(created.replace("Z", "+00:00")),
        )

    def get(self, key: str) -> str | None:
        """An attribute by its English key (the Chinese key for Chinese products)."""
        return self.attrs.get(_ZH_KEYS.get(key, key) if self.zh else key)

    def has(self, *words: str) -> bool:
        """Whether the title or description mentions any of ``words`` (any case)."""
        text = f"{self.title} {self.description}".lower()
        return any(word.lower() in text for word in words)

    def number(self, pattern: str) -> str | None:
        """The first group of ``pattern`` in the title."""
        found = re.search(pattern, self.title)
        return found.group(1) if found else None


Topic = Callable[[Item, random.Random], QA | None]


def one(r: random.Random, options: Sequence[str]) -> str:
    return r.choice(options)


def both(it: Item, r: random.Random, zh: QA, en: QA) -> QA:
    """A question picked from '|'-separated templates and its answer, in the item's language."""
    questions, answer = zh if it.zh else en
    return one(r, questions.split("|")), answer


def water_rating(it: Item) -> str | None:
    value = it.get("waterproof")
    if value:
        return value.strip().upper()
    found = re.search(r"\bIPX\d\b", it.description)
    return found.group(0) if found else None


def run_kind(it: Item) -> str:
    if it.has("袜", "socks"):
        return "socks"
    if it.has("腰包", "belt"):
        return "belt"
    return "shoes"


def casual(question: str, zh: bool, r: random.Random) -> str:
    """Shoppers type loosely: drop a question mark, skip a capital, add a greeting."""
    roll = r.random()
    if zh:
        if roll < 0.15:
            return question.rstrip("？?")
        if roll < 0.25 and not question.startswith(("请问", "亲")):
            return "请问" + question
        if roll < 0.32:
            return "亲，" + question
        if roll < 0.38:
            return question.replace("？", "?")
        return question
    if roll < 0.15:
        return question[:1].lower() + question[1:].rstrip("?")
    if roll < 0.22:
        return "Hi, " + question[:1].lower() + question[1:]
    return question


# -- every product ------------------------------------------------------------------------------


def title_tokens(title: str) -> set[str]:
    return {t for t in re.split(r"[\s,]+", title) if t}


def delivery(it: Item, r: random.Random) -> QA | None:
    if it.leaf == "Furniture":
        zh_a = (
            "家具走物流专线，免运费，发货后5–10个工作日送达，送货前司机会电话预约；"
            "送到楼下，不含上楼和安装。"
        )
        en_a = (
            "Furniture ships free by freight carrier and arrives 5-10 business days after it "
            "ships. The carrier calls to book a window; delivery is curbside."
        )
    else:
        free = "这款商品页标了全国包邮，不限金额免运费" if it.has("全国包邮") else "满199元免运费"
        zh_a = (
            "工作日16点前付款当天发货，其他时间24小时内发出。默认中通或韵达，发货后3–5个工作日送达"
            f"（{free}）；急用可以选顺丰加急，加25元，1–2个工作日到。"
        )
        en_a = (
            "Orders paid by 4 pm ET on a business day ship the same day, others within 24 hours. "
            "Standard delivery (UPS or USPS) takes 3-5 business days and is free over $49; "
            "Express (FedEx) takes 1-2 business days for $14.99."
        )
    return both(
        it,
        r,
        ("今天下单什么时候能到？|多久发货|下单后几天能到 急用|能发顺丰吗？|发什么快递", zh_a),
        (
            "When will it arrive if I order today?|how long does shipping take"
            "|Do you have express shipping?|when will my order ship|how fast is delivery",
            en_a,
        ),
    )


def returns(it: Item, r: random.Random) -> QA | None:
    if it.leaf == "Skincare":
        zh_a = (
            "未拆封的护肤品签收后30天内可以退；拆封后出于卫生原因不能无理由退货，"
            "但如果用了过敏不适，30天内拍照联系客服，可以退款一次。"
        )
        en_a = (
            "Unopened skincare can be returned within 30 days of delivery. Opened products "
            "can't be returned for hygiene reasons, but if one irritates your skin, send us a "
            "photo within 30 days and we'll refund it once."
        )
    elif it.leaf == "Furniture":
        zh_a = (
            "签收后30天内可以退，保持原状就行，我们安排上门取件；"
            "非质量问题退货收取199元取件费，质量问题免费。"
        )
        en_a = (
            "Yes, within 30 days of delivery in its original condition; we book a pickup. "
            "A $49 pickup fee applies unless the item is defective."
        )
    elif it.leaf == "Running" and run_kind(it) == "shoes":
        zh_a = "没穿出门、鞋底干净的话，签收后30天内可以退，也可以免费换一次尺码。"
        en_a = (
            "If they haven't been worn outside and the soles are clean, you can return them "
            "within 30 days, or exchange the size once for free."
        )
    elif it.leaf == "Running" and run_kind(it) == "socks":
        zh_a = "没穿过、没洗过、包装完好的话，签收后30天内可以退，也可以免费换一次尺码。"
        en_a = (
            "Unworn and unwashed in the original pack, you can return them within 30 days, "
            "or exchange the size once for free."
        )
    elif it.leaf in ("Fiction", "Technology"):
        zh_a = "签收后30天内可以退，书需无笔记、无折页；有印刷问题直接给您换新。"
        en_a = (
            "Within 30 days, as long as there's no writing, highlighting or bent pages. "
            "Misprinted copies are replaced free."
        )
    else:
        zh_a = (
            "签收后30天内可以无理由退货，商品未使用、包装和配件齐全就行。在“我的订单”里点"
            "“申请退货”；非质量问题扣12元退货运费，质量问题运费我们出。"
        )
        en_a = (
            "You have 30 days from delivery to return it unused with all accessories and the "
            "original packaging. Start it under Account > Orders > Request a return; the $5.99 "
            "label is deducted unless the item is faulty."
        )
    return both(
        it,
        r,
        ("不合适可以退吗？|收到不喜欢能退货吗|退货运费谁出|拆封了还能退吗|七天无理由吗", zh_a),
        (
            "Can I return it if it doesn't work for me?|what's the return policy"
            "|who pays return shipping|can i return it after opening",
            en_a,
        ),
    )


def warranty(it: Item, r: random.Random) -> QA | None:
    if it.leaf in ("Fiction", "Technology"):
        zh_a = "图书没有保修，不过收到有印刷或装订问题，30天内联系客服就给您换新。"
        en_a = (
            "Books don't carry a warranty, but a printing or binding defect reported within "
            "30 days gets a free replacement."
        )
    elif it.leaf == "Skincare":
        zh_a = "护肤品没有保修；到货有问题30天内联系客服退换。未开封保质期3年，开封后12个月内用完。"
        en_a = (
            "Skincare has no warranty; if something's wrong on arrival, contact us within 30 "
            "days. Unopened it keeps 3 years; once opened, use it within 12 months."
        )
    else:
        years = it.get("warranty") or ("1年" if it.zh else "1 year")
        battery = it.leaf in ("Headphones", "Smartphones") or it.has("充电宝", "power bank")
        zh_extra = "电池容量低于80%也在保修范围内；" if battery else ""
        en_extra = (
            " That includes the battery dropping below 80% of its capacity." if battery else ""
        )
        zh_a = (
            f"这款保修{years}（从签收日算起），{zh_extra}"
            "期间非人为损坏免费维修或换新，来回运费我们出。"
        )
        en_a = (
            f"It has a {years.replace(' years', '-year').replace(' year', '-year')} warranty from "
            f"delivery; we repair or replace it free and pay shipping both ways.{en_extra}"
        )
    return both(
        it,
        r,
        ("保修多久？|坏了怎么保修|质保几年|有保修吗", zh_a),
        ("What's the warranty?|how long is the warranty|what if it breaks", en_a),
    )


def colour(it: Item, r: random.Random) -> QA | None:
    colour = it.get("color")
    if not colour:
        return None
    light = colour in ("白色", "米色", "粉色", "white", "beige", "pink")
    if it.zh:
        q = one(r, ("实物颜色和图片一样吗？", f"{colour}的会不会显脏", "有色差吗"))
        tail = "浅色确实更容易显脏，用湿布擦一擦就干净" if light else "深色比较耐脏"
        return q, f"这款是{colour}，实拍图没有调色，不同屏幕可能有轻微色差；{tail}。"
    q = one(
        r,
        (
            "Is the color true to the photos?",
            f"does the {colour} show dirt easily",
            "colour accurate?",
        ),
    )
    tail = (
        "lighter colors do show marks more, but they wipe off with a damp cloth"
        if light
        else "darker colors hide marks well"
    )
    return (
        q,
        f"This one is {colour}; our photos are unedited, though screens vary a little. "
        f"{tail.capitalize()}.",
    )
