"""The click-log loaders on the real formats (../shared/data samples) and ``shopmind
evaluate ctr`` through the CLI, JSON shape included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.errors import InvalidFile
from shopmind.rank import load_dataset
from tests.conftest import head_lines


@pytest.fixture
def movielens(data_dir: Path, tmp_path: Path) -> Path:
    """The first 4,000 ratings of MovieLens-100k with its user and movie files."""
    src = data_dir / "movielens-100k"
    folder = tmp_path / "ml"
    folder.mkdir()
    head_lines(src / "ml-100k.inter", folder / "ml-100k.inter", 4_001)
    for name in ("ml-100k.user", "ml-100k.item"):
        shutil.copy(src / name, folder / name)
    return folder


def test_movielens_labels_are_derived_and_rows_in_time_order(movielens: Path) -> None:
    data = load_dataset("movielens-100k", movielens, history=10)
    t = data.table
    assert len(t) == 4_000
    assert any("derived" in note for note in data.notes)
    assert 0.3 < t.click.mean() < 0.8  # rating >= 4
    assert len(data.split.train) == 3_200 and len(data.split.test) == 400
    # history entries: 1 = rated below 4, 2 = rated 4 or more, 0 = padding
    assert set(np.unique(t.history_kind)) <= {0, 1, 2}
    assert (t.history_kind[-1] > 0).sum() <= 10
    assert t.schema.item_field == "item" and t.schema.multi == "genres"


@pytest.mark.parametrize(
    ("name", "rows", "purchase"),
    [("criteo", 200, False), ("avazu", 100, False), ("aliccp", 200, True)],
)
def test_click_log_samples_load(data_dir: Path, name: str, rows: int, purchase: bool) -> None:
    data = load_dataset(name, data_dir / "ctr-samples")
    t = data.table
    assert len(t) == rows
    assert (t.purchase is not None) is purchase
    assert 0 < t.click.mean() < 1
    assert len(data.split.train) + len(data.split.valid) + len(data.split.test) == rows
    if name == "criteo":
        assert t.schema.nums == tuple(f"I{i}" for i in range(1, 14))
        assert len(t.schema.cats) == 26


def test_a_ragged_row_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "avazu_bad.csv"
    bad.write_text("id,click,hour,C1\n1,0,14102100,1005\n2,1,14102100\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match="row 3 has 3 columns, the header 4"):
        load_dataset("avazu", bad)
    with pytest.raises(InvalidFile, match="no such file"):
        load_dataset("criteo", tmp_path / "missing.txt")


def _evaluate(home: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--home", str(home), "evaluate", "ctr", *args, "--json"])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def test_evaluate_ctr_json_with_both_baselines(
    data_dir: Path, movielens: Path, tmp_path: Path
) -> None:
    ali = _evaluate(tmp_path, "--dataset", "aliccp", "--data", str(data_dir / "ctr-samples"))
    assert ali["rows"] == 200
    assert set(ali["methods"]) == {"shopmind", "baseline", "logistic", "lightgbm"}
    for metrics in ali["methods"].values():
        assert {"auc", "gauc", "logloss", "ctcvr_auc"} <= set(metrics)
    ml = _evaluate(tmp_path, "--dataset", "movielens-100k", "--data", str(movielens))
    assert ml["rows"] == 4_000 and "ctcvr_auc" not in ml["methods"]["shopmind"]
    best = max(ml["methods"]["logistic"]["auc"], ml["methods"]["lightgbm"]["auc"])
    assert ml["methods"]["baseline"]["auc"] == best
    assert 0.5 < ml["methods"]["shopmind"]["auc"] < 1
    assert ml["training"]["curve"]


def test_evaluate_ctr_needs_data_for_a_public_dataset() -> None:
    result = CliRunner().invoke(main, ["evaluate", "ctr", "--dataset", "criteo"])
    assert result.exit_code != 0 and "--data" in result.output
