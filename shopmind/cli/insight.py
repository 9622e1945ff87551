"""Commands of demand forecasts: ``analyze forecast``, ``analyze stock``, ``evaluate forecast``."""

from __future__ import annotations

from shopmind.cli.core import analyze  # noqa: F401
