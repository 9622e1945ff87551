"""``shopmind evaluate experiments --simulate`` on a slice of the Home Depot judgments."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.evaluate.experiments import sensitivity_ceiling
from tests.conftest import head_lines


def _slice(data_dir: Path, tmp_path: Path, n: int) -> tuple[Path, Path]:
    products = head_lines(data_dir / "homedepot" / "products.csv", tmp_path / "products.csv", n + 1)
    with products.open(encoding="utf-8", newline="") as fh:
        ids = {row["product_uid"] for row in csv.DictReader(fh)}
    judged = tmp_path / "judgments.csv"
    with (data_dir / "homedepot" / "judgments.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        with judged.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
            writer.writeheader()
            writer.writerows(row for row in reader if row["product_uid"] in ids)
    return products, judged


def test_the_simulation_proves_each_method_against_the_truth(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    products, judged = _slice(data_dir, tmp_path, 3000)
    monkeypatch.setenv("SHOPMIND_INGEST__PROGRESS", "false")
    monkeypatch.setenv("SHOPMIND_SEARCH__ENCODER", "hashing")
    home = tmp_path / "home"
    args = ["--home", str(home), "evaluate", "experiments", "--simulate", "--json"]
    args += ["--products", str(products), "--judgments", str(judged), "--map", "id=product_uid"]
    result = CliRunner().invoke(main, [*args, "--runs", "6"])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    data = json.loads(result.stdout.strip().splitlines()[-1])

    assert data["queries"] > 1000
    better = data["true_ctr"]["a"] > data["true_ctr"]["b"]
    assert better  # shopmind's list earns more clicks than plain BM25's under the model
    inter, ab = data["interleaving"], data["ab"]
    for race in (inter, ab):
        assert race["decided"] == 1.0 and race["right"] == 1.0
    # interleaving compares both rankers on the same search: it needs far fewer of them
    assert inter["queries_to_verdict"] * 2 < ab["queries_to_verdict"]
    ceiling = data["ceiling"]
    # reading both lists' clicks per shopper still leaves click noise: far from noiseless
    assert 1.0 < ceiling["paired_clicks"] < ceiling["noiseless"] / 2
    assert data["aa_false_positive_rate"] <= 0.05
    assert data["aa"]["t_test_peeking_daily"] > data["aa_false_positive_rate"]
    ope = data["ope"]
    assert set(ope) >= {"true_ctr", "naive", "ips", "snips", "dr"}
    true = ope["true_ctr"]
    assert abs(ope["naive"] - true) / true > 0.10  # the log's own rate is the old ranker's
    for name in ("snips", "dr"):
        assert abs(ope[name] - true) / true <= 0.10, name
    explore = data["exploration"]
    assert explore["queries"] > 0 and explore["surfaced_share"] > 0.5
    assert explore["without_exploration"]["surfaced_share"] == 0.0
    assert explore["explored_slot_share"] <= 0.1
    # the run is kept with the others
    assert list((home / "evaluations").glob("*experiments*"))


def test_the_ceiling_is_the_fixed_horizon_ratio_of_the_two_bounds() -> None:
    # two queries, one position: a clicks with 0.5 and 0.3, b with 0.1 on both
    a = np.array([[0.5], [0.3]])
    b = np.array([[0.1], [0.1]])
    ceiling = sensitivity_ceiling(a, b)
    # A/B: 2 * (noise .23 + spread .01 + noise .09 + spread 0) / effect .3^2
    ab = 2 * (0.23 + 0.01 + 0.09) / 0.09
    assert ceiling["paired_clicks"] == pytest.approx(ab / ((0.01 + 0.23 + 0.09) / 0.09))
    assert ceiling["noiseless"] == pytest.approx(ab / (0.01 / 0.09))
    assert sensitivity_ceiling(a, a) == {"paired_clicks": 1.0, "noiseless": 1.0}


def test_the_command_says_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "evaluate", "experiments"])
    assert result.exit_code != 0
    assert "--simulate" in result.output and "--products" in result.output
