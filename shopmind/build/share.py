"""One build for every serving node: follow the newest build published in a shared store.

With SQLite the home is the one place builds live. With a store shared by several nodes
(PostgreSQL), each node keeps its build artifacts in its own home: ``shopmind build`` on any
machine publishes the finished build into the store (``artifacts.publish``: a tar of its
folder, with a checksum),
and each serving node's :class:`BuildFollower` notices the newest one within seconds,
downloads it into its home, checks every file against the manifest and only then makes it
current there. The live search and recommendations then load it as they load a local build.
"""

from __future__ import annotations

import logging
import os
import shutil
import tarfile
import tempfile
import threading
from pathlib import Path

from shopmind.build.artifacts import CURRENT, builds_dir, intact, point_current, prune
from shopmind.errors import ShopmindError
from shopmind.files import extract_regular_files
from shopmind.store import Store

logger = logging.getLogger(__name__)


def follow(store: Store, home: Path, keep: int = 3) -> str | None:
    """Make the store's newest published build current in ``home`` (downloading it when the
    home lacks it); returns its id, or None when there is nothing newer to follow."""
    latest = store.latest_build()
    if latest is None:
        return None
    root = builds_dir(home)
    pointer = root / CURRENT
    current = pointer.read_text().strip() if pointer.is_file() else ""
    if current >= latest:  # ids sort by time: the home has this build or a newer one
        return None
    root.mkdir(parents=True, exist_ok=True)
    if intact(root / latest) is None:
        staged = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-fetch-"))
        try:
            archive = staged / "build.tar"
            with archive.open("wb") as out:
                store.read_build(latest, out)
            folder = staged / "build"
            folder.mkdir()
            with tarfile.open(archive, "r") as tar:
                extract_regular_files(tar, folder, f"published build {latest}")
            if intact(folder) is None:
                raise ShopmindError(f"published build {latest} fails its file checksums")
            shutil.rmtree(root / latest, ignore_errors=True)  # a damaged copy, if any
            os.rename(folder, root / latest)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    point_current(root, latest)
    prune(root, keep)
    logger.info("following build %s from the shared store", latest)
    return latest


class BuildFollower:
    """A daemon thread that runs :func:`follow` every ``every`` seconds until stopped.

    A store that is away or a build that fails its checks is logged and tried again at the
    next turn; the node keeps serving its current build meanwhile.
    """

    def __init__(self, store: Store, home: Path, every: float = 2.0) -> None:
        self._store = store
        self._home = home
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="build-follower", daemon=True)

    def start(self) -> BuildFollower:
        """Start following (once)."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop and wait for a download in flight to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                follow(self._store, self._home)
            except (ShopmindError, OSError, tarfile.TarError) as err:
                logger.warning("cannot follow the shared store's newest build yet: %s", err)
