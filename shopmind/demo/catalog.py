"""Bundled demo catalogue: a few hundred seeded products across several categories.

Products are generated from compact per-category templates (base names x brands x variants x
colours), about half with Chinese titles (priced in CNY) and half with English titles (priced in
USD), so that search and recommendation have realistic multilingual data to work with. The output
depends only on the seed.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from typing import NamedTuple

__all__ = ["CATEGORY_PATHS", "demo_products", "search_terms"]


class _Template(NamedTuple):
    """One leaf category. Lists are ';'-separated; bases are 'name|variant,variant'."""

    path: str
    n: int
    usd: tuple[float, float]
    cny: tuple[float, float]
    zh: str
    en: str
    zh_brands: str
    en_brands: str
    zh_tags: str
    en_tags: str
    attrs: str  # "key=v1,v2;key=v1,v2"
    colors: bool = True


_TEMPLATES: tuple[_Template, ...] = (
    _Template(
        "Electronics > Audio > Headphones", 40, (15.0, 320.0), (69.0, 2199.0),
        "无线耳机|S1,S2,S3 Pro;蓝牙耳机|Air,Lite,运动版;真无线耳机|T1,T2,T3;降噪耳机|NC1,NC2 Max;"
        "头戴式耳机|H1,H2 Pro;骨传导耳机|B1,B2",
        "Wireless Earbuds|X1,X2,Pro;Wireless Earphones|E3,E5,Lite;Bluetooth Headphones|BT100,BT200;"
        "Noise Cancelling Headphones|NC700,NC900;Over-Ear Headphones|OE1,OE2;"
        "Sports Earbuds|Run,Fit",
        "声浪;静音狐;听澜", "QuietBeat;SonicArc;Auralis",
        "主动降噪;长续航;防水;快充;低延迟游戏;通话降噪",
        "active noise cancelling;a 30-hour battery;IPX5 water resistance;fast charging;"
        "a low-latency gaming mode",
        "battery_hours=20,30,40,50;connectivity=bluetooth 5.3,bluetooth 5.2;"
        "waterproof=IPX4,IPX5,IPX7",
    ),
    _Template(
        "Electronics > Phones > Smartphones", 20, (150.0, 1100.0), (999.0, 7999.0),
        "智能手机|8+128GB,8+256GB,12+256GB;5G手机|8+128GB,12+512GB;拍照手机|12+256GB,16+512GB;"
        "游戏手机|12+256GB,16+1TB",
        "5G Smartphone|128GB,256GB;Android Phone|64GB,128GB;Camera Phone|256GB,512GB;"
        "Foldable Phone|256GB,512GB",
        "星耀;华辰;极光", "Novaphone;Pixelis;Orbitel",
        "快充;超长续航;影像旗舰;曲面屏;防水",
        "fast charging;a 6.7-inch OLED display;a triple camera;all-day battery life",
        "screen_inches=6.1,6.5,6.7;battery_mah=4500,5000,5500;network=5G",
    ),
    _Template(
        "Electronics > Phones > Accessories", 34, (5.0, 60.0), (19.0, 299.0),
        "手机壳|透明款,磨砂款,防摔款;快充充电器|20W,33W,65W;数据线|1米,2米;钢化膜|高清,防窥;"
        "无线充电器|15W,磁吸款;充电宝|10000mAh,20000mAh",
        "Phone Case|Clear,Slim,Rugged;Fast Charger|20W,30W,65W;USB-C Cable|3ft,6ft;"
        "Screen Protector|2-Pack,Privacy;Wireless Charger|15W,Magnetic;"
        "Power Bank|10000mAh,20000mAh",
        "速充;极光;贝壳派", "ChargeMate;Novaphone;ShellCraft",
        "快充;安装简单;防摔;支持无线充电;兼容多机型",
        "fast charging;easy installation;drop protection;universal compatibility",
        "compatibility=universal,Novaphone 12,Pixelis 8;material=TPU,silicone,aluminium",
    ),
    _Template(
        "Home & Kitchen > Cookware", 24, (12.0, 160.0), (49.0, 899.0),
        "不粘锅|24cm,28cm,32cm;炒锅|30cm,32cm;汤锅|20cm,24cm;菜刀套装|3件套,5件套;铸铁锅|22cm,26cm",
        "Non-Stick Frying Pan|8-inch,10-inch,12-inch;Chef's Knife|8-inch,10-inch;"
        "Cast Iron Skillet|10-inch,12-inch;Stockpot|6-quart,8-quart;Knife Set|5-Piece,7-Piece",
        "厨乐;铁匠铺;好食光", "Kitchara;IronHearth;ChefLine",
        "不粘涂层;少油烟;燃气电磁炉通用;易清洗;健康无涂层",
        "a non-stick coating;an induction-ready base;a dishwasher-safe design;a stay-cool handle",
        "material=stainless steel,cast iron,aluminium;dishwasher_safe=yes,no",
    ),
    _Template(
        "Home & Kitchen > Small Appliances", 24, (20.0, 260.0), (89.0, 1299.0),
        "电饭煲|3L,4L,5L;电热水壶|1.5L,1.7L;空气炸锅|4L,5.5L;破壁机|1.75L,2L;咖啡机|意式,美式",
        "Electric Kettle|1.5L,1.7L;Rice Cooker|3-Cup,6-Cup,10-Cup;Air Fryer|4-Quart,6-Quart;"
        "Blender|48oz,64oz;Coffee Maker|12-Cup,Single-Serve",
        "美厨;小熊猫;暖家", "Kitchara;BrewNest;HomeChef",
        "智能预约;一键操作;快速烧水;不锈钢内胆;安装简单",
        "a keep-warm function;one-touch controls;a fast boil;a stainless steel interior",
        "power_watts=800,1200,1500,1800;warranty=1 year,2 years",
    ),
    _Template(
        "Home & Kitchen > Furniture", 20, (60.0, 1500.0), (399.0, 8999.0),
        "沙发|三人位,双人位,L型;布艺沙发|三人位,四人位;真皮沙发|三人位,双人位;书桌|120cm,140cm;"
        "升降桌|电动款,手动款",
        "Sofa|3-Seater,Loveseat;Couch|3-Seater,Sectional;Sectional Sofa|L-Shape,U-Shape;"
        "Writing Desk|48-inch,55-inch;Standing Desk|Electric,Crank",
        "宜居;木语;安睡家", "HavenHome;Oakly;NordNest",
        "安装简单;免安装;可拆洗;实木框架;小户型",
        "easy assembly;a solid wood frame;a modern minimalist design;a compact footprint",
        "material=fabric,leather,solid wood,velvet;assembly=required,not required",
    ),
    _Template(
        "Home & Kitchen > Lighting", 16, (12.0, 180.0), (49.0, 899.0),
        "台灯|护眼款,LED款;落地灯|北欧风,简约款;床头灯|触控款,小夜灯;吸顶灯|40cm,60cm",
        "Table Lamp|LED,Classic;Floor Lamp|Arc,Tripod;Desk Lamp|LED,Clamp;"
        "Ceiling Light|16-inch,24-inch",
        "宜居;光合;明月", "HavenHome;Lumora;BrightNest",
        "护眼无频闪;三档调光;安装简单;遥控调光",
        "dimmable LEDs;flicker-free light;easy installation;a USB charging port",
        "wattage=8W,12W,24W;color_temperature=3000K,4000K,5000K",
    ),
    _Template(
        "Sports & Outdoors > Fitness", 28, (8.0, 220.0), (29.0, 1199.0),
        "瑜伽垫|6mm,8mm,10mm;哑铃|5kg,10kg,可调节;弹力带|5件套,轻阻力;跳绳|计数款,负重款;壶铃|8kg,12kg",
        "Yoga Mat|4mm,6mm,8mm;Adjustable Dumbbells|25lb,52lb;Resistance Bands|5-Pack,Heavy;"
        "Jump Rope|Speed,Weighted;Kettlebell|15lb,25lb",
        "力动;悦跑;禅意", "FlexCore;IronPeak;ZenFlow",
        "防滑;加厚;环保TPE;家用健身;防水",
        "a non-slip surface;extra cushioning;eco-friendly TPE;a home-gym friendly design",
        "material=TPE,NBR,rubber,steel;weight=light,medium,heavy",
    ),
    _Template(
        "Sports & Outdoors > Running", 22, (10.0, 180.0), (29.0, 899.0),
        "跑步鞋|男款,女款;缓震跑鞋|男款,女款;越野跑鞋|男款,女款;运动袜|3双装,5双装;跑步腰包|轻薄款,大容量",
        "Running Shoes|Men's,Women's;Trail Running Shoes|Men's,Women's;"
        "Cushioned Running Shoes|Men's,Women's;Running Socks|3-Pack,6-Pack;Running Belt|Slim,Large",
        "悦跑;疾风;力动", "StrideOn;FleetFoot;TrailCraft",
        "轻量透气;缓震回弹;防水;防滑耐磨",
        "breathable mesh;responsive cushioning;a waterproof upper;a grippy outsole",
        "size=38,39,40,41,42,43,44;width=regular,wide",
    ),
    _Template(
        "Books > Fiction", 22, (8.0, 30.0), (25.0, 89.0),
        "长夜灯火|平装,精装;南方的河|平装,精装;星海旅人|平装,典藏版;雾中的城|平装,精装;"
        "山海来信|平装,精装;白鸟之歌|平装,精装",
        "The Silent Harbor|Paperback,Hardcover;Winter of Glass|Paperback,Hardcover;"
        "The Last Cartographer|Paperback,Hardcover;Salt and Embers|Paperback,Hardcover;"
        "A Room Full of Clocks|Paperback,Hardcover;Northern Lights Motel|Paperback,Hardcover",
        "星河出版社;青石文艺", "Northwind Press;Lantern House",
        "悬疑小说;长篇小说;科幻小说;推理小说;文学小说;奇幻小说",
        "mystery novel;literary novel;historical novel;science fiction novel;literary novel;"
        "mystery novel",
        "pages=240,320,416,512", False,
    ),
    _Template(
        "Books > Technology", 20, (25.0, 70.0), (49.0, 139.0),
        "Python数据分析实战|第2版,第3版;深度学习入门|第1版,第2版;推荐系统实践指南|第1版,第2版;"
        "搜索引擎原理与实现|第1版,第2版;分布式系统设计|第1版,第2版",
        "Practical Python for Data Analysis|2nd Edition,3rd Edition;"
        "Machine Learning Field Guide|1st Edition,2nd Edition;"
        "Recommender Systems in Practice|1st Edition,2nd Edition;"
        "Search Engines from Scratch|1st Edition,2nd Edition;"
        "Designing Data Pipelines|1st Edition,2nd Edition",
        "码上出版社;青石科技出版社", "Bytewise Books;Lantern House",
        "Python编程;机器学习;推荐系统;搜索技术;分布式系统",
        "python programming;machine learning;recommender systems;search engines;data engineering",
        "pages=280,360,480,560", False,
    ),
    _Template(
        "Beauty > Skincare", 28, (8.0, 90.0), (29.0, 599.0),
        "保湿面霜|50ml,100ml;防晒霜|SPF30,SPF50;洁面乳|120g,150g;精华液|30ml,50ml;"
        "爽肤水|150ml,250ml;面膜|5片装,10片装",
        "Moisturizing Cream|1.7oz,3.4oz;Sunscreen|SPF 30,SPF 50;Facial Cleanser|4oz,6oz;"
        "Vitamin C Serum|1oz,2oz;Hydrating Toner|5oz,8oz;Sheet Mask|5-Pack,10-Pack",
        "花语;水之源;素颜", "Dewleaf;PureGlow;Lunaskin",
        "补水保湿;温和无刺激;敏感肌适用;清爽不油腻;植物萃取",
        "hyaluronic acid;a fragrance-free formula;a lightweight texture;"
        "a dermatologist-tested formula",
        "skin_type=dry,oily,combination,sensitive;fragrance=fragrance-free,light scent", False,
    ),
    _Template(
        "Toys & Games > Building", 22, (10.0, 150.0), (39.0, 899.0),
        "积木套装|500粒,1000粒;城堡积木|豪华版,标准版;磁力片|60片,100片;拼装赛车|遥控版,标准版;"
        "太空站积木|豪华版,标准版",
        "Building Blocks Set|500-Piece,1000-Piece;Castle Brick Kit|Deluxe,Standard;"
        "Magnetic Tiles|60-Piece,100-Piece;Race Car Building Kit|Remote Control,Classic;"
        "Space Station Brick Kit|Deluxe,Standard",
        "童趣岛;积木方", "BrickWorks;Tinkerly",
        "益智;兼容大颗粒;安装简单;环保材质",
        "STEM learning;compatibility with major brick brands;easy assembly;non-toxic ABS plastic",
        "age=3+,6+,8+,12+;material=ABS plastic,wood", False,
    ),
)  # fmt: skip

CATEGORY_PATHS: tuple[str, ...] = tuple(t.path for t in _TEMPLATES)

_COLORS = (
    ("Black", "黑色"), ("White", "白色"), ("Grey", "灰色"), ("Navy Blue", "藏青色"),
    ("Pink", "粉色"), ("Green", "绿色"), ("Beige", "米色"), ("Red", "红色"),
)  # fmt: skip


def _pairs(spec: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in spec.split(";"))


_KEY_ZH = _pairs(
    "color=颜色;battery_hours=续航小时;connectivity=连接方式;waterproof=防水等级;"
    "screen_inches=屏幕尺寸;battery_mah=电池容量;network=网络;compatibility=适配机型;material=材质;"
    "dishwasher_safe=可洗碗机;power_watts=功率;warranty=保修;assembly=安装;wattage=功率;"
    "color_temperature=色温;weight=重量;size=尺码;width=鞋宽;pages=页数;edition=版本;"
    "skin_type=肤质;fragrance=香味;age=适用年龄"
)
_VALUE_ZH = _pairs(
    "bluetooth 5.3=蓝牙5.3;bluetooth 5.2=蓝牙5.2;universal=通用;silicone=硅胶;aluminium=铝合金;"
    "stainless steel=不锈钢;cast iron=铸铁;yes=是;no=否;1 year=1年;2 years=2年;fabric=布艺;"
    "leather=真皮;solid wood=实木;velvet=丝绒;required=需安装;not required=免安装;rubber=橡胶;"
    "steel=钢;light=轻;medium=中;heavy=重;regular=标准;wide=宽楦;dry=干性;oily=油性;"
    "combination=混合性;sensitive=敏感肌;fragrance-free=无香;light scent=淡香;ABS plastic=ABS塑料;"
    "wood=木质"
)
_ZH_EXTRAS = ("官方正品，品质保证", "七天无理由退换", "家用必备", "送礼佳选", "全国包邮")
_EN_EXTRAS = (
    "Ships within 24 hours.", "Backed by a 1-year warranty.", "A customer favourite.",
    "Makes a great gift.", "Free returns within 30 days.",
)  # fmt: skip
_START = datetime(2025, 1, 1, tzinfo=UTC)
_END = datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)


def _split(spec: str) -> list[str]:
    return [part for part in spec.split(";") if part]


def _bases(spec: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for item in _split(spec):
        name, _, variants = item.partition("|")
        out.append((name, variants.split(",")))
    return out


def search_terms() -> dict[str, dict[str, list[str]]]:
    """Typical shopper queries per leaf category, keyed by language ("zh" / "en")."""
    terms: dict[str, dict[str, list[str]]] = {}
    for tpl in _TEMPLATES:
        if tpl.path.startswith("Books"):
            zh, en = _split(tpl.zh_tags), _split(tpl.en_tags)
        else:
            zh = [name for name, _ in _bases(tpl.zh)]
            en = [name.lower() for name, _ in _bases(tpl.en)]
        terms[tpl.path] = {"zh": list(dict.fromkeys(zh)), "en": list(dict.fromkeys(en))}
    return terms


def _price(rng: random.Random, tpl: _Template, zh: bool) -> float:
    """Log-uniform price in the template's range, rounded like a shop would (29.9, 299, 24.99)."""
    low, high = tpl.cny if zh else tpl.usd
    raw = math.exp(rng.uniform(math.log(low), math.log(high)))
    if not zh:
        return round(max(1.0, round(raw)) - 0.01, 2)
    if raw >= 100:
        return float(round(raw / 10) * 10 - 1)
    return round(math.floor(raw) + 0.9, 2)


