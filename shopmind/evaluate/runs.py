"""Evaluation runs kept in the home: each ``shopmind evaluate`` result, one JSON file a run.

``HOME/evaluations/<UTC time>-<kind>.json`` holds the evaluator's result as it prints it,
plus ``kind`` (``search``, ``recommend`` or ``ctr``), ``command`` (the command's
arguments) and ``finished_at`` (ISO-8601 UTC). Files are written atomically, so a reader
listing them never sees half a run.

Example::

    save_run(settings.home, "ctr", {"dataset": "aliccp", "data": "ctr-samples"}, result)
    runs = list_runs(settings.home, limit=20)
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from shopmind.files import write_text_atomic

logger = logging.getLogger(__name__)

RunKind = Literal["search", "recommend", "ctr", "assistant", "forecast", "experiments"]
RUN_KINDS: tuple[str, ...] = get_args(RunKind)
FOLDER = "evaluations"
# what a listing shows of a run besides its kind, time, command and methods, when it has it
SUMMARY_KEYS = ("dataset", "rows", "queries", "ndcg_queries", "users", "items", "encoder")


def runs_folder(home: Path) -> Path:
    """Where a home keeps its evaluation runs."""
    return home / FOLDER


def save_run(
    home: Path,
    kind: RunKind,
    command: dict[str, Any],
    result: dict[str, Any],
    now: datetime | None = None,
) -> Path:
    """Write one run's result to ``HOME/evaluations/<UTC time>-<kind>.json``; returns it.

    Args:
        home: the data home the command ran with.
        kind: which evaluator ran.
        command: the command's arguments (JSON-ready values).
        result: the evaluator's result, as it prints it with ``--json``.
        now: the finishing time (UTC); now when None.
    """
    if kind not in RUN_KINDS:
        raise ValueError(f"unknown evaluation kind {kind!r}; use one of {RUN_KINDS}")
    at = (now or datetime.now(UTC)).astimezone(UTC)
    folder = runs_folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = at.strftime("%Y%m%dT%H%M%S.%fZ")
    path = folder / f"{stamp}-{kind}.json"
    run = {
        **result,
        "kind": kind,
        "command": command,
        "finished_at": at.isoformat().replace("+00:00", "Z"),
    }
    write_text_atomic(path, json.dumps(run, ensure_ascii=False, indent=2, default=str) + "\n")
    logger.info("evaluation run saved to %s", path)
    return path


def summary(run: dict[str, Any], name: str) -> dict[str, Any]:
    """What a listing shows of one run: file, kind, time, command, size and metrics."""
    out: dict[str, Any] = {
        "file": name,
        "kind": run.get("kind"),
        "finished_at": run.get("finished_at"),
        "command": run.get("command", {}),
    }
    out.update({key: run[key] for key in SUMMARY_KEYS if key in run})
    out["methods"] = run.get("methods", {})
    return out


def list_runs(home: Path, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` runs' summaries, newest first; [] when there are none.

    A file that cannot be read as a run (cut short by a crash, edited by hand) is skipped
    with a warning naming it.
    """
    folder = runs_folder(home)
    if not folder.is_dir():
        return []
    out: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.name, reverse=True):
        if len(out) >= limit:
            break
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            logger.warning("skipping evaluation run %s: %s", path, err)
            continue
        if not isinstance(run, dict):
            logger.warning("skipping evaluation run %s: not a JSON object", path)
            continue
        out.append(summary(run, path.name))
    return out
