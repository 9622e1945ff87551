"""Evaluation runs kept in the home: ``shopmind evaluate`` saves each result, and
``GET /evaluations`` lists them newest first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.config import Settings
from shopmind.evaluate.runs import list_runs, runs_folder, save_run
from shopmind.serve import create_app
from tests.serve.test_search_api import TestClient


def _runs(settings: Settings, **params: Any) -> list[dict[str, Any]]:
    with TestClient(create_app(settings)) as client:
        response = client.get("/evaluations", params=params)
    assert response.status_code == 200, response.text
    runs: list[dict[str, Any]] = response.json()["evaluations"]
    return runs


def test_no_runs_is_an_empty_list(settings: Settings) -> None:
    assert _runs(settings) == []


def test_an_evaluate_ctr_run_through_the_cli_is_listed(settings: Settings, data_dir: Path) -> None:
    samples = data_dir / "ctr-samples"
    args = ["evaluate", "ctr", "--dataset", "aliccp", "--data", str(samples), "--json"]
    result = CliRunner().invoke(main, ["--home", str(settings.home), *args])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    files = list(runs_folder(settings.home).glob("*-ctr.json"))
    assert len(files) == 1 and f"run saved to {files[0]}" in result.stderr
    kept = json.loads(files[0].read_text(encoding="utf-8"))
    assert {k: v for k, v in kept.items() if k not in ("kind", "command", "finished_at")} == (
        printed
    )

    [run] = _runs(settings)
    assert run["kind"] == "ctr" and run["file"] == files[0].name
    assert run["command"] == {"dataset": "aliccp", "data": str(samples.resolve())}
    finished = datetime.fromisoformat(run["finished_at"])
    assert finished.tzinfo is not None
    assert abs((datetime.now(UTC) - finished).total_seconds()) < 600
    assert (run["dataset"], run["rows"]) == ("aliccp", printed["rows"])
    assert run["methods"] == printed["methods"]  # the shape the evaluator prints
    assert {"auc", "gauc", "logloss"} <= set(run["methods"]["shopmind"])
    assert "training" not in run  # the listing is a summary; the file holds everything


def test_runs_are_listed_newest_first_up_to_the_limit(settings: Settings) -> None:
    home = settings.home
    for day, kind in ((1, "search"), (3, "ctr"), (2, "recommend")):
        result = {"queries": day, "methods": {"shopmind": {"ndcg@10": day / 10}}}
        save_run(home, kind, {"day": day}, result, now=datetime(2026, 3, day, tzinfo=UTC))  # type: ignore[arg-type]
    runs = _runs(settings, limit=2)
    assert [(r["kind"], r["finished_at"]) for r in runs] == [
        ("ctr", "2026-03-03T00:00:00Z"),
        ("recommend", "2026-03-02T00:00:00Z"),
    ]
    assert runs[0]["queries"] == 3 and runs[0]["methods"] == {"shopmind": {"ndcg@10": 0.3}}
    assert len(list_runs(home)) == 3


def test_an_unreadable_run_file_is_skipped(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    save_run(settings.home, "ctr", {}, {"rows": 1, "methods": {}})
    (runs_folder(settings.home) / "99990101T000000.000000Z-ctr.json").write_text("{cut sh")
    [run] = list_runs(settings.home)
    assert run["rows"] == 1
    assert "skipping evaluation run" in caplog.text


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown evaluation kind 'bench'"):
        save_run(tmp_path, "bench", {}, {})  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [0, 1001])
def test_a_limit_out_of_range_is_a_422(settings: Settings, limit: int) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/evaluations", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
