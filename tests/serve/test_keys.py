"""API keys over the real app: every route × no key / search / write / admin / expired /
revoked, rate limits, route and filter limits, and the ``keys`` and ``serve`` commands."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.config import Settings, load
from shopmind.security.keys import KeyBook, keys_path
from shopmind.serve import create_app
from shopmind.serve.auth import RECHECK_S, _force_filters, scope_for
from tests.serve.test_search_api import TestClient

LEVEL = {"search": 0, "write": 1, "admin": 2}


@pytest.fixture
def secrets(settings: Settings) -> dict[str, str]:
    book = KeyBook(keys_path(settings.home))
    made = {s: book.create(s, description=s)[1] for s in ("search", "write", "admin")}
    made["expired"] = book.create("admin", expires_in=1, now=time.time() - 60)[1]
    revoked, made["revoked"] = book.create("admin")
    book.revoke(revoked.id)
    book.close()
    return made


@pytest.fixture
def client(settings: Settings, secrets: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def _calls(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI schema, path parameters filled in."""
    out = []
    schema = client.app.openapi()  # type: ignore[attr-defined]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            filled = path
            for param in operation.get("parameters", []):
                if param["in"] == "path":
                    kind = param.get("schema", {}).get("type")
                    filler = "999" if kind == "integer" else "nobody"
                    filled = filled.replace("{" + param["name"] + "}", filler)
            out.append((method.upper(), filled))
    return out


def test_every_route_asks_for_the_scope_it_needs(
    client: TestClient, secrets: dict[str, str]
) -> None:
    calls = _calls(client)
    assert len(calls) >= 40
    checked = 0
    for method, path in calls:
        needed = scope_for(method, path)
        body: Any = {} if method in ("POST", "PUT", "PATCH") else None
        plain = client.request(method, path, json=body)
        if needed is None:
            assert plain.status_code not in (401, 403), (method, path)
            continue
        assert plain.status_code == 401, (method, path, plain.text)
        assert "keys create" in plain.json()["message"]
        for dead in ("expired", "revoked"):
            answer = client.request(method, path, json=body, headers=_bearer(secrets[dead]))
            assert answer.status_code == 401 and dead in answer.json()["message"], (method, path)
        for scope in ("search", "write", "admin"):
            headers = _bearer(secrets[scope]) if scope != "write" else {"X-API-Key": secrets[scope]}
            answer = client.request(method, path, json=body, headers=headers)
            if LEVEL[scope] < LEVEL[needed]:
                assert answer.status_code == 403, (scope, method, path, answer.text)
                assert f"needs a {needed} key" in answer.json()["message"]
            else:
                assert answer.status_code not in (401, 403), (scope, method, path, answer.text)
            checked += 1
    protected = [c for c in calls if scope_for(*c) is not None]
    assert len(protected) >= 35 and checked == 3 * len(protected)
    # the storefront's routes take a search key; the back office's need write
    assert scope_for("GET", "/search") == "search"
    assert scope_for("POST", "/assistant") == "search"
    assert scope_for("POST", "/events") == "write"
    assert scope_for("GET", "/visitors/u1/profile") == "write"
    assert scope_for("GET", "/keys") == "admin"
    assert scope_for("GET", "/health") is None


