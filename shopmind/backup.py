"""Back up a home while it serves, and restore it into an empty one, checksums verified.

``backup`` writes one ``.tar.gz``: every SQLite database of the home (the store, the
campaign book, the keys) copied with SQLite's online backup (a consistent snapshot while
the server keeps reading and writing), every other file as it is (builds, models, profiles,
conversations, settings: each is written by an atomic rename, so a copy is whole), leaving
out the caches (vectors are recomputed) and SQLite's ``-wal``/``-shm`` files. A
``MANIFEST.json`` lists each file with its size and SHA-256, and the manifest's own SHA-256
is the archive's last member (``MANIFEST.sha256``).

``restore`` refuses a home that holds anything, reads the archive into a scratch folder
beside the home, checks the manifest's checksum and every file's, and only then moves the
folder into place: a bad archive leaves no home behind.

Example::

    report = backup(home, Path("shop-2026-12-05.tar.gz"))
    restore(Path("shop-2026-12-05.tar.gz"), Path("new-home"))
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from shopmind.errors import InvalidFile, StoreError
from shopmind.files import extract_regular_files, sha256_of

logger = logging.getLogger(__name__)

MANIFEST = "MANIFEST.json"
CHECKSUM = "MANIFEST.sha256"
SKIPPED_DIRS = ("cache",)
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class BackupReport:
    """What a backup or a restore held."""

    files: int
    databases: int
    bytes: int
    seconds: float

    def as_dict(self) -> dict[str, float | int]:
        """The report as JSON-ready numbers."""
        return {
            "files": self.files,
            "databases": self.databases,
            "bytes": self.bytes,
            "seconds": self.seconds,
        }


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == _SQLITE_MAGIC


def _files(home: Path) -> list[Path]:
    out = []
    for path in sorted(home.rglob("*")):
        rel = path.relative_to(home)
        if not path.is_file() or rel.parts[0] in SKIPPED_DIRS:
            continue
        if path.name.endswith(SKIPPED_SUFFIXES) or path.name.startswith("."):
            continue
        out.append(path)
    return out


def backup(home: Path, target: Path) -> BackupReport:
    """Write a consistent archive of ``home`` to ``target`` (see the module docstring).

    Raises:
        InvalidFile: ``home`` holds no shop, or ``target`` is inside it.
    """
    started = time.perf_counter()
    home = home.resolve()
    target = target.resolve()
    if not home.is_dir() or not any(home.iterdir()):
        raise InvalidFile(f"{home} holds no shop to back up; give the home with --home")
    if target.is_relative_to(home):
        raise InvalidFile(f"{target} is inside the home it backs up; write it elsewhere")
    target.parent.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, object]] = []
    databases = 0
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as scratch:
        staged = Path(scratch)
        for path in _files(home):
            rel = path.relative_to(home)
            copy = staged / rel
            copy.parent.mkdir(parents=True, exist_ok=True)
            if _is_sqlite(path):
                _snapshot(path, copy)
                databases += 1
            else:
                shutil.copy2(path, copy)
            entries.append(
                {"path": rel.as_posix(), "bytes": copy.stat().st_size, "sha256": sha256_of(copy)}
            )
        manifest = json.dumps(
            {"version": 1, "created": time.time(), "files": entries}, indent=1
        ).encode()
        (staged / MANIFEST).write_bytes(manifest)
        (staged / CHECKSUM).write_text(hashlib.sha256(manifest).hexdigest() + "\n")
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for entry in entries:
                tar.add(staged / str(entry["path"]), arcname=str(entry["path"]))
            tar.add(staged / MANIFEST, arcname=MANIFEST)
            tar.add(staged / CHECKSUM, arcname=CHECKSUM)
        partial.replace(target)
    size = sum(int(str(e["bytes"])) for e in entries)
    report = BackupReport(len(entries), databases, size, round(time.perf_counter() - started, 2))
    logger.info("backup of %s to %s: %s", home, target, report.as_dict())
    return report


def _snapshot(source: Path, copy: Path) -> None:
    """SQLite's online backup: a consistent copy while other connections read and write."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
        finally:
            dst.close()
            src.close()
    except sqlite3.DatabaseError as err:
        raise StoreError(f"cannot back up {source}: {err}") from err


def restore(archive: Path, home: Path) -> BackupReport:
    """Restore ``archive`` into ``home``, which must be empty or missing.

    Raises:
        InvalidFile: the home holds something, or the archive is not a shopmind backup,
            or a checksum does not match (nothing is written to the home then).
    """
    started = time.perf_counter()
    home = home.resolve()
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise InvalidFile(f"{home} is not empty; restore into a new, empty home")
    if not archive.is_file():
        raise InvalidFile(f"{archive}: no such backup")
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".restore-") as scratch:
        staged = Path(scratch) / "home"
        staged.mkdir()
        try:
            with tarfile.open(archive, "r:gz") as tar:
                extract_regular_files(tar, staged, archive)
        except (tarfile.TarError, OSError, EOFError) as err:
            raise InvalidFile(f"{archive}: not a readable shopmind backup ({err})") from None
        entries = _verified(archive, staged)
        databases = 0
        for entry in entries:
            path = staged / entry["path"]
            if _is_sqlite(path):
                databases += 1
                _check_integrity(archive, path)
        (staged / MANIFEST).unlink()
        (staged / CHECKSUM).unlink()
        if home.exists():
            home.rmdir()
        staged.rename(home)
    size = sum(int(e["bytes"]) for e in entries)
    report = BackupReport(len(entries), databases, size, round(time.perf_counter() - started, 2))
    logger.info("restored %s into %s: %s", archive, home, report.as_dict())
    return report


def _verified(archive: Path, staged: Path) -> list[dict[str, str]]:
    manifest_path, checksum_path = staged / MANIFEST, staged / CHECKSUM
    if not manifest_path.is_file() or not checksum_path.is_file():
        raise InvalidFile(f"{archive}: no {MANIFEST}; not a shopmind backup")
    manifest = manifest_path.read_bytes()
    if hashlib.sha256(manifest).hexdigest() != checksum_path.read_text().strip():
        raise InvalidFile(f"{archive}: the manifest's checksum does not match; the file is damaged")
    entries: list[dict[str, str]] = json.loads(manifest)["files"]
    listed = {e["path"] for e in entries}
    present = {
        p.relative_to(staged).as_posix()
        for p in staged.rglob("*")
        if p.is_file() and p.name not in (MANIFEST, CHECKSUM)
    }
    if listed != present:
        odd = sorted(listed ^ present)[:3]
        raise InvalidFile(f"{archive}: files and manifest differ ({', '.join(odd)})")
    for entry in entries:
        if sha256_of(staged / entry["path"]) != entry["sha256"]:
            raise InvalidFile(f"{archive}: {entry['path']} does not match its checksum; damaged")
    return entries


def _check_integrity(archive: Path, path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        raise InvalidFile(f"{archive}: {path.name} fails SQLite's integrity check ({result})")
