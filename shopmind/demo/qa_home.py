"""Past questions about furnishing a home: furniture and lighting."""

from __future__ import annotations

import random

from shopmind.demo.qa_base import QA, Item, both, one

__all__ = [
    "fu_assembly",
    "fu_material",
    "fu_motor",
    "fu_size",
    "li_bright",
    "li_ct",
    "li_dim",
    "li_install",
    "li_kids",
]


# -- furniture ----------------------------------------------------------------------------------


def fu_assembly(it: Item, r: random.Random) -> QA | None:
    need = it.get("assembly")
    if need in ("required", "需安装"):
        zh_a = (
            "需要简单安装，配件和工具都在箱子里，两个人大概30–45分钟装好，说明书有图解；"
            "送货到楼下，不包含上门安装。"
        )
        en_a = (
            "Yes, some assembly is needed. Tools and hardware are in the box, and two people "
            "take about 30-45 minutes. Delivery is curbside, without assembly."
        )
    elif need in ("not required", "免安装"):
        zh_a = "免安装，到货拆开包装就能直接用。"
        en_a = "No assembly needed: it arrives ready to use once you unpack it."
    else:
        return None
    return both(
        it,
        r,
        ("需要自己安装吗？|安装难不难，一个女生能装吗|包安装吗", zh_a),
        ("Does it need assembly?|how hard is it to put together|do you assemble it", en_a),
    )


def fu_material(it: Item, r: random.Random) -> QA | None:
    material = it.get("material")
    sofa = it.has("沙发", "sofa", "couch")
    zh = {
        "布艺": "布艺面料，"
        + (
            "套子可以拆下来洗"
            if it.has("可拆洗")
            else "平时用吸尘器吸一吸，局部污渍用湿布蘸中性清洁剂擦"
        )
        + "；养猫的话布面可能会被勾丝。",
        "真皮": "真皮材质，日常用微湿的软布擦，每3–6个月用皮革护理剂保养一次；猫抓会留下痕迹。",
        "丝绒": "丝绒面料手感很好，但容易粘毛，用粘毛器或吸尘器刷头清理就行；猫爪不太容易勾住。",
        "实木": "实木材质，表面是水性漆，别直接放太烫的东西，用干布擦就行。",
    }
    en = {
        "fabric": "It's upholstered in fabric: vacuum it regularly and spot-clean with a damp "
        "cloth and mild soap. Cats may snag the weave.",
        "leather": "It's genuine leather: wipe with a slightly damp cloth and condition it "
        "every 3-6 months. Cat claws will leave marks.",
        "velvet": "It's velvet: lovely to touch but it attracts pet hair, so keep a lint "
        "roller handy. Claws don't catch on it easily.",
        "solid wood": "It's solid wood with a water-based finish; use coasters for hot mugs "
        "and dust it with a dry cloth.",
    }
    fits = (
        material in ("solid wood", "实木") if not sofa else material not in ("solid wood", "实木")
    )
    if not fits or (it.has("真皮", "leather") and material not in ("leather", "真皮")):
        return None
    answer = (zh if it.zh else en).get(material or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        ("什么面料的？好打理吗|养猫能买吗，会不会被抓坏|什么材质", answer),
        ("What's it made of?|is it pet friendly? i have cats|how do I clean it", answer),
    )


def fu_size(it: Item, r: random.Random) -> QA | None:
    if it.zh:
        cm = it.number(r"(\d+)cm")
        if not cm:
            return None
        tail = "放一台显示器加笔记本刚好" if int(cm) <= 120 else "放两台显示器也不挤"
        return one(r, ("桌子多宽？", "桌面有多大", "能放两台显示器吗")), (f"桌面宽{cm}cm，{tail}。")
    inch = it.number(r"(\d+)-inch")
    cm = {"48": "122", "55": "140"}.get(inch or "")
    if not cm:
        return None
    tail = "a monitor plus a laptop" if inch == "48" else "two monitors side by side"
    q = one(r, ("How wide is the desk?", "will it fit in a small bedroom", "room for 2 monitors?"))
    return q, f"The desktop is {inch} inches (about {cm} cm) wide, room for {tail}."


def fu_motor(it: Item, r: random.Random) -> QA | None:
    if it.has("电动", "electric"):
        zh_a = "电机升降，按键就能调，声音很小，和电脑风扇差不多；电机保修1年。"
        en_a = (
            "It has an electric motor, adjusted with buttons and about as quiet as a PC fan; "
            "the motor has a 1-year warranty."
        )
    elif it.has("手动", "crank"):
        zh_a = "手摇升降，不用插电，摇二三十圈就能从坐姿调到站姿。"
        en_a = (
            "It's a hand crank, no power needed; a few dozen turns take it from sitting to "
            "standing height."
        )
    else:
        return None
    return both(
        it,
        r,
        ("升降的时候声音大吗？|怎么调高度|电动的还是手摇的", zh_a),
        ("Is the motor loud?|how do you adjust the height|is it electric", en_a),
    )


