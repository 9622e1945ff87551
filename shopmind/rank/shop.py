"""A shop's impressions as a training table, and the coder that turns rows into codes.

Every ``impression`` event with a position becomes a row. Its click label is a click or
view of the same product by the same visitor within ``click_window_seconds`` after it; its
purchase label a purchase within ``purchase_window_seconds``. Features come from the events
before it only (:mod:`shopmind.rank.features`), so the table replays what serving knew.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from shopmind.config import RankConfig
from shopmind.errors import TrainingError
from shopmind.events import StoredEvent
from shopmind.rank.features import CATS, NUMS, ProductStats, Row, ShopFeatures, VisitorState
from shopmind.rank.table import (
    CtrData,
    CtrTable,
    Schema,
    Vocab,
    code_columns,
    code_lists,
    group_codes,
    ordered_split,
)

logger = logging.getLogger(__name__)
PATH_WIDTH = 4
DEVICE_DROPOUT = 0.1  # training rows without their device, so an unknown one means something


@dataclass
class RowCoder:
    """The vocabularies fitted on the training rows; codes rows the same way at serving."""

    vocabs: list[Vocab]
    path_vocab: Vocab
    history: int

    @property
    def schema(self) -> Schema:
        return Schema(
            cats=CATS,
            cards=tuple(len(v) for v in self.vocabs),
            nums=NUMS,
            multi="category_path",
            multi_card=len(self.path_vocab),
            item_field="item",
            history=self.history,
            history_kinds=3,
            tasks=("click", "purchase"),
        )

    def table(
        self,
        rows: Sequence[Row],
        histories: Sequence[Sequence[tuple[str, int]]],
        groups: np.ndarray | None = None,
    ) -> CtrTable:
        """Code ``rows`` (labels zero, for scoring) with their visitors' histories."""
        n = len(rows)
        cats = np.zeros((n, len(CATS)), np.int64)
        for j, vocab in enumerate(self.vocabs):
            cats[:, j] = vocab.encode(r.cats[j] for r in rows)
        path = np.zeros((n, PATH_WIDTH), np.int64)
        hist = np.zeros((n, max(1, self.history)), np.int64)
        kinds = np.zeros_like(hist)
        items = self.vocabs[CATS.index("item")]
        for r, row in enumerate(rows):
            codes = self.path_vocab.encode(row.path[:PATH_WIDTH])
            path[r, : len(codes)] = codes
            past = histories[r]
            if past:
                hist[r, : len(past)] = items.encode(i for i, _ in past)
                kinds[r, : len(past)] = [k for _, k in past]
        return CtrTable(
            self.schema,
            cats=cats,
            nums=np.array([r.nums for r in rows], np.float32).reshape(n, len(NUMS)),
            click=np.zeros(n, np.float32),
            group=np.zeros(n, np.int64) if groups is None else groups,
            multi=path,
            history=hist,
            history_kind=kinds,
        )


def _after(
    times: dict[tuple[str, str], list[float]], key: tuple[str, str], t: float, window: float
) -> bool:
    stamps = times.get(key)
    if not stamps:
        return False
    at = bisect.bisect_right(stamps, t)
    return at < len(stamps) and stamps[at] <= t + window


@dataclass
class ShopData:
    """A shop's impressions as a dataset, the coder fitted on its training rows, and the
    product counts at the end of the log (what serving starts from)."""

    data: CtrData
    coder: RowCoder
    stats: ProductStats


def shop_data(
    events: Iterable[StoredEvent], features: ShopFeatures, config: RankConfig, test: float = 0.0
) -> ShopData:
    """Replay a shop's events into an impression table (see the module docstring).

    Args:
        events: every stored event, in any order.
        features: the catalog's feature builder.
        config: windows, history length and vocabulary threshold.
        test: the newest share of rows kept out for testing (0 for training a ranker; the
            validation share is ``config.valid_fraction`` before it).

    Raises:
        TrainingError: fewer impressions than ``config.min_rows``, or no click among them.
    """
    log = sorted(events, key=lambda e: (e.ts or 0.0, e.seq))
    clicks: dict[tuple[str, str], list[float]] = defaultdict(list)
    buys: dict[tuple[str, str], list[float]] = defaultdict(list)
    for e in log:
        if e.item_id is not None and e.ts is not None:
            if e.type in ("click", "view"):
                clicks[(e.visitor, e.item_id)].append(e.ts)
            elif e.type == "purchase":
                buys[(e.visitor, e.item_id)].append(e.ts)
    impressions = [e for e in log if e.type == "impression" and e.item_id is not None]
    if len(impressions) < config.min_rows:
        raise TrainingError(
            f"{len(impressions)} impression events found, at least {config.min_rows} are "
            "needed: send an 'impression' event (with its position) for every product shown"
        )
    # the shop's click rate (the prior of every running rate) from the training part only
    fit = impressions[: max(1, round(len(impressions) * (1 - config.valid_fraction - test)))]
    n_clicks = sum(
        _after(clicks, (e.visitor, e.item_id or ""), e.ts or 0.0, config.click_window_seconds)
        for e in fit
    )
    stats = ProductStats(shop_ctr=max(n_clicks / len(fit), 1e-3))
    rng = np.random.default_rng(config.seed)
    states: dict[str, VisitorState] = {}
    shown: dict[str, list[StoredEvent]] = defaultdict(list)  # a page's impressions, not yet counted
    rows: list[Row] = []
    histories: list[list[tuple[str, int]]] = []
    click, purchase, position, visitors = [], [], [], []
    for e in log:
        state = states.get(e.visitor)
        if state is None:
            state = states[e.visitor] = features.new_state()
        if e.type == "impression" and e.item_id is not None:
            # every row of one page sees the visitor as serving saw them: before the page,
            # at the page's time
            page = shown[e.visitor]
            at = page[0].ts if page else e.ts
            profile = features.profile(state)
            context = {"page": str(e.page or 1)}
            if rng.random() >= DEVICE_DROPOUT:  # serving may not know the device
                context["device"] = e.context.get("device", "")
            row = features.values(e.visitor, state, stats, e.item_id, context, at, profile)
            rows.append(row)
            histories.append(list(state.recent))
            key = (e.visitor, e.item_id)
            t = e.ts or 0.0
            click.append(_after(clicks, key, t, config.click_window_seconds))
            purchase.append(_after(buys, key, t, config.purchase_window_seconds))
            position.append(e.position or 0)
            visitors.append(e.visitor)
            page.append(e)
            continue
        for seen in shown.pop(e.visitor, []):
            features.update(state, stats, seen)
        features.update(state, stats, e)
    n = len(rows)
    split = ordered_split(n, config.valid_fraction, test)
    columns = [[r.cats[j] for r in rows] for j in range(len(CATS))]
    _, vocabs = code_columns(columns, split.train, config.min_count)
    _, path_vocab = code_lists([r.path for r in rows], split.train, PATH_WIDTH)
    coder = RowCoder(vocabs, path_vocab, features.history)
    groups = group_codes(visitors)
    table = coder.table(rows, histories, groups)
    table.click = np.asarray(click, np.float32)
    table.purchase = np.asarray(purchase, np.float32) * table.click
    table.position = np.asarray(position, np.int64)
    notes = [
        f"{n:,} impressions of {int(groups.max()) + 1:,} visitors; click = a click or view of "
        f"the product within {config.click_window_seconds:.0f} s, purchase within "
        f"{config.purchase_window_seconds:.0f} s",
        "time-ordered split",
    ]
    logger.info("ranker table: %d impressions, click rate %.3f", n, float(table.click.mean()))
    return ShopData(CtrData("shop", table, split, notes), coder, stats)
