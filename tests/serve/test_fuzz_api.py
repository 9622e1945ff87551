"""Every route of the OpenAPI schema, fuzzed by schemathesis against the real app (uvicorn on
a loopback port, a fresh home with a small catalog): no answer may be a server error, and
every answer must match the schema (a documented status code, content type and body shape).
A short run here; ``benchmarks/fuzz_api.py`` runs the long one with the same code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shopmind.config import load
from shopmind.security.keys import KeyBook, keys_path
from shopmind.serve import create_app
from tests.conftest import served

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class FuzzResult:
    """Examples tried and failures found, per operation (``GET /search``...)."""

    examples: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)


@contextmanager
def served_shop(home: Path) -> Iterator[str]:
    """A fresh home with 12 products and a few events, served on a free loopback port. The
    fuzzer may make keys (``POST /keys``), after which every route needs one: it sends an
    admin key of its own throughout (see :func:`fuzz`)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "shopmind.toml").write_text(
        '[ingest]\nprogress = false\n[search]\nencoder = "none"\n', encoding="utf-8"
    )
    with served(create_app(load(home=home))) as base:
        yield from _stocked(base)


def _stocked(base: str) -> Iterator[str]:
    """The shop's catalog and a few events, posted through the API."""
    products = [
        {"id": f"p{i}", "title": f"Wireless earbuds {i}", "price": 9.0 + i} for i in range(12)
    ]
    events = [{"user_id": "u1", "item_id": f"p{i}", "type": "view"} for i in range(12)]
    assert httpx.post(f"{base}/products/batch", json={"products": products}).status_code == 200
    assert httpx.post(f"{base}/events/batch", json={"events": events}).status_code == 202
    yield base


def fuzz(base: str, home: Path, examples: int, seed_free: bool = False) -> FuzzResult:
    """Run schemathesis over every operation of ``base``'s schema, ``examples`` each, with
    an admin key made in ``home`` (made again if the fuzzer revoked it)."""
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    result = FuzzResult()
    book = KeyBook(keys_path(home))
    secret = ""
    try:
        for found in schema.get_all_operations():
            if not secret or book.verify(secret) is None:
                secret = book.create("admin", description="fuzzer")[1]
            headers = {"Authorization": f"Bearer {secret}"}
            failed = _fuzz_one(base, found.ok(), examples, seed_free, result.examples, headers)
            result.failures.update(failed)
    finally:
        book.close()
    return result


def _fuzz_one(
    base: str,
    operation: Any,
    examples: int,
    seed_free: bool,
    tried: Counter[str],
    headers: dict[str, str],
) -> dict[str, str]:
    label = operation.label

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=not seed_free,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        tried[label] += 1
        answer = case.call(base_url=base, headers=headers, timeout=60)
        case.validate_response(answer, checks=CHECKS)

    try:
        run()
    except Exception as err:  # a failure group: keep the operation's report
        return {label: str(err)[:2_000]}
    return {}


def test_no_route_fails_or_breaks_its_schema(tmp_path: Path) -> None:
    with served_shop(tmp_path / "home") as base:
        result = fuzz(base, tmp_path / "home", examples=10)
    assert len(result.examples) >= 40  # every operation of the schema was tried
    assert not result.failures, "\n\n".join(f"{k}: {v}" for k, v in result.failures.items())
