"""Past questions about books, skincare and toys (building sets)."""

from __future__ import annotations

import random
import re

from shopmind.demo.qa_base import QA, Item, both, one, title_tokens

__all__ = [
    "bk_copy",
    "bk_edition",
    "bk_genre",
    "bk_level",
    "bk_pages",
    "sk_amount",
    "sk_scent",
    "sk_sensitive",
    "sk_shelf",
    "sk_spf",
    "sk_type",
    "to_age",
    "to_build",
    "to_compat",
    "to_material",
    "to_missing",
]


# -- books --------------------------------------------------------------------------------------


def bk_pages(it: Item, r: random.Random) -> QA | None:
    pages = it.get("pages")
    if not pages:
        return None
    p = int(pages)
    zh_tail = "一个周末就能读完" if p <= 320 else "篇幅不短，每天读一小时大概一到两周读完"
    en_tail = "a weekend read" if p <= 320 else "a longer read, a week or two at an hour a day"
    return both(
        it,
        r,
        ("多少页？厚吗|大概多久能看完|书厚不厚", f"全书{p}页，{zh_tail}。"),
        ("How many pages?|how long is it|is it a long book", f"It's {p} pages, {en_tail}."),
    )


def bk_edition(it: Item, r: random.Random) -> QA | None:
    edition = it.get("edition")
    if not edition:
        return None
    zh = {
        "平装": "这本是平装版，轻便好带，内容和精装版完全一样。",
        "精装": "这本是精装版，硬壳封面，适合收藏和送人，内容和平装版一样。",
        "典藏版": "这本是典藏版，精装加书签和藏书票，适合收藏，正文内容和平装版一样。",
    }
    en = {
        "paperback": "This is the paperback: light and easy to carry, same text as the hardcover.",
        "hardcover": "This is the hardcover, sturdy and nice as a gift, same text as the "
        "paperback.",
    }
    answer = (zh if it.zh else en).get(edition)
    if answer is None:
        found = re.search(r"第(\d)版|(\d)(?:st|nd|rd|th) edition", edition)
        if not found:
            return None
        n = found.group(1) or found.group(2)
        answer = (
            f"这本是第{n}版，" + ("相比上一版更新了代码和案例。" if n != "1" else "是首版。")
            if it.zh
            else f"This is the {edition}"
            + (", with updated code and examples over the previous one." if n != "1" else ".")
        )
    if it.leaf == "Fiction":
        zh_q = "精装和平装有什么区别|是精装还是平装？|封面是硬壳的吗"
        en_q = "Paperback or hardcover?|is this the hardcover|is the paperback the same text"
    else:
        zh_q = "这是第几版？|是什么版本|和旧版有什么区别"
        en_q = "Which edition is this?|what edition|is it different from the previous edition"
    return both(it, r, (zh_q, answer), (en_q, answer))


def bk_level(it: Item, r: random.Random) -> QA | None:
    if it.leaf != "Technology":
        return None
    if it.has("入门"):
        zh_a = "这本就是入门书，零基础也能看懂，每章后面有练习。"
    else:
        zh_a = "需要一点编程基础（会写简单的Python就行），书里从基本概念讲起，案例都能跟着敲一遍。"
    return both(
        it,
        r,
        ("零基础能看懂吗？|适合新手吗|需要什么基础", zh_a),
        (
            "Is this good for beginners?|do I need to know python first|what level is it",
            "You "
            "need basic Python, nothing more; it builds up from the fundamentals with examples "
            "you can type along.",
        ),
    )


def bk_genre(it: Item, r: random.Random) -> QA | None:
    if it.leaf != "Fiction":
        return None
    if it.zh:
        genre = it.title.split("《")[0]
        if not genre:
            return None
        return one(r, ("适合初中生看吗", "是什么类型的书？", "送给高中生合适吗")), (
            f"这是一本{genre}，是写给成年读者的，高中生可以读；初中生的话建议家长先翻一翻。"
        )
    found = re.search(r"A (.+?) published by", it.description)
    if not found:
        return None
    return one(
        r, ("Is it ok for a 13 year old?", "what kind of book is this", "good gift for a teen?")
    ), (
        f"It's a {found.group(1)} written for adult readers; fine for older teens, and we'd "
        "suggest a parent skims it first for younger readers."
    )


