"""Commands of shop analytics: ``analyze funnels``, ``cohorts``, ``searches``, ``trends``."""

from __future__ import annotations

from shopmind.cli.core import analyze  # noqa: F401
