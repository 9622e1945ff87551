"""The assistant's knowledge in: pages and past answers, all or nothing, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopmind.config import Settings
from shopmind.errors import InvalidFile, InvalidInput
from shopmind.ingest import ingest_answers, ingest_documents
from shopmind.store import Store
from tests.conftest import head_lines

DATA = Path(__file__).resolve().parents[1] / "data" / "assistant"


def test_amazon_questions_load_as_they_are(
    tmp_path: Path, data_dir: Path, store: Store, settings: Settings
) -> None:
    src = head_lines(data_dir / "amazon-qa" / "qa_Video_Games.csv", tmp_path / "qa.csv", 301)
    report = ingest_answers(store, src, settings.ingest)
    # the file repeats some rows word for word: each is stored once
    assert (report.rows, report.inserted, report.duplicates, report.rejected) == (300, 240, 60, 0)
    assert "column 'asin' read as product_id" in report.notes
    answers = [a for batch in store.iter_answers() for a in batch]
    first = next(a for a in answers if a.question == "Will it work on Windows 7 ?")
    assert (first.product_id, first.answer) == ("B00000K4MC", "Yes")
    assert first.time == 1417248000.0
    assert report.quality["products_not_in_catalog"] == report.quality["products_asked_about"]
    again = ingest_answers(store, src, settings.ingest)
    assert (again.inserted, again.duplicates) == (0, 300)
    assert store.count_knowledge()["answers"] == 240


def test_a_bad_row_refuses_the_whole_file(tmp_path: Path, store: Store, settings: Settings) -> None:
    src = tmp_path / "qa.csv"
    src.write_text(
        "question,answer,product_id,time\n"
        "Is it waterproof?,IPX5,e1,2026-01-01\n"
        ",an answer to nothing,e1,\n"
        "Battery?,30 hours,e1,next tuesday\n"
    )
    with pytest.raises(InvalidInput) as err:
        ingest_answers(store, src, settings.ingest)
    found = {(e.row, e.field) for e in err.value.errors}
    assert found == {(2, "question"), (3, "time")}
    assert "give the customer's question" in str(err.value.errors[0].fix)
    assert store.count_knowledge()["answers"] == 0


def test_a_file_without_an_answer_column_names_the_fix(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    src = tmp_path / "qa.csv"
    src.write_text("question,reply_text\nIs it waterproof?,yes\n")
    with pytest.raises(InvalidFile, match=r"no 'answer' column.*--map answer=COLUMN"):
        ingest_answers(store, src, settings.ingest)
    report = ingest_answers(store, src, settings.ingest, mapping=["answer=reply_text"])
    assert report.inserted == 1


def test_pages_replace_their_passages_and_a_bad_page_stores_nothing(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    pages = [DATA / "returns.md", DATA / "shipping.html", DATA / "退换货.md"]
    report = ingest_documents(store, pages, settings.ingest)
    assert report.quality["pages"] == 3
    assert store.count_knowledge()["documents"] == 3
    changed = tmp_path / "returns.md"
    changed.write_text("# Returns\n\nReturns are accepted within 45 days.\n")
    ingest_documents(store, [changed], settings.ingest)
    assert [p.text for p in store.list_passages("returns")] == [
        "Returns are accepted within 45 days."
    ]
    before = store.count_knowledge()
    (tmp_path / "empty.md").write_text("# Nothing here\n")
    with pytest.raises(InvalidFile, match=r"empty\.md: the page has no text"):
        ingest_documents(store, [changed, tmp_path / "empty.md"], settings.ingest)
    assert store.count_knowledge() == before


def test_two_files_may_not_claim_one_page(tmp_path: Path, store: Store, settings: Settings) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "faq.md").write_text("# FAQ\n\nOne.\n")
    (tmp_path / "faq.txt").write_text("FAQ\n\nTwo.\n")
    with pytest.raises(InvalidFile, match="both page 'faq'"):
        ingest_documents(store, [tmp_path / "a" / "faq.md", tmp_path / "faq.txt"], settings.ingest)
