"""A shop's pages split into passages: Markdown, HTML, text and JSON Lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from shopmind.errors import InvalidFile
from shopmind.knowledge import read_document, sentences, split_passages
from shopmind.knowledge.docs import tables_as_text

DATA = Path(__file__).resolve().parents[1] / "data" / "assistant"


def test_markdown_is_cut_at_headings_keeping_the_path() -> None:
    passages = read_document(DATA / "returns.md")
    assert [p.id for p in passages] == ["returns#1", "returns#2", "returns#3"]
    assert passages[1].title == "Returns and refunds > Refunds"
    assert passages[0].text.startswith("You can return any item within 30 days")


def test_html_drops_scripts_and_keeps_sections() -> None:
    passages = read_document(DATA / "shipping.html")
    text = " ".join(p.text for p in passages)
    assert "free on orders over 99 USD" in text
    assert "ignore me" not in text
    assert any(p.title.endswith("Delivery times") for p in passages)


def test_chinese_pages_keep_their_sentences() -> None:
    passages = read_document(DATA / "退换货.md")
    assert passages[0].doc == "退换货"
    assert sentences(passages[0].text) == ["签收后7天内，商品未使用、包装完好即可申请无理由退货。"]


def test_long_sections_are_cut_between_sentences() -> None:
    body = " ".join(f"Sentence number {i} says something." for i in range(60))
    passages = split_passages("long", "Long", [("Part", body)], "x.md", max_chars=200)
    assert len(passages) > 5
    assert all(len(p.text) <= 200 for p in passages)
    assert " ".join(p.text.replace("\n", " ") for p in passages) == body


def test_a_table_row_reads_with_its_column_names() -> None:
    text = "| Method | Time | Cost |\n|---|---|---|\n| Standard | 3-5 days | $5.99 |"
    assert tables_as_text(text) == "Standard: Time 3-5 days, Cost $5.99"


def test_jsonl_pages_and_their_errors(tmp_path: Path) -> None:
    good = tmp_path / "faq.jsonl"
    good.write_text(
        '{"id": "gift-wrap", "title": "Gift wrap", "text": "We wrap gifts for 2 USD."}\n'
    )
    (only,) = read_document(good)
    assert (only.id, only.title) == ("gift-wrap#1", "Gift wrap")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "body": ""}\n')
    with pytest.raises(InvalidFile, match="line 1: field 'text'"):
        read_document(bad)


def test_unknown_kinds_and_empty_pages_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InvalidFile, match="unknown kind of page"):
        read_document(tmp_path / "a.pdf")
    (tmp_path / "empty.md").write_text("# Title only\n")
    with pytest.raises(InvalidFile, match="no text"):
        read_document(tmp_path / "empty.md")


def test_a_gzip_page_reads_like_the_page_and_keeps_its_name(tmp_path: Path) -> None:
    packed = tmp_path / "returns.md.gz"
    packed.write_bytes(gzip.compress((DATA / "returns.md").read_bytes()))
    plain = read_document(DATA / "returns.md")
    found = read_document(packed)
    assert [p.id for p in found] == [p.id for p in plain]
    assert [p.text for p in found] == [p.text for p in plain]


def test_a_broken_gzip_page_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "faq.md.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(InvalidFile, match="cannot be read"):
        read_document(broken)
