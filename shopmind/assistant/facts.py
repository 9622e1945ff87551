"""Answer a question about one product from its catalog fields and attributes.

A question names a topic (battery life, waterproofing, size, weight, colour, material,
connectivity, power, warranty, price, stock, brand) in Chinese or English; the topic names
the attribute keys that may hold it. Any attribute whose own key the question mentions
answers too. A value with a unit (``battery_hours=30``, ``30h``, ``6.7 inch``) is converted
to the unit the question asks in ("how many minutes", "多少厘米").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopmind.catalog import Product
from shopmind.catalog.models import has_chinese


@dataclass(frozen=True)
class Topic:
    """What a question may ask about a product, and where the catalog keeps it."""

    name: str
    zh: str
    asks: tuple[str, ...]  # words of a question about it (English whole words, Chinese phrases)
    keys: tuple[str, ...]  # attribute keys (lower case, '_' for spaces) that hold it


TOPICS: tuple[Topic, ...] = (
    Topic(
        "battery life",
        "续航",
        (
            "battery",
            "battery life",
            "last",
            "charge lasts",
            "续航",
            "电池",
            "电量",
            "待机",
            "用多久",
        ),
        (
            "battery_hours",
            "battery_life",
            "续航",
            "续航时间",
            "续航小时",
            "battery_mah",
            "battery",
            "电池容量",
            "电池",
        ),
    ),
    Topic(
        "water resistance",
        "防水",
        (
            "waterproof",
            "water resistant",
            "water",
            "rain",
            "swim",
            "swimming",
            "sweat",
            "shower",
            "防水",
            "进水",
            "下雨",
            "游泳",
            "出汗",
            "淋雨",
        ),
        ("waterproof", "water_resistance", "防水", "防水等级"),
    ),
    Topic(
        "size",
        "尺寸",
        (
            "size",
            "dimensions",
            "how big",
            "big",
            "large",
            "screen",
            "尺寸",
            "大小",
            "多大",
            "尺码",
            "屏幕",
            "多长",
            "多宽",
        ),
        (
            "size",
            "dimensions",
            "screen_inches",
            "尺寸",
            "尺码",
            "大小",
            "屏幕尺寸",
            "length",
            "capacity",
            "容量",
        ),
    ),
    Topic(
        "weight",
        "重量",
        ("weight", "weigh", "heavy", "light", "重量", "多重", "重不重", "轻"),
        ("weight", "weight_kg", "weight_lb", "重量"),
    ),
    Topic(
        "colour",
        "颜色",
        ("colour", "color", "colours", "colors", "颜色", "什么色", "配色"),
        ("color", "colour", "颜色"),
    ),
    Topic(
        "material",
        "材质",
        ("material", "made of", "fabric", "材质", "材料", "面料", "什么做的"),
        ("material", "材质", "面料", "材料"),
    ),
    Topic(
        "connectivity",
        "连接",
        (
            "bluetooth",
            "connect",
            "connection",
            "wireless",
            "蓝牙",
            "连接",
            "连手机",
            "连两台",
            "multipoint",
        ),
        ("connectivity", "bluetooth", "蓝牙", "连接方式"),
    ),
    Topic(
        "power",
        "功率",
        ("power", "watts", "wattage", "功率", "瓦"),
        ("power_watts", "wattage", "power", "功率"),
    ),
    Topic(
        "warranty", "保修", ("warranty", "guarantee", "保修", "质保"), ("warranty", "保修", "质保")
    ),
    Topic(
        "compatibility",
        "兼容",
        ("compatible", "compatibility", "fit", "work with", "兼容", "适配", "适用"),
        ("compatibility", "兼容", "适用", "适用机型"),
    ),
)
_PRICE = re.compile(r"\b(?:price|cost|how much)\b|多少钱|价格|价钱|几块", re.IGNORECASE)
_STOCK = re.compile(r"\b(?:in stock|available|availability|sold out)\b|有货|库存|现货|缺货", re.I)
_BRAND = re.compile(r"\b(?:brand|who makes|made by)\b|品牌|牌子|哪家", re.IGNORECASE)

# unit -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "hours": ("time", 60.0), "hour": ("time", 60.0), "h": ("time", 60.0), "小时": ("time", 60.0),
    "minutes": ("time", 1.0), "minute": ("time", 1.0), "min": ("time", 1.0),
    "分钟": ("time", 1.0), "days": ("time", 1440.0), "天": ("time", 1440.0),
    "inches": ("length", 2.54), "inch": ("length", 2.54), "in": ("length", 2.54),
    "英寸": ("length", 2.54), "cm": ("length", 1.0), "厘米": ("length", 1.0),
    "mm": ("length", 0.1), "毫米": ("length", 0.1), "m": ("length", 100.0), "米": ("length", 100.0),
    "kg": ("mass", 1000.0), "公斤": ("mass", 1000.0), "千克": ("mass", 1000.0),
    "g": ("mass", 1.0), "克": ("mass", 1.0), "lb": ("mass", 453.592), "lbs": ("mass", 453.592),
    "磅": ("mass", 453.592), "斤": ("mass", 500.0),
}  # fmt: skip
_KEY_UNITS = {
    "hours": "hours", "minutes": "minutes", "inches": "inches", "cm": "cm", "mm": "mm",
    "kg": "kg", "lb": "lb", "g": "g",
}  # fmt: skip
_ZH_UNIT = {"hours": "小时", "minutes": "分钟", "inches": "英寸", "cm": "厘米", "mm": "毫米",
            "kg": "公斤", "lb": "磅", "g": "克", "days": "天"}  # fmt: skip
_ASKED_UNIT = re.compile(
    r"how many\s+(hours|minutes|days|inches|cm|centimet(?:er|re)s|kg|kilos|pounds|lbs?|grams)|"
    r"in\s+(hours|minutes|inches|cm|centimet(?:er|re)s|kg|pounds|lbs?|grams)\b|"
    r"多少(小时|分钟|天|英寸|厘米|公斤|千克|克|磅|斤)|几(个小时|小时|分钟|天|英寸|厘米|公斤|斤)",
    re.IGNORECASE,
)
_ASKED_ALIASES = {"centimeters": "cm", "centimetres": "cm", "kilos": "kg", "pounds": "lb",
                  "lbs": "lb", "grams": "g", "个小时": "小时"}  # fmt: skip
_VALUE_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z\u4e00-\u9fff]+)?\s*$")


@dataclass(frozen=True)
class Fact:
    """One catalog fact that answers a question: the field or attribute, its value as
    stored, and the sentence that answers."""

    topic: str
    field: str
    value: str
    answer: str


def product_facts(question: str, product: Product) -> list[Fact]:
    """The facts of ``product`` that answer ``question`` (best first; [] when none)."""
    zh = has_chinese(question)
    low = question.lower()
    attrs = {_norm_key(k): (k, str(v)) for k, v in product.attributes.items()}
    out: list[Fact] = []
    seen: set[str] = set()
    for topic in TOPICS:
        if not any(_asks(low, word) for word in topic.asks):
            continue
        for key in topic.keys:
            if key in attrs and key not in seen:
                seen.add(key)
                raw_key, value = attrs[key]
                out.append(_fact(topic.zh if zh else topic.name, raw_key, value, question, zh))
    for key, (raw_key, value) in attrs.items():
        spoken = key.replace("_", " ")
        # an English key by its first word, a Chinese one by its first two characters
        head = spoken[:2] if has_chinese(spoken) else spoken.split(" ")[0]
        if key not in seen and len(head) >= 2 and _asks(low, head):
            seen.add(key)
            out.append(_fact(raw_key, raw_key, value, question, zh))
    if _PRICE.search(question) and product.price is not None:
        price = f"{product.price:g} {product.currency or ''}".strip()
        out.append(
            Fact("price", "price", price, f"价格是 {price}。" if zh else f"It costs {price}.")
        )
    if _STOCK.search(question):
        yes = product.in_stock
        count = f" ({product.stock})" if product.stock is not None else ""
        text = (
            ("有货" + count + "。" if yes else "暂时缺货。")
            if zh
            else (f"It is in stock{count}." if yes else "It is out of stock at the moment.")
        )
        out.append(Fact("stock", "in_stock", str(yes).lower(), text))
    if _BRAND.search(question) and product.brand:
        text = f"品牌是{product.brand}。" if zh else f"The brand is {product.brand}."
        out.append(Fact("brand", "brand", product.brand, text))
    return out


def _fact(topic: str, key: str, value: str, question: str, zh: bool) -> Fact:
    shown = _with_unit(key, value, question, zh)
    label = key.replace("_", " ")
    for unit in _KEY_UNITS:
        label = re.sub(rf"\s{unit}$", "", label)
    head = topic if topic != key else label
    text = f"{topic}：{shown}。" if zh else f"{head[:1].upper()}{head[1:]}: {shown}."
    return Fact(topic, key, value, text)


def _with_unit(key: str, value: str, question: str, zh: bool) -> str:
    """The value with its unit, converted to the unit the question asks in."""
    match = _VALUE_UNIT.match(value)
    if match is None:
        return value
    number = float(match.group(1))
    unit = match.group(2) or _unit_of_key(key)
    if unit is None or unit.lower() not in _UNITS:
        return value if match.group(2) else f"{number:g}{' ' + unit if unit else ''}"
    unit = unit.lower()
    shown = f"{number:g} {_ZH_UNIT.get(unit, unit) if zh else unit}"
    asked = _asked_unit(question)
    if asked is None or asked == unit or asked not in _UNITS:
        return shown
    dim, factor = _UNITS[unit]
    asked_dim, asked_factor = _UNITS[asked]
    if dim != asked_dim:
        return shown
    converted = round(number * factor / asked_factor, 2)
    asked_shown = _ZH_UNIT.get(asked, asked) if zh else asked
    return f"{converted:g} {asked_shown} ({shown})"


def _asked_unit(question: str) -> str | None:
    match = _ASKED_UNIT.search(question)
    if match is None:
        return None
    word = next(g for g in match.groups() if g)
    word = _ASKED_ALIASES.get(word.lower(), word.lower())
    for unit, zh in _ZH_UNIT.items():
        if word == zh:
            return unit
    return word


def _unit_of_key(key: str) -> str | None:
    for unit, zh in _ZH_UNIT.items():
        if key.endswith(zh):
            return unit
    tail = key.lower().rsplit("_", 1)[-1]
    return _KEY_UNITS.get(tail)


def asked_topics(question: str) -> list[Topic]:
    """The topics a question asks about (whether or not a product has them)."""
    low = question.lower()
    return [t for t in TOPICS if any(_asks(low, word) for word in t.asks)]


def _norm_key(key: str) -> str:
    return re.sub(r"[\s\-]+", "_", key.strip().lower())


def _asks(question: str, word: str) -> bool:
    if has_chinese(word):
        return word in question
    return re.search(rf"\b{re.escape(word)}\b", question) is not None


__all__ = ["TOPICS", "Fact", "Topic", "asked_topics", "product_facts"]
