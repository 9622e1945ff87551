"""Gzip-compressed files are read as they are, streamed, their format named under the ``.gz``."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from shopmind.config import Settings
from shopmind.errors import InvalidFile
from shopmind.ingest import ingest_events, ingest_products
from shopmind.sources import inner_suffix, open_source, open_text, read_chunks
from shopmind.store import Store


def gz(path: Path, text: str) -> Path:
    """Write ``text`` gzip-compressed."""
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("p.csv.gz", 'id,title,price\na,Alpha,1.5\nb,"Beta, big",2\n', "csv"),
        ("p.tsv.gz", "id\ttitle\tprice\na\tAlpha\t1.5\nb\tBeta, big\t2\n", "csv"),
        (
            "p.jsonl.gz",
            '{"id": "a", "title": "Alpha", "price": 1.5}\n\n'
            '{"id": "b", "title": "Beta, big", "price": 2}\n',
            "jsonl",
        ),
    ],
)
def test_compressed_catalogs_read_like_plain_ones(
    tmp_path: Path, store: Store, settings: Settings, name: str, text: str, fmt: str
) -> None:
    src = open_source(gz(tmp_path / name, text))
    assert src.format == fmt and src.compressed
    report = ingest_products(store, src.path, settings.ingest)
    assert (report.rows, report.inserted) == (2, 2)
    assert store.get_product("b").title == "Beta, big"
    assert store.get_product("a").price == 1.5
    assert not list(tmp_path.glob("p.csv")) and not list(tmp_path.glob("p.tsv"))  # no unpacking


def test_a_compressed_recbole_file_keeps_its_typed_header(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    text = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n7\t3\t4\t881250949\n"
    src = gz(tmp_path / "ml.inter.gz", text)
    assert (open_source(src).format, open_source(src).columns[0]) == ("recbole", "user_id")
    assert ingest_events(store, src, settings.ingest).inserted == 1
    assert store.list_events(visitor="7")[0].value == 4.0


def test_chunks_stream_across_a_large_compressed_file(tmp_path: Path) -> None:
    lines = "".join(f"u{i},i{i % 7},view\n" for i in range(12_345))
    src = open_source(gz(tmp_path / "e.csv.gz", "user_id,item_id,type\n" + lines))
    chunks = list(read_chunks(src, chunk_rows=5_000))
    assert [len(c) for c in chunks] == [5_000, 5_000, 2_345]
    assert chunks[-1][-1] == (12_345, {"user_id": "u12344", "item_id": "i3", "type": "view"})


def test_open_text_and_the_inner_suffix(tmp_path: Path) -> None:
    path = gz(tmp_path / "notes.txt.gz", "\ufeffhello\r\nworld\n")
    with open_text(path, newline=None) as fh:
        assert fh.read() == "hello\nworld\n"  # the BOM is dropped like in plain files
    assert inner_suffix(path) == ".txt"
    assert inner_suffix(tmp_path / "A.CSV") == ".csv"


def test_broken_or_unreadable_compressed_files_are_named(tmp_path: Path) -> None:
    fake = tmp_path / "fake.csv.gz"
    fake.write_text("id,title\na,Alpha\n")
    with pytest.raises(InvalidFile, match="not a readable gzip file"):
        open_source(fake)
    cut = tmp_path / "cut.csv.gz"
    full = gz(tmp_path / "full.csv.gz", "id,title\n" + "a,Alpha\n" * 20_000).read_bytes()
    cut.write_bytes(full[: len(full) // 2])
    with pytest.raises(InvalidFile, match="not a readable gzip file"):
        list(read_chunks(open_source(cut)))
    parquet = gz(tmp_path / "p.parquet.gz", "x")
    with pytest.raises(InvalidFile, match="gunzip"):
        open_source(parquet)
    with pytest.raises(InvalidFile, match=r"NAME\.EXT\.gz"):
        open_source(gz(tmp_path / "p.xml.gz", "<a/>"))
