"""The ``shopmind`` command line: ``core`` holds the main group and the commands of the
catalog, search and recommendation path; ``assistant`` adds the knowledge ingests,
``ask`` and ``evaluate assistant`` to its groups."""

from shopmind.cli import analytics as _analytics  # noqa: F401  (each registers its commands)
from shopmind.cli import assistant as _assistant  # noqa: F401
from shopmind.cli import backup as _backup  # noqa: F401
from shopmind.cli import experiments as _experiments  # noqa: F401
from shopmind.cli import insight as _insight  # noqa: F401
from shopmind.cli import keys as _keys  # noqa: F401
from shopmind.cli import profiles as _profiles  # noqa: F401
from shopmind.cli.core import main

__all__ = ["main"]