def _draft(
    rng: random.Random, tpl: _Template, zh: bool, slot: int, seen: set[str]
) -> dict[str, object]:
    bases = _bases(tpl.zh if zh else tpl.en)
    brands = _split(tpl.zh_brands if zh else tpl.en_brands)
    tags = _split(tpl.zh_tags if zh else tpl.en_tags)
    book = tpl.path.startswith("Books")
    for attempt in range(500):
        index = slot % len(bases) if attempt == 0 else rng.randrange(len(bases))
        base, variants = bases[index]
        variant = rng.choice(variants)
        brand = brands[index % len(brands)] if book else rng.choice(brands)
        tag = tags[index % len(tags)] if book else rng.choice(tags)
        color = rng.choice(_COLORS) if tpl.colors else None
        if book:
            title = f"{tag}《{base}》{variant}" if zh else f"{base} ({variant})"
        elif zh:
            extra = [t for t in tags if t != tag]
            second = f" {rng.choice(extra)}" if extra and rng.random() < 0.3 else ""
            title = f"{brand} {base} {variant} {tag}{second}" + (f" {color[1]}" if color else "")
        else:
            title = f"{brand} {base} {variant}" + (f", {color[0]}" if color else "")
        if title not in seen:
            break
    else:  # pragma: no cover - the template tables have far more combinations than needed
        raise RuntimeError(f"cannot build a unique title for {tpl.path}")
    seen.add(title)
    attributes: dict[str, str] = {}
    if color:
        attributes["颜色" if zh else "color"] = color[1] if zh else color[0].lower()
    specs = [(key, values.split(",")) for key, values in _pairs(tpl.attrs).items()]
    chosen = rng.sample(specs, rng.randint(1, min(len(specs), 4 - len(attributes) - book)))
    if book:
        chosen.append(("edition", [variant.lower()]))
    for key, values in chosen:
        value = rng.choice(values)
        if zh:
            key, value = _KEY_ZH.get(key, key), _VALUE_ZH.get(value, value)
        attributes[key] = value
    if rng.random() < 0.08:
        description = ""
    elif book:
        description = f"{brand}出版的{tag}，{variant}。" if zh else f"A {tag} published by {brand}."
    elif zh:
        description = f"{brand}{base}，{tag}，{rng.choice(_ZH_EXTRAS)}。"
    else:
        description = f"The {brand} {base} {variant} features {tag}. {rng.choice(_EN_EXTRAS)}"
    return {
        "title": title,
        "description": description,
        "category": tpl.path,
        "brand": brand,
        "price": _price(rng, tpl, zh),
        "currency": "CNY" if zh else "USD",
        "attributes": attributes,
        "language": "zh" if zh else "en",
    }


