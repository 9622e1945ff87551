"""Commands that keep and move the data: ``backup FILE``, ``restore FILE`` and
``migrate --to URL``."""

from __future__ import annotations

import time
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


@main.command()
@click.option(
    "--to",
    "to_url",
    required=True,
    metavar="URL",
    help="The store to copy into, e.g. postgresql://user:password@host:5432/shop (empty).",
)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def migrate(obj: _Ctx, to_url: str, as_json: bool) -> None:
    """Copy the home's store into an empty store at URL (PostgreSQL, for several serving
    nodes) in one transaction, then check every part's row count and SHA-256 on both sides;
    any difference keeps nothing. The home's own store is left as it was."""
    from shopmind.store import open_store
    from shopmind.store.postgres import display_url
    from shopmind.store.transfer import copy_store

    settings = obj.settings
    started = time.perf_counter()
    with obj.store() as source, open_store(to_url, settings.store) as target:
        parts = copy_store(source, target)
    seconds = round(time.perf_counter() - started, 2)
    shown = display_url(to_url)
    data = {
        "from": settings.store_url,
        "to": shown,
        "seconds": seconds,
        "parts": {name: {"rows": d.rows, "sha256": d.sha256} for name, d in parts.items()},
    }
    lines = [f"migrated {settings.store_url} -> {shown} in {seconds:.1f} s; verified:"]
    lines += [f"  {name}: {d.rows:,} rows, sha256 {d.sha256[:16]}" for name, d in parts.items()]
    lines.append(
        f'serve from it: set [store] url = "{shown}" in shopmind.toml (or SHOPMIND_STORE__URL)'
    )
    _emit(data, as_json, "\n".join(lines))
