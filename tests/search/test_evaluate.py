"""Offline search evaluation: metrics, judgments, the evaluator and ``shopmind evaluate search``."""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from shopmind.catalog import Product
from shopmind.cli import main
from shopmind.errors import InvalidFile
from shopmind.evaluate import (
    Answer,
    Judgments,
    dcg_at_k,
    evaluate_methods,
    ndcg_at_k,
    percentile,
    read_judgments,
    recall_at_k,
)
from shopmind.search import SearchEngine
from tests.conftest import head_lines, write

LOG3 = math.log2(3)


# -- metrics -----------------------------------------------------------------------------------
def test_dcg_known_value() -> None:
    assert dcg_at_k([3.0, 2.0, 1.0], 3) == pytest.approx(3 + 2 / LOG3 + 1 / 2)
    assert dcg_at_k([3.0, 2.0, 1.0], 1) == pytest.approx(3.0)
    assert dcg_at_k([], 10) == 0.0


def test_ndcg_perfect_ranking_is_one() -> None:
    gains = {"a": 2.0, "b": 1.0, "c": 0.0}
    assert ndcg_at_k(gains, ["a", "b", "c"], 10) == pytest.approx(1.0)
    assert ndcg_at_k(gains, ["a", "b"], 10) == pytest.approx(1.0)  # zero gains add nothing


def test_ndcg_swapped_pair() -> None:
    gains = {"a": 2.0, "b": 1.0, "c": 0.0}
    expected = (1 + 2 / LOG3) / (2 + 1 / LOG3)  # b first, then a
    assert ndcg_at_k(gains, ["b", "a", "c"], 10) == pytest.approx(expected)
    assert expected == pytest.approx(0.85972, abs=1e-5)


def test_ndcg_cut_at_k_and_unknown_ids() -> None:
    gains = {"a": 2.0, "b": 1.0}
    assert ndcg_at_k(gains, ["x", "a", "b"], 1) == 0.0
    assert ndcg_at_k(gains, ["x", "a"], 2) == pytest.approx((2 / LOG3) / (2 + 1 / LOG3))


def test_ndcg_without_positive_gain_is_zero() -> None:
    assert ndcg_at_k({"a": 0.0, "b": 0.0}, ["a", "b"], 10) == 0.0
    assert ndcg_at_k({}, ["a"], 10) == 0.0


def test_recall_at_k() -> None:
    assert recall_at_k({"a", "b"}, ["a", "x", "b"], 2) == 0.5
    assert recall_at_k({"a", "b"}, ["a", "x", "b"], 3) == 1.0
    assert recall_at_k({"a", "b"}, ["x", "y"], 10) == 0.0
    assert recall_at_k(set(), ["a"], 10) == 0.0


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 100 down to 1, unsorted on purpose
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 0) == 1.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 20.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 75) == 30.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


# -- judgments ---------------------------------------------------------------------------------
def test_read_judgments(tmp_path: Path) -> None:
    path = write(
        tmp_path / "j.csv",
        "id,product_uid,search_term,relevance\n"
        "1,100001,angle bracket,3\n"
        "2,100001,l  bracket ,2.5\n"
        "3,100002,angle bracket,1.67\n"
        "4,100003,deck stain,2\n",
    )
    judged = read_judgments(path)
    assert judged.queries == {
        "angle bracket": {"100001": 3.0, "100002": 1.67},
        "l bracket": {"100001": 2.5},
        "deck stain": {"100003": 2.0},
    }
    assert len(judged) == 3
    assert judged.graded() == ["angle bracket"]
    assert judged.relevant() == {"angle bracket": {"100001"}, "l bracket": {"100001"}}


def test_read_judgments_with_other_column_names(tmp_path: Path) -> None:
    path = write(tmp_path / "j.csv", "\ufeffq,item_id,grade\nwireless earbuds,p1,3\n")
    assert read_judgments(path).queries == {"wireless earbuds": {"p1": 3.0}}


