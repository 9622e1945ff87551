"""The web console: static pages and scripts (nothing from a CDN: the one third-party
library, uPlot for charts, is copied in from npm by the install, not kept in the repository)
and the placeholder product pictures the demo shop's catalog points at."""

from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path

from shopmind.catalog import Product

STATIC_DIR = Path(__file__).parent / "static"

_PALETTE = ("#2680c2", "#57ae5b", "#c99a2e", "#b44d12", "#7b61ff", "#0f609b", "#cb6e17", "#3ebd93")


def placeholder_svg(product: Product) -> str:
    """A small picture for a product without one: its category's colour and its title's
    first characters (stable: the same product always draws the same)."""
    key = (product.category or product.id).split(">")[0].strip()
    colour = _PALETTE[int(hashlib.sha1(key.encode()).hexdigest(), 16) % len(_PALETTE)]
    initials = escape("".join(w[:1] for w in product.title.split()[:2]) or product.title[:2])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">'
        f'<rect width="128" height="128" rx="12" fill="{colour}"/>'
        '<text x="64" y="78" font-size="40" text-anchor="middle" fill="#fff" '
        f'font-family="system-ui, sans-serif">{initials}</text></svg>'
    )


__all__ = ["STATIC_DIR", "placeholder_svg"]
