"""Encoders by short name, and the choice of encoder by a catalog's languages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

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


@lru_cache(maxsize=4)
def shared_encoder(name: str) -> Encoder:
    """One loaded encoder per name and process (models are large; they hold no state)."""
    return make_encoder(name)


def resolve_encoder(setting: str, products: Iterable[Product]) -> Encoder | None:
    """The encoder a ``search.encoder`` setting means for a catalog (None for "none")."""
    if setting == "none":
        return None
    languages = {p.language or "en" for p in products}
    name = choose_encoder_name(languages) if setting == "auto" else setting
    return shared_encoder(name)


def choose_encoder_name(languages: Iterable[str]) -> str:
    """``use`` when the catalog has Chinese (it matches across languages), else ``minilm``.

    Measured on this project's data: MiniLM is far better on English titles; USE is the
    one that matches Chinese with English.
    """
    return "use" if "zh" in set(languages) else "minilm"
