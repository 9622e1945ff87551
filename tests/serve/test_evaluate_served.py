"""``evaluate search`` scores exactly the list ``GET /search`` serves (issue 19).

The bilingual catalog (tests/data/bilingual) with the encoder chosen automatically (USE, as
it has Chinese): ``evaluate search --lists`` writes each query's served list; the same home
is then built and served, and every query's ``/search?k=100`` must return the same ids in
the same order.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.cli import main
from shopmind.config import load
from shopmind.serve import create_app
from tests.search.test_evaluate import run_evaluate

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient

BILINGUAL = Path(__file__).resolve().parents[1] / "data" / "bilingual"


def test_evaluate_scores_the_served_list(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text("[ingest]\nprogress = false\n")
    lists = tmp_path / "lists.jsonl"
    result = run_evaluate(
        home,
        BILINGUAL / "products.csv",
        BILINGUAL / "judgments.csv",
        "--lists",
        str(lists),
        "--json",
    )
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["encoder"] == "use"
    served = [json.loads(line) for line in lists.read_text(encoding="utf-8").splitlines()]
    evaluated = {row["query"]: row["ids"] for row in served if row["method"] == "shopmind"}
    assert len(evaluated) == data["queries"] == 88

    built = CliRunner().invoke(main, ["--home", str(home), "build"])
    assert built.exit_code == 0, f"{built.output}\n{built.exception!r}"
    with TestClient(create_app(load(home=home))) as client:
        for query, ids in evaluated.items():
            response = client.get("/search", params={"q": query, "k": 100})
            assert response.status_code == 200, response.text
            page = response.json()
            assert [h["id"] for h in page["hits"]] == ids, query
            assert page["total"] == len(ids)  # the catalog is smaller than a page

    # recall is counted on that list: every relevant product it holds, and no more
    relevant: dict[str, set[str]] = {}
    for line in (BILINGUAL / "judgments.csv").read_text(encoding="utf-8").splitlines()[1:]:
        query, pid, grade, _ = line.split(",")
        if float(grade) >= 2.5:
            relevant.setdefault(query, set()).add(pid)
    recall = [len(relevant[q] & set(ids[:10])) / len(relevant[q]) for q, ids in evaluated.items()]
    assert data["methods"]["shopmind"]["recall@10"] == round(sum(recall) / len(recall), 4)
    assert data["methods"]["shopmind"]["recall@10"] >= 0.95
    assert data["methods"]["shopmind_catalog"]["recall@10"] == 1.0
