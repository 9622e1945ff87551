"""Loaders for public click logs, each into a :class:`CtrData` with its split.

* ``movielens-100k``: the RecBole files (``*.inter``, ``*.user``, ``*.item``). Ratings are
  not clicks: the label is *derived*, rating >= 4 is a positive. Rows in time order, split
  80/10/10 by time; every row carries the user's earlier ratings as its history.
* ``criteo``: ``label, I1..I13, C1..C26`` (the CSV sample with a header, or the original
  tab-separated files without one); file order is time order.
* ``avazu``: the CSV with ``id, click, hour, ...``; sorted by hour; grouped by device.
* ``aliccp``: Ali-CCP's ``click, purchase, <feature ids>, D<dense>`` CSVs, its own train /
  val / test files; grouped by the user field (``101``); click and purchase labels.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from shopmind.errors import InvalidFile
from shopmind.rank.history import COUNT_FEATURES, running_history
from shopmind.rank.table import (
    CtrData,
    CtrTable,
    Schema,
    Split,
    code_columns,
    code_lists,
    group_codes,
    ordered_split,
)
from shopmind.sources.files import open_text

DATASETS = ("movielens-100k", "criteo", "avazu", "aliccp")


def _one(folder: Path, pattern: str, what: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        raise InvalidFile(
            f"{folder}: no {pattern} file ({what}); point --data at the folder holding it"
        )
    return found[0]


def _recbole(path: Path) -> list[dict[str, str]]:
    """Rows of a RecBole atomic file, keyed by the header's names without their types."""
    with open_text(path, "utf-8", "", "replace") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [h.split(":")[0] for h in next(reader)]
        return [dict(zip(header, row, strict=False)) for row in reader]


def _age_band(age: str) -> str:
    try:
        value = int(age)
    except ValueError:
        return ""
    return str(next((b for b in (18, 25, 35, 45, 50, 56) if value < b), 99))


def load_movielens(folder: Path, history: int = 10, min_count: int = 2) -> CtrData:
    """MovieLens in RecBole's format, rating >= 4 as the derived click label."""
    inter = _recbole(_one(folder, "*.inter", "ratings"))
    users = {r["user_id"]: r for r in _recbole(_one(folder, "*.user", "users"))}
    items = {r["item_id"]: r for r in _recbole(_one(folder, "*.item", "movies"))}
    inter.sort(key=lambda r: float(r["timestamp"]))
    n = len(inter)
    split = ordered_split(n)
    label = np.array([float(r["rating"]) >= 4 for r in inter], np.float32)
    uid = [r["user_id"] for r in inter]
    iid = [r["item_id"] for r in inter]
    stamps = [datetime.fromtimestamp(float(r["timestamp"]), UTC) for r in inter]
    user = [users.get(u, {}) for u in uid]
    item = [items.get(i, {}) for i in iid]
    years = [item_row.get("release_year", "") for item_row in item]
    columns = [
        uid,
        iid,
        [u.get("gender", "") for u in user],
        [_age_band(u.get("age", "")) for u in user],
        [u.get("occupation", "") for u in user],
        [u.get("zip_code", "")[:1] for u in user],
        [y[:3] + ("5" if y[3:4] >= "5" else "0") if len(y) == 4 else "" for y in years],
        [str(s.hour) for s in stamps],
        [str(s.weekday()) for s in stamps],
    ]
    names = ("user", "item", "gender", "age", "occupation", "zip", "decade_half", "hour", "weekday")
    cats, vocabs = code_columns(columns, split.train, min_count)
    genres, genre_vocab = code_lists([it.get("class", "").split() for it in item], split.train, 6)
    past = running_history(
        uid, iid, label, 1 + label.astype(np.int64), history, float(label[split.train].mean())
    )
    hist = np.zeros((n, max(1, history)), np.int64)
    item_vocab = vocabs[1]
    for r, seq in enumerate(past.items):
        hist[r, : len(seq)] = item_vocab.encode(seq)
    schema = Schema(
        cats=names,
        cards=tuple(len(v) for v in vocabs),
        nums=COUNT_FEATURES,
        multi="genres",
        multi_card=len(genre_vocab),
        item_field="item",
        history=history,
        history_kinds=2,
    )
    table = CtrTable(
        schema,
        cats=cats,
        nums=past.counts,
        click=label,
        group=group_codes(uid),
        multi=genres,
        history=hist,
        history_kind=past.kinds,
    )
    notes = [
        "labels are derived: rating >= 4 is a positive, below 4 a negative",
        "time-ordered split: the oldest 80% of ratings train, the next 10% validate, "
        "the newest 10% test",
    ]
    return CtrData("movielens-100k", table, split, notes)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open_text(path, "utf-8", "", "replace") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise InvalidFile(f"{path}: the file is empty")
    _check_width(path, rows[0], rows[1:], first_line=2)
    return rows[0], rows[1:]


def _check_width(path: Path, header: list[str], rows: list[list[str]], first_line: int) -> None:
    """Refuse a row whose column count differs from the header's, naming its line."""
    bad = next((i for i, r in enumerate(rows) if len(r) != len(header)), None)
    if bad is not None:
        raise InvalidFile(
            f"{path}: row {bad + first_line} has {len(rows[bad])} columns, the header "
            f"{len(header)}; fix or drop the row"
        )


def _log_number(value: str) -> float:
    """log(1 + x) of a count-like column (negatives and blanks as 0), as Criteo winners did."""
    try:
        x = float(value)
    except ValueError:
        return 0.0
    return math.log1p(x) if x > 0 else 0.0


