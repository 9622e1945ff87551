"""The tabular form every CTR model here trains on: coded fields, numbers, a history, labels.

A :class:`CtrTable` holds one row per impression (or rating, for datasets without
impressions). Categorical values are coded by a :class:`Vocab` fitted on the training rows
only: a value seen fewer than ``min_count`` times there, or never, shares code 0, so the
model learns one "rare or new" embedding instead of meeting untrained ones at test time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from shopmind.errors import TrainingError

UNKNOWN = 0  # the code of a rare or unseen value in every field


class Vocab:
    """Codes for one field's values: 1..n for the values kept, 0 for the rest."""

    def __init__(self, values: Iterable[str], min_count: int = 1) -> None:
        counts = Counter(values)
        kept = sorted(v for v, c in counts.items() if c >= min_count and v != "")
        self.codes: dict[str, int] = {v: i + 1 for i, v in enumerate(kept)}

    @classmethod
    def from_codes(cls, values: list[str]) -> Vocab:
        """The vocabulary whose kept values are ``values``, in code order (as saved)."""
        vocab = cls(())
        vocab.codes = {v: i + 1 for i, v in enumerate(values)}
        return vocab

    def __len__(self) -> int:
        """The number of codes, 0 included."""
        return len(self.codes) + 1

    def code(self, value: str) -> int:
        """One value's code (0 when not kept)."""
        return self.codes.get(value, UNKNOWN)

    def encode(self, values: Iterable[str]) -> np.ndarray:
        """Codes for ``values`` (0 for values not kept)."""
        get = self.codes.get
        return np.fromiter((get(v, UNKNOWN) for v in values), dtype=np.int64)


@dataclass(frozen=True)
class Schema:
    """What a table's columns mean, so a model can be built for it.

    ``item_field`` names the categorical field holding the product (or movie) id: the
    history shares its embedding. ``history_kinds`` is the number of codes a history
    entry's kind takes (0 = padding).
    """

    cats: tuple[str, ...]
    cards: tuple[int, ...]
    nums: tuple[str, ...] = ()
    multi: str | None = None
    multi_card: int = 0
    item_field: str | None = None
    history: int = 0
    history_kinds: int = 3
    tasks: tuple[str, ...] = ("click",)

    def fields(self) -> list[str]:
        """The fields a model embeds, in order (its contributions are named after these)."""
        names = list(self.cats)
        if self.multi is not None:
            names.append(self.multi)
        names.extend(self.nums)
        if self.history and self.item_field is not None:
            names.extend(("history", "history_kinds"))
        return names


@dataclass
class CtrTable:
    """Rows of coded features and labels (see the module docstring)."""

    schema: Schema
    cats: np.ndarray  # (n, C) int64
    nums: np.ndarray  # (n, K) float32
    click: np.ndarray  # (n,) float32 in {0, 1}
    group: np.ndarray  # (n,) int64: the visitor, for GAUC
    multi: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    history: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    history_kind: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    purchase: np.ndarray | None = None  # (n,) float32; a purchase implies a click
    position: np.ndarray | None = None  # (n,) int64, 1-based; 0 = unknown

    def __post_init__(self) -> None:
        n = len(self.click)
        if self.multi.shape[0] != n:
            self.multi = np.zeros((n, 1), np.int64)
        if self.history.shape[0] != n:
            self.history = np.zeros((n, max(1, self.schema.history)), np.int64)
            self.history_kind = np.zeros_like(self.history)
        for name in ("cats", "nums", "group"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"CtrTable.{name} has {len(getattr(self, name))} rows, not {n}")

    def __len__(self) -> int:
        return len(self.click)

    def take(self, rows: np.ndarray) -> CtrTable:
        """The table restricted to ``rows`` (indices or a boolean mask)."""

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[rows]

        return replace(
            self,
            cats=self.cats[rows],
            nums=self.nums[rows],
            click=self.click[rows],
            group=self.group[rows],
            multi=self.multi[rows],
            history=self.history[rows],
            history_kind=self.history_kind[rows],
            purchase=pick(self.purchase),
            position=pick(self.position),
        )


@dataclass(frozen=True)
class Split:
    """Row indices of the training, validation and test parts of a dataset."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray


@dataclass
class CtrData:
    """A loaded dataset: its table, its split and what a reader must know about it."""

    name: str
    table: CtrTable
    split: Split
    notes: list[str] = field(default_factory=list)


def ordered_split(n: int, valid: float = 0.1, test: float = 0.1) -> Split:
    """The first rows train, the next ``valid`` share validates, the last ``test`` share tests
    (rows must already be in time order); ``test = 0`` keeps no test rows."""
    n_test = max(1, round(n * test)) if test > 0 else 0
    n_valid = max(1, round(n * valid))
    n_train = n - n_test - n_valid
    if n_train < 1:
        raise TrainingError(f"{n} rows are too few to split into train, validation and test")
    idx = np.arange(n)
    return Split(idx[:n_train], idx[n_train : n_train + n_valid], idx[n_train + n_valid :])


def group_codes(keys: Sequence[str]) -> np.ndarray:
    """Each key's group number (0, 1, ... in order of first appearance), for GAUC."""
    codes: dict[str, int] = {}
    return np.fromiter((codes.setdefault(k, len(codes)) for k in keys), np.int64, len(keys))


def code_columns(
    columns: Sequence[Sequence[str]], fit_rows: np.ndarray, min_count: int
) -> tuple[np.ndarray, list[Vocab]]:
    """Code each categorical column with a vocabulary fitted on ``fit_rows`` only."""
    n = len(columns[0]) if columns else 0
    out = np.zeros((n, len(columns)), np.int64)
    vocabs = []
    for j, col in enumerate(columns):
        vocab = Vocab((col[i] for i in fit_rows), min_count)
        out[:, j] = vocab.encode(col)
        vocabs.append(vocab)
    return out, vocabs


def code_lists(
    lists: Sequence[Sequence[str]], fit_rows: np.ndarray, width: int, min_count: int = 1
) -> tuple[np.ndarray, Vocab]:
    """Code a multi-valued column (genres, a category path) into ``width`` slots, 0-padded."""
    vocab = Vocab((v for i in fit_rows for v in lists[i]), min_count)
    out = np.zeros((len(lists), width), np.int64)
    for r, values in enumerate(lists):
        codes = vocab.encode(values[:width])
        out[r, : len(codes)] = codes
    return out, vocab
