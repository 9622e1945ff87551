"""``shopmind evaluate assistant`` on slices of the shared data: answer ranking with a
tuned matcher against BM25 and the untuned encoder, response selection, abstention."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.demo import demo_products, demo_qa
from shopmind.evaluate.assistant import answer_groups, product_half, read_past_answers
from shopmind.evaluate.dialogue import is_dialogue_file, read_dialogues


def _half(src: Path, dst: Path, half: int, limit: int) -> Path:
    """The first ``limit`` rows of one half of the products (split as evaluate splits)."""
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        reader = csv.DictReader(fin)
        writer = csv.DictWriter(fout, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        kept = 0
        for row in reader:
            if product_half(row["asin"]) == half and kept < limit:
                writer.writerow(row)
                kept += 1
    return dst


def _run(home: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["--home", str(home), "evaluate", "assistant", *args])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert isinstance(last, dict)
    return last


def test_candidates_are_the_products_distinct_answers(tmp_path: Path) -> None:
    src = tmp_path / "qa.csv"
    src.write_text(
        "asin,question,answer\n"
        "a,Is it 4K?,Yes\n"
        "a,Does it need wifi?,Yes\n"
        "a,Is there a case?,No case\n"
        "a,Is there a case?,No case\n"
        "b,Two players?,Only one\n"
    )
    rows = read_past_answers(src)
    assert len(rows) == 4  # the repeated row counts once
    answers, truth, candidates = answer_groups(rows)
    assert answers == ["Yes", "No case", "Only one"]
    assert truth == [0, 0, 1, 2]
    assert candidates == [[0, 1], [0, 1], [0, 1], [2]]


def test_tuned_on_one_half_scored_on_the_other(tmp_path: Path, data_dir: Path) -> None:
    games = data_dir / "amazon-qa" / "qa_Video_Games.csv"
    train = _half(games, tmp_path / "train.csv", 0, 400)
    scored = _half(games, tmp_path / "scored.csv", 1, 300)
    off = tmp_path / "off.csv"
    rows = [r for r in demo_qa(demo_products(42), 42) if r["question"].isascii()][:100]
    with off.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["question", "answer", "product_id"])
        writer.writeheader()
        writer.writerows({k: r[k] for k in ("question", "answer", "product_id")} for r in rows)
    result = _run(
        tmp_path / "home", "--qa", str(scored), "--train-qa", str(train), "--off-shop",
        str(off), "--max-seconds", "60", "--json",
    )  # fmt: skip
    methods = result["methods"]
    assert isinstance(methods, dict)
    assert set(methods) == {"shopmind", "bm25", "dense"}
    for scores in methods.values():
        assert 0.2 < scores["p@1"] <= 1.0 and scores["p@1"] <= scores["mrr"]
    assert result["questions"] == len(read_past_answers(scored))
    auroc = result["abstain_auroc"]
    assert isinstance(auroc, float) and auroc > 0.7  # games questions vs a home-goods shop's
    assert (tmp_path / "home" / "evaluations").is_dir()


def test_response_selection_on_the_dialogue_sample(tmp_path: Path, data_dir: Path) -> None:
    result = _run(
        tmp_path / "home", "--qa", str(data_dir / "taobao-dialogue" / "test.txt"), "--json"
    )
    assert result["questions"] == 50
    methods = result["methods"]
    assert isinstance(methods, dict)
    assert set(methods) == {"shopmind", "dense", "bm25"}
    assert all(0.0 <= m["r10@1"] <= m["mrr"] <= 1.0 for m in methods.values())
    assert methods["shopmind"]["r10@1"] >= 0.2  # random is 0.10


def test_a_file_without_products_cannot_be_ranked(tmp_path: Path) -> None:
    src = tmp_path / "qa.csv"
    src.write_text("question,answer\nIs it 4K?,Yes\n")
    result = CliRunner().invoke(
        main, ["--home", str(tmp_path / "h"), "evaluate", "assistant", "--qa", str(src)]
    )
    assert result.exit_code == 1
    assert "product_id or asin" in result.output


@pytest.mark.parametrize("line", ["2\ta\tb", "1\tonly"])
def test_a_bad_dialogue_line_is_named(tmp_path: Path, line: str) -> None:
    src = tmp_path / "d.txt"
    src.write_text(f"1\thi\thello\n{line}\n")
    result = CliRunner().invoke(
        main, ["--home", str(tmp_path / "h"), "evaluate", "assistant", "--qa", str(src)]
    )
    assert result.exit_code == 1
    assert "line 2" in result.output


def test_a_gzip_dialogue_file_reads_like_the_plain_one(tmp_path: Path) -> None:
    text = "1\t在吗\t在的亲\n0\t在吗\t不知道\n1\t发货了吗\t今天发\n0\t发货了吗\t在的\n"
    plain, packed = tmp_path / "d.txt", tmp_path / "d.txt.gz"
    plain.write_text(text, encoding="utf-8")
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    assert is_dialogue_file(packed)
    assert read_dialogues(packed) == read_dialogues(plain)
    assert len(read_dialogues(packed)) == 2
