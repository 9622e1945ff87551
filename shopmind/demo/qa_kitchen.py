"""Past questions about kitchen goods: cookware and small appliances."""

from __future__ import annotations

import random

from shopmind.demo.qa_base import QA, Item, both, one, title_tokens

__all__ = [
    "ck_clean",
    "ck_dishwasher",
    "ck_induction",
    "ck_material",
    "ck_size",
    "sa_boil",
    "sa_capacity",
    "sa_noise",
    "sa_power",
    "sa_voltage",
]


# -- cookware -----------------------------------------------------------------------------------


def _is_knife(it: Item) -> bool:
    return it.has("刀", "knife")


def ck_dishwasher(it: Item, r: random.Random) -> QA | None:
    safe = it.get("dishwasher_safe")
    if safe not in ("yes", "no", "是", "否"):
        return None
    if it.get("material") in ("cast iron", "铸铁") and safe in ("yes", "是"):
        return None  # the listing contradicts itself; leave it unasked
    if safe in ("yes", "是"):
        zh_a = "可以放洗碗机。不过想让它用得更久，平时用温水手洗、洗完擦干会更好。"
        en_a = (
            "Yes, it's dishwasher safe. Hand washing and drying it straight away keeps it "
            "nicer for longer."
        )
    else:
        zh_a = "不建议放洗碗机，用温水加中性洗洁精、软海绵手洗就行，洗完擦干。"
        en_a = (
            "No, it isn't dishwasher safe. Wash it by hand with warm soapy water and a soft "
            "sponge, then dry it."
        )
    return both(
        it,
        r,
        ("能放洗碗机吗？|可以用洗碗机洗吗|洗碗机能洗不", zh_a),
        ("Is it dishwasher safe?|can i put it in the dishwasher|dishwasher ok?", en_a),
    )


def ck_material(it: Item, r: random.Random) -> QA | None:
    material = it.get("material")
    if _is_knife(it) and material not in ("stainless steel", "不锈钢"):
        return None
    zh = {
        "不锈钢": "材质是不锈钢，不容易生锈，耐用也好打理。",
        "铸铁": "材质是铸铁，蓄热保温好；洗完要擦干再抹一层薄油，不然会生锈。",
        "铝合金": "材质是铝合金，轻、导热快，不会生锈。",
    }
    en = {
        "stainless steel": "It's stainless steel: durable, easy to care for and it won't rust.",
        "cast iron": "It's cast iron, which holds heat really well. Dry it after washing and "
        "wipe on a thin layer of oil, or it can rust.",
        "aluminium": "It's aluminium: light, heats up fast and won't rust.",
    }
    answer = (zh if it.zh else en).get(material or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        ("什么材质的？|是不锈钢的吗|会生锈吗", answer),
        ("What is it made of?|is this stainless steel|will it rust", answer),
    )


def ck_induction(it: Item, r: random.Random) -> QA | None:
    if _is_knife(it) or not it.has("电磁炉通用", "induction-ready"):
        return None
    return both(
        it,
        r,
        (
            "电磁炉能用吗？|燃气灶和电磁炉都能用吗|我家是电陶炉可以用吗",
            "可以，燃气灶、电磁炉、电陶炉都能用，锅底是复合底，受热均匀。",
        ),
        (
            "Does it work on induction?|will it work on my induction cooktop|gas stove ok?",
            "Yes. The base is induction-ready, and it works on gas and electric stoves too.",
        ),
    )


def ck_size(it: Item, r: random.Random) -> QA | None:
    if _is_knife(it):
        return None
    if it.zh:
        cm = it.number(r"(\d+)cm")
        if not cm:
            return None
        n = int(cm)
        people = "1–2人" if n <= 22 else "2–3人" if n <= 26 else "3–4人" if n <= 28 else "4人以上"
        q = one(r, (f"{cm}cm的够几个人用？", "多大尺寸", "一家三口选哪个尺寸合适"))
        return q, f"这款直径{cm}cm，适合{people}做饭。"
    inch = it.number(r"(\d+)-inch")
    quart = it.number(r"(\d+)-quart")
    if inch:
        cm = {"8": "20", "10": "25", "12": "30"}.get(inch)
        if not cm:
            return None
        people = {"8": "1-2 people", "10": "2-3 people", "12": "4 or more people"}[inch]
        a = f"It's {inch} inches (about {cm} cm) across, a good size for cooking for {people}."
    elif quart:
        litres = {"6": "5.7", "8": "7.6"}.get(quart)
        if not litres:
            return None
        a = f"It holds {quart} quarts (about {litres} L), enough soup or pasta for a family."
    else:
        return None
    q = one(r, ("Is this big enough for a family of 4?", "what size is it", "how big is it?"))
    return q, a


