"""``make_recommender(name, **params)``: every recommender by its short name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shopmind.recommend.base import Recommender
from shopmind.recommend.content import Content
from shopmind.recommend.ease import EASE
from shopmind.recommend.factors import BPR, Factors
from shopmind.recommend.hybrid import Hybrid
from shopmind.recommend.itemknn import ItemKNN
from shopmind.recommend.popular import Popular
from shopmind.recommend.sequential import Sequential
from shopmind.recommend.transitions import Transitions

_REGISTRY: dict[str, Callable[..., Recommender]] = {
    "popular": Popular,
    "itemknn": ItemKNN,
    "ease": EASE,
    "als": Factors,
    "bpr": BPR,
    "content": Content,
    "transitions": Transitions,
    "sequential": Sequential,
    "hybrid": Hybrid,
}


def recommender_names() -> list[str]:
    """The known recommender names, sorted."""
    return sorted(_REGISTRY)


def make_recommender(name: str, **params: Any) -> Recommender:
    """A new, unfitted recommender; an unknown name raises and lists the known ones."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown recommender {name!r}; known: {', '.join(recommender_names())}"
        ) from None
    return factory(**params)