def test_read_judgments_missing_column_names_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "j.csv", "product_uid,search_term,stars\n100001,bracket,3\n")
    with pytest.raises(InvalidFile) as err:
        read_judgments(path)
    message = str(err.value)
    assert "relevance" in message
    assert "product_uid, search_term, stars" in message
    assert "j.csv" in message


def test_read_judgments_bad_relevance_names_the_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "j.csv",
        "product_uid,search_term,relevance\n100001,bracket,3\n100002,bracket,high\n",
    )
    with pytest.raises(InvalidFile) as err:
        read_judgments(path)
    message = str(err.value)
    assert "row 2" in message
    assert "'high'" in message
    assert "relevance" in message


def test_read_judgments_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidFile, match="no such file"):
        read_judgments(tmp_path / "nope.csv")


# -- the evaluator -----------------------------------------------------------------------------
CATALOG = [
    ("p1", "Cordless Drill"),
    ("p2", "Cordless Drill Battery"),
    ("p3", "Garden Hose"),
    ("p4", "Garden Hose Reel Cart"),
    ("p5", "Everbilt Hex Bolt 1/2 in."),
    ("p6", "Paint Roller"),
    ("p7", "Paint Brush Set"),
    ("p8", "Tape Measure 25 ft."),
    ("p9", "Wood Glue"),
    ("p10", "Work Gloves"),
    ("p11", "Safety Glasses"),
    ("p12", "Extension Cord 50 ft."),
]
JUDGMENTS = (
    "product_uid,search_term,relevance\n"
    "p1,cordless drill,3\n"
    "p2,cordless drill,2\n"
    "p3,cordless drill,1\n"
    "p98,cordless drill,2.5\n"  # not in the catalog
    "p3,garden hose,3\n"
    "p4,garden hose,1\n"
    "p5,hex bolt,2.67\n"  # one grade: recall only
    "p6,paint brush,1\n"
    "p7,paint brush,1.33\n"  # nothing >= 2.5: nDCG only
    "p99,ghost query,3\n"  # nothing judged in the catalog: not scored at all
)


@pytest.fixture
def catalog_scores() -> tuple[list[str], SearchEngine]:
    products = [Product(id=pid, title=title) for pid, title in CATALOG]
    engine = SearchEngine.from_products(products)
    return [p.id for p in products], engine


def test_evaluate_methods_counts_and_known_values(
    tmp_path: Path, catalog_scores: tuple[list[str], SearchEngine]
) -> None:
    ids, engine = catalog_scores
    judged = read_judgments(write(tmp_path / "j.csv", JUDGMENTS))

    def reverse(query: str) -> np.ndarray:
        return -engine.index.scores(query)

    result = evaluate_methods(
        ids, judged, {"good": engine.index.scores, "reverse": reverse}, progress=False
    )
    assert result["queries"] == 4
    assert result["ndcg_queries"] == 3
    assert result["recall_queries"] == 3
    assert result["unknown_judged_products"] == 2
    good = result["methods"]["good"]
    assert {k: good[k] for k in ("ndcg@10", "recall@10", "recall@100")} == {
        "ndcg@10": 1.0,
        "recall@10": 1.0,
        "recall@100": 1.0,
    }
    # reversed: each query's judged products in the worst order; the relevant ones land below
    # the ten products that do not match at all
    drill = (1 / LOG3 + 2 / 2) / (2 + 1 / LOG3)
    hose = (2 / LOG3) / 2
    brush = 1 / LOG3
    bad = result["methods"]["reverse"]
    assert bad["ndcg@10"] == pytest.approx((drill + hose + brush) / 3, abs=1e-4)
    assert bad["recall@10"] == 0.0
    assert bad["recall@100"] == 1.0
    assert set(result["latency_ms"]) == {"p50", "p99"}
    assert 0 <= result["latency_ms"]["p50"] <= result["latency_ms"]["p99"]
    json.dumps(result)  # JSON-ready


