"""Property tests of the file parsers (Hypothesis): whatever bytes a file holds, ingesting it
either stores it whole or fails with shopmind's own error, which names the file and, for a
bad row, the row and the field; the store is never left half-written and nothing crashes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopmind.config import IngestConfig
from shopmind.errors import InvalidFile, InvalidInput, ShopmindError
from shopmind.ingest import ingest_events, ingest_products
from shopmind.store import SQLiteStore

CONFIG = IngestConfig(progress=False)
SUFFIXES = (".csv", ".tsv", ".jsonl", ".parquet", ".item", ".inter", ".csv.gz")
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# bytes that look a little like the real thing, so parsers get past their first line
_CSV_CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_HEADERS = st.sampled_from(
    ["id,title,price", "id,title,price,stock,currency", "user_id,item_id,type,timestamp", "x"]
)


@st.composite
def csv_like(draw: st.DrawFn) -> bytes:
    header = draw(_HEADERS)
    rows = draw(st.lists(st.lists(_CSV_CELLS, min_size=1, max_size=5), max_size=6))
    text = header + "\n" + "\n".join(",".join(r) for r in rows)
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def jsonl_like(draw: st.DrawFn) -> bytes:
    values = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), _CSV_CELLS
    )
    keys = st.sampled_from(["id", "title", "price", "stock", "user_id", "item_id", "type", "q"])
    records = draw(st.lists(st.dictionaries(keys, values, max_size=5), max_size=6))
    return "\n".join(json.dumps(r) for r in records).encode()


CONTENT = st.one_of(st.binary(max_size=300), csv_like(), jsonl_like())


def _run(tmp: Path, suffix: str, data: bytes, kind: str) -> None:
    path = tmp / f"input{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    store = SQLiteStore(tmp / "shop.db")
    try:
        before = (store.count_products(), store.count_events())
        try:
            if kind == "products":
                ingest_products(store, path, CONFIG)
            else:
                ingest_events(store, path, CONFIG)
        except ShopmindError as err:
            assert str(err).strip()
            if isinstance(err, InvalidInput):
                assert all(e.field and e.fix and e.row >= 1 for e in err.errors)
            assert (store.count_products(), store.count_events()) == before  # nothing stored
            return
        assert (store.count_products(), store.count_events()) >= before
        found = store.ingest_reports(limit=1)
        assert found and found[0]["kind"] == kind
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["products", "events"])
@SETTINGS
@given(suffix=st.sampled_from(SUFFIXES), data=CONTENT)
def test_any_file_is_stored_whole_or_refused_clearly(
    tmp_path_factory: pytest.TempPathFactory, kind: str, suffix: str, data: bytes
) -> None:
    _run(tmp_path_factory.mktemp(kind), suffix, data, kind)


def test_the_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\xff\xfe not json")
    store = SQLiteStore(tmp_path / "shop.db")
    try:
        try:
            ingest_products(store, path, CONFIG)
        except (InvalidFile, InvalidInput) as err:
            assert "bad.jsonl" in str(err) or getattr(err, "source", "")
        else:
            raise AssertionError("undecodable bytes were stored")
    finally:
        store.close()
