"""Redacting a forgotten visitor's identifiers from text that must stay (reports, reject
files): each id is replaced where it stands as a whole token, never inside a longer one, so
forgetting ``u1`` leaves ``u10`` and the number 1 alone."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

FORGOTTEN = "[forgotten]"


def forgotten_pattern(ids: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any of ``ids`` as a whole token, as written or JSON-escaped."""
    forms: set[str] = set()
    for value in ids:
        if value:
            forms.add(value)
            forms.add(json.dumps(value)[1:-1])  # how json.dumps writes it inside a string
    if not forms:
        return re.compile(r"(?!)")  # matches nothing
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w~-])(?:{alternatives})(?![\w-])")


def redact(text: str, ids: Iterable[str]) -> str:
    """``text`` with every whole-token occurrence of ``ids`` replaced by ``[forgotten]``."""
    return forgotten_pattern(ids).sub(FORGOTTEN, text)
