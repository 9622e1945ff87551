"""Offline next-product evaluation (RecBole atomic files), against classical baselines.

Input: a folder with ``NAME.item`` (item_id, title), ``NAME.valid.inter`` and
``NAME.test.inter`` (user_id, item_id_list = the history oldest first, item_id = the
target), tab-separated with typed headers (``item_id:token``); or, instead of the two
split files, one ``NAME.inter`` (user_id, item_id, timestamp, as MovieLens in RecBole's
format) split by time: each visitor's last product is the test target, the one before it
the valid target. Protocol: leave-one-out;
every target is ranked against all products the visitor has not seen (full ranking, no
sampled negatives); models are trained on the valid histories, hyperparameters, early
stopping and blend weights are chosen on the valid targets only, and the test targets
(whose histories end with the valid target) are reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from shopmind.catalog.models import detect_language
from shopmind.embed import choose_encoder_name, encode_cached, make_encoder
from shopmind.errors import InvalidFile
from shopmind.recommend import (
    EASE,
    Content,
    Histories,
    Hybrid,
    ItemKNN,
    Popular,
    Recommender,
    Sequential,
    Transitions,
    mask_seen,
    top_rows,
)
from shopmind.recommend.base import ndcg_at_10, target_ranks
from shopmind.sources.files import open_text

logger = logging.getLogger(__name__)

EASE_L2 = (50.0, 200.0, 800.0)
RECENCY = (1.0, 0.8, 0.6)
NEIGHBOURS = (20, 100, 400)
SEQUENTIAL_SECONDS = 420.0  # the transformer's training budget (it stops after that epoch)


@dataclass
class SplitData:
    """A leave-one-out dataset in product index space."""

    name: str
    items: list[str]
    titles: list[str]
    valid: Histories
    valid_targets: np.ndarray
    test: Histories
    test_targets: np.ndarray


def _columns(path: Path, header: str, wanted: dict[str, str]) -> dict[str, int]:
    names = [h.split(":", 1)[0].strip() for h in header.rstrip("\n").split("\t")]
    out = {}
    if "title" in wanted and "title" not in names:  # e.g. MovieLens's movie_title
        names = ["title" if n.endswith("title") else n for n in names]
    for field, example in wanted.items():
        if field not in names:
            raise InvalidFile(
                f"no {field!r} column in the header {header.strip()!r}; the header must name "
                f"the columns RecBole-style, tab-separated, e.g. {example}",
                str(path),
            )
        out[field] = names.index(field)
    return out


def _one(folder: Path, suffix: str) -> Path:
    found = sorted([*folder.glob(f"*{suffix}"), *folder.glob(f"*{suffix}.gz")])
    if len(found) != 1:
        what = "no" if not found else f"{len(found)}"
        raise InvalidFile(
            f"{what} *{suffix} file(s) in {folder}; expected exactly one NAME{suffix} "
            "(NAME.item, NAME.valid.inter, NAME.test.inter)",
            str(folder),
        )
    return found[0]


def read_split(folder: str | Path) -> SplitData:
    """Read ``NAME.item`` / ``NAME.valid.inter`` / ``NAME.test.inter`` from ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidFile("not a folder; give the folder that holds NAME.item", str(folder))
    item_path = _one(folder, ".item")
    name = item_path.name.removesuffix(".gz")[: -len(".item")]
    code: dict[str, int] = {}
    titles: list[str] = []
    with open_text(item_path, "utf-8", None) as fh:
        cols = _columns(item_path, fh.readline(), {"item_id": "item_id:token", "title": "..."})
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) <= max(cols.values()) or not parts[cols["item_id"]]:
                continue
            code.setdefault(parts[cols["item_id"]], len(code))
            if len(titles) < len(code):
                titles.append(parts[cols["title"]])

    def inter(path: Path) -> tuple[Histories, np.ndarray]:
        wanted = {"item_id_list": "item_id_list:token_seq", "item_id": "item_id:token"}
        hist: list[np.ndarray] = []
        targets: list[int] = []
        with open_text(path, "utf-8", None) as fh:
            cols = _columns(path, fh.readline(), wanted)
            for row, line in enumerate(fh, start=2):
                parts = line.rstrip("\n").split("\t")
                if len(parts) <= max(cols.values()):
                    raise InvalidFile(
                        f"line {row} has {len(parts)} tab-separated fields, expected "
                        f"{max(cols.values()) + 1}; check that the file is tab-separated",
                        str(path),
                    )
                seq = [code.setdefault(t, len(code)) for t in parts[cols["item_id_list"]].split()]
                hist.append(np.asarray(seq, dtype=np.int64))
                targets.append(code.setdefault(parts[cols["item_id"]], len(code)))
        return Histories(hist), np.asarray(targets, dtype=np.int64)

    def part(suffix: str) -> Path:  # NAME.suffix, or NAME.suffix.gz read as it is
        plain = folder / f"{name}{suffix}"
        packed = plain.with_name(plain.name + ".gz")
        return packed if not plain.is_file() and packed.is_file() else plain

    if part(".valid.inter").is_file():
        valid, valid_targets = inter(part(".valid.inter"))
        test, test_targets = inter(part(".test.inter"))
    else:
        valid, valid_targets, test, test_targets = _time_split(part(".inter"), code)
    unknown = len(code) - len(titles)
    if unknown:
        logger.warning("%d products in the interactions are missing from %s", unknown, item_path)
        titles += [""] * unknown
    return SplitData(name, list(code), titles, valid, valid_targets, test, test_targets)


