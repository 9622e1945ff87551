"""Past questions about headphones and smartphones."""

from __future__ import annotations

import random
import re

from shopmind.demo.qa_base import QA, Item, both, one, water_rating

__all__ = [
    "hp_anc",
    "hp_battery",
    "hp_box",
    "hp_connect",
    "hp_fit",
    "hp_latency",
    "hp_swim",
    "hp_water",
    "ph_5g",
    "ph_battery",
    "ph_box",
    "ph_elder",
    "ph_screen",
    "ph_storage",
    "ph_water",
]


# -- headphones ---------------------------------------------------------------------------------

_IPX_ZH = {
    "IPX4": "IPX4防溅水，日常运动出汗、毛毛雨都没问题，但不能冲水或泡水",
    "IPX5": "IPX5防水，日常运动出汗、淋小雨都没问题，用完还能用清水轻轻冲一下，但不要泡水",
    "IPX7": "IPX7防水，能在1米水深浸泡30分钟，大雨、出汗或者不小心掉进水盆都不怕",
}
_IPX_EN = {
    "IPX4": "IPX4, which means splash resistant: sweat and light rain are fine, "
    "but don't rinse them under a tap or drop them in water",
    "IPX5": "IPX5, so sweat, rain and a gentle rinse under the tap are fine; "
    "just don't submerge them",
    "IPX7": "IPX7, so they survive being submerged up to 1 m for 30 minutes; sweat, "
    "a downpour or a drop in the sink won't hurt them",
}


def _ear_noun(it: Item) -> str:
    for noun in ("earbuds", "earphones", "headphones"):
        if noun in it.title.lower():
            return noun
    return "headphones"


def _over_ear(it: Item) -> bool:
    return it.has("头戴", "over-ear") or (it.has("headphones") and not it.has("earbuds"))


def hp_water(it: Item, r: random.Random) -> QA | None:
    rating = water_rating(it)
    noun = _ear_noun(it)
    zh_q = (
        "这款耳机防水吗？|防水吗|跑步出汗多，防水效果怎么样？|下雨天能戴吗？防水不|防水等级是多少？"
        "|健身房出汗很多，这个耳机防汗防水吗|请问防不防水？|骑车遇到下雨，防水够用吗|耳机防水不"
    )
    en_q = (
        f"Are these {noun} waterproof?|are they sweat and water proof? i sweat a lot at the gym"
        f"|Can I wear them in the rain, are they water resistant?"
        f"|what's the water resistance rating|waterprof?|Are they waterproof enough for running?"
        f"|how water resistant are they|waterproof or just splash proof?"
    )
    if rating in _IPX_ZH:
        zh_a = one(r, (f"支持{_IPX_ZH[rating]}。", f"亲，这款是{_IPX_ZH[rating]}。"))
        en_a = one(r, (f"They're rated {_IPX_EN[rating]}.", f"The rating is {_IPX_EN[rating]}."))
    else:
        zh_a = (
            "标题里的“防水”指日常防汗防溅，官方没有给出具体的防水等级，"
            "跑步出汗没问题，但别淋大雨，也不要冲水。"
            if "防水" in it.title
            else "这款官方没有标注防水等级，不建议淋雨或者大汗运动时戴，用完用干布擦一擦就好。"
        )
        en_a = (
            f"These {noun} don't have an official water-resistance rating, so we'd keep them "
            "out of the rain and wipe them dry after a workout. Water damage isn't covered "
            "by the warranty on unrated products."
        )
    return both(it, r, (zh_q, zh_a), (en_q, en_a))


