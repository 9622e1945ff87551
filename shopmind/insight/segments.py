"""Segments: groups of visitors with alike behaviour, each named by what sets it apart.

Visitors with a user_id (all visitors in a shop without them) are clustered on their
profile features (:data:`TRAITS`: recency, frequency,
spend, basket size, tenure, breadth, returns, activity; counts and amounts on a log scale,
"never bought" as the longest recency), standardised, by seeded k-means. ``k`` is given, or
chosen by the silhouette (on a seeded sample of at most ``SAMPLE`` visitors) among 2-8,
skipping a ``k`` that leaves a segment under 1% of the visitors; z-scores are clipped at
±3 so that a few extreme visitors do not take a segment of their own.

A segment's name is the words of its 2-3 traits furthest from the shop's average (the
segment's mean z-score, at least ``NAME_Z`` away): "frequent, high spend, recent". The
report gives each segment's size, revenue share (net spend) and top products by spend.

The assignment is saved in the home (``HOME/insight/segments.json``), so that
:func:`segment_of` answers for sponsored-product targeting and experiment strata.

Example::

    segments = find_segments(book, k="auto", seed=0)
    segments.save(segments_path(home))
    segment_of(Segments.load(segments_path(home)), "u1")  # 2
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopmind.errors import InvalidInput, NotFound, RowError
from shopmind.events.models import iso_utc
from shopmind.files import write_text_atomic
from shopmind.insight.profilebook import ProfileBook, Reloading

SAMPLE = 4_000
CLIP_Z = 3.0
MIN_SHARE = 0.01
NAME_Z = 0.3
K_RANGE = range(2, 9)

# feature -> (word when above the average, word when below)
TRAITS: dict[str, tuple[str, str]] = {
    "recency_days": ("lapsed", "recent"),
    "frequency": ("frequent", "one-off"),
    "monetary": ("high spend", "low spend"),
    "avg_order": ("big baskets", "small baskets"),
    "tenure_days": ("long-standing", "newcomers"),
    "products": ("many products", "few products"),
    "return_share": ("returns often", "rarely returns"),
    "events": ("very active", "little activity"),
}
_LOG = {"frequency", "monetary", "avg_order", "tenure_days", "products", "events"}


def segments_path(home: Path) -> Path:
    """Where the segments live in a home."""
    return home / "insight" / "segments.json"


@dataclass(frozen=True)
class Segments:
    """The report and the visitor → segment assignment."""

    report: dict[str, Any]
    assignment: Mapping[str, int]

    def save(self, path: Path) -> None:
        """Write the report and the assignment atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"report": self.report, "assignment": dict(self.assignment)}
        write_text_atomic(path, json.dumps(data, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> Segments:
        """Read what :meth:`save` wrote; NotFound naming the command when there is none."""
        if not path.is_file():
            raise NotFound(
                f"no segments in {path.parent.parent}; find them with: shopmind --home "
                f"{path.parent.parent} analyze segments"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["report"], data["assignment"])

    def names(self) -> list[str]:
        """The segments' names, largest segment first."""
        return [str(s["name"]) for s in self.report["segments"]]

    def name_of(self, visitor: str) -> str | None:
        """The name of the visitor's segment; None when the visitor was not segmented."""
        number = segment_of(self, visitor)
        if number is None:
            return None
        return next((s["name"] for s in self.report["segments"] if s["segment"] == number), None)


def segment_reader(home: Path) -> Callable[[str], str | None]:
    """A visitor → segment name lookup over the home's saved segments, re-read when they
    change (what the ad server targets with); None before any are saved."""
    reader = Reloading(segments_path(home), Segments.load)

    def name_of(visitor: str) -> str | None:
        try:
            return reader.get().name_of(visitor)
        except NotFound:
            return None

    return name_of


def segment_names(home: Path) -> list[str]:
    """The saved segments' names; empty before ``shopmind analyze segments``."""
    try:
        return Segments.load(segments_path(home)).names()
    except NotFound:
        return []


def segment_of(segments: Segments, visitor: str) -> int | None:
    """The visitor's segment number (for targeting and experiment strata); None when the
    visitor was not segmented (new since, or no profile)."""
    return segments.assignment.get(visitor)


def trait_matrix(book: ProfileBook) -> np.ndarray:
    """The visitors' traits (columns in :data:`TRAITS` order) before standardising."""
    cols = []
    for name in TRAITS:
        x = book.feature(name).astype(np.float64)
        if name == "recency_days":  # never bought: the longest recency there is
            known = x[~np.isnan(x)]
            x = np.where(np.isnan(x), known.max() if len(known) else 0.0, x)
        x = np.nan_to_num(x, nan=0.0)
        cols.append(np.log1p(np.maximum(x, 0.0)) if name in _LOG else x)
    return np.column_stack(cols) if cols else np.zeros((0, 0))


def find_segments(
    book: ProfileBook,
    k: int | str = "auto",
    seed: int = 0,
    titles: Mapping[str, str] | None = None,
    top: int = 5,
) -> Segments:
    """Cluster the book's visitors into segments (see the module docstring).

    Args:
        book: the profiles artifact.
        k: the number of segments, or ``"auto"`` for the best silhouette among 2-8.
        seed: the k-means and sample seed.
        titles: product titles by id, for the top products.
        top: top products per segment.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    rows = population(book)
    x = trait_matrix(book)[rows]
    n = len(x)
    most = max(K_RANGE) if k == "auto" else int(k)
    if n < 2 * max(2, min(most, n)) or (k != "auto" and not 2 <= int(k) <= n // 2):
        raise InvalidInput(
            [RowError(0, "k", f"cannot make {k} segments of {n} visitors", "use --k auto or "
                      f"a number from 2 to {max(2, n // 2)}, or ingest more visitors", str(k))]
        )  # fmt: skip
    mean, std = x.mean(axis=0), x.std(axis=0)
    z = np.clip((x - mean) / np.where(std > 0, std, 1.0), -CLIP_Z, CLIP_Z)  # tame outliers
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=min(n, SAMPLE), replace=False)
    scores: dict[int, float] = {}

    def fit(count: int) -> np.ndarray:
        model = KMeans(n_clusters=count, n_init=3, random_state=seed, max_iter=200)
        return np.asarray(model.fit_predict(z), dtype=np.int32)

    if k == "auto":
        best: tuple[float, int, np.ndarray] | None = None
        for count in K_RANGE:
            if count > n // 2:
                break
            labels = fit(count)
            if np.bincount(labels).min() < MIN_SHARE * n or len(np.unique(labels[sample])) < 2:
                continue  # a segment of a few outliers is no segment
            score = float(silhouette_score(z[sample], labels[sample], random_state=seed))
            scores[count] = round(score, 4)
            if best is None or score > best[0]:
                best = (score, count, labels)
        chosen, labels = (best[1], best[2]) if best is not None else (2, fit(2))
    else:
        chosen, labels = int(k), fit(int(k))
    full = np.full(len(book.visitors), -1, dtype=np.int32)
    full[rows] = labels
    zfull = np.zeros((len(full), z.shape[1]))
    zfull[rows] = z
    report = _report(book, zfull, full, chosen, titles or {}, top)
    report["population"] = "visitors with a user_id" if len(rows) < len(full) else "all visitors"
    report.update({"k": chosen, "chosen_by": "silhouette" if k == "auto" else "given",
                   "silhouettes": scores, "seed": seed})  # fmt: skip
    visitors = book.visitors
    return Segments(report, {visitors[r]: int(s) for r, s in zip(rows, labels, strict=True)})


def population(book: ProfileBook) -> np.ndarray:
    """The rows segmented: visitors with a user_id when there are any (a guest's
    ``~session`` is one visit, so guests would only ever form a one-off segment), else all."""
    named = np.flatnonzero([not v.startswith("~") for v in book.meta["visitors"]])
    return named if len(named) else np.arange(len(book.meta["visitors"]))


def _name(zmeans: np.ndarray) -> tuple[str, list[dict[str, Any]]]:
    order = np.argsort(-np.abs(zmeans))
    names = list(TRAITS)
    words: list[str] = []
    for j in order[:3]:
        if abs(zmeans[j]) >= NAME_Z or not words:
            high, low = TRAITS[names[j]]
            words.append(high if zmeans[j] > 0 else low)
    traits = [{"trait": names[j], "z": round(float(zmeans[j]), 3)} for j in order]
    return ", ".join(words), traits


def _report(
    book: ProfileBook,
    z: np.ndarray,
    labels: np.ndarray,
    k: int,
    titles: Mapping[str, str],
    top: int,
) -> dict[str, Any]:
    monetary = np.nan_to_num(book.feature("monetary").astype(np.float64))
    revenue = float(monetary.sum())
    items = book.meta["items"]
    segments: list[dict[str, Any]] = []
    for s in range(k):
        members = labels == s
        name, traits = _name(z[members].mean(axis=0))
        spend = np.asarray(book.spend[np.flatnonzero(members)].sum(axis=0)).ravel()
        best = [int(i) for i in np.argsort(-spend)[:top] if spend[i] > 0]
        own = float(monetary[members].sum())
        segments.append(
            {
                "segment": s,
                "name": name,
                "visitors": int(members.sum()),
                "share": round(float(members.mean()), 4),
                "revenue": round(own, 2),
                "revenue_share": round(own / revenue, 4) if revenue else 0.0,
                "medians": _medians(book, members),
                "traits": traits,
                "top_products": [
                    {
                        "id": items[i],
                        "title": titles.get(items[i]),
                        "revenue": round(float(spend[i]), 2),
                    }
                    for i in best
                ],
            }
        )
    segments.sort(key=lambda seg: -seg["visitors"])
    return {
        "visitors": int((labels >= 0).sum()),
        "as_of": book.meta["as_of"],
        "revenue": round(revenue, 2),
        "created_at": iso_utc(time.time()),
        "segments": segments,
    }


def _medians(book: ProfileBook, members: np.ndarray) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name in ("recency_days", "frequency", "monetary", "events"):
        values = book.feature(name)[members].astype(np.float64)
        values = values[~np.isnan(values)]
        out[name] = round(float(np.median(values)), 2) if len(values) else None
    return out
