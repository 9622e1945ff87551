"""Commands of backups: ``backup FILE`` and ``restore FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from shopmind.cli.core import _Ctx, _emit, main, pass_ctx


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def backup(obj: _Ctx, file: Path, as_json: bool) -> None:
    """Write a consistent .tar.gz of the home to FILE while it keeps serving (SQLite's online
    backup for the databases; caches left out; every file's SHA-256 in its manifest)."""
    from shopmind.backup import backup as run

    report = run(obj.settings.home, file)
    data = {"file": str(file), **report.as_dict()}
    text = (
        f"backed up {report.files} files ({report.databases} databases, {report.bytes:,} bytes) "
        f"to {file} in {report.seconds:.1f} s"
    )
    _emit(data, as_json, text)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def restore(obj: _Ctx, file: Path, as_json: bool) -> None:
    """Restore the backup FILE into the home, which must be empty; every checksum is
    verified first, and a damaged backup writes nothing."""
    from shopmind.backup import restore as run

    report = run(file, obj.settings.home)
    data = {"home": str(obj.settings.home), **report.as_dict()}
    _emit(data, as_json, f"restored {report.files} files into {obj.settings.home}")