def _time_split(
    path: Path, code: dict[str, int]
) -> tuple[Histories, np.ndarray, Histories, np.ndarray]:
    """Leave-one-out by time from one interaction file (user_id, item_id, timestamp): each
    visitor's last product is the test target, the one before it the valid target."""
    if not path.is_file():
        raise InvalidFile(
            "no NAME.valid.inter / NAME.test.inter, and no NAME.inter to split by time",
            str(path.parent),
        )
    wanted = {
        "user_id": "user_id:token",
        "item_id": "item_id:token",
        "timestamp": "timestamp:float",
    }
    events: dict[str, list[tuple[float, int, int]]] = {}
    with open_text(path, "utf-8", None) as fh:
        cols = _columns(path, fh.readline(), wanted)
        for row, line in enumerate(fh, start=2):
            parts = line.rstrip("\n").split("\t")
            try:
                ts = float(parts[cols["timestamp"]])
                user, item = parts[cols["user_id"]], parts[cols["item_id"]]
            except (IndexError, ValueError):
                raise InvalidFile(
                    f"line {row}: needs a user_id, an item_id and a numeric timestamp, "
                    "tab-separated",
                    str(path),
                ) from None
            events.setdefault(user, []).append((ts, row, code.setdefault(item, len(code))))
    hist_v: list[np.ndarray] = []
    hist_t: list[np.ndarray] = []
    tv: list[int] = []
    tt: list[int] = []
    for seq in events.values():
        items = [item for _, _, item in sorted(seq)]
        if len(items) < 3:
            continue
        hist_v.append(np.asarray(items[:-2], dtype=np.int64))
        tv.append(items[-2])
        hist_t.append(np.asarray(items[:-1], dtype=np.int64))
        tt.append(items[-1])
    return (
        Histories(hist_v),
        np.asarray(tv, dtype=np.int64),
        Histories(hist_t),
        np.asarray(tt, dtype=np.int64),
    )


def ranking_metrics(
    model: Recommender, histories: Histories, targets: np.ndarray, batch: int = 2_000
) -> dict[str, float]:
    """Recall@10, NDCG@10, Recall@50 and catalog coverage@10 under full ranking."""
    n = len(histories)
    hit10 = hit50 = ndcg = 0.0
    shown: set[int] = set()
    for start in range(0, n, batch):
        part = histories.slice(start, start + batch)
        scores = mask_seen(model.score(part), part)
        rank = target_ranks(scores, targets[start : start + batch])
        hit10 += float((rank < 10).sum())
        hit50 += float((rank < 50).sum())
        ndcg += float(np.where(rank < 10, 1.0 / np.log2(rank + 2.0), 0.0).sum())
        shown.update(top_rows(scores, 10)[0].ravel().tolist())
    return {
        "recall@10": hit10 / max(n, 1),
        "ndcg@10": ndcg / max(n, 1),
        "recall@50": hit50 / max(n, 1),
        "coverage@10": len(shown) / max(model.n_items, 1),
    }


