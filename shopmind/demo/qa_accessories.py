"""Past questions about phone accessories: cases, screen protectors, chargers, cables and
power banks.
"""

from __future__ import annotations

import random

from shopmind.demo.qa_base import QA, Item, both

__all__ = ["acc_bank", "acc_compat", "acc_length", "acc_material", "acc_power", "acc_protector"]


# -- phone accessories --------------------------------------------------------------------------


def _acc_kind(it: Item) -> str:
    kinds = (
        ("case", ("手机壳", "phone case")),
        ("protector", ("钢化膜", "screen protector")),
        ("wireless", ("无线充电器", "wireless charger")),
        ("charger", ("充电器", "charger")),
        ("cable", ("数据线", "cable")),
        ("bank", ("充电宝", "power bank")),
    )
    for kind, words in kinds:
        if any(w in it.title.lower() for w in words):
            return kind
    return "other"


def acc_compat(it: Item, r: random.Random) -> QA | None:
    model = it.get("compatibility")
    if not model:
        return None
    kind = _acc_kind(it)
    universal = model in ("universal", "通用")
    if kind in ("case", "protector"):
        if universal:
            return None
        zh_a = f"这款是专为{model}设计的，其他型号装不上，下单前请确认一下手机型号哦。"
        en_a = f"It's made for the {model} only and won't fit other models, so check yours first."
    elif universal:
        zh_a = (
            "这款是通用款，USB-C接口的手机都能用，苹果15及之后的机型也可以；"
            "更早的苹果要用Lightning线。"
        )
        en_a = (
            "It's universal: any phone with USB-C works, including iPhone 15 and later. "
            "Older iPhones need a Lightning cable."
        )
    else:
        zh_a = f"官方适配{model}，其他支持USB-C快充的手机也能用，只是不一定能跑满功率。"
        en_a = (
            f"It's made for the {model}; other USB-C phones work too, "
            "though they may not charge at full speed."
        )
    return both(
        it,
        r,
        ("我是星耀手机能用吗|适配什么型号？|苹果15能用吗|华为能不能用", zh_a),
        (
            "Will this fit my iPhone 15?|what phones is this compatible with"
            "|does it work with Pixelis 8?|compatible with samsung?",
            en_a,
        ),
    )


def acc_material(it: Item, r: random.Random) -> QA | None:
    material = it.get("material")
    zh = {
        "TPU": "材质是TPU，软而有韧性，不伤手机边框；透明款用几个月可能会轻微发黄，属于正常现象。",
        "硅胶": "材质是硅胶，手感软糯、不会发黄，就是容易沾灰，用湿巾擦一下就好。",
        "铝合金": "材质是铝合金，结实、散热好，就是比塑料款重一点。",
    }
    en = {
        "TPU": "It's TPU: soft, flexible and kind to the phone's edges. Clear TPU can "
        "yellow slightly after a few months, which is normal.",
        "silicone": "It's silicone: soft-touch and it won't yellow, though it picks up lint; "
        "a wipe with a damp cloth cleans it.",
        "aluminium": "It's aluminium: sturdy and good at shedding heat, a little heavier than "
        "plastic.",
    }
    answer = (zh if it.zh else en).get(material or "")
    if answer is None or (it.has("透明", "clear") and material in ("铝合金", "aluminium")):
        return None
    return both(
        it,
        r,
        ("什么材质的？|会发黄吗|手感怎么样|用久了会变色吗", answer),
        ("What material is it?|does it turn yellow over time|how does it feel in hand", answer),
    )


def acc_power(it: Item, r: random.Random) -> QA | None:
    if _acc_kind(it) == "wireless":
        return both(
            it,
            r,
            (
                "隔着手机壳能充吗？|带壳能无线充吗",
                "可以隔着3mm以内的普通手机壳充电；金属壳、厚壳或者带磁吸环的壳会充不上。",
            ),
            (
                "Does it charge through a case?|will it work with my case on",
                "Yes, through "
                "ordinary cases up to 3 mm thick; metal cases, thick wallets or cases with a "
                "magnet ring will block it.",
            ),
        )
    if _acc_kind(it) != "charger":
        return None
    watts = it.number(r"(\d+)W")
    if not watts:
        return None
    w = int(watts)
    if w >= 60:
        zh_a = f"{w}W可以给大部分USB-C笔记本充电，手机也能快充，一个头全搞定。"
        en_a = f"At {w}W it charges most USB-C laptops as well as fast-charging your phone."
    elif w >= 30:
        zh_a = f"{w}W给手机快充没问题，平板也行；笔记本只能慢充，有的不支持。"
        en_a = f"{w}W fast-charges phones and tablets; laptops charge slowly or not at all."
    else:
        zh_a = f"{w}W适合手机快充，半小时大概能充到一半；给笔记本充不了。"
        en_a = f"{w}W is a phone charger: roughly half a charge in 30 minutes; not for laptops."
    return both(
        it,
        r,
        ("能给笔记本充电吗？|支持快充吗|充手机快吗", zh_a),
        ("Can it charge my laptop?|is this a fast charger|how fast does it charge", en_a),
    )


def acc_bank(it: Item, r: random.Random) -> QA | None:
    if _acc_kind(it) != "bank":
        return None
    mah = it.number(r"(\d+)mAh")
    if not mah:
        return None
    wh = round(int(mah) * 3.7 / 1000)
    times = round(int(mah) / 5000)
    return both(
        it,
        r,
        (
            "能带上飞机吗？|能充几次手机|坐高铁可以带吗",
            f"{mah}mAh约{wh}Wh，低于民航规定的100Wh，可以随身带上飞机和高铁（不能托运）；"
            f"给普通手机大概能充{times}次。",
        ),
        (
            "Can I take it on a plane?|how many phone charges does it give|TSA ok?",
            f"{mah}mAh is about {wh}Wh, under the 100Wh airline limit, so it's fine in your "
            f"carry-on (not checked bags). It charges a typical phone about {times} times.",
        ),
    )


def acc_length(it: Item, r: random.Random) -> QA | None:
    if _acc_kind(it) != "cable":
        return None
    length = it.number(r"(\d+米)") or it.number(r"(\d+ft)")
    if not length:
        return None
    metres = {"3ft": "0.9", "6ft": "1.8"}.get(length, "")
    return both(
        it,
        r,
        (
            "线有多长？|够不够到床头|长度多少",
            f"这根线{length}长，支持快充和数据传输，接口处有加固。",
        ),
        (
            "How long is the cable?|is it long enough to reach my bed",
            f"It's {length} "
            f"(about {metres} m) long, with reinforced ends, and supports fast charging and data.",
        ),
    )


def acc_protector(it: Item, r: random.Random) -> QA | None:
    if _acc_kind(it) != "protector":
        return None
    return both(
        it,
        r,
        (
            "好贴吗？会有气泡吗|新手能自己贴吗",
            "附带贴膜定位框和除尘贴，新手也能一次贴好；边缘少量小气泡一两天内会自己消失。",
        ),
        (
            "Is it easy to apply? any bubbles?|can a beginner install it",
            "It comes with an "
            "alignment frame and dust stickers, so it's easy to get right first time; tiny edge "
            "bubbles disappear within a day or two.",
        ),
    )
