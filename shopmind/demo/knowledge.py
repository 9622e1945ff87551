"""The demo shop's own knowledge for the customer-service assistant.

:func:`demo_documents` gives the shop's policy pages (shipping, returns, warranty, sizes,
payment, contact) as Markdown, in English for the USD store and in Chinese for the CNY
store, with the same policies in both. :func:`demo_qa` gives a few hundred past customer
questions about the demo catalogue's products (:func:`shopmind.demo.catalog.demo_products`)
with the answers the shop gave: Chinese products are asked in Chinese, English ones in
English, and an answer states only what the product's attributes, title or description say
(a water rating, battery hours, a size) or what the pages say. The output depends only on
the products and the seed.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["demo_documents", "demo_qa"]

_SHIPPING_EN = """\
# Shipping and Delivery

## Where we ship

Our English store (prices in USD) ships to all 50 US states.
Alaska and Hawaii take 2-4 business days longer than the times below.
We do not ship outside the United States at the moment.
Orders paid in CNY are shipped by our China store (see the Chinese shipping page).

## When your order ships

- Orders paid before 4 pm Eastern Time on a business day ship the same day.
- Every other in-stock order ships within 24 hours (the next business day).
- Business days are Monday to Friday, excluding US public holidays.
- Out-of-stock items cannot be ordered; tap "Notify me" on the product page.

## Delivery times and costs

| Method | Carrier | Delivery time after shipping | Cost |
|---|---|---|---|
| Standard | UPS Ground or USPS Ground Advantage | 3-5 business days | $5.99 (free from $49) |
| Express | FedEx | 1-2 business days | $14.99 |
| Furniture | Partner freight carrier | 5-10 business days | Free |

## Free shipping

- Standard shipping is free on orders of $49 or more (after discounts, before tax).
- Furniture (sofas, couches, desks) always ships free.
- Express shipping is never free; you pay $14.99 whatever the order total.

## Furniture delivery

Sofas and desks travel by freight carrier, 5-10 business days after shipping.
The carrier calls you to book a delivery window.
Delivery is curbside, to the ground floor or building entrance.
Carrying upstairs and assembly are not included.

## Tracking your order

We email a tracking number as soon as your order ships.
You can also follow it under Account > Orders.

## Late, lost or damaged parcels

- Damaged box or item: send us a photo within 48 hours of delivery.
- No tracking update for 5 business days: contact us and we reship or refund.
- Wrong item: we send the right one and a prepaid label for the wrong one.
"""

_RETURNS_EN = """\
# Returns and Refunds

## Return policy at a glance

- You have 30 days from delivery to return an item for any reason.
- Items must be unused, in the original packaging, with all accessories and tags.
- We refund to your original payment method.
- Return shipping is free if the item is faulty, damaged or wrong.
- For any other reason the $5.99 return label is deducted from your refund.

## How to start a return

1. Go to Account > Orders and choose "Request a return" next to the item.
   Or email support@demo.shopmind.local with your order number.
2. Pick a reason. We email a prepaid return label and an RMA number within 1 business day.
3. Pack the item, attach the label and drop it at any UPS location within 7 days.

## Conditions by product type

- Electronics and phones: with every accessory; sign out of your accounts and reset phones.
- Running shoes: unworn outdoors, with clean soles.
- Books: no writing, highlighting or bent pages.
- Skincare: unopened and sealed only, for hygiene reasons.
  If an opened product irritates your skin, contact us within 30 days
  with a photo and we refund it once.
- Toys and building sets: with every piece.
- Furniture: in its original condition; we book a pickup.
  A $49 pickup fee applies unless the item is defective.

## Exchanges

- Shoes and running socks: one free size exchange within 30 days of delivery.
- Everything else: return the item and place a new order.

## Faulty, damaged or wrong items

- Damaged in transit: send a photo within 48 hours of delivery.
- Faulty within 30 days: full refund or replacement, and we pay return shipping.
- Faulty after 30 days: the warranty applies; see warranty.md.

## Refund times

We inspect returns within 3 business days of arrival and then issue the refund.
Your bank or card needs another 3-7 business days to show it.
PayPal refunds usually appear within 1 business day.
"""

_WARRANTY_EN = """\
# Warranty

## Warranty at a glance

- Every product except books and skincare has a 1-year limited warranty from delivery.
- Small appliances show their warranty on the product page: 1 year or 2 years.
- Books and skincare have no warranty; problems on arrival fall under the 30-day return policy.
- Valid claims are repaired or replaced free, and we pay shipping both ways.

## What the warranty covers

- Manufacturing defects under normal use.
- Batteries that hold less than 80% of their rated capacity within the warranty period.
- Headphones or phones that stop charging, pairing or playing sound.
- Small appliances that stop heating or switching on.
- Desk motors, lamp LEDs and furniture frames that fail.
- Non-stick coatings that peel under normal use.

## What the warranty does not cover

- Accidental damage such as drops, cracked screens or crushed parts.
- Water damage beyond the product's stated water rating (for example IPX4 or IPX7).
  Products without a water rating are not covered for water damage at all.
- Normal wear: ear tips, shoe soles, scratches, fading.
- Misuse: metal utensils on non-stick pans, the wrong voltage, unauthorized repairs.

## How to make a warranty claim

1. Go to Account > Orders and choose "Warranty claim", or email support@demo.shopmind.local.
2. Give your order number, a short description and a photo or video of the problem.
3. We reply within 1 business day with a prepaid label.
4. We repair or replace the item within 7 business days of receiving it.
   If we cannot, we refund the price you paid.

## Missing parts

Building sets and furniture with missing parts: tell us within 30 days of delivery.
Give the part or piece number from the manual and we ship it free.

## Skincare shelf life

Unopened skincare keeps for 3 years from the production date printed on the pack.
Once opened, use it within 12 months.
"""

_SIZING_EN = """\
# Size Guide

## Running shoe sizes

Our running shoes are labelled in EU sizes 38 to 44, whole sizes only.
They run true to size: order the size you usually wear.

| EU size | US men | US women | Foot length |
|---|---|---|---|
| 38 | 5.5 | 7 | 24.0 cm |
| 39 | 6.5 | 8 | 24.5 cm |
| 40 | 7 | 8.5 | 25.0 cm |
| 41 | 8 | 9.5 | 26.0 cm |
| 42 | 8.5 | 10 | 26.5 cm |
| 43 | 9.5 | 11 | 27.5 cm |
| 44 | 10 | 11.5 | 28.0 cm |

## How to measure your foot

