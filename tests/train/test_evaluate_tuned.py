"""``evaluate search --train-judgments``: tune on one file's queries, score another's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.search.test_evaluate import _slice, run_evaluate, write_rows


def test_tuned_pipeline_is_scored_next_to_the_untuned_one(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    products, _, rows = _slice(data_dir, tmp_path, 3000)
    queries = sorted({r["search_term"] for r in rows})
    train_queries = set(queries[: len(queries) * 7 // 10])
    shared = sorted(train_queries)[:5]  # also scored: must be left out of training
    header = list(rows[0])
    train = write_rows(
        tmp_path / "A.csv", header, [r for r in rows if r["search_term"] in train_queries]
    )
    scored = write_rows(
        tmp_path / "B.csv",
        header,
        [r for r in rows if r["search_term"] not in train_queries or r["search_term"] in shared],
    )
    monkeypatch.setenv("SHOPMIND_INGEST__PROGRESS", "false")
    monkeypatch.setenv("SHOPMIND_SEARCH__ENCODER", "hashing")  # the adapter path, fast
    result = run_evaluate(
        tmp_path / "home", products, scored, "--train-judgments", str(train), "--json"
    )
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    data = json.loads(result.stdout.strip().splitlines()[-1])
    served = {"shopmind", "shopmind_tuned"}
    assert set(data["methods"]) == {*served, *(f"{m}_catalog" for m in served), "bm25", "dense"}
    for metrics in data["methods"].values():
        ranking = [metrics[k] for k in ("ndcg@10", "recall@10", "recall@100")]
        assert all(0.0 < v <= 1.0 for v in ranking), metrics
    training = data["training"]
    assert training["kind"] == "adapter"
    assert training["shared_queries_left_out"] == 5
    assert training["train_pairs"] > 100
    untuned, best = training["valid_ndcg@10"]
    assert best >= untuned
    assert 0.0 <= training["alpha"] <= 1.0