def test_a_served_list_is_scored_on_what_it_shows(
    tmp_path: Path, catalog_scores: tuple[list[str], SearchEngine]
) -> None:
    """Recall counts what the list shows; nDCG ranks the judged products as the list does,
    those it does not show after it; the same scores ranking the whole catalog are
    ``NAME_catalog``."""
    ids, engine = catalog_scores
    judged = read_judgments(write(tmp_path / "j.csv", JUDGMENTS))
    row = {pid: i for i, pid in enumerate(ids)}

    def served(query: str) -> Answer:
        scores = engine.index.scores(query)
        matches = np.flatnonzero(scores > 0)
        shown = matches[np.argsort(-scores[matches], kind="stable")]
        if query == "cordless drill":  # the page shows the lesser drill only
            shown = np.asarray([row["p2"]], dtype=np.int64)
        return Answer(scores, shown, len(shown))

    lists: list[tuple[str, str, list[str]]] = []
    result = evaluate_methods(
        ids,
        judged,
        {"m": served},
        progress=False,
        on_list=lambda m, q, got: lists.append((m, q, got)),
    )
    listed, catalog = result["methods"]["m"], result["methods"]["m_catalog"]
    # cordless drill: p2 (gain 1) shown, then p1 (gain 2) and p3 (0) as the scores rank them
    drill = (1 + 2 / LOG3) / (2 + 1 / LOG3)
    assert listed["ndcg@10"] == pytest.approx((drill + 1 + 1) / 3, abs=1e-4)
    assert catalog["ndcg@10"] == 1.0
    # cordless drill's relevant p1 is not shown (p98 is not in the catalog); hose and bolt are
    assert listed["recall@10"] == pytest.approx(2 / 3, abs=1e-4)
    assert catalog["recall@10"] == 1.0
    assert listed["shown_p50"] == 1.0 and catalog["shown_p50"] == 12.0
    assert ("m", "cordless drill", ["p2"]) in lists
    assert {m for m, _, _ in lists} == {"m"}  # the full-catalog view is not a served list


def test_a_page_of_nothing_is_empty(catalog_scores: tuple[list[str], SearchEngine]) -> None:
    _, engine = catalog_scores
    assert engine.search("cordless drill", k=0).hits == []
    shown, _, total = engine.served("cordless drill", 0)
    assert len(shown) == 0 and total == 2


def test_evaluate_methods_good_beats_constant(
    tmp_path: Path, catalog_scores: tuple[list[str], SearchEngine]
) -> None:
    ids, engine = catalog_scores
    judged = read_judgments(write(tmp_path / "j.csv", JUDGMENTS))
    rng = np.random.default_rng(7)

    def constant(query: str) -> np.ndarray:
        return np.ones(len(ids), dtype=np.float32)

    def random(query: str) -> np.ndarray:
        return rng.random(len(ids)).astype(np.float32)

    result = evaluate_methods(
        ids,
        judged,
        {"good": engine.index.scores, "constant": constant, "random": random},
        progress=False,
    )
    good = result["methods"]["good"]
    for other in ("constant", "random"):
        assert good["ndcg@10"] > result["methods"][other]["ndcg@10"]
        assert good["recall@10"] >= result["methods"][other]["recall@10"]


def test_evaluate_methods_with_no_scorable_query() -> None:
    judged = Judgments({"q": {"zz": 3.0}})
    result = evaluate_methods(["p1"], judged, {"m": lambda q: np.zeros(1)}, progress=False)
    assert result["queries"] == 0
    assert result["unknown_judged_products"] == 1
    assert result["methods"]["m"] == {
        "ndcg@10": 0.0,
        "recall@10": 0.0,
        "recall@100": 0.0,
        "irrelevant@10": 0.0,
        "shown_p50": 0.0,
    }
    assert result["latency_ms"] == {"p50": 0.0, "p99": 0.0}