1. Measure in the evening, when feet are largest.
2. Stand on a sheet of paper with your heel against a wall.
3. Mark the tip of your longest toe and measure from the wall in cm.
4. Use the longer foot and pick the row whose foot length is equal or just above.

## Regular or wide fit

- Regular width suits most feet.
- Wide width has a roomier forefoot and toe box for wide feet or a high instep.
- Wide feet in a regular-width shoe: choose one size up.

## Between sizes

- Between two sizes, choose the larger one.
- Trail running with thick socks: choose one size up.

## Running socks

| Sock size | Fits EU shoe sizes |
|---|---|
| M | 38-41 |
| L | 42-45 |

The size on a sock listing is the shoe size it is made for.

## Running belts

One size with an elastic strap: fits waists of 65-110 cm (26-43 in).

## Clothing

We do not sell clothing at the moment; this guide covers shoes, socks and belts.
"""

_PAYMENT_EN = """\
# Payment

## Accepted payment methods

- Credit and debit cards: Visa, Mastercard, American Express and Discover.
- PayPal, Apple Pay and Google Pay.
- We do not accept cash on delivery, checks or wire transfers.

## Currency and taxes

Our English store charges in US dollars (USD).
Sales tax is added at checkout according to your delivery state.

## When you are charged

Your card is charged when you place the order.
If an item cannot ship, we refund it within 1 business day.

## Paying in installments

PayPal Pay in 4 splits orders from $30 to $1,500 into 4 interest-free payments.

## Discount codes

One discount code per order; enter it at checkout before paying.
Codes cannot be added after the order is placed.

## Invoices

A receipt is emailed with every order and can be downloaded under Account > Orders.
"""

_CONTACT_EN = """\
# Contact Us

## Customer service hours

Chat and email: every day, 9 am to 9 pm Eastern Time.
We answer emails within 24 hours.

## How to reach us

- Email: support@demo.shopmind.local
- Live chat: the chat button on every page.
- Have your order number ready; it starts with "SM".
"""

_SHIPPING_ZH = """\
# 配送说明

## 配送范围

中文商城（人民币标价）发往中国大陆所有省、自治区和直辖市。
新疆、西藏、青海、内蒙古等偏远地区，时效比下表多2–4个工作日。
港澳台及海外地址暂不支持配送。
美元标价的英文商城订单由美国仓发货，见 shipping.md。

## 发货时间

- 工作日16:00（北京时间）前付款的订单，当天发货。
- 其他现货订单24小时内发货（顺延到下一个工作日）。
- 工作日为周一至周五，法定节假日除外。
- 缺货商品无法下单，可以在商品页点"到货通知"。

## 配送方式、时效和运费

| 配送方式 | 快递公司 | 发货后时效 | 运费 |
|---|---|---|---|
| 标准快递 | 中通快递或韵达快递 | 3–5个工作日 | 12元，满199元免运费 |
| 加急快递 | 顺丰速运 | 1–2个工作日 | 25元 |
| 家具物流 | 合作物流公司 | 5–10个工作日 | 免运费 |

## 包邮规则

- 订单实付满199元，标准快递免运费。
- 商品页标注"全国包邮"的商品，不限金额免运费。
- 沙发、书桌等家具一律免运费。
- 加急快递（顺丰）不参与包邮，每单25元。

## 家具配送

沙发和书桌走物流专线，发货后5–10个工作日送达。
送货前司机会电话预约时间。
送货到楼下或小区门口，上楼搬运和安装不包含在内。

## 物流查询

订单发货后短信通知快递单号，也可以在"我的订单"里查看物流。

## 延误、丢件和破损

- 外包装或商品破损：签收后48小时内拍照联系客服。
- 物流5个工作日没有更新：联系客服，我们补发或退款。
- 发错商品：我们补发正确商品，并提供错发商品的免费退回。
"""

_RETURNS_ZH = """\
# 退换货政策

## 退货政策概要

- 签收后30天内可以无理由退货（在法定七天无理由退货的基础上延长到30天）。
- 商品需未使用，包装、配件和吊牌齐全。
- 退款原路返回到您的付款账户。
- 质量问题、运输破损或发错货，退货运费由我们承担。
- 其他原因退货，12元退货运费从退款中扣除。

## 如何申请退货

1. 在"我的订单"里找到商品，点"申请退货"；也可以发邮件到
   support@demo.shopmind.local，写明订单号。
2. 选择退货原因，我们在1个工作日内发送退货单号和上门取件信息。
3. 打包好商品，7天内交给快递员或送到快递网点。

## 各类商品的退货条件

- 数码产品和手机：配件齐全；手机请退出账号并恢复出厂设置。
- 跑步鞋：没有穿出门，鞋底干净。
- 图书：无笔记、无划线、无折页。
- 护肤品：出于卫生原因，只接受未拆封的退货。
  拆封后如果用着过敏不适，30天内拍照联系客服，可以退款一次。
- 玩具和积木：零件齐全。
- 家具：保持原状，我们安排上门取件；非质量问题收取199元取件费。

## 换货

- 跑步鞋和运动袜：签收后30天内可以免费换一次尺码。
- 其他商品：请先退货，再重新下单。

## 质量问题、破损和错发

- 运输破损：签收后48小时内拍照联系客服。
- 30天内出现质量问题：全额退款或换新，来回运费由我们承担。
- 超过30天的质量问题：按保修政策处理，见保修政策.md。

## 退款时效

退货到仓后3个工作日内完成检验并退款。
银行卡退款另需3–7个工作日到账；支付宝和微信通常1个工作日内到账。
"""

_WARRANTY_ZH = """\
# 保修政策

## 保修概要

- 除图书和护肤品外，所有商品自签收日起保修1年。
- 小家电的保修期以商品页"保修"参数为准：1年或2年。
- 图书和护肤品不提供保修；到货问题按30天退货政策处理。
- 保修期内经确认的质量问题免费维修或换新，来回运费由我们承担。

## 保修范围

- 正常使用下出现的制造缺陷。
- 保修期内电池容量低于标称容量的80%。
- 耳机或手机无法充电、无法连接、没有声音。
- 小家电不加热、无法开机。
- 升降桌电机、灯具LED光源、家具框架损坏。
- 正常使用下不粘涂层脱落。

## 不在保修范围内

- 人为损坏：摔落、屏幕碎裂、挤压变形。
- 超出商品标注防水等级（例如IPX4、IPX7）的进水损坏；
  没有标注防水等级的商品，进水损坏一律不保修。
