"""The demo shop's knowledge: its policy pages and past questions agree with the catalogue
and with each other."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import pytest

from shopmind.demo.catalog import demo_products
from shopmind.demo.knowledge import demo_documents, demo_qa

SEED = 42
CJK = re.compile(r"[\u4e00-\u9fff]")
EN_PAGES = ("shipping.md", "returns.md", "warranty.md", "sizing.md", "payment.md")
ZH_PAGES = ("配送说明.md", "退换货政策.md", "保修政策.md", "尺码指南.md")
ZH_KEYS = {
    "waterproof": "防水等级",
    "battery_hours": "续航小时",
    "battery_mah": "电池容量",
    "size": "尺码",
    "color_temperature": "色温",
    "wattage": "功率",
    "power_watts": "功率",
    "pages": "页数",
    "age": "适用年龄",
}


@pytest.fixture(scope="module")
def products() -> list[dict[str, Any]]:
    return demo_products(SEED)


@pytest.fixture(scope="module")
def by_id(products: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in products}


@pytest.fixture(scope="module")
def rows(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return demo_qa(products, SEED)


@pytest.fixture(scope="module")
def docs() -> dict[str, str]:
    return demo_documents()


def attr(product: dict[str, Any], key: str) -> str | None:
    """An attribute by its English key, under its Chinese key for Chinese products."""
    attributes = product["attributes"]
    value = attributes.get(ZH_KEYS.get(key, key) if product["language"] == "zh" else key)
    return None if value is None else str(value)


def leaf(product: dict[str, Any]) -> str:
    return str(product["category"]).split(" > ")[-1]


# -- pages --------------------------------------------------------------------------------------
def test_pages_in_both_languages_with_titles_and_sections(docs: dict[str, str]) -> None:
    assert set(EN_PAGES) | set(ZH_PAGES) <= set(docs)
    for name, text in docs.items():
        assert name.endswith(".md"), name
        assert text.startswith("# "), name
        assert len(re.findall(r"^## \S", text, flags=re.M)) >= 2, name
    for name in docs:
        chinese = bool(CJK.search(name))
        assert bool(CJK.search(docs[name])) == chinese, name
    assert sum(bool(CJK.search(n)) for n in docs) >= 4
    assert sum(not CJK.search(n) for n in docs) >= 5


def test_pages_speak_their_own_currency(docs: dict[str, str]) -> None:
    for name, text in docs.items():
        if CJK.search(name):
            assert "$" not in text and "USD" not in text, name
        else:
            assert "元" not in text and "CNY" not in text.replace("paid in CNY", ""), name
    assert re.search(r"\$\d+", docs["shipping.md"])
    assert re.search(r"\d+元", docs["配送说明.md"])


def test_return_pages_state_the_same_number_of_days(docs: dict[str, str]) -> None:
    en = re.search(r"(\d+) days from delivery", docs["returns.md"])
    zh = re.search(r"签收后(\d+)天内", docs["退换货政策.md"])
    assert en and zh
    assert en.group(1) == zh.group(1) == "30"
    assert "refund" in docs["returns.md"].lower() and "退款" in docs["退换货政策.md"]


def test_shipping_pages_give_times_costs_and_the_free_threshold(docs: dict[str, str]) -> None:
    en, zh = docs["shipping.md"], docs["配送说明.md"]
    assert re.search(r"\d-\d business days", en) and re.search(r"free on orders of \$\d+", en)
    assert re.search(r"\d–\d个工作日", zh) and re.search(r"满\d+元", zh)
    # the same delivery windows in both stores
    windows = set(re.findall(r"(\d+)-(\d+) business days", en))
    assert windows == set(re.findall(r"(\d+)–(\d+)个工作日", zh))
    assert {("3", "5"), ("1", "2"), ("5", "10")} <= windows


def test_size_tables_agree(docs: dict[str, str]) -> None:
    en = {
        int(eu): (men, women, round(float(cm) * 10))
        for eu, men, women, cm in re.findall(
            r"^\| (\d\d) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) cm \|$", docs["sizing.md"], re.M
        )
    }
    zh = {
        int(eu): (men, women, int(mm))
        for eu, men, women, mm in re.findall(
            r"^\| (\d\d) \| ([\d.]+) \| ([\d.]+) \| (\d+)mm \|$", docs["尺码指南.md"], re.M
        )
    }
    assert len(en) == 7
    assert en == zh


def test_pages_are_copies(docs: dict[str, str]) -> None:
    docs["returns.md"] = "changed"
    assert demo_documents()["returns.md"] != "changed"


# -- past questions -----------------------------------------------------------------------------
def test_a_few_hundred_rows_with_ids_and_times(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> None:
    assert 300 <= len(rows) <= 400
    assert [r["id"] for r in rows] == [f"qa{n:04d}" for n in range(1, len(rows) + 1)]
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    for r in rows:
        assert set(r) == {"id", "question", "answer", "product_id", "time"}
        assert r["question"].strip() and r["answer"].strip()
        assert re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["time"]), r["time"]
        asked = datetime.fromisoformat(r["time"].replace("Z", "+00:00"))
        created = datetime.fromisoformat(
            by_id[r["product_id"]]["created_at"].replace("Z", "+00:00")
        )
        assert asked > created, r


def test_deterministic_per_seed(products: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    assert demo_qa(products, SEED) == rows
    assert demo_qa(products, SEED + 1) != rows
    other = demo_products(7)
    assert demo_qa(other, 7) == demo_qa(other, 7)


def test_rows_refer_to_catalogue_products(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> None:
    assert {r["product_id"] for r in rows} <= set(by_id)


def test_questions_in_the_products_language(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> None:
    for r in rows:
        if by_id[r["product_id"]]["language"] == "zh":
            assert CJK.search(r["question"]) and CJK.search(r["answer"]), r
        else:
            assert not CJK.search(r["question"]) and not CJK.search(r["answer"]), r
            assert re.search(r"[A-Za-z]{3}", r["question"]), r


def test_every_category_in_both_languages_and_some_products_asked_often(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]], products: list[dict[str, Any]]
) -> None:
    shelves = Counter(
        (by_id[r["product_id"]]["category"], by_id[r["product_id"]]["language"]) for r in rows
    )
    wanted = {(p["category"], p["language"]) for p in products}
    assert set(shelves) == wanted
    assert min(shelves.values()) >= 5
    per_product = Counter(r["product_id"] for r in rows)
    assert max(per_product.values()) <= 5
    assert sum(2 <= n <= 5 for n in per_product.values()) >= 30
    assert len(per_product) >= 150


def test_many_waterproof_questions_in_each_language(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> None:
    zh = [r for r in rows if by_id[r["product_id"]]["language"] == "zh" and "防水" in r["question"]]
    en = [
        r
        for r in rows
        if by_id[r["product_id"]]["language"] == "en" and "water" in r["question"].lower()
    ]
    assert len(zh) >= 25 and len(en) >= 25
    earphones = {r["product_id"] for r in zh if leaf(by_id[r["product_id"]]) == "Headphones"}
    assert len(earphones) >= 5
    rated = [r for r in zh if attr(by_id[r["product_id"]], "waterproof")]
    assert len(rated) >= 5
    for r in rated:  # a rated earphone's answer gives its rating
        assert attr(by_id[r["product_id"]], "waterproof") in r["answer"], r


def test_stated_water_ratings_are_the_products_own(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> None:
    stated = 0
    for r in rows:
        product = by_id[r["product_id"]]
        own = attr(product, "waterproof") or (
            m.group(0) if (m := re.search(r"IPX\d", product["description"])) else None
        )
        for rating in re.findall(r"IPX\d", r["answer"]):
            stated += 1
            assert rating == own, (r, product["attributes"])
    assert stated >= 20


def test_battery_hours_and_capacities_match_attributes(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> None:
    checked = 0
    for r in rows:
        product = by_id[r["product_id"]]
        if leaf(product) == "Headphones" and re.search(r"续航|battery|电量", r["answer"], re.I):
            hours = attr(product, "battery_hours") or (
                m.group(1) if (m := re.search(r"(\d+)-hour", product["description"])) else None
            )
            for said in re.findall(r"(\d+) ?(?:小时|hours)", r["answer"]):
                checked += 1
                assert said == hours, (r, product["attributes"])
        if leaf(product) == "Smartphones":
            for said in re.findall(r"(\d+) ?mAh", r["answer"]):
                checked += 1
                assert said == attr(product, "battery_mah"), (r, product["attributes"])
    assert checked >= 3


def test_numbers_in_answers_match_attributes(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> None:
    seen: dict[str, int] = defaultdict(int)
    for r in rows:
        product, answer = by_id[r["product_id"]], r["answer"]
        kind = leaf(product)
        for kelvin in re.findall(r"(\d{4})K\b", answer):
            seen["kelvin"] += 1
            assert f"{kelvin}K" == attr(product, "color_temperature"), r
        if kind in ("Lighting", "Small Appliances"):
            for watts in re.findall(r"(\d+) ?W\b", answer):
                seen["watts"] += 1
                own = attr(product, "wattage") or attr(product, "power_watts") or ""
                assert watts == own.removesuffix("W"), r
        if kind in ("Fiction", "Technology"):
            for pages in re.findall(r"(\d+) ?(?:pages|页)", answer):
                seen["pages"] += 1
                assert pages == attr(product, "pages"), r
        if kind == "Building":
            for age in re.findall(r"(\d+\+)", answer):
                seen["age"] += 1
                assert age == attr(product, "age"), r
        if kind == "Cookware" and product["language"] == "zh":
            for cm in re.findall(r"直径(\d+)cm", answer):
                seen["cm"] += 1
                assert f"{cm}cm" in product["title"], r
    assert min(seen.get(k, 0) for k in ("kelvin", "watts", "pages", "age")) >= 1, seen


def test_shoe_sizes_match_the_attribute_and_the_size_guide(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]], docs: dict[str, str]
) -> None:
    table = {
        eu: cm
        for eu, cm in re.findall(
            r"^\| (\d\d) \| [\d.]+ \| [\d.]+ \| ([\d.]+) cm \|$", docs["sizing.md"], re.M
        )
    }
    checked = 0
    for r in rows:
        product, answer = by_id[r["product_id"]], r["answer"]
        if leaf(product) != "Running":
            continue
        for eu, cm in re.findall(
            r"EU (\d\d), which fits a foot length of about ([\d.]+) cm", answer
        ):
            checked += 1
            assert eu == attr(product, "size") and table[eu] == cm, r
        for eu, mm in re.findall(r"(\d\d)码，对应脚长约(\d+)mm", answer):
            checked += 1
            assert eu == attr(product, "size") and f"{int(mm) / 10:.1f}" == table[eu], r
    assert checked >= 1


def test_policy_amounts_in_answers_come_from_the_pages(
    rows: list[dict[str, Any]], by_id: dict[str, dict[str, Any]], docs: dict[str, str]
) -> None:
    en_pages = "\n".join(t for n, t in docs.items() if not CJK.search(n))
    zh_pages = "\n".join(t for n, t in docs.items() if CJK.search(n))
    amounts = 0
    for r in rows:
        if by_id[r["product_id"]]["language"] == "zh":
            for yuan in re.findall(r"\d+元", r["answer"]):
                amounts += 1
                assert yuan in zh_pages, r
            for days in re.findall(r"(\d+)天内", r["answer"]):
                assert days == "30", r  # the return, missing-part and skincare windows
        else:
            for dollars in re.findall(r"\$\d+(?:\.\d\d)?", r["answer"]):
                amounts += 1
                assert dollars in en_pages, r
            for days in re.findall(r"within (\d+) days", r["answer"]):
                assert days == "30", r

    assert amounts >= 10


def test_a_product_without_an_id_is_refused() -> None:
    with pytest.raises(ValueError, match="id"):
        demo_qa([{"title": "x", "category": "Books > Fiction"}])