def bk_copy(it: Item, r: random.Random) -> QA | None:
    if it.leaf not in ("Fiction", "Technology"):
        return None
    return both(
        it,
        r,
        (
            "是正版吗？|有塑封吗|书会不会有折角",
            "正版新书，出版社直供，带塑封发货；"
            "收到有破损、折角或印刷问题，30天内联系客服免费换新。",
        ),
        (
            "Is it a new copy?|is it shrink wrapped",
            "Yes, a brand-new copy from the publisher, "
            "shrink-wrapped. If it arrives damaged or misprinted, tell us within 30 days for a "
            "free replacement.",
        ),
    )


# -- skincare -----------------------------------------------------------------------------------

_SKIN_ZH = {"干性": "干皮", "油性": "油皮", "混合性": "混合皮", "敏感肌": "敏感肌"}
_SKIN_EN = {"dry": "dry", "oily": "oily", "combination": "combination", "sensitive": "sensitive"}


def sk_type(it: Item, r: random.Random) -> QA | None:
    skin = it.get("skin_type")
    names = _SKIN_ZH if it.zh else _SKIN_EN
    if skin not in names:
        return None
    asked = one(r, tuple(names))
    if it.zh:
        q = one(
            r,
            (
                f"{names[asked]}能用吗？",
                f"我是{names[asked]}，用了会不会闷痘",
                f"{names[asked]}适合吗",
            ),
        )
        if asked == skin:
            a = f"适合的，这款就是针对{skin}肌肤设计的，{names[asked]}用着刚好。"
        else:
            a = f"这款主要针对{skin}肌肤，{names[asked]}也可以用，建议先在耳后试用两三天再上脸。"
        return q, a
    q = one(
        r,
        (
            f"Will this work for {asked} skin?",
            f"i have {asked} skin, is it ok",
            f"Good for {asked} skin?",
        ),
    )
    if asked == skin:
        return q, f"Yes, it's formulated for {skin} skin, so it's a good match."
    return q, (
        f"It's formulated for {skin} skin. {asked.capitalize()} skin can use it too; "
        "patch-test behind your ear for 2-3 days first."
    )


def sk_scent(it: Item, r: random.Random) -> QA | None:
    scent = it.get("fragrance")
    zh = {
        "无香": "无香配方，不添加香精，闻起来几乎没有味道。",
        "淡香": "有淡淡的清香，上脸后很快就散了，不会熏人。",
    }
    en = {
        "fragrance-free": "It's fragrance-free, with no added perfume, so it has almost no scent.",
        "light scent": "It has a light, fresh scent that fades soon after you apply it.",
    }
    answer = (zh if it.zh else en).get(scent or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        ("有香味吗？|味道重不重|有没有香精", answer),
        ("Does it have a scent?|is it fragrance free|smell strong?", answer),
    )


def sk_spf(it: Item, r: random.Random) -> QA | None:
    spf = it.number(r"SPF ?(\d+)")
    if not spf:
        return None
    if spf == "50":
        zh_a = "SPF50适合海边、户外长时间暴晒，记得每2小时补涂一次，出汗或游泳后也要补。"
        en_a = (
            "SPF 50 is made for the beach and long days outside; reapply every 2 hours and after "
            "swimming or sweating."
        )
    else:
        zh_a = "SPF30适合日常通勤；去海边长时间暴晒的话建议选SPF50，并且每2小时补涂。"
        en_a = (
            "SPF 30 is right for everyday wear; for the beach pick SPF 50 and reapply every 2 "
            "hours."
        )
    return both(
        it,
        r,
        (f"SPF{spf}去海边够吗？|日常通勤用这个可以吗|多久补涂一次", zh_a),
        (f"Is SPF {spf} enough for the beach?|ok for everyday use|how often do i reapply", en_a),
    )