def hp_swim(it: Item, r: random.Random) -> QA | None:
    rating = water_rating(it)
    if rating not in _IPX_ZH:
        return None
    if rating == "IPX7":
        zh_a = (
            "不建议。这款是IPX7，短时间泡水不会坏，但蓝牙信号在水下基本传不过去，"
            "游泳时会断连；泳池的氯水、洗澡的热水和蒸汽也不在IPX7的防护范围内。"
        )
        en_a = (
            "We wouldn't. They're IPX7, so a short dunk won't kill them, but Bluetooth "
            "doesn't travel through water, so the music cuts out when you swim; chlorine, "
            "hot water and shower steam aren't covered by IPX7 either."
        )
    else:
        zh_a = (
            f"不可以哦，这款是{rating}，只防汗和溅水，游泳、洗澡都不行，"
            "热水蒸汽也容易进水，进水损坏不在保修范围内。"
        )
        en_a = (
            f"No, please don't. They're {rating}, which covers sweat and splashes only; "
            "swimming or showering would go beyond the rating and isn't covered by the warranty."
        )
    return both(
        it,
        r,
        ("能戴着游泳吗？|游泳可以用吗|洗澡的时候能戴吗？|能不能戴着冲澡", zh_a),
        (
            "Can I swim with these?|can i wear them in the shower|are they ok for swimming laps",
            en_a,
        ),
    )


def hp_battery(it: Item, r: random.Random) -> QA | None:
    hours = it.get("battery_hours")
    if not hours:
        found = re.search(r"(\d+)-hour battery", it.description)
        hours = found.group(1) if found else None
    if not hours:
        return None
    h = int(hours)
    zh_flight = "长途航班一趟下来还有剩余" if h >= 30 else "短途航班没问题，长途建议中途充一下"
    en_flight = (
        "plenty for a long-haul flight"
        if h >= 30
        else "fine for a short flight; top it up on a long one"
    )
    zh_a = one(
        r,
        (
            f"官方标称续航{h}小时（中等音量），实际用下来差不多，快没电时会有语音提示。",
            f"续航{h}小时左右，{zh_flight}。",
        ),
    )
    en_a = one(
        r,
        (
            f"Battery life is rated at {h} hours at moderate volume, and that matches "
            "what customers report.",
            f"About {h} hours of playback per charge, {en_flight}.",
        ),
    )
    return both(
        it,
        r,
        ("续航多久？|电池能用多长时间|充满电能听几个小时？|出差坐飞机，电量够用吗", zh_a),
        (
            "How long does the battery last?|batery life?|how many hours on a full charge"
            "|Will the battery last a long flight?",
            en_a,
        ),
    )


def hp_connect(it: Item, r: random.Random) -> QA | None:
    link = it.get("connectivity")
    if not link:
        return None
    en_link = link.replace("bluetooth", "Bluetooth")
    return both(
        it,
        r,
        (
            "苹果手机能用吗？|安卓能连吗|能连电脑吗？|支持什么蓝牙版本",
            f"可以的，这款是{link}，苹果、安卓手机都能连，带蓝牙的电脑和平板也可以。",
        ),
        (
            "Will these work with my iPhone?|does it work with android|Can I connect it to "
            "my laptop?|what bluetooth version",
            f"Yes. It uses {en_link}, so it pairs with iPhone, Android and any laptop or "
            "tablet with Bluetooth.",
        ),
    )


def hp_anc(it: Item, r: random.Random) -> QA | None:
    if it.zh:
        if it.has("主动降噪", "降噪耳机"):
            a = "有主动降噪，地铁、飞机上的低频轰鸣能压下去一大半，人声会弱一些但还能听到。"
        elif it.has("通话降噪"):
            a = (
                "这款是通话降噪，作用是打电话时让对方听不到你这边的噪音；"
                "它没有主动降噪，听歌时的隔音靠耳机本身。"
            )
        else:
            return None
        return one(r, ("降噪效果怎么样？", "地铁上能用吗 吵不吵", "有主动降噪吗")), a
    if it.has("noise cancelling"):
        a = (
            "Yes, it has active noise cancelling. Engine and subway rumble drops a lot; "
            "voices are softer but still audible."
        )
    else:
        return None
    q = one(
        r,
        (
            "How good is the noise cancelling?",
            "will it block noise on the subway",
            "does it have ANC?",
        ),
    )
    return q, a


