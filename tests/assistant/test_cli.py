"""``shopmind ask`` and the knowledge ingests from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from shopmind.cli import main
from tests.conftest import head_lines

DATA = Path(__file__).resolve().parents[1] / "data" / "assistant"


def _ask(home: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--home", str(home), "ask", *args, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout.strip().splitlines()[-1])  # progress bars go to stderr
    assert isinstance(answer, dict)
    return answer


def test_a_conversation_continues_across_commands(shop_home: Path) -> None:
    first = _ask(shop_home, "wireless earbuds", "--session", "cli-1")
    assert first["intent"] == "find" and first["products"]
    cheaper = _ask(shop_home, "cheaper", "--session", "cli-1")
    assert cheaper["intent"] == "find"
    assert cheaper["constraints"] == {"cheaper": True}
    assert any(c["label"].startswith("price ≤") for c in cheaper["reasons"]["children"])
    assert (shop_home / "sessions" / "cli-1.json").is_file()


def test_a_product_question_names_the_product(shop_home: Path) -> None:
    answer = _ask(shop_home, "这款耳机防水吗?", "--product", "z1")
    assert answer["language"] == "zh" and "IPX5" in answer["answer"]


def test_the_text_form_shows_the_sources(shop_home: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(shop_home), "ask", "how much is shipping?"])
    assert result.exit_code == 0, result.output
    assert "[doc shipping#" in result.output
    assert "intent policy" in result.output


def test_ingest_commands_report_what_they_stored(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    docs = CliRunner().invoke(
        main, ["--home", home, "ingest", "docs", str(DATA / "returns.md"), "--json"]
    )
    assert docs.exit_code == 0, docs.output
    assert json.loads(docs.output.strip().splitlines()[-1])["inserted"] == 3
    qa = CliRunner().invoke(main, ["--home", home, "ingest", "qa", str(DATA / "qa.csv")])
    assert qa.exit_code == 0, qa.output
    assert "ingested past answers" in qa.output and "stored new: 7" in qa.output
    bad = CliRunner().invoke(main, ["--home", home, "ingest", "docs", str(tmp_path / "no.md")])
    assert bad.exit_code == 1 and "no such file" in bad.output


def test_the_matcher_is_tuned_on_the_shops_log_and_served(tmp_path: Path, data_dir: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n[train]\nmax_seconds = 40\n")
    games = head_lines(data_dir / "amazon-qa" / "qa_Video_Games.csv", tmp_path / "qa.csv", 301)
    runner = CliRunner()
    assert runner.invoke(main, ["--home", str(home), "ingest", "qa", str(games)]).exit_code == 0
    trained = runner.invoke(main, ["--home", str(home), "train", "assistant", "--json"])
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout.strip().splitlines()[-1])
    assert report["encoder"] == f"minilm@{report['model']}"
    assert (home / "models" / "ASSISTANT").read_text().strip() == report["model"]
    answer = _ask(home, "Does Rollercoaster Tycoon run on Windows 10?")
    assert answer["citations"] and answer["citations"][0]["kind"] == "qa"
    assert "windows" in answer["citations"][0]["question"].lower()
    assert answer["reasons"]["label"].startswith("knowledge")


def test_a_chinese_log_keeps_the_multilingual_encoder(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    src = tmp_path / "qa.csv"
    src.write_text(
        "question,answer\n" + "".join(f"第{i}款能防水吗？,可以，IPX{i % 8}。\n" for i in range(60))
    )
    assert CliRunner().invoke(main, ["--home", home, "ingest", "qa", str(src)]).exit_code == 0
    result = CliRunner().invoke(main, ["--home", home, "train", "assistant"])
    assert result.exit_code == 1
    assert "reads English only" in result.output
