"""Commands of visitor profiles and segments: ``profile`` and ``analyze segments``."""

from __future__ import annotations

from shopmind.cli.core import analyze  # noqa: F401
