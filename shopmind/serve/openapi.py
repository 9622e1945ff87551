"""The OpenAPI schema as the API really answers: every error in the one shape it has.

FastAPI documents a 422 of its own (``HTTPValidationError``) that this API never sends: its
handlers answer every error as :class:`~shopmind.serve.schemas.ErrorOut`. Here each
operation documents the errors any route can give (a bad or missing key, a scope too
small, an unknown id, a conflict, a body too large, invalid input, a rate limit, the store
away), all as ``ErrorOut``, so a client, or a fuzzer checking answers against the schema,
reads the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shopmind.serve.schemas import ErrorOut

ERRORS: dict[str, str] = {
    "400": "Bad request",
    "401": "No API key, or an unknown, revoked or expired one",
    "403": "The key's scope, routes or filters do not cover this request",
    "404": "Not found",
    "409": "Conflict",
    "413": "Body or batch too large",
    "422": "Invalid input: each rejected row names its field and the fix",
    "429": "Over the key's rate: retry after Retry-After seconds",
    "503": "The store is not available",
}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the errors as they are answered."""

    def schema() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = doc.setdefault("components", {}).setdefault("schemas", {})
        models = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(models.pop("$defs", {}))
        components["ErrorOut"] = models
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in doc.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, what in ERRORS.items():
                    responses[code] = {
                        "description": what,
                        "content": {"application/json": {"schema": ref}},
                    }
        app.openapi_schema = doc
        return doc

    app.openapi = schema  # type: ignore[method-assign]