- 正常磨损：耳塞套、鞋底、划痕、褪色。
- 使用不当：金属铲刮伤不粘锅、电压不符、私自拆修。

## 如何申请保修

1. 在"我的订单"里点"申请保修"，或发邮件到 support@demo.shopmind.local。
2. 提供订单号、问题描述和照片或视频。
3. 我们在1个工作日内回复，并提供免费寄回的快递单号。
4. 收到商品后7个工作日内完成维修或换新；无法维修的按实付金额退款。

## 缺少零件

积木和家具如果缺少零件，请在签收后30天内联系客服，
提供说明书上的零件编号，我们免费补发。

## 护肤品保质期

护肤品未开封保质期为3年（以包装上印的生产日期为准），开封后请在12个月内用完。
"""

_SIZING_ZH = """\
# 尺码指南

## 跑步鞋尺码

本店跑步鞋统一标欧码（国内常用码）38–44码，只有整码。
尺码标准，按平时穿的码数选就可以。

| 尺码 | 美码男 | 美码女 | 脚长 |
|---|---|---|---|
| 38 | 5.5 | 7 | 240mm |
| 39 | 6.5 | 8 | 245mm |
| 40 | 7 | 8.5 | 250mm |
| 41 | 8 | 9.5 | 260mm |
| 42 | 8.5 | 10 | 265mm |
| 43 | 9.5 | 11 | 275mm |
| 44 | 10 | 11.5 | 280mm |

## 如何测量脚长

1. 傍晚量，这时脚最大。
2. 脚跟贴墙站在白纸上。
3. 在最长的脚趾前端做记号，量出到墙的距离（毫米）。
4. 以较长的那只脚为准，选脚长等于或略大于测量值的尺码。

## 标准楦和宽楦

- 标准楦适合大多数脚型。
- 宽楦的前掌和鞋头更宽松，适合脚宽或脚背高的人。
- 脚偏宽但选了标准楦：建议拍大一码。

## 介于两个尺码之间

- 在两个尺码之间时，选大的那个。
- 穿厚袜子跑越野：建议拍大一码。

## 运动袜尺码

| 袜子尺码 | 适合鞋码 |
|---|---|
| M | 38–41 |
| L | 42–45 |

运动袜商品页上的尺码就是它对应的鞋码。

## 跑步腰包

均码，弹力腰带适合腰围65–110cm。

## 服装

本店暂不销售服装，本指南只包括跑鞋、运动袜和腰包。
"""

_PAYMENT_ZH = """\
# 支付方式

## 支持的付款方式

- 支付宝、微信支付、银联云闪付。
- 信用卡和借记卡（银联、Visa、Mastercard）。
- 不支持货到付款，也不支持银行转账。

## 币种

中文商城以人民币（元）结算，价格已含增值税。

## 扣款时间

下单时即扣款。如果商品无法发货，我们在1个工作日内退款。

## 分期付款

花呗分期：订单满300元可以分3、6或12期。

## 优惠券

每笔订单限用一张优惠券，请在付款前填写，下单后不能补用。

## 发票

默认开具电子普通发票，下单后在"我的订单"里下载；
需要增值税专用发票请联系客服。
"""

_CONTACT_ZH = """\
# 联系我们

## 客服时间

在线客服和邮件：每天9:00–21:00（北京时间），邮件24小时内回复。

## 联系方式

- 邮箱：support@demo.shopmind.local
- 在线客服：每个页面右下角的"联系客服"按钮。
- 咨询订单请提供订单号（以SM开头）。
"""

_DOCUMENTS: dict[str, str] = {
    "shipping.md": _SHIPPING_EN,
    "returns.md": _RETURNS_EN,
    "warranty.md": _WARRANTY_EN,
    "sizing.md": _SIZING_EN,
    "payment.md": _PAYMENT_EN,
    "contact.md": _CONTACT_EN,
    "配送说明.md": _SHIPPING_ZH,
    "退换货政策.md": _RETURNS_ZH,
    "保修政策.md": _WARRANTY_ZH,
    "尺码指南.md": _SIZING_ZH,
    "支付方式.md": _PAYMENT_ZH,
    "联系我们.md": _CONTACT_ZH,
}


def demo_documents() -> dict[str, str]:
    """The demo shop's own pages: file name -> Markdown, English (USD) and Chinese (CNY)."""
    return dict(_DOCUMENTS)


# -- past questions -----------------------------------------------------------------------------

_QA = tuple[str, str]
_ZH_KEYS = {
    "color": "颜色", "battery_hours": "续航小时", "connectivity": "连接方式",
    "waterproof": "防水等级", "screen_inches": "屏幕尺寸", "battery_mah": "电池容量",
    "network": "网络", "compatibility": "适配机型", "material": "材质",
    "dishwasher_safe": "可洗碗机", "power_watts": "功率", "warranty": "保修", "assembly": "安装",
    "wattage": "功率", "color_temperature": "色温", "weight": "重量", "size": "尺码",
    "width": "鞋宽", "pages": "页数", "edition": "版本", "skin_type": "肤质", "fragrance": "香味",
    "age": "适用年龄",
}  # fmt: skip
# EU size -> (US men, US women, foot length in mm), as in sizing.md / 尺码指南.md
_SHOE_SIZES: dict[int, tuple[str, str, int]] = {
    38: ("5.5", "7", 240), 39: ("6.5", "8", 245), 40: ("7", "8.5", 250), 41: ("8", "9.5", 260),
    42: ("8.5", "10", 265), 43: ("9.5", "11", 275), 44: ("10", "11.5", 280),
}  # fmt: skip
_Q_START = datetime(2026, 1, 1, tzinfo=UTC)
_Q_END = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
_WATER_TOPICS = frozenset({"water", "swim"})
_COUNT_WEIGHTS = (34, 40, 16, 6, 3, 1)  # questions per product: 0..5
_WATER_QUOTA = 28  # at least this many 'is it waterproof' questions per language
_WEIGHTS = {"battery": 8, "size": 6, "age": 6, "type": 5, "ct": 5}  # else 3, common topics 1
_TOTAL = (330, 390)
_MIN_PER_SHELF = 5  # rows per (category, language) at least


@dataclass(frozen=True)
class _Item:
    """One product as the question templates see it."""

    pid: str
    title: str
    description: str
    leaf: str
    zh: bool
    attrs: dict[str, str]
    created: datetime

    @classmethod
    def of(cls, product: dict[str, Any]) -> _Item:
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


_Topic = Callable[[_Item, random.Random], _QA | None]


