"""Forgetting a visitor on the real demo shop: after ``DELETE /visitors/{id}`` (an admin key)
and the next build, the visitor's id is in no table and in no file under the home (the
bytes are scanned), no route returns it, and an audit row counts it without naming it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.config import Settings, load
from shopmind.security.keys import KeyBook, keys_path
from shopmind.serve import create_app
from shopmind.store import SQLiteStore
from tests.serve.test_search_api import TestClient

WHO = "forget-me-7f3a9c"  # distinctive: a byte scan cannot meet it by chance
SESSION = "sess-forget-me-51e2"


def _cli(home: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    assert result.exit_code == 0, f"shopmind {' '.join(args)}: {result.output}"
    return result.output


def _files_naming(home: Path, needle: str) -> list[str]:
    raw = needle.encode()
    return sorted(
        str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() and raw in p.read_bytes()
    )


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The demo shop plus one visitor with a history everywhere: events (anonymous browsing
    before signing in, purchases, impressions), a reject line, a conversation, a build,
    profiles, segments and a ranker trained with them."""
    home = tmp_path_factory.mktemp("forget") / "home"
    _cli(home, "demo", "--no-serve")
    start = datetime(2020, 1, 6, 9, tzinfo=UTC)  # before the demo: in the ranker's training rows
    catalog = (home / "demo" / "products.jsonl").read_text(encoding="utf-8").splitlines()
    products = [json.loads(line)["id"] for line in catalog[:4]]
    rows = [{"session_id": SESSION, "item_id": products[0], "type": "view"}]
    for n, item in enumerate(products):
        rows.append({"user_id": WHO, "session_id": SESSION, "item_id": item, "type": "impression",
                     "position": n + 1})  # fmt: skip
        rows.append({"user_id": WHO, "session_id": SESSION, "item_id": item, "type": "click"})
    rows.append({"user_id": WHO, "session_id": SESSION, "item_id": products[1], "type": "purchase",
                 "quantity": 2, "price": 9.5})  # fmt: skip
    rows.append({"user_id": WHO, "item_id": products[2], "type": "teleport"})  # rejected
    for n, row in enumerate(rows):
        row["timestamp"] = (start + timedelta(minutes=n)).isoformat()
    events = home.parent / "events.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    _cli(home, "ingest", "events", str(events), "--skip-invalid")
    _cli(home, "ask", "do you have earbuds?", "--user", WHO, "--session", "chat-" + WHO)
    _cli(home, "build")
    _cli(home, "train", "ranker")
    _cli(home, "analyze", "segments")
    yield load(home=home)


def test_a_forgotten_visitor_leaves_no_trace(shop: Settings) -> None:
    home = shop.home
    before = _files_naming(home, WHO)
    for kind in ("shopmind.db", "models/ranker.pt", "insight/profiles.npz", "rejects/"):
        assert any(f.startswith(kind) for f in before), (kind, before)
    book = KeyBook(keys_path(home))
    _, admin = book.create("admin")
    _, writer = book.create("write")
    book.close()
    with TestClient(create_app(shop)) as client:
        searched = client.get(  # a logged answer names the visitor
            "/search", params={"q": "earbuds", "user": WHO}, headers={"X-API-Key": admin}
        )
        assert searched.status_code == 200
        refused = client.delete(f"/visitors/{WHO}", headers={"X-API-Key": writer})
        assert refused.status_code == 403  # forgetting needs admin
        answer = client.delete(f"/visitors/{WHO}", headers={"X-API-Key": admin})
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert WHO not in answer.text
    assert report["visitors"] == 1 and report["sessions"] == 1
    # its 9, the anonymous view of its session and the search it made just now
    assert report["events"] == 11
    assert report["conversations"] == 1 and report["file_lines"] >= 1
    assert report["logged_answers"] == 1
    assert "models/ranker.pt" in report["artifacts"]
    _cli(home, "build")
    assert _files_naming(home, WHO) == []
    assert _files_naming(home, SESSION) == []
    store = SQLiteStore(home / "shopmind.db")
    try:
        [audit] = [a for a in store.audit() if a["action"] == "forget"]
        assert audit["visitors"] == 1 and audit["rows"] == 11
        assert audit["actor"].startswith("key ")
        assert store.list_events(visitor=WHO) == []
    finally:
        store.close()
    with TestClient(create_app(shop)) as client:
        headers = {"X-API-Key": admin}
        assert client.get(f"/visitors/{WHO}", headers=headers).status_code == 404
        assert client.get(f"/visitors/{WHO}/profile", headers=headers).status_code == 404
        listed = client.get("/visitors", params={"limit": 1000}, headers=headers).text
        assert WHO not in listed
        assert client.get("/recommend", params={"user": WHO}, headers=headers).status_code == 200


def test_retention_deletes_old_events_at_each_build(shop: Settings, tmp_path: Path) -> None:
    store = SQLiteStore(shop.home / "shopmind.db")
    try:
        newest = max(e.ts or 0.0 for batch in store.iter_events() for e in batch)
        total = store.count_events()
    finally:
        store.close()
    days = int((datetime.now(UTC).timestamp() - newest) // 86_400) + 1
    config = tmp_path / "privacy.toml"
    config.write_text(f"[privacy]\nevents_days = {days + 60}\n[ingest]\nprogress = false\n")
    result = CliRunner().invoke(main, ["--home", str(shop.home), "--config", str(config), "build"])
    assert result.exit_code == 0, result.output
    store = SQLiteStore(shop.home / "shopmind.db")
    try:
        assert 0 < store.count_events() <= total
        assert store.audit()[0]["action"] == "retention"
        assert store.audit()[0]["rows"] == total - store.count_events()
    finally:
        store.close()
