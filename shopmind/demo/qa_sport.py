"""Past questions about sports gear: fitness equipment and running shoes, socks and belts."""

from __future__ import annotations

import random

from shopmind.demo.qa_base import QA, Item, both, one, run_kind

__all__ = [
    "fi_band",
    "fi_clean",
    "fi_mat",
    "fi_smell",
    "fi_water",
    "fi_weight",
    "ru_fit_kind",
    "ru_size",
    "ru_wash",
    "ru_water",
    "ru_width",
]


# -- fitness ------------------------------------------------------------------------------------


def _gear(it: Item) -> str:
    kinds = (
        ("mat", ("瑜伽垫", "yoga mat")),
        ("dumbbell", ("哑铃", "dumbbell")),
        ("band", ("弹力带", "resistance band")),
        ("rope", ("跳绳", "jump rope")),
        ("kettlebell", ("壶铃", "kettlebell")),
    )
    for kind, words in kinds:
        if any(w in it.title.lower() for w in words):
            return kind
    return "other"


def fi_mat(it: Item, r: random.Random) -> QA | None:
    if _gear(it) != "mat":
        return None
    mm = it.number(r"(\d+)mm")
    zh = {
        "4": "4mm比较薄，脚下稳，适合做平衡体式；跪姿时膝盖下面可以垫条毛巾。",
        "6": "6mm是最常用的厚度，缓冲和稳定兼顾，新手选这个就对了。",
        "8": "8mm比较厚，跪着膝盖不疼，适合普拉提和腹部训练；做单脚平衡会有点软。",
        "10": "10mm很厚很软，适合仰卧起坐和拉伸；做站立平衡动作会有点晃。",
    }
    en = {
        "4": "4mm is on the thin side: very stable for balance poses; fold a towel under "
        "your knees for kneeling work.",
        "6": "6mm is the classic thickness, cushioned yet stable, a safe pick for beginners.",
        "8": "8mm is thick and kind to knees, great for pilates and core work, a little soft "
        "for one-legged balances.",
        "10": "10mm is very thick and soft, ideal for sit-ups and stretching, wobbly for "
        "standing balances.",
    }
    answer = (zh if it.zh else en).get(mm or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        (f"{mm}mm会不会太薄？跪着膝盖疼吗|新手选几毫米的|厚度怎么样|做瑜伽会不会太软", answer),
        (f"Is {mm}mm thick enough for bad knees?|good for beginners?|is it too squishy", answer),
    )


def fi_smell(it: Item, r: random.Random) -> QA | None:
    material = it.get("material")
    if _gear(it) in ("band", "mat") and material in ("steel", "钢"):
        return None
    zh = {
        "TPE": "TPE材质，刚拆开有一点淡淡的味道，放在通风处一两天就散了。",
        "NBR": "NBR（丁腈橡胶）材质，新品有一点橡胶味，摊开晾两三天会小很多。",
        "橡胶": "橡胶材质，刚到有橡胶味，通风几天就没了。",
        "钢": "钢制的，没有异味。",
    }
    en = {
        "TPE": "It's TPE: a faint smell straight out of the box that's gone after a day or two "
        "of airing.",
        "NBR": "It's NBR foam: a mild rubbery smell at first that fades after 2-3 days laid out.",
        "rubber": "It's rubber, so there's a rubber smell at first; a few days of airing fixes it.",
        "steel": "It's steel, so there's no smell at all.",
    }
    answer = (zh if it.zh else en).get(material or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        ("有味道吗？|刚打开有没有异味|什么材质的", answer),
        ("Does it smell?|any chemical smell|what material is it", answer),
    )


def fi_weight(it: Item, r: random.Random) -> QA | None:
    if _gear(it) not in ("dumbbell", "kettlebell"):
        return None
    if it.zh:
        kg = it.number(r"(\d+)kg")
        if not kg:
            return None
        n = int(kg)
        tail = "女生新手练手臂、肩部刚好" if n <= 8 else "有一定基础再用，新手建议从更轻的开始"
        item = "一只" if _gear(it) == "dumbbell" else "一个"
        return one(r, (f"女生新手用{kg}kg的合适吗", "重量准吗", "新手买多重的？")), (
            f"这款{item}{kg}kg，重量误差在2%以内；{tail}。"
        )
    lb = it.number(r"(\d+)lb")
    if not lb:
        return None
    kg_text = f"{int(lb) * 0.4536:.1f}"
    if _gear(it) == "dumbbell":
        a = (
            f"Each dumbbell adjusts up to {lb} lb (about {kg_text} kg), so it grows with you "
            "from beginner to intermediate."
        )
    else:
        level = (
            "a good starting weight for beginners"
            if int(lb) <= 15
            else "better once you've got the swing technique down"
        )
        a = f"It weighs {lb} lb (about {kg_text} kg), {level}."
    q = one(
        r,
        (
            "Is this good for a beginner?",
            "how heavy is it in kg",
            "right weight for a woman starting out?",
        ),
    )
    return q, a


