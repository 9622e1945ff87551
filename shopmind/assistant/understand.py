"""Read a customer's message: what they want (intent), which products they mean, and the
constraints of a shopping request (price band, brands in or out, colour, in stock).

Rules over the words a shop's customers use, in Chinese and English (mixed too). The intent
is the first of these that holds: a person asked for; an order asked about; a shop policy
(returns, shipping, warranty, payment); two products compared; a question about the product
in view; something to find. A message that refines the last shopping turn ("cheaper",
"其他颜色", "not Apple") is a find message that keeps the earlier request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from shopmind.catalog.models import has_chinese

Intent = Literal["find", "product", "compare", "policy", "order", "handoff", "other"]
INTENTS: tuple[str, ...] = ("find", "product", "compare", "policy", "order", "handoff", "other")


def _words(*items: str) -> re.Pattern[str]:
    """A case-insensitive pattern of English words (whole words) and Chinese phrases."""
    parts = [re.escape(w) if has_chinese(w) else rf"\b{re.escape(w)}\b" for w in items]
    return re.compile("|".join(parts), re.IGNORECASE)


_HANDOFF = _words(
    "人工", "真人", "转人工", "客服", "human", "agent", "a person", "real person",
    "representative", "talk to someone", "speak to someone", "operator", "customer service",
)  # fmt: skip
_ORDER = _words(
    "my order", "order status", "where is my", "tracking", "track my", "tracking number",
    "order number", "我的订单", "订单", "物流", "快递到哪", "单号", "到哪了", "发货了吗",
    "什么时候到",
)  # fmt: skip
_POLICY = _words(
    "return", "returns", "refund", "refunds", "exchange", "shipping", "delivery", "deliver",
    "ship", "warranty", "guarantee", "payment", "pay", "invoice", "policy", "free shipping",
    "size guide", "sizing", "coupon", "退货", "退款", "换货", "退换", "运费", "包邮", "配送",
    "发货",
    "快递", "保修", "质保", "售后", "发票", "付款", "支付", "政策", "尺码表", "尺码指南", "优惠券",
)  # fmt: skip
_COMPARE = _words(
    "compare", "comparison", "versus", "vs", "difference", "better", "which one", "对比",
    "比较", "区别", "哪个好", "哪款好", "哪个更", "有什么不同",
)  # fmt: skip
_FIND = _words(
    "recommend", "suggest", "looking for", "look for", "show me", "find", "want", "need",
    "buy", "searching", "any", "do you have", "do you sell", "sell", "options", "ones",
    "推荐", "想买", "有没有", "找", "要买", "给我看", "卖不卖", "有卖", "求推荐", "想要", "买",
)  # fmt: skip
_QUESTION = _words(
    "is it", "does it", "can it", "will it", "how long", "how many", "how much", "what is",
    "what's", "is this", "does this", "can i", "will this", "are they", "do they", "which",
    "吗", "么", "多久", "多少", "怎么", "如何", "能不能", "可不可以", "是否", "是不是", "有没有",
    "几", "什么",
)  # fmt: skip
_THIS = _words(
    "this", "it", "these", "this one", "the product", "这款", "这个", "这件", "这双", "它",
    "该商品", "这台", "这本", "这套",
)  # fmt: skip
_CHEAPER = _words("cheaper", "less expensive", "lower price", "budget", "便宜", "更便宜", "实惠")
_PRICIER = _words("more expensive", "premium", "higher end", "更贵", "贵一点", "高端")
_OTHER_COLOUR = _words(
    "other colour", "other color", "other colours", "other colors", "another colour",
    "another color", "different colour", "different color", "其他颜色", "别的颜色", "换个颜色",
    "其它颜色",
)  # fmt: skip
_IN_STOCK = _words("in stock", "available now", "有货", "现货")

COLOURS: dict[str, tuple[str, ...]] = {
    "white": ("white", "白色", "白"),
    "black": ("black", "黑色", "黑"),
    "red": ("red", "红色", "红"),
    "blue": ("blue", "蓝色", "蓝"),
    "green": ("green", "绿色", "绿"),
    "pink": ("pink", "粉色", "粉"),
    "grey": ("grey", "gray", "灰色", "灰"),
    "yellow": ("yellow", "黄色", "黄"),
    "purple": ("purple", "紫色", "紫"),
    "silver": ("silver", "银色"),
    "gold": ("gold", "金色"),
    "brown": ("brown", "棕色", "咖啡色"),
}

_NUMBER = r"(\d+(?:[.,]\d+)?)\s*(?:k\b|千)?"
_MONEY = r"(?:[$¥€£]|usd|rmb|cny)?\s*"
_UNIT = r"\s*(?:元|块|块钱|rmb|yuan|dollars?|usd|bucks)?"
_UNDER = re.compile(
    rf"(?:under|below|less than|cheaper than|at most|up to|max(?:imum)?|within|不超过|低于|少于|"
    rf"不到|以内的?|预算)\s*{_MONEY}{_NUMBER}{_UNIT}",
    re.IGNORECASE,
)
_UNDER_AFTER = re.compile(rf"{_MONEY}{_NUMBER}{_UNIT}\s*(?:以下|以内|之内|内|or less|or under)")
_OVER = re.compile(
    rf"(?:over|above|more than|at least|min(?:imum)?|超过|高于|不低于)\s*{_MONEY}{_NUMBER}{_UNIT}",
    re.IGNORECASE,
)
_OVER_AFTER = re.compile(rf"{_MONEY}{_NUMBER}{_UNIT}\s*(?:以上|起)")
_BETWEEN = re.compile(
    rf"(?:between\s*)?{_MONEY}{_NUMBER}{_UNIT}\s*(?:-|–|~|到|至|and|to)\s*{_MONEY}{_NUMBER}{_UNIT}",
    re.IGNORECASE,
)
_NOT_EN = re.compile(
    r"\b(?:not|no|without|except|excluding|but not|other than|anything but)\s+"
    r"([A-Za-z][\w\-]*(?:\s+[A-Za-z][\w\-]*)?)",
    re.IGNORECASE,
)
_NOT_ZH = re.compile(r"(?:不要|不想要|除了|别|排除|不是)\s*([\u4e00-\u9fffA-Za-z0-9]{1,8})")
_ORDINAL = re.compile(
    r"(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:one|product|item)?|"
    r"第\s*([一二三四1234])\s*(?:个|款|件)?",
    re.IGNORECASE,
)
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
}  # fmt: skip
_STRIP = re.compile(
    r"\b(?:please|pls|show me|i am looking for|i'm looking for|looking for|i want|i need|"
    r"do you have|do you sell|can you recommend|recommend|suggest|some|any|me|ones?)\b|"
    r"请|帮我|给我|推荐|一下|想买|我想要|我要|有没有|求|吗|呢|哪些|一些|一款|一个|的|[?？!！,，。.]",
    re.IGNORECASE,
)


@dataclass
class Wants:
    """What a shopping request asks of its products: a price band, brands and colours
    left out, colours wanted, stock."""

    price_min: float | None = None
    price_max: float | None = None
    brands_out: list[str] = field(default_factory=list)
    colours_out: list[str] = field(default_factory=list)
    colours_in: list[str] = field(default_factory=list)
    in_stock: bool | None = None


@dataclass
class Constraints(Wants):
    """What one message asks: its :class:`Wants`, and whether it moves the earlier request
    (cheaper, pricier, another colour)."""

    cheaper: bool = False
    pricier: bool = False
    other_colour: bool = False

    @property
    def refines(self) -> bool:
        """Whether the message only adjusts an earlier request ("cheaper", "not Apple")."""
        return self.cheaper or self.pricier or self.other_colour

    def as_dict(self) -> dict[str, object]:
        """The constraints that are set, as JSON."""
        out: dict[str, object] = {}
        for key, value in vars(self).items():
            if value not in (None, False, []):
                out[key] = value
        return out


@dataclass(frozen=True)
class Understanding:
    """One message read: its intent, language, the ordinal it points at, the constraints,
    and the words left to search for once the constraint phrases are taken out."""

    intent: Intent
    language: str
    constraints: Constraints
    topic: str
    refers_to_product: bool
    ordinal: int | None = None


def understand(message: str, has_product: bool, had_products: bool) -> Understanding:
    """Read ``message``; ``has_product``: a product is in view (its page, or the last turn's
    single product); ``had_products``: the last turn showed a list to refine."""
    text = message.strip()
    language = "zh" if has_chinese(text) else "en"
    constraints = constraints_of(text)
    topic = topic_of(text)
    ordinal = _ordinal(text)
    refers = bool(_THIS.search(text)) or ordinal is not None
    intent: Intent
    if _HANDOFF.search(text):
        intent = "handoff"
    elif _ORDER.search(text):
        intent = "order"
    elif _COMPARE.search(text) and (had_products or has_product):
        intent = "compare"
    elif _POLICY.search(text) and not (_is_question(text) and refers and has_product):
        intent = "policy"
    elif (has_product or ordinal is not None) and _is_question(text) and not _FIND.search(text):
        intent = "product"
    elif (
        constraints.refines
        or (had_products and _only_constraints(text, constraints))
        or _FIND.search(text)
        or _has_price(constraints)
    ):
        intent = "find"
    elif has_product and (refers or _is_question(text)):
        intent = "product"
    elif _is_question(text):
        intent = "other"
    else:
        intent = "find"  # a bare noun phrase ("wireless earbuds") is a search
    return Understanding(intent, language, constraints, topic, refers, ordinal)


def constraints_of(text: str) -> Constraints:
    """The price band, exclusions, colours and stock wish of a message."""
    c = Constraints()
    low = text.lower()
    between = _BETWEEN.search(low)
    if between is not None and (between.group(0).strip()[0].isdigit() or "between" in low):
        a, b = _amount(between.group(1), between.group(0)), _amount(between.group(2), "")
        c.price_min, c.price_max = min(a, b), max(a, b)
    else:
        under = _UNDER.search(low) or _UNDER_AFTER.search(low)
        if under is not None:
            c.price_max = _amount(under.group(1), under.group(0))
        over = _OVER.search(low) or _OVER_AFTER.search(low)
        if over is not None:
            c.price_min = _amount(over.group(1), over.group(0))
    for match in _NOT_EN.finditer(text):
        _exclude(c, match.group(1).strip())
    for match in _NOT_ZH.finditer(text):
        _exclude(c, match.group(1).strip())
    excluded = set(c.colours_out)
    for name, spellings in COLOURS.items():
        if name not in excluded and any(_mentions(text, s) for s in spellings[:-1] or spellings):
            c.colours_in.append(name)
    c.cheaper = bool(_CHEAPER.search(text))
    c.pricier = bool(_PRICIER.search(text))
    c.other_colour = bool(_OTHER_COLOUR.search(text))
    if c.other_colour:
        c.colours_in = []
    if _IN_STOCK.search(text):
        c.in_stock = True
    return c


def topic_of(text: str) -> str:
    """The words to search for: the message without constraint and filler phrases."""
    out = text
    for pattern in (_BETWEEN, _UNDER, _UNDER_AFTER, _OVER, _OVER_AFTER, _NOT_EN, _NOT_ZH):
        out = pattern.sub(" ", out)
    for pattern in (_CHEAPER, _PRICIER, _OTHER_COLOUR, _IN_STOCK):
        out = pattern.sub(" ", out)
    out = _STRIP.sub(" ", out)
    return re.sub(r"\s+", " ", out).strip()


def colour_of(text: str) -> list[str]:
    """The colours a product text names (canonical English names)."""
    return [
        name for name, spellings in COLOURS.items() if any(_mentions(text, s) for s in spellings)
    ]


def _mentions(text: str, word: str) -> bool:
    if has_chinese(word):
        return word in text
    return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None


def _exclude(c: Constraints, phrase: str) -> None:
    words = phrase.split()
    for name, spellings in COLOURS.items():
        if any(_mentions(phrase, s) for s in spellings):
            if name not in c.colours_out:
                c.colours_out.append(name)
            return
    head = words[0] if words else phrase
    if head.lower() in {"too", "very", "so", "more", "less", "the", "a", "an", "sure", "bad"}:
        return
    if phrase and phrase not in c.brands_out:
        c.brands_out.append(phrase if has_chinese(phrase) else head)


def _amount(number: str, phrase: str) -> float:
    value = float(number.replace(",", ""))
    if re.search(r"\d\s*(?:k\b|千)", phrase, re.IGNORECASE):
        value *= 1000
    return value


def _has_price(c: Constraints) -> bool:
    return c.price_min is not None or c.price_max is not None


def _only_constraints(text: str, c: Constraints) -> bool:
    return bool(c.as_dict()) and len(topic_of(text)) <= 2


_ASKING = re.compile(
    r"^\s*(?:does|do|is|are|can|could|will|would|should|has|have|how|what|which|when|where|"
    r"why|who)\b",
    re.IGNORECASE,
)


def _is_question(text: str) -> bool:
    return "?" in text or "？" in text or bool(_QUESTION.search(text) or _ASKING.search(text))


def _ordinal(text: str) -> int | None:
    match = _ORDINAL.search(text)
    if match is None:
        return None
    word = (match.group(1) or match.group(2) or "").lower()
    return _ORDINALS.get(word)


__all__ = [
    "COLOURS",
    "INTENTS",
    "Constraints",
    "Intent",
    "Understanding",
    "Wants",
    "colour_of",
    "constraints_of",
    "topic_of",
    "understand",
]