def test_keys_over_http_show_the_secret_once_and_revoke(
    client: TestClient, secrets: dict[str, str]
) -> None:
    admin = _bearer(secrets["admin"])
    made = client.post(
        "/keys",
        json={"scope": "search", "expires": "30d", "routes": ["/search"]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    secret = made.json()["key"]
    listed = client.get("/keys", headers=admin).json()["keys"]
    assert secret not in json.dumps(listed)
    assert any(k["id"] == made.json()["id"] and k["routes"] == ["/search"] for k in listed)
    mine = _bearer(secret)
    assert client.get("/search", params={"q": "mug"}, headers=mine).status_code == 200
    limited = client.get("/recommend", headers=mine)
    assert limited.status_code == 403 and "/search" in limited.json()["message"]
    assert client.delete(f"/keys/{made.json()['id']}", headers=admin).status_code == 200
    assert client.get("/search", params={"q": "mug"}, headers=mine).status_code == 401
    bad = client.post("/keys", json={"scope": "root"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "scope"


def test_an_open_api_closes_when_its_first_key_is_made(settings: Settings) -> None:
    """Made over this process's /keys: the next request needs a key; made by another
    process (the CLI, another server process): within RECHECK_S."""
    with TestClient(create_app(settings)) as client:
        assert client.get("/stats").status_code == 200
        made = client.post("/keys", json={"scope": "search"})
        assert made.status_code == 201, made.text
        assert client.get("/stats").status_code == 401
        assert client.get("/stats", headers=_bearer(made.json()["key"])).status_code == 200
    (settings.home.parent / "other").mkdir()
    shutil.copy(settings.home / "shopmind.toml", settings.home.parent / "other")
    other = load(home=settings.home.parent / "other")
    with TestClient(create_app(other)) as client:
        assert client.get("/stats").status_code == 200
        book = KeyBook(keys_path(other.home))
        book.create("search")
        book.close()
        deadline = time.monotonic() + RECHECK_S + 2
        while client.get("/stats").status_code == 200:
            assert time.monotonic() < deadline, "a key made elsewhere never guarded the API"
            time.sleep(0.05)
        assert client.get("/stats").status_code == 401


def test_a_key_over_its_rate_gets_429_with_retry_after(settings: Settings) -> None:
    (settings.home / "shopmind.toml").write_text(
        '[ingest]\nprogress = false\n[search]\nencoder = "none"\n'
        "[serve]\nkey_rate = 0.5\nkey_burst = 2\n"
    )
    tight = load(home=settings.home)
    book = KeyBook(keys_path(tight.home))
    _, secret = book.create("search")
    book.close()
    with TestClient(create_app(tight)) as client:
        codes = [client.get("/stats", headers=_bearer(secret)) for _ in range(3)]
    assert [c.status_code for c in codes[:2]] == [200, 200]
    assert codes[2].status_code == 429
    assert int(codes[2].headers["retry-after"]) >= 1


def test_filters_a_key_cannot_lift() -> None:
    book_key = type("K", (), {"filters": {"in_stock": True, "category": "Audio"}})()
    scope: dict[str, Any] = {"query_string": b"q=buds&in_stock=false&k=5"}
    assert _force_filters(scope, book_key) is None  # type: ignore[arg-type]
    assert scope["query_string"] == b"q=buds&k=5&in_stock=true&category=Audio"
    inside: dict[str, Any] = {"query_string": b"q=buds&category=Audio+%3E+Earbuds"}
    assert _force_filters(inside, book_key) is None  # type: ignore[arg-type]
    assert b"category=Audio+%3E+Earbuds" in inside["query_string"]
    outside: dict[str, Any] = {"query_string": b"q=pan&category=Kitchen"}
    problem = _force_filters(outside, book_key)  # type: ignore[arg-type]
    assert problem is not None and "Audio" in problem


def test_keys_commands_and_serving_beyond_loopback(settings: Settings) -> None:
    home = str(settings.home)
    runner = CliRunner()
    refused = runner.invoke(main, ["--home", home, "serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 1 and "keys create --scope admin" in refused.output
    made = runner.invoke(
        main, ["--home", home, "keys", "create", "--scope", "search", "--expires", "30d", "--json"]
    )
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout.strip().splitlines()[-1])
    assert data["scope"] == "search" and data["key"].startswith("sm_") and data["id"] == 1
    listed = runner.invoke(main, ["--home", home, "keys", "list"])
    assert data["key"] not in listed.output and data["key"][:8] in listed.output
    assert runner.invoke(main, ["--home", home, "keys", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["--home", home, "keys", "list"]).output
    bad = runner.invoke(
        main, ["--home", home, "keys", "create", "--scope", "search", "--expires", "soon"]
    )
    assert bad.exit_code == 1 and "30d" in bad.output


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