def demo_products(seed: int = 42) -> list[dict[str, object]]:
    """Return the demo catalogue (about 320 products); identical output for the same seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    drafts = [
        _draft(rng, tpl, i % 2 == 0, i // 2, seen) for tpl in _TEMPLATES for i in range(tpl.n)
    ]
    rng.shuffle(drafts)
    sold_out = set(rng.sample(range(len(drafts)), round(len(drafts) * 0.05)))
    span = int((_END - _START).total_seconds())
    stamps = sorted(rng.randrange(span) for _ in drafts)
    products: list[dict[str, object]] = []
    for n, (draft, offset) in enumerate(zip(drafts, stamps, strict=True), start=1):
        pid = f"p{n:04d}"
        created = datetime.fromtimestamp(_START.timestamp() + offset, tz=UTC)
        products.append(
            {
                "id": pid,
                "title": draft["title"],
                "description": draft["description"],
                "category": draft["category"],
                "brand": draft["brand"],
                "price": draft["price"],
                "currency": draft["currency"],
                "stock": 0 if n - 1 in sold_out else rng.randint(1, 500),
                "attributes": draft["attributes"],
                "image_url": f"/static/demo/{pid}.svg",
                "url": f"https://demo.shopmind.local/p/{pid}",
                "language": draft["language"],
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return products