def hp_fit(it: Item, r: random.Random) -> QA | None:
    if it.zh:
        q = one(r, ("跑步会掉吗？", "戴久了耳朵疼不疼", "耳朵小能戴吗", "戴着运动稳不稳"))
        if it.has("骨传导"):
            a = "骨传导是挂在耳朵上的，不塞耳朵，戴着跑步一个小时没掉，也不闷；戴眼镜会稍微有点挤。"
        elif _over_ear(it):
            a = (
                "这是头戴式的，通勤和在家听很舒服，耳罩是软的，戴两三个小时也不压耳朵；"
                "跑步会晃，不太推荐。"
            )
        else:
            a = "附带大中小三副耳塞，换到合适的尺寸后很稳，不少买家说戴着跑步一个小时都没掉。"
        return q, a
    q = one(
        r,
        (
            "Do they fall out when running?",
            "will these hurt my ears after a few hours",
            "I have small ears, will they fit?",
        ),
    )
    if _over_ear(it):
        a = (
            "They're over-ear with soft cushions, comfortable for a few hours of commuting or "
            "desk work. For running they bounce a bit, so we wouldn't pick them for that."
        )
    else:
        a = (
            "They come with small, medium and large ear tips. With the right size they stay "
            "put; plenty of customers run an hour in them without them falling out."
        )
    return q, a


def hp_box(it: Item, r: random.Random) -> QA | None:
    if it.has("骨传导"):
        zh_a = "包装里有耳机本体、磁吸充电线、收纳袋和说明书。"
    elif _over_ear(it):
        zh_a = "包装里有耳机、USB-C充电线、3.5mm音频线、收纳袋和说明书。"
    else:
        zh_a = "包装里有耳机、充电仓、USB-C充电线、大中小三副耳塞和说明书。"
    if _over_ear(it):
        en_a = (
            "In the box: the headphones, a USB-C cable, a 3.5 mm audio cable, a pouch and a guide."
        )
    else:
        en_a = (
            f"In the box: the {_ear_noun(it)}, the charging case, a USB-C cable, small/medium/"
            "large ear tips and a quick start guide."
        )
    return both(
        it,
        r,
        ("包装里有什么？|送充电线吗|有没有收纳袋|配件都有啥", zh_a),
        ("What's in the box?|does it come w/ a charging cable|what accessories are included", en_a),
    )


def hp_latency(it: Item, r: random.Random) -> QA | None:
    if not it.has("低延迟", "low-latency"):
        return None
    return both(
        it,
        r,
        (
            "打游戏有延迟吗？|玩王者会声音对不上吗",
            "有低延迟游戏模式，连按三下耳机开启，打游戏、看视频基本感觉不到声画不同步。",
        ),
        (
            "Is there lag when gaming?|any audio delay with videos",
            "It has a low-latency gaming mode (triple-tap to switch it on); in games and videos "
            "you won't notice the sound lagging behind the picture.",
        ),
    )


# -- phones -------------------------------------------------------------------------------------


def ph_battery(it: Item, r: random.Random) -> QA | None:
    mah = it.get("battery_mah")
    if not mah:
        return None
    fast_zh = "，而且支持快充" if it.has("快充") else ""
    fast_en = " It also supports fast charging." if it.has("fast charging") else ""
    return both(
        it,
        r,
        (
            "电池多大？一天一充够吗|续航怎么样|打游戏掉电快吗|电池耐用吗？",
            f"电池容量{mah}mAh，正常刷视频、聊天一天一充足够{fast_zh}；"
            "长时间玩大型游戏耗电会快一些，建议带个充电宝。",
        ),
        (
            "How long does the battery last?|is the battery good enough for a full day"
            "|battery drain when gaming?",
            f"It has a {mah} mAh battery, enough for a full day of messages, photos and video."
            f"{fast_en} Long gaming sessions drain it faster, so carry a power bank for those.",
        ),
    )


def ph_screen(it: Item, r: random.Random) -> QA | None:
    inches = it.get("screen_inches")
    if not inches:
        return None
    size = float(inches)
    if size <= 6.1:
        zh_a = f"屏幕{inches}英寸，机身比较小巧，单手操作很轻松。"
        en_a = f"It's a {inches}-inch screen, on the compact side, easy to use one-handed."
    elif size <= 6.5:
        zh_a = f"屏幕{inches}英寸，大屏但不夸张，单手打字没问题，够左上角需要换手。"
        en_a = f"The screen is {inches} inches: big but manageable; one-handed typing is fine."
    else:
        zh_a = f"{inches}英寸大屏，看视频很过瘾，单手操作有点吃力，建议配个指环支架。"
        en_a = (
            f"It's a {inches}-inch screen, great for video but a stretch one-handed; "
            "a ring grip helps."
        )
    return both(
        it,
        r,
        ("屏幕多大？单手好握吗|几寸屏|女生手小拿着方便吗", zh_a),
        ("How big is the screen?|is it too big for small hands|screen size?", en_a),
    )


