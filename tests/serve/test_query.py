"""Query parameters read in one pass (``QueryModel``): the same answers, errors and docs as
parameters that FastAPI resolves one by one."""

from __future__ import annotations

import warnings
from typing import Annotated

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import Field
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.config import Settings
from shopmind.serve import create_app
from shopmind.serve.app import _validation_error
from shopmind.serve.query import QueryModel

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient


class Asked(QueryModel):
    q: Annotated[str, Field(description="the text")]
    k: Annotated[int, Field(ge=1, le=100)] = 10
    brand: list[str] | None = None
    in_stock: bool | None = None


def _app() -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(RequestValidationError, _validation_error)

    @app.get("/find", openapi_extra=Asked.openapi())
    async def find(request: Request) -> dict[str, object]:
        return Asked.of(request).model_dump()

    return app


def test_values_are_parsed_and_repeated_ones_kept_in_order() -> None:
    with TestClient(_app()) as client:
        got = client.get("/find?q=oak&k=3&brand=b&brand=a&in_stock=true&other=1").json()
    assert got == {"q": "oak", "k": 3, "brand": ["b", "a"], "in_stock": True}


def test_a_bad_value_is_the_same_422_as_a_declared_parameter() -> None:
    with TestClient(_app()) as client:
        response = client.get("/find", params={"q": "oak", "k": 0, "in_stock": "maybe"})
        missing = client.get("/find", params={"k": 3})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["message"].startswith("invalid query parameter(s) for /find")
    assert {e["field"]: e["fix"] for e in body["errors"]} == {
        "k": "use k from 1 to 100",
        "in_stock": "use true or false",
    }
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["q"]


def test_the_list_routes_document_their_parameters(settings: Settings) -> None:
    schema = create_app(settings).openapi()
    documented = {
        path: {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        for path in ("/search", "/recommend", "/similar", "/bought-together")
    }
    assert set(documented["/search"]) >= {"q", "k", "offset", "brand", "price_min", "sort"}
    assert documented["/search"]["q"]["required"] is True
    assert documented["/search"]["q"]["in"] == "query"
    assert documented["/search"]["k"]["schema"]["maximum"] == 100
    assert documented["/search"]["brand"]["description"] == "Repeat for several brands"
    assert documented["/recommend"]["kind"]["schema"]["enum"] == ["visitor", "trending"]
    assert documented["/similar"]["item"]["required"] is True
    assert "in_stock" in documented["/similar"]
    assert set(documented["/bought-together"]) == {"item", "k", "user", "session"}
