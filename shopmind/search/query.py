"""Query understanding: shop-defined synonyms and "did you mean" spelling suggestions.

Synonyms are groups of words or phrases the shop says mean the same (``无线耳机 ↔ 蓝牙耳机``,
``couch ↔ sofa``). When a query holds every term of one phrase, the other phrases' terms
are searched too, at a discount, and the reasons say which synonym brought a product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shopmind.index import LexicalIndex, QueryTerm, analyze
from shopmind.index.analyze import simplified

SYNONYM_DISCOUNT = 0.8
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class SynonymTable:
    """Synonym groups, each phrase kept as its analysed terms."""

    groups: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]

    @classmethod
    def from_config(cls, groups: Sequence[Sequence[str]]) -> SynonymTable:
        """Analyse the configured phrases once."""
        out = []
        for group in groups:
            phrases = tuple(
                (p, tuple(dict.fromkeys(analyze(p, query=True)))) for p in group if p.strip()
            )
            out.append(tuple((p, t) for p, t in phrases if t))
        return cls(tuple(g for g in out if len(g) >= 2))

    def expand(self, index: LexicalIndex, terms: list[QueryTerm], query: str) -> list[QueryTerm]:
        """``terms`` plus the terms of every synonym of a phrase the query contains."""
        if not self.groups:
            return terms
        present = set(analyze(query, query=True))
        out = {t.term: t for t in terms}
        for group in self.groups:
            hit = next(((p, pt) for p, pt in group if set(pt) <= present), None)
            if hit is None:
                continue
            for phrase, phrase_terms in group:
                if phrase == hit[0]:
                    continue
                # a synonym weighs at most what the phrase it stands for weighs
                weight = min(1.0, SYNONYM_DISCOUNT * len(hit[1]) / len(phrase_terms))
                for term in phrase_terms:
                    if term in index.vocab and term not in out:
                        out[term] = QueryTerm(term, weight, "synonym", hit[0])
        return list(out.values())


def read_as(index: LexicalIndex, query: str) -> str | None:
    """The query as the encoder should read it, or None when it reads as typed.

    A query whose every Latin word is pinyin of a Chinese word of the catalog's titles is
    read as those words (``dianfanbao`` → ``电饭煲``; several words also as one,
    ``wuxian erji`` → ``无线耳机``; numbers and codes kept); a query with any other Latin
    word (``fishing line``, where ``lining`` would be 李宁) is not read as pinyin at all.
    Traditional characters are read as simplified (``電飯煲`` → ``电饭煲``). The lexical
    index already matches both; the encoder, which reads pinyin as noise and simplified
    Chinese best, needs them spelled out.
    """
    text = simplified(" ".join(query.split()))
    words = text.split()
    latin = [w.lower() for w in words if _WORD.fullmatch(w.lower())]
    if index.hanzi and latin:
        joined = index.hanzi.get("".join(latin)) if len(latin) == len(words) > 1 else None
        if joined is not None:
            text = joined
        elif all(w in index.hanzi for w in latin):
            text = " ".join(
                index.hanzi[w.lower()] if _WORD.fullmatch(w.lower()) else w for w in words
            )
    return text if text != " ".join(query.split()) else None


def did_you_mean(
    index: LexicalIndex, query: str, terms: Sequence[QueryTerm] | None = None
) -> str | None:
    """The query with each unknown word replaced by the catalog word it is a typo of, or by
    the two catalog words it splits into (``windowair`` → ``window air``), the likelier.

    ``terms``: the query's terms as already expanded (saves looking the typos up again).
    None when every word is known or nothing better is found.
    """
    if terms is None:
        terms = index.query_terms(query)
    best: dict[str, tuple[float, list[str]]] = {}
    for t in terms:
        if t.source == "typo" and (t.typed not in best or best[t.typed][0] < t.weight):
            best[t.typed] = (t.weight, [t.term])
    # a split has evidence (titles use its halves together): it wins a tie with a typo
    split = {t.typed: t.weight for t in terms if t.source == "split"}
    for typed, weight in split.items():
        if typed not in best or best[typed][0] <= weight:
            best[typed] = (weight, [])  # the halves are looked up with the word as typed
    if not best:
        return None
    changed = False
    out = []
    for word in query.split():
        analysed = analyze(word, query=True)
        one = len(analysed) == 1 and _WORD.fullmatch(word.lower())
        fix = best.get(analysed[0]) if one else None
        if fix is None:
            out.append(word)
            continue
        halves = fix[1] or list(index.split_word(word.lower()) or ())
        if not halves:
            out.append(word)
            continue
        out.append(" ".join(index.surfaces.get(term, term) for term in halves))
        changed = True
    return " ".join(out) if changed else None
