"""Liveness, readiness and store statistics."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Request, Response, status

from shopmind.build import current_build
from shopmind.errors import NotFound, ShopmindError
from shopmind.serve.deps import SettingsDep, StoreDep
from shopmind.serve.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> Health:
    """The process is up (answered on the event loop: nothing here waits)."""
    return Health(status="ok")


@router.get("/ready", responses={503: {"model": Health}})
def ready(request: Request, response: Response) -> Health:
    """The store is open at the expected schema and answers queries; ``process`` is the id of
    the server process that answered (one of ``serve.workers``)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="starting")
    try:
        version = store.schema_version()
        products = store.count_products()
    except ShopmindError as err:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable", detail={"reason": str(err)})
    if version != store.latest_version:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable", detail={"schema_version": version})
    detail = {"schema_version": version, "products": products, "process": os.getpid()}
    return Health(status="ready", detail=detail)


@router.get("/stats")
def stats(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Counts over the store, the latest ingest reports and the current build."""
    data: dict[str, Any] = store.stats().as_dict()
    data["latest_ingests"] = store.ingest_reports(limit=5)
    try:
        data["build"] = current_build(settings.home).as_dict()
    except NotFound:
        data["build"] = None
    return data