def sk_amount(it: Item, r: random.Random) -> QA | None:
    zh = {
        "50ml": "50ml早晚各用一次，大概能用两个月。",
        "100ml": "100ml早晚各用一次，大概能用四个月。",
        "30ml": "30ml每天早晚用，大概能用6–8周。",
        "150ml": "150ml每天早晚用，大概能用两个月。",
        "250ml": "250ml每天早晚用，大概能用三到四个月。",
        "120g": "120g每天用两次，大概能用两个月。",
        "150g": "150g每天用两次，大概能用两个半月。",
        "5片装": "5片装，每周敷2–3次，大概能用两周。",
        "10片装": "10片装，每周敷2–3次，大概能用一个月。",
    }
    en = {
        "1.7oz": "1.7 oz (50 ml) lasts about two months used morning and night.",
        "3.4oz": "3.4 oz (100 ml) lasts about four months used morning and night.",
        "1oz": "1 oz (30 ml) lasts about 6-8 weeks used twice a day.",
        "2oz": "2 oz (60 ml) lasts about three months used twice a day.",
        "4oz": "4 oz (120 ml) lasts about two months washing twice a day.",
        "6oz": "6 oz (180 ml) lasts about three months washing twice a day.",
        "5oz": "5 oz (150 ml) lasts about two months used twice a day.",
        "8oz": "8 oz (240 ml) lasts about three to four months used twice a day.",
        "5-Pack": "Five masks, about two weeks at 2-3 masks a week.",
        "10-Pack": "Ten masks, about a month at 2-3 masks a week.",
    }
    tokens = title_tokens(it.title)
    for size, answer in (zh if it.zh else en).items():
        if size in tokens:
            return both(
                it,
                r,
                ("能用多久？|一瓶大概用多长时间|量大吗", answer),
                ("How long does it last?|how long will one bottle last me", answer),
            )
    return None


def sk_sensitive(it: Item, r: random.Random) -> QA | None:
    gentle = it.get("skin_type") in ("sensitive", "敏感肌") or it.has(
        "敏感肌适用", "温和无刺激", "fragrance-free", "dermatologist-tested"
    )
    if gentle:
        zh_a = "可以，这款配方温和，敏感肌也能用；第一次用还是建议先在耳后试两三天。"
        en_a = (
            "Yes, it's a gentle formula suitable for sensitive skin. Still, patch-test for 2-3 "
            "days the first time."
        )
    else:
        zh_a = "这款不是专门针对敏感肌的，建议先在耳后或手腕内侧试用两三天，没有泛红再上脸。"
        en_a = (
            "It isn't made specifically for sensitive skin, so patch-test on your inner wrist for "
            "2-3 days first."
        )
    return both(
        it,
        r,
        ("敏感肌能用吗？|会过敏吗|脸容易泛红能用吗", zh_a),
        ("Is it ok for sensitive skin?|will it irritate my skin|safe for sensitive skin?", en_a),
    )


def sk_shelf(it: Item, r: random.Random) -> QA | None:
    return both(
        it,
        r,
        (
            "保质期多久？|生产日期是什么时候|开封后能放多久",
            "未开封保质期3年，生产日期印在包装上；开封后建议12个月内用完。",
        ),
        (
            "What's the shelf life?|when does it expire|how long after opening",
            "Unopened it "
            "keeps 3 years from the production date on the pack; once opened, use it within "
            "12 months.",
        ),
    )


# -- toys ---------------------------------------------------------------------------------------


