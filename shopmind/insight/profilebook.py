"""The profiles artifact: every visitor's profile numbers in one file of the home.

``HOME/insight/profiles.npz`` holds the arrays (features, RFM scores, stage, buy-again
probability, interest-cluster shares, the visitor × product spend matrix) and a JSON header
(visitor ids, feature names, thresholds, clusters, price tertiles, the model's summary). It
is written to a temporary file and renamed over the old one, so a reader sees one whole
build. :meth:`ProfileBook.cached` reloads it only when the file changed, so a profile read
is a dictionary lookup and a few array rows.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import scipy.sparse as sp

from shopmind.errors import NotFound
from shopmind.files import write_bytes_atomic
from shopmind.insight.behaviour import FEATURES
from shopmind.insight.lifecycle import thresholds

FILE = "profiles.npz"
VERSION = 1


def profiles_path(home: Path) -> Path:
    """Where the profiles artifact lives in a home."""
    return home / "insight" / FILE


@dataclass
class ProfileBook:
    """The batch-built profiles of every visitor (see the module docstring)."""

    meta: dict[str, Any]
    features: np.ndarray  # float32, visitors × meta["features"]
    rfm: np.ndarray  # int8, visitors × 3 (R, F, M quintile; 0 for a visitor who never bought)
    stage: np.ndarray  # int8 index into lifecycle.STAGES
    probability: np.ndarray  # float32 buy-again probability; NaN where there is none
    shares: np.ndarray  # float32, visitors × clusters
    spend: sp.csr_matrix  # visitors × meta["items"], money spent per product
    _row: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self._row:
            self._row = {v: n for n, v in enumerate(self.meta["visitors"])}

    @classmethod
    def empty(cls, days: int, session_minutes: float) -> ProfileBook:
        """A book without visitors (before the first build): profiles are then computed
        from each visitor's events alone, with the default lifecycle thresholds."""
        limits = thresholds(np.zeros(0), 0.75, 0.95, days)
        meta = {
            "as_of": None,
            "as_of_ts": float("-inf"),
            "days": days,
            "session_minutes": session_minutes,
            "visitors": [],
            "items": [],
            "features": list(FEATURES),
            "lifecycle": limits.as_dict(),
            "model": {"method": None, "reason": "no profiles built yet"},
            "clusters": [],
            "tertiles": {},
        }
        empty = np.zeros((0, 0), dtype=np.float32)
        return cls(
            meta,
            np.zeros((0, len(FEATURES)), dtype=np.float32),
            np.zeros((0, 3), dtype=np.int8),
            np.zeros(0, dtype=np.int8),
            np.zeros(0, dtype=np.float32),
            empty,
            sp.csr_matrix((0, 0)),
        )

    @property
    def visitors(self) -> list[str]:
        """Visitor keys in row order."""
        return list(self.meta["visitors"])

    def row(self, visitor: str) -> int | None:
        """The visitor's row, or None when they were not in the build."""
        return self._row.get(visitor)

    def feature(self, name: str) -> np.ndarray:
        """One feature's column."""
        return self.features[:, self.meta["features"].index(name)]

    def save(self, path: Path) -> None:
        """Write the artifact atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        header = json.dumps({**self.meta, "version": VERSION}, ensure_ascii=False).encode()
        np.savez(
            buf,
            meta=np.frombuffer(header, dtype=np.uint8),
            features=self.features,
            rfm=self.rfm,
            stage=self.stage,
            probability=self.probability,
            shares=self.shares,
            spend_data=self.spend.data,
            spend_indices=self.spend.indices,
            spend_indptr=self.spend.indptr,
            spend_shape=np.asarray(self.spend.shape, dtype=np.int64),
        )
        write_bytes_atomic(path, buf.getvalue())

    @classmethod
    def load(cls, path: Path) -> ProfileBook:
        """Read what :meth:`save` wrote; NotFound (naming the command) when there is none."""
        if not path.is_file():
            home = path.parent.parent
            raise NotFound(
                f"no visitor profiles in {home}; build them with: shopmind --home {home} "
                "analyze profiles"
            )
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            spend = sp.csr_matrix(
                (z["spend_data"], z["spend_indices"], z["spend_indptr"]),
                shape=tuple(int(s) for s in z["spend_shape"]),
            )
            return cls(
                meta, z["features"], z["rfm"], z["stage"], z["probability"], z["shares"], spend
            )


T = TypeVar("T")


class Reloading(Generic[T]):
    """A file's parsed content, read again only when the file changed (its mtime and size):
    what a server holds so that a read is a lookup, and a new build is picked up."""

    def __init__(self, path: Path, read: Callable[[Path], T]) -> None:
        self.path = path
        self._read = read
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._value: T | None = None

    def get(self) -> T:
        """The content (raises what ``read`` raises when the file is missing or bad)."""
        try:
            stat = self.path.stat()
            key: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            key = None
        with self._lock:
            if key is not None and key == self._key and self._value is not None:
                return self._value
            value = self._read(self.path)
            self._key, self._value = key, value
            return value