# -- lighting -----------------------------------------------------------------------------------


def li_ct(it: Item, r: random.Random) -> QA | None:
    kelvin = it.get("color_temperature")
    zh = {
        "3000K": "色温3000K，是偏黄的暖光，适合卧室和客厅，晚上看着放松。",
        "4000K": "色温4000K，自然白光，不刺眼也不发黄，看书写字很合适。",
        "5000K": "色温5000K，偏冷的白光，很亮很提神，适合书房和工作台。",
    }
    en = {
        "3000K": "It's 3000K, a warm yellowish light, cozy for bedrooms and living rooms.",
        "4000K": "It's 4000K, a neutral white that's neither harsh nor yellow, great for reading.",
        "5000K": "It's 5000K, a cool daylight white that keeps you alert at a desk or workbench.",
    }
    answer = (zh if it.zh else en).get(kelvin or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        ("是暖光还是白光？|光是黄的还是白的|色温多少", answer),
        ("Is the light warm or cool?|what color temperature|is it yellow light", answer),
    )


def li_bright(it: Item, r: random.Random) -> QA | None:
    watts = it.get("wattage") or it.get("power_watts")
    zh = {
        "8W": "功率8W的LED，亮度大约相当于60瓦的老式白炽灯，床头看书、桌面照明够用。",
        "12W": "功率12W的LED，亮度大约相当于100瓦的老式白炽灯，看书写字很亮。",
        "24W": "功率24W的LED，大约能照亮15平米左右的房间。",
    }
    en = {
        "8W": "It's an 8W LED, about as bright as a 60-watt incandescent bulb: fine for "
        "bedside reading.",
        "12W": "It's a 12W LED, about as bright as a 100-watt incandescent bulb, bright enough "
        "for reading and homework.",
        "24W": "It's a 24W LED, enough to light a room of about 160 sq ft.",
    }
    answer = (zh if it.zh else en).get(watts or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        ("够亮吗？看书用|亮度怎么样|多少瓦的", answer),
        ("Is it bright enough for reading?|how bright is it|what wattage", answer),
    )


def li_dim(it: Item, r: random.Random) -> QA | None:
    if it.zh:
        if it.has("三档调光"):
            a = "可以调光，触摸开关分三档亮度，晚上起夜用最低档不刺眼。"
        elif it.has("遥控调光"):
            a = "可以调光，附带遥控器，亮度可以无级调节，遥控器用2节7号电池（需另配）。"
        else:
            return None
        return one(r, ("能调亮度吗？", "可以调光吗", "晚上起夜会不会太亮")), a
    if not it.has("dimmable"):
        return None
    q = one(r, ("Is it dimmable?", "can you dim it", "too bright for a nightlight?"))
    return q, "Yes, it's dimmable: the LEDs go from a soft glow to full brightness."


def li_kids(it: Item, r: random.Random) -> QA | None:
    if not it.has("无频闪", "flicker-free") or it.has("吸顶", "ceiling"):
        return None
    return both(
        it,
        r,
        (
            "适合孩子写作业吗？|给小学生用伤眼睛吗",
            "适合，这款护眼无频闪，光线稳定；建议同时开房间的顶灯，减少明暗反差。",
        ),
        (
            "Good for my kid's homework?|is it ok for kids eyes",
            "Yes, the light is "
            "flicker-free and steady; keep a room light on too to soften the contrast.",
        ),
    )


def li_install(it: Item, r: random.Random) -> QA | None:
    if not it.has("吸顶", "ceiling"):
        return None
    if it.zh:
        cm = it.number(r"(\d+)cm")
        room = {"40": "10–15平米", "60": "15–25平米"}.get(cm or "")
        if not room:
            return None
        return one(r, ("需要自己装吗？多大房间合适", "安装麻烦吗", "适合多大的房间")), (
            f"直径{cm}cm，适合{room}的房间；需要接电线安装，建议请电工，附带膨胀螺丝和说明书。"
        )
    inch = it.number(r"(\d+)-inch")
    span = {"16": ("40", "100-160"), "24": ("60", "160-270")}.get(inch or "")
    if not span:
        return None
    q = one(r, ("Is it hard to install?", "what room size is it for", "do I need an electrician"))
    return q, (
        f"It's {inch} inches (about {span[0]} cm) across, right for a {span[1]} sq ft room. It "
        "is hard-wired, so we recommend an electrician; screws and anchors are included."
    )
