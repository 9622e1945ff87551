"""Commands of keys and privacy: ``keys create``, ``keys list``, ``keys revoke``, ``forget``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click

from shopmind.cli.core import _Ctx, _emit, main, pass_ctx
from shopmind.security.keys import SCOPES, ApiKey, KeyBook, keys_path, parse_duration


@main.group()
def keys() -> None:
    """API keys with scopes: once one exists, every route but /health and /ready needs one."""


@contextmanager
def _book(obj: _Ctx) -> Iterator[KeyBook]:
    obj.settings.home.mkdir(parents=True, exist_ok=True)
    book = KeyBook(keys_path(obj.settings.home))
    try:
        yield book
    finally:
        book.close()


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def _line(key: ApiKey) -> str:
    state = "revoked" if key.revoked else f"expires {_when(key.expires)}"
    limits = ", ".join([*key.routes, *(f"{k}={v}" for k, v in key.filters.items())])
    return f"{key.id:>4}  {key.prefix}…  {key.scope:<6}  {state:<26}  {key.description}" + (
        f"  [{limits}]" if limits else ""
    )


@keys.command("create")
@click.option("--scope", required=True, type=click.Choice(SCOPES), help="search, write or admin.")
@click.option("--expires", default=None, help="Lifetime, e.g. 30d, 12h (default: none).")
@click.option("--description", default="", help="What the key is for.")
@click.option("--route", "routes", multiple=True, metavar="PATH", help="Only these routes.")
@click.option("--in-stock", is_flag=True, help="Its searches only ever see in-stock products.")
@click.option("--category", default=None, help="Its searches only ever see this category tree.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def create(
    obj: _Ctx,
    scope: str,
    expires: str | None,
    description: str,
    routes: tuple[str, ...],
    in_stock: bool,
    category: str | None,
    as_json: bool,
) -> None:
    """Make a key and print its secret, once: the home keeps only its hash."""
    filters: dict[str, Any] = {}
    if in_stock:
        filters["in_stock"] = True
    if category:
        filters["category"] = category
    with _book(obj) as book:
        made, secret = book.create(
            scope,
            None if expires is None else parse_duration(expires),
            description,
            list(routes),
            filters,
        )
    text = (
        f"{secret}\n(key {made.id}, scope {made.scope}, expires {_when(made.expires)}: "
        "keep it now, it is not shown again)"
    )
    _emit({"id": made.id, "key": secret, "scope": made.scope, **made.to_json()}, as_json, text)


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def list_keys(obj: _Ctx, as_json: bool) -> None:
    """Every key with its scope, expiry and limits (never a secret)."""
    with _book(obj) as book:
        found = book.list()
    text = "\n".join(_line(k) for k in found) or "no keys: the API is open"
    _emit({"keys": [k.to_json() for k in found]}, as_json, text)


@keys.command("revoke")
@click.argument("key_id", type=int)
@pass_ctx
def revoke(obj: _Ctx, key_id: int) -> None:
    """Revoke key KEY_ID now (a running server refuses it at its next request)."""
    with _book(obj) as book:
        click.echo(_line(book.revoke(key_id)))


@main.command()
@click.argument("visitors", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def forget(obj: _Ctx, visitors: tuple[str, ...], as_json: bool) -> None:
    """Forget VISITORS (user ids, or ~SESSION): their events and their sessions', ad
    impressions, conversations and reject lines, and their ids in saved artifacts; the next
    build recomputes those without them. An audit row counts them without naming them."""
    import getpass

    from shopmind.security.forget import forget as forget_all

    with obj.store() as store:
        report = forget_all(obj.settings.home, store, list(visitors), f"cli ({getpass.getuser()})")
    data = report.as_dict()
    text = (
        f"forgot {data['visitors']} visitor(s): {data['events']:,} events "
        f"({data['sessions']} sessions), {data['ad_impressions']} ad impressions, "
        f"{data['conversations']} conversations, {data['file_lines']} file lines; "
        f"rewrote {', '.join(data['artifacts']) or 'no artifact'}; run shopmind build next"
    )
    _emit(data, as_json, text)