def ck_clean(it: Item, r: random.Random) -> QA | None:
    if _is_knife(it):
        return both(
            it,
            r,
            (
                "刀需要自己磨吗？|刀快不快|会不会生锈",
                "出厂已开刃，很锋利；用完擦干放回刀座，每2–3个月用磨刀器磨一次就能一直保持锋利。",
            ),
            (
                "Do the knives come sharp?|do they need sharpening",
                "They arrive sharp. Dry them "
                "after use, keep them in the block and hone them every 2-3 months.",
            ),
        )
    if it.has("不粘", "non-stick"):
        zh_a = "不粘涂层很好洗，温水加软海绵一擦就干净；别用钢丝球和金属铲，会刮坏涂层。"
        en_a = (
            "The non-stick coating wipes clean with warm water and a soft sponge. Skip steel "
            "wool and metal utensils; they scratch the coating."
        )
    elif it.get("material") in ("cast iron", "铸铁"):
        zh_a = "铸铁锅用热水和刷子洗，少用洗洁精，洗完小火烘干再抹一层薄油，越用越不粘。"
        en_a = (
            "Scrub with hot water and a brush, little or no soap, then dry it on the stove and "
            "wipe on a thin layer of oil. It gets more non-stick with use."
        )
    else:
        zh_a = "糊锅了加水煮开，泡一会儿再用软海绵洗；顽固污渍用小苏打擦，别用钢丝球。"
        en_a = (
            "For burnt bits, simmer some water in it, let it soak, then use a soft sponge; "
            "baking soda handles stubborn spots. Avoid steel wool."
        )
    return both(
        it,
        r,
        ("好清洗吗？|糊锅了怎么洗|平时怎么保养", zh_a),
        ("How do I clean it?|is it easy to clean|how to get burnt food off", en_a),
    )


# -- small appliances ---------------------------------------------------------------------------


def _appliance(it: Item) -> str:
    kinds = (
        ("kettle", ("电热水壶", "kettle")),
        ("rice", ("电饭煲", "rice cooker")),
        ("fryer", ("空气炸锅", "air fryer")),
        ("blender", ("破壁机", "blender")),
        ("coffee", ("咖啡机", "coffee maker")),
    )
    for kind, words in kinds:
        if any(w in it.title.lower() for w in words):
            return kind
    return "other"


def sa_power(it: Item, r: random.Random) -> QA | None:
    watts = it.get("power_watts") or it.get("wattage")
    if not watts:
        return None
    w = int(watts)
    zh_tail = "功率比较大，最好别和其他大功率电器共用一个插排" if w >= 1500 else "不算费电"
    en_tail = (
        "at that power give it its own outlet rather than sharing a power strip with a heater "
        "or microwave."
        if w >= 1500
        else "it isn't a power hog."
    )
    return both(
        it,
        r,
        (
            "功率多大？费电吗|家里插座带得动吗|功率多少瓦",
            f"功率{w}W，普通家用10A插座就能用；{zh_tail}。",
        ),
        (
            "What's the wattage?|will it trip my breaker|how many watts",
            f"It's {w}W and runs on a standard US outlet; {en_tail}",
        ),
    )


def sa_boil(it: Item, r: random.Random) -> QA | None:
    watts = it.get("power_watts") or it.get("wattage")
    if _appliance(it) != "kettle" or not watts:
        return None
    w = int(watts)
    minutes = max(1, round(1000 * 4.186 * 80 / (w * 0.85) / 60))  # 1 L from 20 to 100 °C
    return both(
        it,
        r,
        (
            "烧开一壶水要多久？|烧水快吗|早上赶时间，烧水慢不慢",
            f"功率{w}W，烧开1升常温水大约{minutes}分钟，水开后自动断电。",
        ),
        (
            "How long does it take to boil?|is it fast|how quick does it boil water",
            f"At {w}W it boils 1 liter of tap water in about {minutes} minutes and switches "
            "itself off.",
        ),
    )


