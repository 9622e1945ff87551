"""Text analysis for product search: the same function turns titles and queries into terms.

English: NFKC and lower case; measures normalised (``1/2 in.``, ``3/4"``, ``12 gal.``,
``sq. ft.`` become ``1/2 in``, ``3/4 in``, ``12 gal``, ``sqft``), dimensions split and kept
(``2x4`` gives ``2``, ``x``, ``4``), model codes kept whole without their
punctuation (``SC-141`` also gives ``sc141``), Snowball stems for words, irregular plurals
to their singular and British spellings to American ones first (``shelves`` is ``shelf``,
``moulding`` is ``molding``).
Chinese: traditional characters folded to simplified (``藍牙`` is ``蓝牙``); every character,
every pair of neighbouring characters and every dictionary word (jieba's search mode), so a
query word matches inside a longer one (``简单`` inside ``安装简单``); products also carry
the pinyin of their words (``lanya erji`` finds 蓝牙耳机).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# "in" is not here: it is also the inch unit
STOP_WORDS = frozenset(["a", "an", "and", "the", "for", "of", "with", "to", "on", "by", "or", "at"])

# multi-word and punctuated measures first, then single words (after lower-casing)
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    # "not after a letter" rather than \b: a measure may be glued to its number (18cu ft)
    (re.compile(r"(?<![^\W\d])(?:sq\.?\s*ft\.?|square\s+f(?:ee|oo)t)"), " sqft "),
    (re.compile(r"(?<![^\W\d])(?:sq\.?\s*in\.?|square\s+inch(?:es)?)"), " sqin "),
    (re.compile(r"(?<![^\W\d])(?:cu\.?\s*ft\.?|cubic\s+f(?:ee|oo)t)"), " cuft "),
    (re.compile(r"(?<=\d)\s*(?:\"|''|”|″)"), " in "),
    (re.compile(r"(?<=\d)\s*(?:'|’|′)"), " ft "),
    (re.compile(r"(?<=\d)\s*x\s*(?=\d)"), " x "),
]
_UNITS: dict[str, str] = {
    "inch": "in",
    "inches": "in",
    "in": "in",
    "foot": "ft",
    "feet": "ft",
    "ft": "ft",
    "gallon": "gal",
    "gallons": "gal",
    "gal": "gal",
    "pound": "lb",
    "pounds": "lb",
    "lbs": "lb",
    "lb": "lb",
    "ounce": "oz",
    "ounces": "oz",
    "oz": "oz",
    "volt": "v",
    "volts": "v",
    "watt": "w",
    "watts": "w",
    "amp": "amp",
    "amps": "amp",
    "ampere": "amp",
    "millimeter": "mm",
    "millimeters": "mm",
    "centimeter": "cm",
    "centimeters": "cm",
    "quart": "qt",
    "quarts": "qt",
    "yard": "yd",
    "yards": "yd",
    "meter": "m",
    "meters": "m",
    "metre": "m",
    "metres": "m",
    "millimetre": "mm",
    "millimetres": "mm",
    "centimetre": "cm",
    "centimetres": "cm",
}
_PIECE = re.compile(r"\d+/\d+|\d+(?:\.\d+)?|[^\W\d_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def normalise(text: str) -> str:
    """NFKC, lower case, traditional Chinese folded to simplified, measures in one spelling."""
    text = unicodedata.normalize("NFKC", text).lower()
    if _CJK.search(text):
        text = str(_zhconv().convert(text, "zh-hans"))
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text


# one spelling for words written two ways: plurals the stemmer leaves apart from their
# singular ("shelves" stems to "shelv"), folded before stemming, and British spellings,
# whose stems are folded to the American ones' (catalogs mix "Moulding" and "Molding",
# "Grey" and "Gray"; "coloured" meets "colored")
_IRREGULAR: dict[str, str] = {
    "shelves": "shelf",
    "knives": "knife",
    "leaves": "leaf",
    "halves": "half",
    "scarves": "scarf",
    "wolves": "wolf",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "men": "man",
    "women": "woman",
    "children": "child",
}
_BRITISH: dict[str, str] = {
    "moulding": "molding",
    "grey": "gray",
    "colour": "color",
    "aluminium": "aluminum",
    "centre": "center",
    "fibre": "fiber",
    "metre": "meter",
    "litre": "liter",
    "tyre": "tire",
    "storey": "story",
    "jewellery": "jewelry",
    "plough": "plow",
    "sulphur": "sulfur",
    "cosy": "cozy",
}
_AMERICAN_STEM: dict[str, str] = {
    str(_STEMMER.stemWord(uk)): str(_STEMMER.stemWord(us)) for uk, us in _BRITISH.items()
}
# raised whenever the terms a text gives change: an index saved by an older analyzer is
# re-made on load (``LexicalIndex.analyzer``)
ANALYZER_VERSION = 2


@lru_cache(maxsize=200_000)
def word_term(word: str) -> str:
    """The index term of one lower-case word: its unit's one spelling, or its stem."""
    word = _IRREGULAR.get(word, word)
    unit = _UNITS.get(word)
    if unit is not None:
        return unit
    stem = str(_STEMMER.stemWord(word))
    return _AMERICAN_STEM.get(stem, stem)