def to_age(it: Item, r: random.Random) -> QA | None:
    age = it.get("age")
    if not age:
        return None
    minimum = int(age.rstrip("+"))
    child = r.randint(3, 12)
    ok = child >= minimum
    small = minimum < 3 or it.has("积木", "brick", "block")
    if it.zh:
        q = one(
            r,
            (f"{child}岁的孩子能玩吗？", f"给{child}岁男孩当礼物合适吗", f"我家{child}岁，适合吗"),
        )
        if ok:
            return q, f"可以，这款适用年龄{age}，{child}岁玩正合适。"
        extra = "里面有小零件，" if small else ""
        return q, f"这款标注适用年龄{age}，{child}岁还小了点，{extra}建议等孩子大一些再玩。"
    q = one(
        r,
        (
            f"Is this ok for a {child} year old?",
            f"good gift for my {child}yo?",
            f"will my {child}-year-old be able to build it",
        ),
    )
    if ok:
        return q, f"Yes, it's rated ages {age}, so a {child}-year-old is right in range."
    extra = "it has small pieces, and " if small else ""
    return (
        q,
        f"It's rated ages {age}; {extra}a {child}-year-old is a bit young for it, so we'd wait.",
    )


def to_material(it: Item, r: random.Random) -> QA | None:
    material = it.get("material")
    zh = {
        "ABS塑料": "ABS塑料，无毒无味，边角都打磨得很圆润，小朋友玩很安全。",
        "木质": "木质的，表面是水性漆，无毒无味，边角圆润。",
    }
    en = {
        "ABS plastic": "It's non-toxic ABS plastic with rounded edges and no smell.",
        "wood": "It's wood with a water-based, non-toxic finish and rounded edges.",
    }
    answer = (zh if it.zh else en).get(material or "")
    if answer is None:
        return None
    return both(
        it,
        r,
        ("什么材质？安全吗|有没有味道|环保吗", answer),
        ("What's it made of? is it safe|any smell?|is it non toxic", answer),
    )


def to_compat(it: Item, r: random.Random) -> QA | None:
    if not it.has("兼容大颗粒", "compatibility with major brick brands"):
        return None
    return both(
        it,
        r,
        ("能和乐高混着拼吗？|和家里的积木兼容吗", "可以，兼容市面上主流的大颗粒积木，能混着拼。"),
        (
            "Is it compatible with Lego?|will it work with our other bricks",
            "Yes, it fits the major brick brands, so you can mix it with sets you already have.",
        ),
    )


def to_build(it: Item, r: random.Random) -> QA | None:
    if it.has("遥控", "remote control"):
        return both(
            it,
            r,
            (
                "需要电池吗？|遥控器用什么电池",
                "遥控版的赛车需要4节5号电池，遥控器需要2节5号电池，都不含，需要另配。",
            ),
            (
                "Does it need batteries?|are batteries included",
                "Yes: the car takes 4 AA batteries and the remote 2 AA. Batteries aren't included.",
            ),
        )
    pieces = it.number(r"(\d+)(?:粒|片|-Piece)")
    if not pieces:
        return None
    n = int(pieces)
    zh_time = (
        "一到两个小时"
        if n <= 100
        else "三四个小时（可以分几次）"
        if n <= 500
        else "六到八个小时（可以分几天）"
    )
    en_time = (
        "an hour or two"
        if n <= 100
        else "3-4 hours over a few sittings"
        if n <= 500
        else "6-8 hours over a few days"
    )
    return both(
        it,
        r,
        (
            "拼完要多久？|有说明书吗|难不难拼",
            f"一共{n}片（粒），附带图纸说明书，孩子一般{zh_time}拼完。",
        ),
        (
            "How long does it take to build?|does it come with instructions|is it hard to build",
            f"It's {n} pieces with picture instructions; kids usually finish it in {en_time}.",
        ),
    )


def to_missing(it: Item, r: random.Random) -> QA | None:
    return both(
        it,
        r,
        (
            "少零件怎么办？|缺了一块能补吗",
            "签收后30天内发现缺件，联系客服提供订单号和说明书上的零件编号，我们免费补发。",
        ),
        (
            "What if a piece is missing?|missing pieces?",
            "Tell us within 30 days of delivery "
            "with your order number and the piece number from the manual, and we ship it free.",
        ),
    )