def sa_capacity(it: Item, r: random.Random) -> QA | None:
    kind = _appliance(it)
    zh_answers = {
        ("kettle", "1.5L"): "1.5L大概能倒6杯（每杯250ml），一家三口够用。",
        ("kettle", "1.7L"): "1.7L大概能倒7杯（每杯250ml），人多也够用。",
        ("rice", "3L"): "3L适合1–3人，一次能煮4碗左右的米饭。",
        ("rice", "4L"): "4L适合3–4人，一家三口刚刚好。",
        ("rice", "5L"): "5L适合4–6人，家里人多或者常请客可以选这个。",
        ("fryer", "4L"): "4L适合1–2人，一次能放8只左右的鸡翅。",
        ("fryer", "5.5L"): "5.5L适合3–4人，能放下一只1.5斤左右的小鸡。",
        ("blender", "1.75L"): "1.75L一次能打3–4人份的豆浆或果汁。",
        ("blender", "2L"): "2L一次能打4–5人份的豆浆或果汁。",
    }
    en_answers = {
        ("kettle", "1.5L"): "1.5L fills about 6 mugs, plenty for a small household.",
        ("kettle", "1.7L"): "1.7L fills about 7 mugs, enough for a family.",
        (
            "rice",
            "3-Cup",
        ): "3 cups uncooked makes about 6 cups of cooked rice, right for 2-3 people.",
        ("rice", "6-Cup"): "6 cups uncooked makes about 12 cups cooked, enough for 4-6 people.",
        ("rice", "10-Cup"): "10 cups uncooked makes about 20 cups cooked, for 6-10 people.",
        ("fryer", "4-Quart"): "4 quarts (about 3.8 L) suits 1-2 people, about 8 wings at a time.",
        ("fryer", "6-Quart"): "6 quarts (about 5.7 L) suits 3-4 people and fits a small chicken.",
        ("blender", "48oz"): "48 oz (about 1.4 L) makes 2-3 smoothies in one go.",
        ("blender", "64oz"): "64 oz (about 1.9 L) makes 4-5 smoothies in one go.",
        ("coffee", "12-Cup"): "It brews up to 12 cups (5 oz each), a full pot for the office.",
        ("coffee", "Single-Serve"): "It makes one cup at a time, fresh for each person.",
    }
    table = zh_answers if it.zh else en_answers
    tokens = title_tokens(it.title)
    for (k, variant), answer in table.items():
        if k == kind and variant in tokens:
            return both(
                it,
                r,
                ("容量多大？够几个人用|一家三口够用吗|几个人用合适", answer),
                ("How much does it hold?|big enough for a family of 4?|what size is it", answer),
            )
    return None


def sa_noise(it: Item, r: random.Random) -> QA | None:
    zh = {
        "blender": "破壁机高速档声音确实比较大，和吹风机差不多，一次打一两分钟；"
        "晚上用建议关上厨房门。",
        "kettle": "烧水时只有轻微的沸腾声，水开后自动断电，不会一直响。",
        "fryer": "工作时有风扇声，大概和抽油烟机低档差不多，不影响在客厅看电视。",
        "rice": "煮饭几乎没有声音，煮好会“滴”一声提示。",
        "coffee": "萃取时水泵会响十几秒，其余时间很安静。",
    }
    en = {
        "blender": "At full speed it's loud, about like a hair dryer, but a smoothie takes "
        "only a minute or two.",
        "kettle": "Just a gentle rumble as it heats; it clicks off by itself when it boils.",
        "fryer": "There's a fan hum, about like a range hood on low; you can still talk over it.",
        "rice": "It's practically silent and beeps when the rice is ready.",
        "coffee": "The pump hums for a few seconds while brewing; otherwise it's quiet.",
    }
    answer = (zh if it.zh else en).get(_appliance(it))
    if answer is None:
        return None
    return both(
        it,
        r,
        ("声音大吗？|噪音怎么样 晚上用会吵到人吗|吵不吵", answer),
        ("Is it loud?|how noisy is it|will it wake the baby", answer),
    )


def sa_voltage(it: Item, r: random.Random) -> QA | None:
    return both(
        it,
        r,
        (
            "出国能用吗？|国外能用吗 电压多少",
            "这款是国行220V电压，美国、日本等110V的国家不能直接用。",
        ),
        (
            "Will it work in Europe?|can i use it in the UK with an adapter",
            "It's built for US "
            "120V outlets only; on 220-240V it would be damaged even with a plug adapter.",
        ),
    )