def fi_water(it: Item, r: random.Random) -> QA | None:
    if "防水" not in it.title:
        return None
    return one(
        r, ("防水吗？", "出汗多会不会渗进去，防水吗", "能放阳台吗，防水吗", "防水效果怎么样")
    ), (
        "标题里的“防水”是指表面不吸水，出汗后用湿布一擦就干净；不建议长时间泡水或放在户外淋雨暴晒。"
    )


def fi_clean(it: Item, r: random.Random) -> QA | None:
    if _gear(it) == "mat":
        zh_a = "用湿布蘸少量中性清洁剂擦一遍，晾干就行；不要机洗，也别暴晒。"
        en_a = (
            "Wipe it with a damp cloth and a drop of mild soap, then air-dry. No washing machine, "
            "no direct sun."
        )
    elif _gear(it) == "band":
        zh_a = "用湿布擦干净，放在阴凉处，别暴晒，也别接触尖锐物，用前检查有没有裂口。"
        en_a = (
            "Wipe them with a damp cloth, store them out of the sun and check for nicks before "
            "each use."
        )
    else:
        return None
    return both(
        it,
        r,
        ("怎么清洗？|能水洗吗|出汗了怎么清理", zh_a),
        ("How do I clean it?|can i wash it|how to get the sweat off", en_a),
    )


def fi_band(it: Item, r: random.Random) -> QA | None:
    if _gear(it) != "band":
        return None
    if it.has("5件套", "5-pack"):
        zh_a = "一套5根，阻力从轻到重，新手从最轻的开始，练一段时间再换重的。"
        en_a = (
            "You get 5 bands from light to heavy: start on the lightest and move up as you get "
            "stronger."
        )
        return both(
            it,
            r,
            ("阻力多大？新手能用吗|一套几根", zh_a),
            ("How much resistance?|good for a beginner?|how many bands", en_a),
        )
    if it.zh and it.has("轻阻力"):
        q = one(r, ("阻力多大？新手能用吗", "适合康复训练吗"))
        return q, "这款是轻阻力，适合新手热身、拉伸和康复训练。"
    if not it.zh and it.has("heavy"):
        q = one(r, ("How much resistance?", "good for a beginner?"))
        return q, (
            "This is the heavy band, for squats and glute work once you've built a base; "
            "beginners should start lighter."
        )
    return None


# -- running ------------------------------------------------------------------------------------

# EU size -> (US men, US women, foot length in mm), as in sizing.md / 尺码指南.md
_SHOE_SIZES: dict[int, tuple[str, str, int]] = {
    38: ("5.5", "7", 240), 39: ("6.5", "8", 245), 40: ("7", "8.5", 250), 41: ("8", "9.5", 260),
    42: ("8.5", "10", 265), 43: ("9.5", "11", 275), 44: ("10", "11.5", 280),
}  # fmt: skip


def ru_size(it: Item, r: random.Random) -> QA | None:
    if run_kind(it) != "shoes":
        return None
    size = it.get("size")
    if size and int(size) in _SHOE_SIZES:
        men, women, mm = _SHOE_SIZES[int(size)]
        zh_a = (
            f"这双是{size}码，对应脚长约{mm}mm。尺码标准，平时穿{size}码直接拍就行；"
            "在两个尺码之间的选大一码。"
        )
        en_a = (
            f"This pair is EU {size}, which fits a foot length of about {mm / 10:.1f} cm "
            f"(US men's {men} / women's {women}). They run true to size; if you're between "
            "sizes, go one size up."
        )
    else:
        zh_a = (
            "尺码标准，按平时穿的码数拍就行；脚长和尺码对照表在尺码指南里，"
            "在两个尺码之间的选大一码。"
        )
        en_a = (
            "They run true to size, so order your usual size; the size guide has a foot-length "
            "chart, and if you're between sizes go one size up."
        )
    return both(
        it,
        r,
        ("尺码准吗？要拍大一码吗|平时穿多大就拍多大吗|偏大还是偏小", zh_a),
        (
            "Do these run true to size?|should i size up?|wich size should I get|run small or big?",
            en_a,
        ),
    )


def ru_width(it: Item, r: random.Random) -> QA | None:
    width = it.get("width")
    if run_kind(it) != "shoes" or not width:
        return None
    if width in ("wide", "宽楦"):
        zh_a = "这双是宽楦，前掌和鞋头更宽松，脚宽、脚背高的穿着也不挤。"
        en_a = (
            "This is the wide fit, with a roomier forefoot and toe box, so wide feet won't feel "
            "squeezed."
        )
    else:
        zh_a = "这双是标准楦，脚偏宽的话建议拍大一码，或者选我们的宽楦款。"
        en_a = (
            "This is the regular width. If your feet are wide, go one size up or pick a wide-fit "
            "model."
        )
    return both(
        it,
        r,
        ("脚宽能穿吗？|脚背高会不会挤脚|鞋头宽不宽", zh_a),
        ("I have wide feet, will these work?|are they narrow|roomy toe box?", en_a),
    )


