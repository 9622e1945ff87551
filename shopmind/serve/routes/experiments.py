"""Experiment routes: start, list, read, stop, and the report.

``POST /experiments`` takes an experiment (:class:`~shopmind.experiments.spec.ExperimentSpec`)
and answers 422 naming the field when a variant overrides an unknown setting, the shares do
not add up to 1, or it overlaps a running experiment of its layer; 201 with the stored
experiment otherwise. ``GET /experiments/{name}/report`` computes the report from the
request log and the store's events (see :mod:`shopmind.experiments.report`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, status
from starlette.concurrency import run_in_threadpool

from shopmind.errors import StoreError
from shopmind.experiments.book import ExperimentBook
from shopmind.experiments.report import report_for
from shopmind.experiments.spec import check_spec
from shopmind.serve.arms import book
from shopmind.serve.deps import SettingsDep, StoreDep

router = APIRouter(prefix="/experiments", tags=["experiments"])


def _book(request: Request) -> ExperimentBook:
    found = book(request)
    if found is None:
        raise StoreError("the experiments book is not open yet (the server is starting)")
    return found


@router.post("", status_code=status.HTTP_201_CREATED)
def start_experiment(
    request: Request, settings: SettingsDep, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Start an experiment: its variants' overrides are checked against the settings and it
    takes a free share of its layer (or the ``offset`` it names)."""
    spec = check_spec(body, settings)
    return _book(request).start(spec).as_dict()


@router.get("")
def list_experiments(
    request: Request,
    state: Annotated[str | None, Query(alias="status", pattern="^(running|stopped)$")] = None,
) -> list[dict[str, Any]]:
    """Every experiment, newest first (or only the running or stopped ones)."""
    return [e.as_dict() for e in _book(request).experiments(state)]


@router.get("/{name}")
def get_experiment(request: Request, name: str) -> dict[str, Any]:
    """One experiment; 404 for an unknown name."""
    return _book(request).get(name).as_dict()


@router.post("/{name}/stop")
def stop_experiment(request: Request, name: str) -> dict[str, Any]:
    """Stop an experiment: its visitors get the settings again; its report stays."""
    return _book(request).stop(name).as_dict()


@router.get("/{name}/report")
async def experiment_report(
    request: Request, name: str, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    """Per-variant metrics with confidence intervals, CUPED, the sample-ratio check, the
    always-valid p-value over daily looks, guardrails and the daily curves."""
    found = _book(request)
    found.get(name)  # 404 before the thread pool
    window = settings.experiments.purchase_window_hours
    return await run_in_threadpool(report_for, found, store, name, window)
