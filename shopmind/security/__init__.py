"""Security: API keys with scopes (:mod:`shopmind.security.keys`)."""

from shopmind.security.keys import (
    SCOPES,
    ApiKey,
    KeyBook,
    Scope,
    digest,
    keys_path,
    parse_duration,
)

__all__ = ["SCOPES", "ApiKey", "KeyBook", "Scope", "digest", "keys_path", "parse_duration"]