@lru_cache(maxsize=1)
def _zhconv() -> Any:
    from pathlib import Path

    import zhconv

    # by its full path: zhconv's own default load leaves the dictionary file open
    zhconv.loaddict(str(Path(zhconv.__file__).parent / "zhcdict.json"))
    return zhconv


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # it logs its dictionary loading at INFO
    return jieba


@lru_cache(maxsize=100_000)
def _words(span: str) -> tuple[str, ...]:
    """Search-mode segmentation: every dictionary word of two or more characters."""
    return tuple(w for w in _jieba().cut_for_search(span) if len(w) >= 2)


@lru_cache(maxsize=100_000)
def _pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word))


def _cjk_terms(span: str, query: bool) -> list[str]:
    """Characters, pairs and words of a Chinese span; products also get their pinyin.

    A query of two or more characters searches pairs and words only (a single character
    matches far too much: 机 is in 手机 and 耳机). Pinyin (``lanya`` for 蓝牙, and the whole
    span, ``lanyaerji``) lets a shopper type Chinese products in Latin letters.
    """
    pairs = [span[i : i + 2] for i in range(len(span) - 1)]
    words = [w for w in _words(span) if len(w) > 2]  # two-character words are pairs already
    if query:
        return [*pairs, *words] if pairs else list(span)
    terms = [*span, *pairs, *words]
    for word in dict.fromkeys([*_words(span), span]):
        terms.append(word_term(_pinyin(word)))
    return terms


def pinyin_spellings(text: str) -> list[tuple[str, str]]:
    """The pinyin spellings of a text's Chinese words, each with its word
    (``[("dianfanbao", "电饭煲"), ...]``): words of two or more characters and whole spans,
    as written (not stemmed), so a query typed in pinyin can be read as the catalog's
    Chinese."""
    out: list[tuple[str, str]] = []
    for span in _CJK.findall(normalise(text)):
        for word in dict.fromkeys([*_words(span), span]):
            if len(word) >= 2:
                out.append((_pinyin(word), word))
    return out


def spelled_terms(text: str) -> tuple[set[str], set[str]]:
    """The index terms a text's Chinese spans add as pinyin, and the terms of its Latin
    words: a term only ever indexed as pinyin is a Latin spelling of Chinese, not a word."""
    text = normalise(text)
    pinyin = {
        word_term(_pinyin(word))
        for span in _CJK.findall(text)
        for word in dict.fromkeys([*_words(span), span])
    }
    return pinyin, set(analyze(_CJK.sub(" ", text))) if pinyin else set()


def simplified(text: str) -> str:
    """``text`` with traditional Chinese characters folded to simplified (nothing else)."""
    if not _CJK.search(text):
        return text
    return str(_zhconv().convert(text, "zh-hans"))


def analyze(text: str, query: bool = False) -> list[str]:
    """The terms of a text, in order (with repeats), for indexing and for queries.

    A query (``query=True``) of two or more Chinese characters searches their pairs only;
    products are indexed with single characters too, so a one-character query still works.

    Example::

        >>> analyze('BEHR 1-gal. #SC-141 Deck 3/4" x 2x4')
        ['behr', '1gal', '1', 'gal', 'sc141', 'sc', '141', 'deck', '3/4', 'in', 'x', '2', 'x', '4']
    """
    text = normalise(text)
    terms: list[str] = []
    for span in _CJK.findall(text):
        terms.extend(_cjk_terms(span, query))
    text = _CJK.sub(" ", text)
    for raw in re.findall(r"[^\s,;:()\[\]{}!?*+&@|]+", text):
        chunk = raw.strip("-.#/'\"")
        pieces = _PIECE.findall(chunk)
        if "." not in chunk and "/" not in chunk:
            # a model code, whole (sc141, r13, dcd771c2), with units spelled one way (18v)
            joined = "".join(_UNITS.get(p, p) for p in pieces)
            if len(joined) >= 3 and not joined.isdigit() and not joined.isalpha():
                terms.append(joined)
        for piece in pieces:
            if piece[0].isdigit():
                terms.append(piece)
            elif piece not in STOP_WORDS:
                terms.append(word_term(piece))
    return terms