def ph_5g(it: Item, r: random.Random) -> QA | None:
    if it.get("network") != "5G" and "5G" not in it.title:
        return None
    return both(
        it,
        r,
        ("支持5G吗|是5G手机吗？|移动卡能用5G吗", "支持5G，国内三大运营商的5G网络都能用。"),
        (
            "Does it support 5G?|is this 5g|will 5G work on my carrier",
            "Yes, it supports 5G and works on all major US carriers.",
        ),
    )


def ph_storage(it: Item, r: random.Random) -> QA | None:
    if it.zh:
        found = re.search(r"(\d+)\+(\d+)(GB|TB)", it.title)
        if not found:
            return None
        ram, rom = found.group(1), f"{found.group(2)}{found.group(3)}"
        big = found.group(3) == "TB" or int(found.group(2)) >= 256
        tail = "拍视频、装游戏都够用" if big else "日常够用，经常拍4K视频的话建议选更大容量"
        return one(r, ("内存多大？", "12+256是什么意思", "存储够用吗，喜欢拍视频")), (
            f"这款是{ram}GB运行内存加{rom}存储，{tail}。"
        )
    storage = it.number(r"(\d+(?:GB|TB))")
    if not storage:
        return None
    big = storage.endswith("TB") or int(storage[:-2]) >= 256
    tail = (
        "plenty for photos, video and games."
        if big
        else "fine for everyday use; if you shoot a lot of 4K video, pick a bigger version."
    )
    q = one(
        r,
        (
            "How much storage does it have?",
            "is the storage enough for lots of videos",
            "how many GB",
        ),
    )
    return q, f"This one has {storage} of storage, {tail}"


def ph_water(it: Item, r: random.Random) -> QA | None:
    if "防水" in it.title:
        zh_a = (
            "标题里的“防水”指日常生活防水，洗手溅到水、淋点小雨没问题；官方没有标注具体的"
            "防水等级，不能泡水或带去游泳，进水损坏不在保修范围内。"
        )
    else:
        zh_a = "这款官方没有标注防水等级，平时注意远离水，溅到水及时擦干；进水损坏不在保修范围内。"
    return both(
        it,
        r,
        (
            "手机防水吗？|掉水里会坏吗，防水吗|下雨天用没事吧？防不防水|防不防水|防水等级多少？",
            zh_a,
        ),
        (
            "Is this phone waterproof?|what if i drop it in water|Is it water resistant?"
            "|is it waterproof enough for the rain",
            "This phone has no official water-resistance rating, so keep it away from water "
            "and dry it quickly if it gets splashed. Water damage isn't covered by the warranty.",
        ),
    )


def ph_box(it: Item, r: random.Random) -> QA | None:
    return both(
        it,
        r,
        (
            "送充电器吗？|包装里有什么|有没有送手机壳",
            "包装里有手机、USB-C数据线、取卡针和说明书；充电头和手机壳需要另外购买。",
        ),
        (
            "Does it come with a charger?|what's in the box",
            "In the box: the phone, a USB-C "
            "cable, a SIM tool and a quick start guide. The charging brick and case are sold "
            "separately.",
        ),
    )


def ph_elder(it: Item, r: random.Random) -> QA | None:
    return both(
        it,
        r,
        (
            "给爸妈用合适吗|老人用操作复杂吗？|给孩子当第一部手机可以吗",
            "可以，系统自带简易模式，字体和图标能调大；也有家长控制，可以限制孩子的使用时间。",
        ),
        (
            "Is this good for my grandma?|good first phone for a 12 year old?"
            "|is it easy to use for someone not techy",
            "Yes. It has an easy mode with bigger text and icons, plus parental controls "
            "for screen time if it's for a child.",
        ),
    )
