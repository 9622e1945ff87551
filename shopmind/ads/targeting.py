"""Targeting: does a campaign want this search, or this visitor?

- A keyword matches a search when one of its terms is among the query's terms (the search
  index's analysis: ``earbud`` matches ``wireless earbuds``), or, for a Chinese keyword,
  when the query contains it (``蓝牙耳机`` in ``降噪蓝牙耳机``).
- A category path matches when a category of the page is that category or under it: the
  categories of the first five organic results for a search, the categories of the
  visitor's recent products for recommendations.
- A campaign without keywords and categories matches everything (quality still decides).
- A campaign with ``segments`` is shown only to visitors in one of them (their segment as
  ``shopmind analyze segments`` saved it), on top of the keywords and categories: an audience.

Either kind of page targeting is enough; the match is named in the ad's reasons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache

from shopmind.ads.campaigns import Campaign
from shopmind.index import analyze, normalise

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
EVERYONE = "everyone (no targeting)"


@lru_cache(maxsize=65_536)
def _terms(text: str) -> frozenset[str]:
    return frozenset(analyze(text, query=True))


@lru_cache(maxsize=65_536)
def _folded(text: str) -> str:
    return "".join(normalise(text).split())


class Page:
    """What targeting looks at: the query (None for recommendations) and page categories.

    ``categories`` may be a function: it is called once, the first time a campaign's
    keywords did not match and its categories are checked (reading them costs a lookup).
    """

    def __init__(
        self,
        query: str | None,
        categories: Iterable[str | None] | Callable[[], Iterable[str | None]] = (),
        segment: Callable[[], str | None] | None = None,
    ) -> None:
        self.query = query or None
        self._source = categories
        self._segment = segment

    @cached_property
    def segment(self) -> str | None:
        """The visitor's segment name, read the first time a campaign asks; None if unknown."""
        return self._segment() if self._segment is not None else None

    @cached_property
    def categories(self) -> tuple[str, ...]:
        """The page's distinct categories, in order."""
        found = self._source() if callable(self._source) else self._source
        return tuple(dict.fromkeys(c for c in found if c))


def keyword_matches(keyword: str, query: str) -> bool:
    """Whether a campaign keyword matches a query (see the module docstring)."""
    if _CJK.search(keyword):
        return _folded(keyword) in _folded(query)
    return bool(_terms(keyword) & _terms(query))


def under(category: str, path: str) -> bool:
    """Whether ``category`` is ``path`` or below it (``A > B > C`` is under ``A > B``)."""
    return category == path or category.startswith(path + " > ")


def match(campaign: Campaign, page: Page) -> str | None:
    """What of the campaign's targeting matches the page (a label for the reasons), or None."""
    if not campaign.segments:
        return _page_match(campaign, page)
    segment = page.segment
    if segment is None or segment.casefold() not in {s.casefold() for s in campaign.segments}:
        return None
    found = _page_match(campaign, page)
    if found is None:
        return None
    return f"segment: {segment}" if found == EVERYONE else f"{found}; segment: {segment}"


def _page_match(campaign: Campaign, page: Page) -> str | None:
    if not campaign.keywords and not campaign.categories:
        return EVERYONE
    if page.query is not None:
        for keyword in campaign.keywords:
            if keyword_matches(keyword, page.query):
                return f"keyword: {keyword}"
    for path in campaign.categories:
        if any(under(c, path) for c in page.categories):
            return f"category: {path}"
    return None
