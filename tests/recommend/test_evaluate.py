"""``shopmind evaluate recommend`` on a slice of the shared Amazon Games data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shopmind.cli import main
from shopmind.errors import InvalidFile
from shopmind.evaluate.recommend import evaluate_recommend, read_split
from tests.conftest import head_lines, write

USERS = 200
QUICK = {"epochs": 2, "dim": 32, "layers": 1, "negatives": 256}


@pytest.fixture(scope="module")
def games(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first visitors of the Games data (all of its products, so no id is unknown)."""
    src = data_dir / "amazon-games"
    out = tmp_path_factory.mktemp("games")
    for part in ("valid", "test"):
        head_lines(src / f"Games-6k.{part}.inter", out / f"Games.{part}.inter", USERS + 1)
    seen: set[str] = set()
    for part in ("valid", "test"):
        for line in (out / f"Games.{part}.inter").read_text().splitlines()[1:]:
            _, hist, target = line.split("\t")
            seen.update(hist.split())
            seen.add(target)
    lines = (src / "Games-6k.item").read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [ln for ln in lines[1:] if ln.split("\t")[0] in seen]
    (out / "Games.item").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One home for the module, so the titles are encoded once (its vector cache)."""
    return tmp_path_factory.mktemp("games-home")


def test_read_split_maps_histories_and_targets(games: Path) -> None:
    data = read_split(games)
    assert data.name == "Games"
    assert len(data.valid) == len(data.test) == USERS
    # the test history is the valid history followed by the valid target
    for row in range(20):
        v, t = data.valid.items[row], data.test.items[row]
        assert t.tolist() == [*v.tolist(), int(data.valid_targets[row])]
    assert all(data.titles)


def test_evaluate_reports_every_method_on_the_test_targets(games: Path, home: Path) -> None:
    cache = home / "cache" / "embeddings"
    result = evaluate_recommend(games, cache=cache, sample=USERS, progress=False, sequential=QUICK)
    assert result["users"] == USERS
    assert set(result["methods"]) == {"shopmind", "popular", "itemknn", "ease"}
    for metrics in result["methods"].values():
        assert set(metrics) == {"recall@10", "ndcg@10", "recall@50", "coverage@10"}
        assert 0.0 <= metrics["ndcg@10"] <= metrics["recall@10"] <= metrics["recall@50"] <= 1.0
    methods = result["methods"]
    assert methods["shopmind"]["recall@50"] > methods["popular"]["recall@50"]
    assert methods["popular"]["coverage@10"] < 0.05  # the same ten for everyone
    assert result["chosen"]["ease"]["l2"] in (50.0, 200.0, 800.0)
    assert len(result["chosen"]["shopmind"]["sequential_valid_ndcg"]) >= 1
    assert result["train_seconds"] > 0


def test_cli_json_last_line(games: Path, home: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "--home",
            str(home),
            "evaluate",
            "recommend",
            str(games),
            "--json",
            "--sample",
            "200",
        ],
        env={"SHOPMIND_INGEST__PROGRESS": "false"},
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert {"users", "methods", "train_seconds"} <= set(data)
    assert set(data["methods"]) >= {"shopmind", "popular", "itemknn", "ease"}


def test_a_folder_without_item_file_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(InvalidFile, match=r"no \*\.item file"):
        read_split(tmp_path)


def test_a_header_without_the_target_column_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "S.item", "item_id:token\ttitle:token_seq\n1\tA\n2\tB\n")
    write(tmp_path / "S.valid.inter", "user_id:token\titem_id_list:token_seq\n0\t1 2\n")
    write(tmp_path / "S.test.inter", "user_id:token\titem_id_list:token_seq\titem_id:token\n")
    with pytest.raises(InvalidFile, match=r"S\.valid\.inter: no 'item_id' column") as caught:
        read_split(tmp_path)
    assert "item_id:token" in str(caught.value)  # the fix shows the expected header


def test_one_interaction_file_is_split_by_time(data_dir: Path, tmp_path: Path) -> None:
    src = data_dir / "movielens-100k"
    (tmp_path / "ml.item").write_bytes((src / "ml-100k.item").read_bytes())
    inter = head_lines(src / "ml-100k.inter", tmp_path / "ml.inter", 5_001)
    data = read_split(tmp_path)
    assert data.titles[0] == "Toy Story" or "Toy Story" in data.titles
    users: dict[str, list[tuple[float, int, str]]] = {}
    for n, line in enumerate(inter.read_text().splitlines()[1:]):
        user, item, _, ts = line.split("\t")
        users.setdefault(user, []).append((float(ts), n, item))
    assert len(data.test) == sum(len(v) >= 3 for v in users.values())
    for row in range(len(data.test)):
        hist = data.test.items[row]
        assert hist[:-1].tolist() == data.valid.items[row].tolist()
        assert hist[-1] == data.valid_targets[row]
    # the test target is each visitor's latest product (ties: file order)
    latest = sorted(max(v)[2] for v in users.values() if len(v) >= 3)
    assert sorted(data.items[t] for t in data.test_targets) == latest


def test_read_split_reads_gzip_files_as_they_are(games: Path, tmp_path: Path) -> None:
    for f in games.iterdir():
        (tmp_path / f"{f.name}.gz").write_bytes(gzip.compress(f.read_bytes()))
    packed, plain = read_split(tmp_path), read_split(games)
    assert packed.name == "Games"
    assert packed.titles == plain.titles
    assert [h.tolist() for h in packed.test.items[:20]] == [
        h.tolist() for h in plain.test.items[:20]
    ]