def _valid_ndcg(model: Recommender, hist: Histories, targets: np.ndarray) -> float:
    return ndcg_at_10(mask_seen(model.score(hist), hist), targets)


def _pick(
    label: str, options: list[Any], make: Callable[[Any], Recommender], hist: Histories,
    targets: np.ndarray,
) -> tuple[Recommender, Any]:  # fmt: skip
    best: tuple[float, Recommender | None, Any] = (-1.0, None, None)
    for option in options:
        model = make(option)
        value = _valid_ndcg(model, hist, targets)
        logger.info("%s %s: valid NDCG@10 %.4f", label, option, value)
        if value > best[0]:
            best = (value, model, option)
    assert best[1] is not None
    return best[1], best[2]


def evaluate_recommend(
    folder: str | Path,
    cache: Path | None = None,
    encoder_name: str = "auto",
    sample: int = 10_000,
    seed: int = 42,
    progress: bool = True,
    sequential: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train on the valid histories, choose on the valid targets, report the test targets."""
    data = read_split(folder)
    n_items = len(data.items)
    train = data.valid
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(train), size=min(sample, len(train)), replace=False))
    vh = Histories([train.items[i] for i in pick])
    vt = data.valid_targets[pick]
    report: dict[str, Any] = {"users": len(data.test), "items": n_items, "dataset": data.name}

    started = time.monotonic()
    if encoder_name == "auto":
        sample_titles = data.titles[:: max(1, len(data.titles) // 500)]
        encoder_name = choose_encoder_name(detect_language(t) for t in sample_titles)
    encoder = make_encoder(encoder_name)
    vectors = encode_cached(encoder, data.titles, cache, progress=progress)
    report["encoder"] = encoder.name
    encode_seconds = time.monotonic() - started

    steps = tqdm(total=6, desc="evaluate recommend", disable=not progress)
    popular = Popular().fit(train, n_items)
    knn, neighbours = _pick(
        "itemknn", list(NEIGHBOURS), lambda k: ItemKNN(neighbours=k).fit(train, n_items), vh, vt
    )
    steps.update()
    ease, l2 = _pick("ease", list(EASE_L2), lambda v: EASE(l2=v).fit(train, n_items), vh, vt)
    steps.update()
    base_seconds = time.monotonic() - started - encode_seconds

    started = time.monotonic()
    assert isinstance(ease, EASE)

    def recent(r: float) -> Recommender:
        tuned = EASE(l2=l2, recency=r)
        tuned.n_items, tuned.weights = n_items, ease.weights
        return tuned

    ease_recent, recency = _pick("ease recency", list(RECENCY), recent, vh, vt)
    steps.update()
    seq_hold = min(len(pick), 2_000)
    seq = Sequential(progress=progress, **{"max_seconds": SEQUENTIAL_SECONDS, **(sequential or {})})
    seq.validate_on(Histories(vh.items[:seq_hold]), vt[:seq_hold])
    seq.fit(train, n_items, vectors)
    steps.update()
    hybrid = Hybrid(
        {
            "ease": ease_recent,
            "sequential": seq,
            "transitions": Transitions().fit(train, n_items),
            "content": Content().fit(train, n_items, vectors),
        }
    )
    hybrid.n_items = n_items
    weights = hybrid.choose_weights(vh, vt)
    steps.update()
    train_seconds = time.monotonic() - started + base_seconds

    methods = {"shopmind": hybrid, "popular": popular, "itemknn": knn, "ease": ease}
    report["methods"] = {
        name: ranking_metrics(model, data.test, data.test_targets)
        for name, model in methods.items()
    }
    steps.update()
    steps.close()
    report["chosen"] = {
        "itemknn": {"neighbours": neighbours},
        "ease": {"l2": l2},
        "shopmind": {"ease_l2": l2, "ease_recency": recency, "weights": weights,
                     "sequential_valid_ndcg": seq.curve},
    }  # fmt: skip
    report["train_seconds"] = round(train_seconds, 1)
    report["encode_seconds"] = round(encode_seconds, 1)
    return report