# -- the command, on a slice of the Home Depot data --------------------------------------------
def _slice(data_dir: Path, tmp_path: Path, n: int) -> tuple[Path, Path, list[dict[str, str]]]:
    products = head_lines(data_dir / "homedepot" / "products.csv", tmp_path / "products.csv", n + 1)
    with products.open(encoding="utf-8", newline="") as fh:
        ids = {row["product_uid"] for row in csv.DictReader(fh)}
    assert len(ids) == n
    with (data_dir / "homedepot" / "judgments.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = [row for row in reader if row["product_uid"] in ids]
    return products, write_rows(tmp_path / "judgments.csv", header, rows), rows


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    """A CSV file of ``rows`` under ``header``."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_evaluate(home: Path, products: Path, judgments: Path, *extra: str) -> Result:
    """``shopmind --home HOME evaluate search --products P --judgments J [extra...]``."""
    return CliRunner().invoke(
        main,
        [
            "--home",
            str(home),
            "evaluate",
            "search",
            "--products",
            str(products),
            "--judgments",
            str(judgments),
            *extra,
        ],
    )


def test_evaluate_search_command_on_homedepot_slice(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    products, judgments, rows = _slice(data_dir, tmp_path, 3000)
    monkeypatch.setenv("SHOPMIND_INGEST__PROGRESS", "false")
    monkeypatch.setenv("SHOPMIND_SEARCH__ENCODER", "hashing")  # MiniLM is tested elsewhere
    home = tmp_path / "home"
    result = run_evaluate(home, products, judgments, "--json")
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    data = json.loads(result.stdout.strip().splitlines()[-1])

    # the protocol's query sets, counted here from the rows themselves
    grades: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        grades[" ".join(row["search_term"].split())][row["product_uid"]] = float(row["relevance"])
    graded = {q for q, g in grades.items() if len(set(g.values())) >= 2}
    relevant = {q for q, g in grades.items() if any(r >= 2.5 for r in g.values())}
    assert data["queries"] == len(graded | relevant)
    assert data["ndcg_queries"] == len(graded)
    assert data["recall_queries"] == len(relevant)
    assert data["unknown_judged_products"] == 0
    assert data["queries"] > 1000

    assert set(data["methods"]) == {"shopmind", "shopmind_catalog", "bm25", "dense"}
    assert data["encoder"] == "hashing-256"
    for name in ("shopmind", "shopmind_catalog", "bm25", "dense"):
        metrics = data["methods"][name]
        ranking = {k: metrics[k] for k in ("ndcg@10", "recall@10", "recall@100")}
        assert all(0.0 < v <= 1.0 for v in ranking.values()), metrics
        assert metrics["recall@10"] <= metrics["recall@100"]
        assert 0.0 <= metrics["irrelevant@10"] < 1.0
    # the served list's length is the page's total; the catalog ranking's list is 100 long
    served, catalog = data["methods"]["shopmind"], data["methods"]["shopmind_catalog"]
    assert served["shown_p50"] > 0 and catalog["shown_p50"] == 100
    assert served["recall@100"] <= catalog["recall@100"]
    assert set(data["latency_ms"]) == {"p50", "p99"}
    assert 0 < data["latency_ms"]["p50"] <= data["latency_ms"]["p99"]
    shopmind, bm25 = data["methods"]["shopmind"], data["methods"]["bm25"]
    assert shopmind["recall@10"] >= bm25["recall@10"]
    assert shopmind["recall@100"] >= bm25["recall@100"]
    # the products went into the given home's store
    assert (home / "shopmind.db").is_file()


def test_evaluate_search_command_reports_a_bad_judgments_file(
    data_dir: Path, tmp_path: Path
) -> None:
    products = head_lines(data_dir / "homedepot" / "products.csv", tmp_path / "products.csv", 21)
    judgments = write(tmp_path / "j.csv", "product_uid,search_term\n100001,angle bracket\n")
    result = run_evaluate(tmp_path / "home", products, judgments)
    assert result.exit_code == 1
    assert "relevance" in result.stderr
    assert result.stdout == ""


def test_read_judgments_reads_a_gzip_file_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "j.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("product_uid,search_term,relevance\n100001,angle bracket,3\n")
    assert read_judgments(path).queries == {"angle bracket": {"100001": 3.0}}
