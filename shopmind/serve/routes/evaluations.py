"""Evaluations route: ``GET /evaluations``, the ``shopmind evaluate`` runs kept in the home."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from shopmind.evaluate.runs import list_runs
from shopmind.serve.deps import SettingsDep

router = APIRouter(tags=["evaluations"])


@router.get("/evaluations")
async def evaluations(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=1_000, description="How many runs")] = 20,
) -> dict[str, Any]:
    """The newest evaluation runs, newest first: ``kind`` (search, recommend, ctr),
    ``finished_at``, ``command``, the data's size (``dataset``, ``rows``, ``queries``...)
    and per method its metrics; an empty list when none was run."""
    runs = await run_in_threadpool(list_runs, settings.home, limit)
    return {"evaluations": runs}