def _tabular(
    name: str,
    header: list[str],
    rows: list[list[str]],
    split: Split,
    labels: dict[str, str],
    numeric: Callable[[str], bool],
    group: str | None,
    min_count: int,
) -> CtrTable:
    """A table of plain categorical and numeric columns (Criteo, Avazu, Ali-CCP); the rows
    are rectangular (checked as they are read)."""
    index = {h: i for i, h in enumerate(header)}
    for column in labels.values():
        if column not in index:
            raise InvalidFile(
                f"{name}: no '{column}' column; the header is {', '.join(header[:8])}..."
            )
    skip = set(labels.values()) | {"id"}
    num_cols = [h for h in header if h not in skip and numeric(h)]
    cat_cols = [h for h in header if h not in skip and not numeric(h)]
    cats, vocabs = code_columns(
        [[r[index[c]] for r in rows] for c in cat_cols], split.train, min_count
    )
    nums = np.array([[_log_number(r[index[c]]) for c in num_cols] for r in rows], np.float32)
    nums = nums.reshape(len(rows), len(num_cols))
    click = np.array([float(r[index[labels["click"]]]) > 0 for r in rows], np.float32)
    purchase = None
    if "purchase" in labels:
        purchase = np.array([float(r[index[labels["purchase"]]]) > 0 for r in rows], np.float32)
    schema = Schema(
        cats=tuple(cat_cols),
        cards=tuple(len(v) for v in vocabs),
        nums=tuple(num_cols),
        tasks=("click", "purchase") if purchase is not None else ("click",),
    )
    groups = (
        group_codes([r[index[group]] for r in rows]) if group else np.zeros(len(rows), np.int64)
    )
    return CtrTable(schema, cats=cats, nums=nums, click=click, group=groups, purchase=purchase)


def load_criteo(path: Path, min_count: int = 2) -> CtrData:
    """Criteo display ads: a CSV with a header, or the original headerless TSV."""
    file = _one(path, "*criteo*", "Criteo rows") if path.is_dir() else path
    with open_text(file, "utf-8", None, "replace") as fh:
        first = fh.readline()
    if first.startswith("label"):
        header, rows = _read_csv(file)
    else:
        header = ["label"] + [f"I{i}" for i in range(1, 14)] + [f"C{i}" for i in range(1, 27)]
        with open_text(file, "utf-8", None, "replace") as fh:
            rows = [line.rstrip("\n").split("\t") for line in fh if line.strip()]
        _check_width(file, header, rows, first_line=1)
    split = ordered_split(len(rows))
    table = _tabular(
        "criteo",
        header,
        rows,
        split,
        {"click": "label"},
        lambda h: h.startswith("I"),
        None,
        min_count,
    )
    return CtrData("criteo", table, split, ["file order taken as time order: 80/10/10 split"])


def load_avazu(path: Path, min_count: int = 2) -> CtrData:
    """Avazu mobile ads, sorted by hour; the hour of day replaces the raw hour stamp."""
    file = _one(path, "*avazu*", "Avazu rows") if path.is_dir() else path
    header, rows = _read_csv(file)
    if "hour" in header:
        at = header.index("hour")
        rows.sort(key=lambda r: r[at])
        for r in rows:
            r[at] = r[at][-2:]
    split = ordered_split(len(rows))
    table = _tabular(
        "avazu",
        header,
        rows,
        split,
        {"click": "click"},
        lambda h: False,
        "device_id" if "device_id" in header else None,
        min_count,
    )
    return CtrData(
        "avazu", table, split, ["sorted by hour: 80/10/10 time split", "GAUC groups by device_id"]
    )


def load_aliccp(folder: Path, min_count: int = 2) -> CtrData:
    """Ali-CCP click + purchase: its train, val and test files kept as the split."""
    parts = [_one(folder, f"*ali_ccp_{p}*", f"Ali-CCP {p}") for p in ("train", "val", "test")]
    header: list[str] = []
    rows: list[list[str]] = []
    bounds = [0]
    for part in parts:
        head, body = _read_csv(part)
        if header and head != header:
            raise InvalidFile(f"{part}: its header differs from {parts[0].name}'s")
        header = head
        rows.extend(body)
        bounds.append(len(rows))
    idx = np.arange(len(rows))
    split = Split(idx[: bounds[1]], idx[bounds[1] : bounds[2]], idx[bounds[2] :])
    table = _tabular(
        "aliccp",
        header,
        rows,
        split,
        {"click": "click", "purchase": "purchase"},
        lambda h: h.startswith("D"),
        "101" if "101" in header else None,
        min_count,
    )
    return CtrData(
        "aliccp",
        table,
        split,
        ["the files' own train / val / test split", "GAUC groups by user field 101"],
    )


def load_dataset(name: str, data: Path, history: int = 10, min_count: int = 2) -> CtrData:
    """Load one of :data:`DATASETS` from ``data`` (a folder, or a file for criteo and avazu)."""
    if not data.exists():
        raise InvalidFile(f"{data}: no such file or folder")
    if name == "movielens-100k":
        return load_movielens(data, history, min_count)
    if name == "criteo":
        return load_criteo(data, min_count)
    if name == "avazu":
        return load_avazu(data, min_count)
    if name == "aliccp":
        return load_aliccp(data, min_count)
    raise ValueError(f"unknown dataset '{name}'; use one of: {', '.join(DATASETS)}")
