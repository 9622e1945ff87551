"""The demo shop's policy pages: shipping, returns, warranty, sizes, payment and contact.

:func:`demo_documents` gives them as Markdown, in English for the USD store and in Chinese
for the CNY store, with the same policies in both.
"""

from __future__ import annotations

__all__ = ["demo_documents"]

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
