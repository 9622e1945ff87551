"""Writing small files atomically: a reader sees the old content or the new, never half."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from shopmind.errors import InvalidFile


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    write_bytes_atomic(path, text.encode("utf-8"))


__all__ = ["extract_regular_files", "sha256_of", "write_bytes_atomic", "write_text_atomic"]


def folder_bytes(folder: Path) -> int:
    """The size of every file under ``folder`` (files vanishing meanwhile are skipped)."""
    total = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            try:
                total += (Path(parent) / name).stat().st_size
            except OSError:
                continue
    return total


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_regular_files(tar: tarfile.TarFile, folder: Path, source: object) -> None:
    """Write every member of ``tar`` into ``folder``: regular files at relative paths only,
    written by hand, so no tar feature of links, devices or permissions reaches the disk
    (``TarFile.extractall``'s ``filter`` is missing from Python 3.11.2).

    Raises:
        InvalidFile: a member is not a regular file or its path leaves ``folder``.
    """
    for member in tar.getmembers():
        name = PurePosixPath(member.name)
        if not member.isfile() or name.is_absolute() or ".." in name.parts:
            raise InvalidFile(f"{source}: unexpected member {member.name!r}")
        data = tar.extractfile(member)
        if data is None:
            raise InvalidFile(f"{source}: unreadable member {member.name!r}")
        target = folder.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with data, target.open("wb") as out:
            shutil.copyfileobj(data, out)
