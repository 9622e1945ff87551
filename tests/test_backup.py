"""Backups of a live home and their restore: consistent while a writer keeps writing,
checksums verified, and a damaged or misplaced restore writes nothing."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from shopmind.backup import MANIFEST, backup, restore
from shopmind.cli import main
from shopmind.errors import InvalidFile
from shopmind.events import Event
from shopmind.security.keys import KeyBook, keys_path
from shopmind.store import SQLiteStore
from tests.contract.store_contract import product


def _shop(home: Path) -> str:
    home.mkdir(parents=True)
    store = SQLiteStore(home / "shopmind.db")
    store.upsert_products([product(f"p{i}") for i in range(20)])
    store.add_events(
        [Event(user_id=f"u{i % 7}", item_id=f"p{i % 20}", type="view") for i in range(500)]
    )
    store.close()
    (home / "builds").mkdir()
    (home / "builds" / "CURRENT").write_text("b1\n")
    (home / "cache").mkdir()
    (home / "cache" / "vectors.npy").write_bytes(b"x" * 1000)
    book = KeyBook(keys_path(home))
    _, secret = book.create("search")
    book.close()
    return secret


def test_a_backup_taken_while_writing_restores_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    secret = _shop(home)
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        store = SQLiteStore(home / "shopmind.db")
        try:
            while not stop.is_set():
                batch = [Event(user_id="w", item_id="p1", type="click") for _ in range(50)]
                store.add_events(batch)
                written[0] += 50
        finally:
            store.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 500:
            pass
        report = backup(home, tmp_path / "shop.tar.gz")
    finally:
        stop.set()
        thread.join(30)
    assert report.databases == 2 and report.files >= 3
    restored = tmp_path / "restored"
    back = restore(tmp_path / "shop.tar.gz", restored)
    assert back.files == report.files
    assert not (restored / "cache").exists()  # caches are recomputed, not backed up
    assert (restored / "builds" / "CURRENT").read_text() == "b1\n"
    conn = sqlite3.connect(restored / "shopmind.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        clicks = conn.execute("SELECT COUNT(*) FROM events WHERE type = 'click'").fetchone()[0]
    finally:
        conn.close()
    assert clicks % 50 == 0 and 500 <= clicks <= written[0]  # whole batches only
    book = KeyBook(keys_path(restored))
    assert book.verify(secret) is not None  # the keys came along
    book.close()


def test_a_damaged_backup_restores_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _shop(home)
    archive = tmp_path / "shop.tar.gz"
    backup(home, archive)
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for member, data in members:
            if member.name == "shopmind.db":
                data = data[:-10] + b"\x00" * 10
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    with pytest.raises(InvalidFile, match=r"shopmind\.db does not match its checksum"):
        restore(damaged, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    (tmp_path / "junk.tar.gz").write_bytes(gzip.compress(b"not a tar"))
    with pytest.raises(InvalidFile, match="not a readable shopmind backup"):
        restore(tmp_path / "junk.tar.gz", tmp_path / "new")
    with pytest.raises(InvalidFile, match="not empty"):
        restore(archive, home)
    with pytest.raises(InvalidFile, match="inside the home"):
        backup(home, home / "again.tar.gz")


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _shop(home)
    runner = CliRunner()
    made = runner.invoke(
        main, ["--home", str(home), "backup", str(tmp_path / "b.tar.gz"), "--json"]
    )
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout.strip().splitlines()[-1])
    assert data["databases"] == 2
    with tarfile.open(tmp_path / "b.tar.gz", "r:gz") as tar:
        assert MANIFEST in tar.getnames()
    new = tmp_path / "new-home"
    back = runner.invoke(main, ["--home", str(new), "restore", str(tmp_path / "b.tar.gz")])
    assert back.exit_code == 0, back.output
    assert (new / "shopmind.db").is_file()
    again = runner.invoke(main, ["--home", str(new), "restore", str(tmp_path / "b.tar.gz")])
    assert again.exit_code == 1 and "not empty" in again.output