def _one(r: random.Random, options: Sequence[str]) -> str:
    return r.choice(options)


def _both(it: _Item, r: random.Random, zh: _QA, en: _QA) -> _QA:
    """A question picked from '|'-separated templates and its answer, in the item's language."""
    questions, answer = zh if it.zh else en
    return _one(r, questions.split("|")), answer


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


def _rating(it: _Item) -> str | None:
    value = it.get("waterproof")
    if value:
        return value.strip().upper()
    found = re.search(r"\bIPX\d\b", it.description)
    return found.group(0) if found else None


def _ear_noun(it: _Item) -> str:
    for noun in ("earbuds", "earphones", "headphones"):
        if noun in it.title.lower():
            return noun
    return "headphones"


def _over_ear(it: _Item) -> bool:
    return it.has("头戴", "over-ear") or (it.has("headphones") and not it.has("earbuds"))


def _hp_water(it: _Item, r: random.Random) -> _QA | None:
    rating = _rating(it)
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
        zh_a = _one(r, (f"支持{_IPX_ZH[rating]}。", f"亲，这款是{_IPX_ZH[rating]}。"))
        en_a = _one(r, (f"They're rated {_IPX_EN[rating]}.", f"The rating is {_IPX_EN[rating]}."))
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
    return _both(it, r, (zh_q, zh_a), (en_q, en_a))


def _hp_swim(it: _Item, r: random.Random) -> _QA | None:
    rating = _rating(it)
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
    return _both(
        it,
        r,
        ("能戴着游泳吗？|游泳可以用吗|洗澡的时候能戴吗？|能不能戴着冲澡", zh_a),
        (
            "Can I swim with these?|can i wear them in the shower|are they ok for swimming laps",
            en_a,
        ),
    )


def _hp_battery(it: _Item, r: random.Random) -> _QA | None:
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
    zh_a = _one(
        r,
        (
            f"官方标称续航{h}小时（中等音量），实际用下来差不多，快没电时会有语音提示。",
            f"续航{h}小时左右，{zh_flight}。",
        ),
    )
    en_a = _one(
        r,
        (
            f"Battery life is rated at {h} hours at moderate volume, and that matches "
            "what customers report.",
            f"About {h} hours of playback per charge, {en_flight}.",
        ),
    )
    return _both(
        it,
        r,
        ("续航多久？|电池能用多长时间|充满电能听几个小时？|出差坐飞机，电量够用吗", zh_a),
        (
            "How long does the battery last?|batery life?|how many hours on a full charge"
            "|Will the battery last a long flight?",
            en_a,
        ),
    )


