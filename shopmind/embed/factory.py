"""Encoders by short name, and the choice of encoder by a catalog's languages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from shopmind.catalog import Product
from shopmind.embed.base import Encoder
from shopmind.embed.hashing import HashingEncoder

_FACTORIES: dict[str, Callable[[], Encoder]] = {}


def register_encoder(name: str, factory: Callable[[], Encoder]) -> None:
    """Make ``make_encoder(name)`` build encoders with ``factory``."""
    _FACTORIES[name] = factory


def _minilm() -> Encoder:
    from shopmind.embed.sentence import MiniLMEncoder

    return MiniLMEncoder()


def _use() -> Encoder:
    from shopmind.embed.sentence import USEEncoder

    return USEEncoder()


register_encoder("minilm", _minilm)
register_encoder("use", _use)
register_encoder("hashing", HashingEncoder)


def make_encoder(name: str) -> Encoder:
    """The encoder called ``name``; an unknown name raises listing the known ones."""
    factory = _FACTORIES.get(name)
    base, _, size = name.partition("-")
    if factory is None and base == "hashing" and size.isdigit():
        return HashingEncoder(dim=int(size))  # the name a hashing encoder gives its vectors
    if factory is None:
        known = ", ".join(sorted(_FACTORIES))
        raise ValueError(f"unknown encoder {name!r}; known encoders: {known}")
    return factory()


@lru_cache(maxsize=8)
def shared_encoder(name: str, models: Path | None = None) -> Encoder:
    """One loaded encoder per name and process (models are large; they hold no state).

    A tuned model's name is ``BASE@MODEL``; it is loaded from the ``models`` folder
    (``HOME/models``, see :mod:`shopmind.embed.models`).
    """
    if "@" in name:
        from shopmind.embed.models import ModelRegistry

        if models is None:
            raise ValueError(f"encoder {name!r} is a tuned model: give the models folder")
        return ModelRegistry(models).encoder(name.partition("@")[2])
    return make_encoder(name)


def resolve_encoder(
    setting: str, products: Iterable[Product], models: Path | None = None
) -> Encoder | None:
    """The encoder a ``search.encoder`` setting means for a catalog (None for "none").

    With ``models`` (``HOME/models``), the active tuned model serves when it tunes the
    encoder the setting picks; otherwise the pretrained encoder does.
    """
    if setting == "none":
        return None
    languages = {p.language or "en" for p in products}
    name = choose_encoder_name(languages) if setting == "auto" else setting
    if models is not None:
        from shopmind.embed.models import ModelRegistry

        active = ModelRegistry(models).active()
        if active is not None and active.base == name:
            return shared_encoder(active.encoder_name, models)
    return shared_encoder(name)


def choose_encoder_name(languages: Iterable[str]) -> str:
    """``use`` when the catalog has Chinese (it matches across languages), else ``minilm``.

    Measured on this project's data: MiniLM is far better on English titles; USE is the
    one that matches Chinese with English.
    """
    return "use" if "zh" in set(languages) else "minilm"
