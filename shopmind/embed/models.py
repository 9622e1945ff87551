"""Tuned encoders kept in the home, and which one is active.

``HOME/models/NAME/`` holds one trained model: ``model.json`` (what it is, its training
report) and either ``model/`` (a sentence-transformers folder: the whole model fine-tuned,
or a query tower over the base's product vectors) or ``adapter.npz`` (a linear adapter
over a frozen base encoder). ``HOME/models/ACTIVE``
names the active model; without it (or with ``pretrained``) the pretrained encoders
serve. A model is written into a hidden folder and renamed when complete, and the pointer
is replaced atomically, so a reader never sees half a model. Models are never deleted by
activation: rolling back is activating the previous name.

A tuned encoder's name is ``BASE@NAME`` (``minilm@tuned-20261129-201500``): vectors are
indexed under it and, unless it is a query tower (whose product vectors are the base's),
cached under it, so vectors from two models are never mixed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shopmind.embed.base import Encoder
from shopmind.errors import NotFound
from shopmind.files import write_text_atomic

ACTIVE = "ACTIVE"
PRETRAINED = "pretrained"
MANIFEST = "model.json"


@dataclass(frozen=True)
class ModelInfo:
    """One trained model's manifest."""

    name: str
    kind: str  # "finetune", "query" (a query tower) or "adapter"
    base: str  # the pretrained encoder it tunes: "minilm" or "use"
    created_at: float
    report: dict[str, Any] = field(default_factory=dict)
    search: dict[str, Any] = field(default_factory=dict)  # e.g. the learned fusion weight

    @property
    def encoder_name(self) -> str:
        """The name its vectors are indexed under (and cached under, unless it is a query
        tower: those are the base's, :attr:`Encoder.vectors_name`)."""
        return f"{self.base}@{self.name}"


def new_model_name() -> str:
    """A fresh, sortable model name."""
    return time.strftime("tuned-%Y%m%d-%H%M%S")


class ModelRegistry:
    """The trained models under ``root`` (``HOME/models``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def list(self) -> list[ModelInfo]:
        """Every complete model, oldest first."""
        if not self.root.is_dir():
            return []
        found = [self._read(p) for p in sorted(self.root.iterdir()) if (p / MANIFEST).is_file()]
        return sorted(found, key=lambda m: (m.created_at, m.name))

    def get(self, name: str) -> ModelInfo:
        """The model called ``name``; NotFound lists the known ones."""
        path = self.root / name / MANIFEST
        if not path.is_file():
            known = ", ".join([PRETRAINED, *(m.name for m in self.list())])
            raise NotFound(f"no model {name!r} in {self.root}; known: {known}")
        return self._read(self.root / name)

    def active(self) -> ModelInfo | None:
        """The active model (None: the pretrained encoders serve)."""
        pointer = self.root / ACTIVE
        if not pointer.is_file():
            return None
        name = pointer.read_text().strip()
        return None if name in ("", PRETRAINED) else self.get(name)

    def activate(self, name: str) -> ModelInfo | None:
        """Make ``name`` (or ``pretrained``) the active model, atomically."""
        info = None if name == PRETRAINED else self.get(name)
        self.root.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.root / ACTIVE, name + "\n")
        return info

    def staging(self) -> Path:
        """A fresh hidden folder to write a model into before :meth:`commit`."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))

    def commit(self, folder: Path, info: ModelInfo) -> ModelInfo:
        """Write the manifest and move the staged ``folder`` to ``root/NAME``."""
        (folder / MANIFEST).write_text(_manifest(info))
        final = self.root / info.name
        if final.exists():
            shutil.rmtree(folder, ignore_errors=True)
            raise FileExistsError(f"a model called {info.name!r} already exists in {self.root}")
        os.rename(folder, final)
        return info

    def update(self, info: ModelInfo) -> ModelInfo:
        """Rewrite a committed model's manifest (e.g. with its learned fusion weight)."""
        self.get(info.name)
        write_text_atomic(self.root / info.name / MANIFEST, _manifest(info))
        return info

    def encoder(self, name: str) -> Encoder:
        """The encoder of the model called ``name`` (with its learned fusion weight)."""
        info = self.get(name)
        folder = self.root / name
        encoder: Encoder
        if info.kind == "adapter":
            from shopmind.embed.adapter import AdaptedEncoder, LinearAdapter
            from shopmind.embed.factory import shared_encoder

            adapter = LinearAdapter.load(folder / "adapter.npz")
            encoder = AdaptedEncoder(shared_encoder(info.base), adapter, info.encoder_name)
        elif info.kind == "query":
            from shopmind.embed.factory import shared_encoder
            from shopmind.embed.sentence import MiniLMEncoder
            from shopmind.embed.tower import QueryTowerEncoder

            tower = MiniLMEncoder(path=str(folder / "model"), name=info.encoder_name)
            encoder = QueryTowerEncoder(shared_encoder(info.base), tower, info.encoder_name)
        else:
            from shopmind.embed.sentence import MiniLMEncoder

            encoder = MiniLMEncoder(path=str(folder / "model"), name=info.encoder_name)
        alpha = info.search.get("alpha")
        encoder.fusion_alpha = float(alpha) if alpha is not None else None
        return encoder

    @staticmethod
    def _read(folder: Path) -> ModelInfo:
        data = json.loads((folder / MANIFEST).read_text())
        return ModelInfo(**data)


def _manifest(info: ModelInfo) -> str:
    return json.dumps(asdict(info), indent=2, ensure_ascii=False)


__all__ = ["ACTIVE", "PRETRAINED", "ModelInfo", "ModelRegistry", "new_model_name"]
