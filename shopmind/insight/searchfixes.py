"""The fixes search analytics propose: a synonym, a missing product, a relevance check.

A zero-result query's word is *near* a catalog word when :func:`difflib.get_close_matches`
rates them at least ``NEAR`` alike (``matt`` ~ ``mat``, ``lampe`` ~ ``lamp``); the catalog's
words are those of its titles, brands and category paths. A synonym fix is written as the
``search.synonyms`` line that applies it.

Example::

    synonym_fix("couch", "sofa", "searchers typed it next").text
    # 'add a synonym "couch" -> "sofa" (searchers typed it next): search.synonyms = ...'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shopmind.catalog import Product

NEAR = 0.75  # difflib ratio above which a word is a near spelling of a catalog word
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Fix:
    """What to do about a query: ``kind`` (``synonym``, ``missing product``, ``relevance``),
    the advice, and its parts (the synonym pair or the products to check)."""

    kind: str
    text: str
    synonym: tuple[str, str] | None = None
    products: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """``{"kind", "text", "synonym", "products"}``."""
        pair = None if self.synonym is None else list(self.synonym)
        return {"kind": self.kind, "text": self.text, "synonym": pair, "products": self.products}


def synonym_fix(word: str, to: str, why: str) -> Fix:
    """Add ``word`` as a synonym of ``to``, saying why."""
    return Fix(
        "synonym",
        f'add a synonym "{word}" -> "{to}" ({why}): search.synonyms = [["{word}", "{to}"]]',
        synonym=(word, to),
    )


def relevance_fix(query: str, products: list[str]) -> Fix:
    """Check the query's top results (``products``) or pin one."""
    shown = f" ({', '.join(products)})" if products else ""
    return Fix(
        "relevance",
        f'relevance: check the top results{shown} for "{query}" / pin a product (search.rules)',
        products=products,
    )


def vocabulary(products: Iterable[Product]) -> list[str]:
    """The catalog's words (two letters or more, not numbers), sorted."""
    words: set[str] = set()
    for p in products:
        for text in (p.title, p.brand or "", p.category or ""):
            words.update(_WORD.findall(text.casefold()))
    return sorted(w for w in words if len(w) >= 2 and not w.isdigit())


def near_word(query: str, vocabulary: list[str]) -> tuple[str, str] | None:
    """The first unknown word of the query that is a near spelling of a catalog word."""
    known = set(vocabulary)
    for word in _WORD.findall(query):
        if word in known or len(word) < 3:
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=NEAR)
        if close:
            return word, close[0]
    return None
