"""API keys at the door: which scope each route needs, and the middleware that checks it.

Until the home's key book holds a key the API is open (``demo`` on 127.0.0.1, tests, a
shop trying it out). Once any key was made, even one revoked since, every route but the
open ones (:data:`OPEN`: health, readiness and the console's own files, so that it can ask
for a key) needs one, sent as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY`` (from
the next request when the key was made over this process's ``/keys``, within
:data:`RECHECK_S` when the CLI or another server process made it):

- no key, or an unknown, revoked or expired one → 401; a scope too small → 403; a route or
  filter outside what the key is limited to → 403; each a JSON error naming the fix;
- too many requests for the key → 429 with ``Retry-After`` (a token bucket per key and
  process: ``serve.key_rate`` per second, bursts of ``serve.key_burst``);
- a key limited to ``in_stock`` or a ``category`` tree has those filters forced onto its
  searches and recommendations; asking for a category outside its tree is a 403.

Scopes (:func:`scope_for`): ``search`` is the storefront (search, recommendations,
similar, bought together, the assistant, explanations, the catalog and stats the console
reads); ``write`` is the back office (changing the catalog, events, campaigns, and reading
visitors, profiles, analytics, forecasts and evaluations, which are about people and money);
``admin`` also manages keys and forgets visitors.
"""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from shopmind.security.keys import ApiKey, KeyBook
from shopmind.security.keys import Scope as KeyScope

OPEN = ("/health", "/ready", "/console/", "/static/demo/")
STOREFRONT_GET = (
    "/search",
    "/recommend",
    "/similar",
    "/bought-together",
    "/assistant/knowledge",
    "/explain",
    "/shopmap",
    "/products",
    "/stats",
    "/docs",
    "/openapi.json",
)
FILTERED = ("/search", "/recommend", "/similar")
RECHECK_S = 1.0  # an open API asks the key book this often whether a key was made
HOW = "make one with: shopmind keys create --scope search (or write, admin)"


def _under(path: str, prefix: str) -> bool:
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/")


def scope_for(method: str, path: str) -> KeyScope | None:
    """The scope a request needs; None for the open routes."""
    if path == "/" or any(_under(path, p) for p in OPEN):
        return None
    if _under(path, "/keys") or (method == "DELETE" and _under(path, "/visitors")):
        return "admin"
    if method in ("GET", "HEAD"):
        return "search" if any(_under(path, p) for p in STOREFRONT_GET) else "write"
    if method == "POST" and path == "/assistant":
        return "search"
    return "write"


class Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> float:
        """0 when a request may go now, else the seconds until one may."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class KeyCheck:
    """ASGI middleware: the home's keys decide who may call what (see the module)."""

    def __init__(self, app: ASGIApp, keys: Path, rate: float, burst: int) -> None:
        self.app = app
        self.path = keys
        self.rate = rate
        self.burst = burst
        self._book: KeyBook | None = None
        self._guarded = False  # a key was made: rows are revoked, never deleted, so it stays
        self._recheck_at = 0.0  # when to ask the book again while it has no key
        self._buckets: dict[int, Bucket] = {}
        self._lock = threading.Lock()

    @property
    def book(self) -> KeyBook:
        """The key book, opened at the first request (the home exists by then)."""
        with self._lock:
            if self._book is None:
                self._book = KeyBook(self.path)
            return self._book

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        needed = scope_for(method, path)
        if needed is None or not self._has_keys():
            try:
                await self.app(scope, receive, send)
            finally:
                if _under(path, "/keys"):  # the first key, made here, guards the next request
                    self._recheck_at = 0.0
            return
        secret = _secret(scope)
        if not secret:
            await _refuse(
                send,
                401,
                "unauthorized",
                f"{path} needs an API key: send Authorization: Bearer KEY or X-API-Key: KEY; {HOW}",
            )
            return
        key = self.book.lookup(secret)
        if key is None or not key.live(time.time()):
            why = "unknown" if key is None else "revoked" if key.revoked else "expired"
            await _refuse(send, 401, "unauthorized", f"this API key is {why}; {HOW}")
            return
        if not key.allows(needed):
            await _refuse(
                send,
                403,
                "forbidden",
                f"{method} {path} needs a {needed} key and this "
                f"one is {key.scope}; use a {needed} or admin key",
            )
            return
        if key.routes and not any(_under(path, r) for r in key.routes):
            allowed = ", ".join(key.routes)
            await _refuse(
                send,
                403,
                "forbidden",
                f"this key may only call {allowed}; use a key made for this route",
            )
            return
        wait = self._bucket(key).take()
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            await _refuse(
                send,
                429,
                "too_many_requests",
                f"this key is over {self.rate:g} requests a second; retry after {retry} s",
                [(b"retry-after", retry.encode())],
            )
            return
        scope.setdefault("state", {})["api_key"] = f"key {key.id} ({key.prefix}…)"
        if key.filters and any(_under(path, p) for p in FILTERED):
            problem = _force_filters(scope, key)
            if problem:
                await _refuse(send, 403, "forbidden", problem)
                return
        await self.app(scope, receive, send)

    def _has_keys(self) -> bool:
        """Whether the home has ever had a key: asked of the book at most every
        :data:`RECHECK_S` until it has (a query on every request cost an open API a tenth of
        a cheap request's CPU), and at the next request after one under ``/keys``."""
        if not self._guarded:
            now = time.monotonic()
            if now >= self._recheck_at:
                self._recheck_at = now + RECHECK_S
                self._guarded = self.book.any()
        return self._guarded

    def _bucket(self, key: ApiKey) -> Bucket:
        with self._lock:
            bucket = self._buckets.get(key.id)
            if bucket is None:
                bucket = self._buckets[key.id] = Bucket(self.rate, self.burst)
            return bucket


def _secret(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        text = bytes(value).decode("latin-1").strip()
        if name == b"authorization":
            kind, _, token = text.partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return token.strip()
        elif name == b"x-api-key" and text:
            return text
    return ""


def _force_filters(scope: Scope, key: ApiKey) -> str | None:
    """Put the key's filters into the query string; a problem when the request asks beyond."""
    params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    forced: dict[str, str] = {}
    if key.filters.get("in_stock"):
        forced["in_stock"] = "true"
    tree = key.filters.get("category")
    if isinstance(tree, str):
        asked = next((v.strip() for k, v in params if k == "category" and v.strip()), "")
        if asked and not (asked == tree or asked.startswith(tree + " > ")):
            return f"this key only sees the category {tree!r}; ask within it or leave category out"
        forced["category"] = asked or tree
    kept = [(k, v) for k, v in params if k not in forced]
    scope["query_string"] = urlencode([*kept, *forced.items()]).encode("latin-1")
    return None


async def _refuse(
    send: Send,
    status: int,
    error: str,
    message: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"error": error, "message": message, "errors": []}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
