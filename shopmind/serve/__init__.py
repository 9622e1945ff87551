"""Serving: the HTTP API over a store."""

from shopmind.serve.app import create_app

__all__ = ["create_app"]