def ru_water(it: Item, r: random.Random) -> QA | None:
    if run_kind(it) != "shoes":
        return None
    if "防水" in it.title or it.has("waterproof upper"):
        zh_a = "鞋面防水，下雨天、踩到水坑不会湿脚；但水从鞋口灌进去就没办法了，别蹚深水。"
        en_a = (
            "Yes, the upper is waterproof, so rain and puddles won't soak your feet; water can "
            "still get in over the collar, so don't wade through deep water."
        )
    elif it.has("透气", "breathable mesh"):
        zh_a = "这双是透气网面，不防水，下雨天鞋面会湿；好处是夏天跑步不闷脚。"
        en_a = (
            "No, it's a breathable mesh upper, so rain will soak through, but it keeps your "
            "feet cool on summer runs."
        )
    else:
        return None
    return both(
        it,
        r,
        ("防水吗？|下雨天能穿吗，防水吗|踩水坑会湿脚吗？防水吗|鞋面防水吗", zh_a),
        (
            "Are they waterproof?|can i run in the rain with these, are they waterproof"
            "|waterproof or not|do they keep water out in puddles",
            en_a,
        ),
    )


def ru_wash(it: Item, r: random.Random) -> QA | None:
    kind = run_kind(it)
    zh = {
        "shoes": "不建议机洗。取出鞋垫，用软毛刷蘸温水和中性洗涤剂刷，"
        "放阴凉处晾干，别暴晒也别烘干。",
        "socks": "可以机洗，用冷水，别用烘干机，不然会缩水。",
        "belt": "可以手洗，用温水和中性洗涤剂轻轻搓，挂起来晾干。",
    }
    en = {
        "shoes": "Please don't machine wash them. Take out the insoles, scrub with a soft brush "
        "and mild soapy water, and air-dry away from heat.",
        "socks": "Yes, machine wash cold and skip the dryer so they don't shrink.",
        "belt": "Hand wash it in warm water with mild soap and hang it to dry.",
    }
    answer = (zh if it.zh else en)[kind]
    return both(
        it,
        r,
        ("能机洗吗？|怎么洗|脏了怎么清洗", answer),
        ("Can I machine wash these?|how do i wash them|washing instructions?", answer),
    )


def ru_fit_kind(it: Item, r: random.Random) -> QA | None:
    kind = run_kind(it)
    if kind == "socks":
        size = it.get("size")
        if not size:
            return None
        sock = "M" if int(size) <= 41 else "L"
        span = "38–41" if sock == "M" else "42–45"
        return both(
            it,
            r,
            ("这袜子适合多大的脚？|袜子是什么码", f"这款是{sock}码，适合{span}码的脚。"),
            (
                "What size are the socks?|will they fit size 10 feet",
                f"These are size {sock}, made for EU shoe sizes {span.replace('–', '-')}.",
            ),
        )
    if kind == "belt":
        big = it.has("大容量", "large")
        zh_phone = "6.9英寸以内的大屏手机，外加钥匙和能量胶" if big else "6.1英寸以内的手机和钥匙"
        en_phone = (
            "phones up to 6.9 inches plus keys and gels"
            if big
            else "phones up to 6.1 inches plus keys"
        )
        return both(
            it,
            r,
            (
                "能装下手机吗？|腰围多少能戴|跑步时会晃吗",
                f"能放{zh_phone}；弹力腰带适合腰围65–110cm，跑起来不晃。",
            ),
            (
                "Will my phone fit?|what waist size does it fit|does it bounce",
                f"It holds {en_phone}. "
                "The elastic strap fits waists of 65-110 cm (26-43 in) and it doesn't bounce.",
            ),
        )
    if it.has("缓震", "cushion"):
        zh_a = "很适合新手，缓震好、脚感软，能减轻膝盖压力，慢跑和日常训练都可以。"
        en_a = "Great for beginners: plenty of cushioning takes stress off your knees on easy runs."
    elif it.has("越野", "trail"):
        zh_a = "越野跑鞋抓地力强，跑山路、土路很稳；在公路上也能跑，只是鞋底颗粒磨得快一些。"
        en_a = (
            "They grip well on dirt and rocky trails; they work on pavement too, but the lugs "
            "wear faster there."
        )
    else:
        return None
    return both(
        it,
        r,
        ("新手跑步适合吗？|跑马拉松能穿吗|膝盖不好能穿吗|能跑山路吗", zh_a),
        ("Good for a beginner runner?|ok for road running?|are these good for bad knees", en_a),
    )
