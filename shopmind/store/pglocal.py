"""A throwaway PostgreSQL server on loopback, for tests, benchmarks and trying the backend.

It runs the machine's own PostgreSQL binaries (Debian's ``postgresql`` package) on
127.0.0.1 with a temporary data directory, trust authentication and no other listener, and
removes everything when stopped. ``initdb`` refuses to run as root, so as root the server
runs as the ``postgres`` user.

Example::

    with LocalPostgres() as pg:
        store = open_store(pg.url("shop"))
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from shopmind.errors import StoreError
from shopmind.files import folder_bytes

logger = logging.getLogger(__name__)

_SEARCH = ("/usr/lib/postgresql/*/bin",)


def postgres_bin() -> Path | None:
    """The folder of the PostgreSQL server binaries (``initdb``, ``pg_ctl``), or None."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    for pattern in _SEARCH:
        for folder in sorted(glob.glob(pattern), reverse=True):  # the newest version first
            if (Path(folder) / "pg_ctl").exists():
                return Path(folder)
    return None


def _runuser() -> str:
    """``runuser``, also where PATH lacks the sbin folders (a bare ``env -i`` shell)."""
    found = shutil.which("runuser") or next(
        (str(p) for p in (Path("/usr/sbin/runuser"), Path("/sbin/runuser")) if p.exists()), None
    )
    if found is None:
        raise StoreError(
            "running as root needs `runuser` (util-linux) to start PostgreSQL as the "
            "postgres user; install util-linux or run as an ordinary user"
        )
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalPostgres:
    """One PostgreSQL server of its own, on 127.0.0.1.

    Args:
        durable: False turns fsync off (tests: a crash of the machine may lose the data,
            which a throwaway server never keeps anyway); True keeps PostgreSQL's defaults,
            for benchmarks that report durable write rates.
        settings: more ``-c name=value`` server settings.
    """

    def __init__(self, durable: bool = False, settings: dict[str, str] | None = None) -> None:
        folder = postgres_bin()
        if folder is None:
            raise StoreError(
                "no PostgreSQL server binaries (initdb, pg_ctl) on this machine; install "
                "them with `apt-get install postgresql`"
            )
        self.bin = folder
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="shopmind-pg-"))
        self.data = self.root / "data"
        self._as_root = os.geteuid() == 0
        options = {"listen_addresses": "127.0.0.1", "unix_socket_directories": str(self.root)}
        options.update({"max_connections": "200", "shared_buffers": "256MB"})
        if not durable:
            options.update({"fsync": "off", "synchronous_commit": "off"})
            options["full_page_writes"] = "off"
        options.update(settings or {})
        self._options = options
        self._running = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            cmd = [_runuser(), "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> LocalPostgres:
        """Create the data directory on first start, then start the server and wait for it."""
        if self._running:
            return self
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        if not self.data.exists():
            made = self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            )  # fmt: skip
            if made.returncode != 0:
                raise StoreError(f"initdb failed: {made.stderr.strip() or made.stdout.strip()}")
        opts = " ".join(f"-c {k}={v}" for k, v in self._options.items())
        log = self.root / "server.log"
        started = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "-t", "60",
            "-o", f"-p {self.port} {opts}", "start",
        )  # fmt: skip
        if started.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise StoreError(f"PostgreSQL did not start: {started.stderr.strip()}\n{tail}")
        self._running = True
        logger.info("PostgreSQL on 127.0.0.1:%d (data in %s)", self.port, self.data)
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` is a crash: no checkpoint); the data is kept."""
        if self._running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
            self._running = False

    def create_database(self, name: str) -> str:
        """Create database ``name`` (owned by ``postgres``) and return its URL."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, database: str = "postgres") -> str:
        """The URL of ``database`` on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def disk_bytes(self) -> int:
        """What the data directory holds on disk."""
        return folder_bytes(self.data)

    def close(self) -> None:
        """Stop the server and remove its data."""
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
