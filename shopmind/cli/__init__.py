"""The ``shopmind`` command line: ``core`` holds the main group and the commands of the
catalog, search and recommendation path; ``assistant`` adds the knowledge ingests,
``ask`` and ``evaluate assistant`` to its groups."""

from shopmind.cli import assistant as _assistant  # noqa: F401  (registers its commands)
from shopmind.cli.core import main

__all__ = ["main"]