def _hp_connect(it: _Item, r: random.Random) -> _QA | None:
    link = it.get("connectivity")
    if not link:
        return None
    en_link = link.replace("bluetooth", "Bluetooth")
    return _both(
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


def _hp_anc(it: _Item, r: random.Random) -> _QA | None:
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
        return _one(r, ("降噪效果怎么样？", "地铁上能用吗 吵不吵", "有主动降噪吗")), a
    if it.has("noise cancelling"):
        a = (
            "Yes, it has active noise cancelling. Engine and subway rumble drops a lot; "
            "voices are softer but still audible."
        )
    else:
        return None
    q = _one(
        r,
        (
            "How good is the noise cancelling?",
            "will it block noise on the subway",
            "does it have ANC?",
        ),
    )
    return q, a


def _hp_fit(it: _Item, r: random.Random) -> _QA | None:
    if it.zh:
        q = _one(r, ("跑步会掉吗？", "戴久了耳朵疼不疼", "耳朵小能戴吗", "戴着运动稳不稳"))
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
    q = _one(
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


def _hp_box(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("包装里有什么？|送充电线吗|有没有收纳袋|配件都有啥", zh_a),
        ("What's in the box?|does it come w/ a charging cable|what accessories are included", en_a),
    )


def _hp_latency(it: _Item, r: random.Random) -> _QA | None:
    if not it.has("低延迟", "low-latency"):
        return None
    return _both(
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


def _ph_battery(it: _Item, r: random.Random) -> _QA | None:
    mah = it.get("battery_mah")
    if not mah:
        return None
    fast_zh = "，而且支持快充" if it.has("快充") else ""
    fast_en = " It also supports fast charging." if it.has("fast charging") else ""
    return _both(
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


def _ph_screen(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("屏幕多大？单手好握吗|几寸屏|女生手小拿着方便吗", zh_a),
        ("How big is the screen?|is it too big for small hands|screen size?", en_a),
    )


def _ph_5g(it: _Item, r: random.Random) -> _QA | None:
    if it.get("network") != "5G" and "5G" not in it.title:
        return None
    return _both(
        it,
        r,
        ("支持5G吗|是5G手机吗？|移动卡能用5G吗", "支持5G，国内三大运营商的5G网络都能用。"),
        (
            "Does it support 5G?|is this 5g|will 5G work on my carrier",
            "Yes, it supports 5G and works on all major US carriers.",
        ),
    )


def _ph_storage(it: _Item, r: random.Random) -> _QA | None:
    if it.zh:
        found = re.search(r"(\d+)\+(\d+)(GB|TB)", it.title)
        if not found:
            return None
        ram, rom = found.group(1), f"{found.group(2)}{found.group(3)}"
        big = found.group(3) == "TB" or int(found.group(2)) >= 256
        tail = "拍视频、装游戏都够用" if big else "日常够用，经常拍4K视频的话建议选更大容量"
        return _one(r, ("内存多大？", "12+256是什么意思", "存储够用吗，喜欢拍视频")), (
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
    q = _one(
        r,
        (
            "How much storage does it have?",
            "is the storage enough for lots of videos",
            "how many GB",
        ),
    )
    return q, f"This one has {storage} of storage, {tail}"


def _ph_water(it: _Item, r: random.Random) -> _QA | None:
    if "防水" in it.title:
        zh_a = (
            "标题里的“防水”指日常生活防水，洗手溅到水、淋点小雨没问题；官方没有标注具体的"
            "防水等级，不能泡水或带去游泳，进水损坏不在保修范围内。"
        )
    else:
        zh_a = "这款官方没有标注防水等级，平时注意远离水，溅到水及时擦干；进水损坏不在保修范围内。"
    return _both(
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


def _ph_box(it: _Item, r: random.Random) -> _QA | None:
    return _both(
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


def _ph_elder(it: _Item, r: random.Random) -> _QA | None:
    return _both(
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


# -- phone accessories --------------------------------------------------------------------------


def _acc_kind(it: _Item) -> str:
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


def _acc_compat(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("我是星耀手机能用吗|适配什么型号？|苹果15能用吗|华为能不能用", zh_a),
        (
            "Will this fit my iPhone 15?|what phones is this compatible with"
            "|does it work with Pixelis 8?|compatible with samsung?",
            en_a,
        ),
    )


def _acc_material(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("什么材质的？|会发黄吗|手感怎么样|用久了会变色吗", answer),
        ("What material is it?|does it turn yellow over time|how does it feel in hand", answer),
    )


def _acc_power(it: _Item, r: random.Random) -> _QA | None:
    if _acc_kind(it) == "wireless":
        return _both(
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
    return _both(
        it,
        r,
        ("能给笔记本充电吗？|支持快充吗|充手机快吗", zh_a),
        ("Can it charge my laptop?|is this a fast charger|how fast does it charge", en_a),
    )


def _acc_bank(it: _Item, r: random.Random) -> _QA | None:
    if _acc_kind(it) != "bank":
        return None
    mah = it.number(r"(\d+)mAh")
    if not mah:
        return None
    wh = round(int(mah) * 3.7 / 1000)
    times = round(int(mah) / 5000)
    return _both(
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


def _acc_length(it: _Item, r: random.Random) -> _QA | None:
    if _acc_kind(it) != "cable":
        return None
    length = it.number(r"(\d+米)") or it.number(r"(\d+ft)")
    if not length:
        return None
    metres = {"3ft": "0.9", "6ft": "1.8"}.get(length, "")
    return _both(
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


def _acc_protector(it: _Item, r: random.Random) -> _QA | None:
    if _acc_kind(it) != "protector":
        return None
    return _both(
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


# -- cookware -----------------------------------------------------------------------------------


def _is_knife(it: _Item) -> bool:
    return it.has("刀", "knife")


def _ck_dishwasher(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("能放洗碗机吗？|可以用洗碗机洗吗|洗碗机能洗不", zh_a),
        ("Is it dishwasher safe?|can i put it in the dishwasher|dishwasher ok?", en_a),
    )


def _ck_material(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("什么材质的？|是不锈钢的吗|会生锈吗", answer),
        ("What is it made of?|is this stainless steel|will it rust", answer),
    )


def _ck_induction(it: _Item, r: random.Random) -> _QA | None:
    if _is_knife(it) or not it.has("电磁炉通用", "induction-ready"):
        return None
    return _both(
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


def _ck_size(it: _Item, r: random.Random) -> _QA | None:
    if _is_knife(it):
        return None
    if it.zh:
        cm = it.number(r"(\d+)cm")
        if not cm:
            return None
        n = int(cm)
        people = "1–2人" if n <= 22 else "2–3人" if n <= 26 else "3–4人" if n <= 28 else "4人以上"
        q = _one(r, (f"{cm}cm的够几个人用？", "多大尺寸", "一家三口选哪个尺寸合适"))
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
    q = _one(r, ("Is this big enough for a family of 4?", "what size is it", "how big is it?"))
    return q, a


def _ck_clean(it: _Item, r: random.Random) -> _QA | None:
    if _is_knife(it):
        return _both(
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
    return _both(
        it,
        r,
        ("好清洗吗？|糊锅了怎么洗|平时怎么保养", zh_a),
        ("How do I clean it?|is it easy to clean|how to get burnt food off", en_a),
    )


# -- small appliances ---------------------------------------------------------------------------


def _appliance(it: _Item) -> str:
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


def _sa_power(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
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


def _sa_boil(it: _Item, r: random.Random) -> _QA | None:
    watts = it.get("power_watts") or it.get("wattage")
    if _appliance(it) != "kettle" or not watts:
        return None
    w = int(watts)
    minutes = max(1, round(1000 * 4.186 * 80 / (w * 0.85) / 60))  # 1 L from 20 to 100 °C
    return _both(
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


def _sa_capacity(it: _Item, r: random.Random) -> _QA | None:
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
    tokens = _tokens(it.title)
    for (k, variant), answer in table.items():
        if k == kind and variant in tokens:
            return _both(
                it,
                r,
                ("容量多大？够几个人用|一家三口够用吗|几个人用合适", answer),
                ("How much does it hold?|big enough for a family of 4?|what size is it", answer),
            )
    return None


def _sa_noise(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("声音大吗？|噪音怎么样 晚上用会吵到人吗|吵不吵", answer),
        ("Is it loud?|how noisy is it|will it wake the baby", answer),
    )


def _sa_voltage(it: _Item, r: random.Random) -> _QA | None:
    return _both(
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


# -- furniture ----------------------------------------------------------------------------------


def _fu_assembly(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("需要自己安装吗？|安装难不难，一个女生能装吗|包安装吗", zh_a),
        ("Does it need assembly?|how hard is it to put together|do you assemble it", en_a),
    )


def _fu_material(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("什么面料的？好打理吗|养猫能买吗，会不会被抓坏|什么材质", answer),
        ("What's it made of?|is it pet friendly? i have cats|how do I clean it", answer),
    )


def _fu_size(it: _Item, r: random.Random) -> _QA | None:
    if it.zh:
        cm = it.number(r"(\d+)cm")
        if not cm:
            return None
        tail = "放一台显示器加笔记本刚好" if int(cm) <= 120 else "放两台显示器也不挤"
        return _one(r, ("桌子多宽？", "桌面有多大", "能放两台显示器吗")), (
            f"桌面宽{cm}cm，{tail}。"
        )
    inch = it.number(r"(\d+)-inch")
    cm = {"48": "122", "55": "140"}.get(inch or "")
    if not cm:
        return None
    tail = "a monitor plus a laptop" if inch == "48" else "two monitors side by side"
    q = _one(r, ("How wide is the desk?", "will it fit in a small bedroom", "room for 2 monitors?"))
    return q, f"The desktop is {inch} inches (about {cm} cm) wide, room for {tail}."


def _fu_motor(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("升降的时候声音大吗？|怎么调高度|电动的还是手摇的", zh_a),
        ("Is the motor loud?|how do you adjust the height|is it electric", en_a),
    )


# -- lighting -----------------------------------------------------------------------------------


def _li_ct(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("是暖光还是白光？|光是黄的还是白的|色温多少", answer),
        ("Is the light warm or cool?|what color temperature|is it yellow light", answer),
    )


def _li_bright(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("够亮吗？看书用|亮度怎么样|多少瓦的", answer),
        ("Is it bright enough for reading?|how bright is it|what wattage", answer),
    )


def _li_dim(it: _Item, r: random.Random) -> _QA | None:
    if it.zh:
        if it.has("三档调光"):
            a = "可以调光，触摸开关分三档亮度，晚上起夜用最低档不刺眼。"
        elif it.has("遥控调光"):
            a = "可以调光，附带遥控器，亮度可以无级调节，遥控器用2节7号电池（需另配）。"
        else:
            return None
        return _one(r, ("能调亮度吗？", "可以调光吗", "晚上起夜会不会太亮")), a
    if not it.has("dimmable"):
        return None
    q = _one(r, ("Is it dimmable?", "can you dim it", "too bright for a nightlight?"))
    return q, "Yes, it's dimmable: the LEDs go from a soft glow to full brightness."


def _li_kids(it: _Item, r: random.Random) -> _QA | None:
    if not it.has("无频闪", "flicker-free") or it.has("吸顶", "ceiling"):
        return None
    return _both(
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


def _li_install(it: _Item, r: random.Random) -> _QA | None:
    if not it.has("吸顶", "ceiling"):
        return None
    if it.zh:
        cm = it.number(r"(\d+)cm")
        room = {"40": "10–15平米", "60": "15–25平米"}.get(cm or "")
        if not room:
            return None
        return _one(r, ("需要自己装吗？多大房间合适", "安装麻烦吗", "适合多大的房间")), (
            f"直径{cm}cm，适合{room}的房间；需要接电线安装，建议请电工，附带膨胀螺丝和说明书。"
        )
    inch = it.number(r"(\d+)-inch")
    span = {"16": ("40", "100-160"), "24": ("60", "160-270")}.get(inch or "")
    if not span:
        return None
    q = _one(r, ("Is it hard to install?", "what room size is it for", "do I need an electrician"))
    return q, (
        f"It's {inch} inches (about {span[0]} cm) across, right for a {span[1]} sq ft room. It "
        "is hard-wired, so we recommend an electrician; screws and anchors are included."
    )


# -- fitness ------------------------------------------------------------------------------------


def _gear(it: _Item) -> str:
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


def _fi_mat(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        (f"{mm}mm会不会太薄？跪着膝盖疼吗|新手选几毫米的|厚度怎么样|做瑜伽会不会太软", answer),
        (f"Is {mm}mm thick enough for bad knees?|good for beginners?|is it too squishy", answer),
    )


def _fi_smell(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("有味道吗？|刚打开有没有异味|什么材质的", answer),
        ("Does it smell?|any chemical smell|what material is it", answer),
    )


def _fi_weight(it: _Item, r: random.Random) -> _QA | None:
    if _gear(it) not in ("dumbbell", "kettlebell"):
        return None
    if it.zh:
        kg = it.number(r"(\d+)kg")
        if not kg:
            return None
        n = int(kg)
        tail = "女生新手练手臂、肩部刚好" if n <= 8 else "有一定基础再用，新手建议从更轻的开始"
        item = "一只" if _gear(it) == "dumbbell" else "一个"
        return _one(r, (f"女生新手用{kg}kg的合适吗", "重量准吗", "新手买多重的？")), (
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
    q = _one(
        r,
        (
            "Is this good for a beginner?",
            "how heavy is it in kg",
            "right weight for a woman starting out?",
        ),
    )
    return q, a


def _fi_water(it: _Item, r: random.Random) -> _QA | None:
    if "防水" not in it.title:
        return None
    return _one(
        r, ("防水吗？", "出汗多会不会渗进去，防水吗", "能放阳台吗，防水吗", "防水效果怎么样")
    ), (
        "标题里的“防水”是指表面不吸水，出汗后用湿布一擦就干净；不建议长时间泡水或放在户外淋雨暴晒。"
    )


def _fi_clean(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("怎么清洗？|能水洗吗|出汗了怎么清理", zh_a),
        ("How do I clean it?|can i wash it|how to get the sweat off", en_a),
    )


def _fi_band(it: _Item, r: random.Random) -> _QA | None:
    if _gear(it) != "band":
        return None
    if it.has("5件套", "5-pack"):
        zh_a = "一套5根，阻力从轻到重，新手从最轻的开始，练一段时间再换重的。"
        en_a = (
            "You get 5 bands from light to heavy: start on the lightest and move up as you get "
            "stronger."
        )
        return _both(
            it,
            r,
            ("阻力多大？新手能用吗|一套几根", zh_a),
            ("How much resistance?|good for a beginner?|how many bands", en_a),
        )
    if it.zh and it.has("轻阻力"):
        q = _one(r, ("阻力多大？新手能用吗", "适合康复训练吗"))
        return q, "这款是轻阻力，适合新手热身、拉伸和康复训练。"
    if not it.zh and it.has("heavy"):
        q = _one(r, ("How much resistance?", "good for a beginner?"))
        return q, (
            "This is the heavy band, for squats and glute work once you've built a base; "
            "beginners should start lighter."
        )
    return None


# -- running ------------------------------------------------------------------------------------


def _run_kind(it: _Item) -> str:
    if it.has("袜", "socks"):
        return "socks"
    if it.has("腰包", "belt"):
        return "belt"
    return "shoes"


def _ru_size(it: _Item, r: random.Random) -> _QA | None:
    if _run_kind(it) != "shoes":
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
    return _both(
        it,
        r,
        ("尺码准吗？要拍大一码吗|平时穿多大就拍多大吗|偏大还是偏小", zh_a),
        (
            "Do these run true to size?|should i size up?|wich size should I get|run small or big?",
            en_a,
        ),
    )


def _ru_width(it: _Item, r: random.Random) -> _QA | None:
    width = it.get("width")
    if _run_kind(it) != "shoes" or not width:
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
    return _both(
        it,
        r,
        ("脚宽能穿吗？|脚背高会不会挤脚|鞋头宽不宽", zh_a),
        ("I have wide feet, will these work?|are they narrow|roomy toe box?", en_a),
    )


def _ru_water(it: _Item, r: random.Random) -> _QA | None:
    if _run_kind(it) != "shoes":
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
    return _both(
        it,
        r,
        ("防水吗？|下雨天能穿吗，防水吗|踩水坑会湿脚吗？防水吗|鞋面防水吗", zh_a),
        (
            "Are they waterproof?|can i run in the rain with these, are they waterproof"
            "|waterproof or not|do they keep water out in puddles",
            en_a,
        ),
    )


def _ru_wash(it: _Item, r: random.Random) -> _QA | None:
    kind = _run_kind(it)
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
    return _both(
        it,
        r,
        ("能机洗吗？|怎么洗|脏了怎么清洗", answer),
        ("Can I machine wash these?|how do i wash them|washing instructions?", answer),
    )


def _ru_fit_kind(it: _Item, r: random.Random) -> _QA | None:
    kind = _run_kind(it)
    if kind == "socks":
        size = it.get("size")
        if not size:
            return None
        sock = "M" if int(size) <= 41 else "L"
        span = "38–41" if sock == "M" else "42–45"
        return _both(
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
        return _both(
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
    return _both(
        it,
        r,
        ("新手跑步适合吗？|跑马拉松能穿吗|膝盖不好能穿吗|能跑山路吗", zh_a),
        ("Good for a beginner runner?|ok for road running?|are these good for bad knees", en_a),
    )


# -- books --------------------------------------------------------------------------------------


def _bk_pages(it: _Item, r: random.Random) -> _QA | None:
    pages = it.get("pages")
    if not pages:
        return None
    p = int(pages)
    zh_tail = "一个周末就能读完" if p <= 320 else "篇幅不短，每天读一小时大概一到两周读完"
    en_tail = "a weekend read" if p <= 320 else "a longer read, a week or two at an hour a day"
    return _both(
        it,
        r,
        ("多少页？厚吗|大概多久能看完|书厚不厚", f"全书{p}页，{zh_tail}。"),
        ("How many pages?|how long is it|is it a long book", f"It's {p} pages, {en_tail}."),
    )


def _bk_edition(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(it, r, (zh_q, answer), (en_q, answer))


def _bk_level(it: _Item, r: random.Random) -> _QA | None:
    if it.leaf != "Technology":
        return None
    if it.has("入门"):
        zh_a = "这本就是入门书，零基础也能看懂，每章后面有练习。"
    else:
        zh_a = "需要一点编程基础（会写简单的Python就行），书里从基本概念讲起，案例都能跟着敲一遍。"
    return _both(
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


def _bk_genre(it: _Item, r: random.Random) -> _QA | None:
    if it.leaf != "Fiction":
        return None
    if it.zh:
        genre = it.title.split("《")[0]
        if not genre:
            return None
        return _one(r, ("适合初中生看吗", "是什么类型的书？", "送给高中生合适吗")), (
            f"这是一本{genre}，是写给成年读者的，高中生可以读；初中生的话建议家长先翻一翻。"
        )
    found = re.search(r"A (.+?) published by", it.description)
    if not found:
        return None
    return _one(
        r, ("Is it ok for a 13 year old?", "what kind of book is this", "good gift for a teen?")
    ), (
        f"It's a {found.group(1)} written for adult readers; fine for older teens, and we'd "
        "suggest a parent skims it first for younger readers."
    )


def _bk_copy(it: _Item, r: random.Random) -> _QA | None:
    if it.leaf not in ("Fiction", "Technology"):
        return None
    return _both(
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


def _sk_type(it: _Item, r: random.Random) -> _QA | None:
    skin = it.get("skin_type")
    names = _SKIN_ZH if it.zh else _SKIN_EN
    if skin not in names:
        return None
    asked = _one(r, tuple(names))
    if it.zh:
        q = _one(
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
    q = _one(
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


def _sk_scent(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("有香味吗？|味道重不重|有没有香精", answer),
        ("Does it have a scent?|is it fragrance free|smell strong?", answer),
    )


def _sk_spf(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        (f"SPF{spf}去海边够吗？|日常通勤用这个可以吗|多久补涂一次", zh_a),
        (f"Is SPF {spf} enough for the beach?|ok for everyday use|how often do i reapply", en_a),
    )


def _sk_amount(it: _Item, r: random.Random) -> _QA | None:
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
    tokens = _tokens(it.title)
    for size, answer in (zh if it.zh else en).items():
        if size in tokens:
            return _both(
                it,
                r,
                ("能用多久？|一瓶大概用多长时间|量大吗", answer),
                ("How long does it last?|how long will one bottle last me", answer),
            )
    return None


def _sk_sensitive(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("敏感肌能用吗？|会过敏吗|脸容易泛红能用吗", zh_a),
        ("Is it ok for sensitive skin?|will it irritate my skin|safe for sensitive skin?", en_a),
    )


def _sk_shelf(it: _Item, r: random.Random) -> _QA | None:
    return _both(
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


def _to_age(it: _Item, r: random.Random) -> _QA | None:
    age = it.get("age")
    if not age:
        return None
    minimum = int(age.rstrip("+"))
    child = r.randint(3, 12)
    ok = child >= minimum
    small = minimum < 3 or it.has("积木", "brick", "block")
    if it.zh:
        q = _one(
            r,
            (f"{child}岁的孩子能玩吗？", f"给{child}岁男孩当礼物合适吗", f"我家{child}岁，适合吗"),
        )
        if ok:
            return q, f"可以，这款适用年龄{age}，{child}岁玩正合适。"
        extra = "里面有小零件，" if small else ""
        return q, f"这款标注适用年龄{age}，{child}岁还小了点，{extra}建议等孩子大一些再玩。"
    q = _one(
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


def _to_material(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("什么材质？安全吗|有没有味道|环保吗", answer),
        ("What's it made of? is it safe|any smell?|is it non toxic", answer),
    )


def _to_compat(it: _Item, r: random.Random) -> _QA | None:
    if not it.has("兼容大颗粒", "compatibility with major brick brands"):
        return None
    return _both(
        it,
        r,
        ("能和乐高混着拼吗？|和家里的积木兼容吗", "可以，兼容市面上主流的大颗粒积木，能混着拼。"),
        (
            "Is it compatible with Lego?|will it work with our other bricks",
            "Yes, it fits the major brick brands, so you can mix it with sets you already have.",
        ),
    )


def _to_build(it: _Item, r: random.Random) -> _QA | None:
    if it.has("遥控", "remote control"):
        return _both(
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
    return _both(
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


def _to_missing(it: _Item, r: random.Random) -> _QA | None:
    return _both(
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


# -- every product ------------------------------------------------------------------------------


def _tokens(title: str) -> set[str]:
    return {t for t in re.split(r"[\s,]+", title) if t}


def _delivery(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("今天下单什么时候能到？|多久发货|下单后几天能到 急用|能发顺丰吗？|发什么快递", zh_a),
        (
            "When will it arrive if I order today?|how long does shipping take"
            "|Do you have express shipping?|when will my order ship|how fast is delivery",
            en_a,
        ),
    )


def _returns(it: _Item, r: random.Random) -> _QA | None:
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
    elif it.leaf == "Running" and _run_kind(it) == "shoes":
        zh_a = "没穿出门、鞋底干净的话，签收后30天内可以退，也可以免费换一次尺码。"
        en_a = (
            "If they haven't been worn outside and the soles are clean, you can return them "
            "within 30 days, or exchange the size once for free."
        )
    elif it.leaf == "Running" and _run_kind(it) == "socks":
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
    return _both(
        it,
        r,
        ("不合适可以退吗？|收到不喜欢能退货吗|退货运费谁出|拆封了还能退吗|七天无理由吗", zh_a),
        (
            "Can I return it if it doesn't work for me?|what's the return policy"
            "|who pays return shipping|can i return it after opening",
            en_a,
        ),
    )


def _warranty(it: _Item, r: random.Random) -> _QA | None:
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
    return _both(
        it,
        r,
        ("保修多久？|坏了怎么保修|质保几年|有保修吗", zh_a),
        ("What's the warranty?|how long is the warranty|what if it breaks", en_a),
    )


def _colour(it: _Item, r: random.Random) -> _QA | None:
    colour = it.get("color")
    if not colour:
        return None
    light = colour in ("白色", "米色", "粉色", "white", "beige", "pink")
    if it.zh:
        q = _one(r, ("实物颜色和图片一样吗？", f"{colour}的会不会显脏", "有色差吗"))
        tail = "浅色确实更容易显脏，用湿布擦一擦就干净" if light else "深色比较耐脏"
        return q, f"这款是{colour}，实拍图没有调色，不同屏幕可能有轻微色差；{tail}。"
    q = _one(
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


_COMMON: tuple[tuple[str, _Topic], ...] = (
    ("delivery", _delivery), ("returns", _returns), ("warranty", _warranty), ("colour", _colour),
)  # fmt: skip
_TOPICS: dict[str, tuple[tuple[str, _Topic], ...]] = {
    "Headphones": (
        ("water", _hp_water), ("swim", _hp_swim), ("battery", _hp_battery),
        ("connect", _hp_connect), ("anc", _hp_anc), ("fit", _hp_fit), ("box", _hp_box),
        ("latency", _hp_latency),
    ),
    "Smartphones": (
        ("battery", _ph_battery), ("screen", _ph_screen), ("5g", _ph_5g),
        ("storage", _ph_storage), ("water", _ph_water), ("box", _ph_box), ("elder", _ph_elder),
    ),
    "Accessories": (
        ("compat", _acc_compat), ("material", _acc_material), ("power", _acc_power),
        ("bank", _acc_bank), ("length", _acc_length), ("protector", _acc_protector),
    ),
    "Cookware": (
        ("dishwasher", _ck_dishwasher), ("material", _ck_material),
        ("induction", _ck_induction), ("size", _ck_size), ("clean", _ck_clean),
    ),
    "Small Appliances": (
        ("power", _sa_power), ("boil", _sa_boil), ("capacity", _sa_capacity),
        ("noise", _sa_noise), ("voltage", _sa_voltage),
    ),
    "Furniture": (
        ("assembly", _fu_assembly), ("material", _fu_material), ("size", _fu_size),
        ("motor", _fu_motor),
    ),
    "Lighting": (
        ("ct", _li_ct), ("bright", _li_bright), ("dim", _li_dim), ("kids", _li_kids),
        ("install", _li_install),
    ),
    "Fitness": (
        ("mat", _fi_mat), ("smell", _fi_smell), ("weight", _fi_weight), ("water", _fi_water),
        ("clean", _fi_clean), ("band", _fi_band),
    ),
    "Running": (
        ("size", _ru_size), ("width", _ru_width), ("water", _ru_water), ("wash", _ru_wash),
        ("kind", _ru_fit_kind),
    ),
    "Fiction": (("pages", _bk_pages), ("edition", _bk_edition), ("genre", _bk_genre),
                ("copy", _bk_copy)),
    "Technology": (("pages", _bk_pages), ("edition", _bk_edition), ("level", _bk_level),
                   ("copy", _bk_copy)),
    "Skincare": (
        ("type", _sk_type), ("scent", _sk_scent), ("spf", _sk_spf), ("amount", _sk_amount),
        ("sensitive", _sk_sensitive), ("shelf", _sk_shelf),
    ),
    "Building": (
        ("age", _to_age), ("material", _to_material), ("compat", _to_compat),
        ("build", _to_build), ("missing", _to_missing),
    ),
}  # fmt: skip


def _casual(question: str, zh: bool, r: random.Random) -> str:
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


def _options(it: _Item) -> dict[str, _Topic]:
    """The topics this product's facts support (a scratch generator decides nothing)."""
    topics = (*_TOPICS.get(it.leaf, ()), *_COMMON)
    return {name: fn for name, fn in topics if fn(it, random.Random(0)) is not None}


def _plan(items: list[_Item], rng: random.Random) -> dict[str, list[str]]:
    """Which topics each product is asked about: ``_WATER_QUOTA`` "is it waterproof"
    questions per language first (products with a water rating before the others), then a
    skewed number per product (many none or one, a few up to five), at least
    ``_MIN_PER_SHELF`` per category and language, and ``_TOTAL`` rows in all."""
    options = {it.pid: _options(it) for it in items}
    plan: dict[str, list[str]] = {it.pid: [] for it in items}

    def free(it: _Item) -> list[str]:
        return [name for name in options[it.pid] if name not in plan[it.pid]]

    for zh in (True, False):
        pool = [it for it in items if it.zh == zh and "water" in options[it.pid]]
        rated = [it for it in pool if _rating(it)]
        rest = [it for it in pool if not _rating(it)]
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

    def add_one(candidates: list[_Item]) -> bool:
        open_ = [it for it in candidates if free(it) and len(plan[it.pid]) < 5]
        if not open_:
            return False
        it = rng.choice(open_)
        plan[it.pid].append(rng.choice(free(it)))
        return True

    shelves: dict[tuple[str, bool], list[_Item]] = defaultdict(list)
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


def _asked_at(it: _Item, rng: random.Random) -> str:
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
    items = [_Item.of(p) for p in products]
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
                    "question": _casual(question, it.zh, rng),
                    "answer": answer,
                    "product_id": it.pid,
                    "time": _asked_at(it, rng),
                }
            )
    rows.sort(key=lambda row: (row["time"], row["product_id"], row["question"]))
    return [{"id": f"qa{n:04d}", **row} for n, row in enumerate(rows, start=1)]
