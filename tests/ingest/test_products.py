"""Catalog ingest from real files: formats, mapping, refusal of bad batches, quality counts."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shopmind.config import Settings
from shopmind.errors import InvalidFile, InvalidInput, NotFound
from shopmind.ingest import ingest_products
from shopmind.store import Store
from tests.conftest import head_lines, write


def test_homedepot_catalog_loads_as_it_is_with_a_mapping(
    tmp_path: Path, data_dir: Path, store: Store, settings: Settings
) -> None:
    src = head_lines(data_dir / "homedepot" / "products.csv", tmp_path / "hd.csv", 501)
    report = ingest_products(store, src, settings.ingest, mapping=["id=product_uid"])
    assert (report.rows, report.inserted, report.rejected) == (500, 500, 0)
    got = store.get_product("100001")
    assert got.title == "Simpson Strong-Tie 12-Gauge Angle"
    assert got.language == "en"
    assert report.quality["missing_price"] == 500


def test_games_item_file_loads_without_a_mapping(
    tmp_path: Path, data_dir: Path, store: Store, settings: Settings
) -> None:
    src = head_lines(data_dir / "amazon-games" / "Games-6k.item", tmp_path / "g.item", 101)
    report = ingest_products(store, src, settings.ingest)
    assert report.inserted == 100
    assert "column 'item_id' read as id" in report.notes
    assert store.get_product("0").title == "Fire Emblem: The Sacred Stones"


def test_a_bad_row_refuses_the_whole_file_and_names_row_field_and_fix(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    ingest_products(store, write(tmp_path / "ok.csv", "id,title\nk1,Kept\n"), settings.ingest)
    bad = write(
        tmp_path / "bad.csv",
        "id,title,price\na,Alpha,1.50\nb,Beta,2\nc,Gamma,-5\nd,,3\ne,Epsilon,abc\n",
    )
    with pytest.raises(InvalidInput) as caught:
        ingest_products(store, bad, settings.ingest)
    message = str(caught.value)
    assert "row 3: field 'price'" in message
    assert "non-negative number" in message  # the fix
    assert "row 4: field 'title'" in message
    assert "row 5: field 'price'" in message
    assert caught.value.total == 3
    assert store.product_ids() == {"k1"}
    assert len(store.ingest_reports()) == 1  # the refused file left no report either


def test_skip_invalid_stores_the_rest_and_writes_a_reject_report(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    bad = write(tmp_path / "mixed.csv", "id,title,price\na,Alpha,1\nb,,2\nc,Gamma,-1\nd,Delta,4\n")
    report = ingest_products(
        store, bad, settings.ingest, skip_invalid=True, reject_dir=tmp_path / "rejects"
    )
    assert (report.inserted, report.rejected) == (2, 2)
    assert store.product_ids() == {"a", "d"}
    assert report.quality["missing_titles"] == 1
    assert report.reject_file is not None
    lines = [json.loads(x) for x in Path(report.reject_file).read_text().splitlines()]
    assert [x["row"] for x in lines] == [2, 3]
    assert lines[1]["errors"][0]["field"] == "price"
    assert lines[1]["record"]["id"] == "c"


def test_jsonl_and_parquet_catalogs(tmp_path: Path, store: Store, settings: Settings) -> None:
    rows = [
        {"id": "j1", "title": "蓝牙耳机 降噪", "price": 199, "attributes": {"颜色": "白色"}},
        {"id": "j2", "title": "Yoga Mat", "category": "Sports|Fitness", "stock": 0},
    ]
    jl = write(tmp_path / "c.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    ingest_products(store, jl, settings.ingest)
    assert store.get_product("j1").language == "zh"
    assert store.get_product("j1").attributes == {"颜色": "白色"}
    assert store.get_product("j2").in_stock is False
    assert store.get_product("j2").category == "Sports > Fitness"
    table = pa.table(
        {"sku": ["q1", "q2"], "name": ["Kettle", "电饭煲"], "list_price": [25.0, None]}
    )
    pq.write_table(table, tmp_path / "c.parquet")
    report = ingest_products(store, tmp_path / "c.parquet", settings.ingest)
    assert report.inserted == 2
    assert store.get_product("q2").title == "电饭煲"
    assert store.get_product("q2").price is None
    assert store.get_product("q1").price == 25.0


def test_mapping_extra_columns_and_attribute_columns(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    src = write(
        tmp_path / "m.csv",
        'product_title,code,Colour,warranty,Price\nRed kettle,K1,red,2y,"$1,299.00"\n',
    )
    report = ingest_products(
        store,
        src,
        settings.ingest,
        mapping=["title=product_title", "id=code", "attributes.color=Colour"],
    )
    got = store.get_product("K1")
    assert got.title == "Red kettle"
    assert got.price == 1299.0
    assert got.attributes == {"color": "red", "warranty": "2y"}
    assert any("warranty" in n for n in report.notes)


def test_mapping_mistakes_name_the_column_or_field(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    src = write(tmp_path / "m.csv", "code,name\n1,x\n")
    with pytest.raises(InvalidFile, match=r"no column 'sku'.*code, name"):
        ingest_products(store, src, settings.ingest, mapping=["id=sku"])
    with pytest.raises(InvalidFile, match="unknown field 'tittle'"):
        ingest_products(store, src, settings.ingest, mapping=["tittle=name"])
    with pytest.raises(InvalidFile, match="FIELD=COLUMN"):
        ingest_products(store, src, settings.ingest, mapping=["title"])


def test_unreadable_files_are_refused_with_the_reason(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    (tmp_path / "latin.csv").write_bytes("id,title\n1,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidFile, match="UTF-8"):
        ingest_products(store, tmp_path / "latin.csv", settings.ingest)
    with pytest.raises(InvalidFile, match=r"unknown file type \.xlsx"):
        ingest_products(store, write(tmp_path / "c.xlsx", "x"), settings.ingest)
    with pytest.raises(InvalidFile, match=r"row 2 .*3 fields but the header has 2"):
        ingest_products(store, write(tmp_path / "w.csv", "id,title\n1,a\n2,b,c\n"), settings.ingest)
    with pytest.raises(InvalidFile, match="row 2 is not valid JSON"):
        ingest_products(store, write(tmp_path / "b.jsonl", '{"id":1}\n{oops\n'), settings.ingest)
    assert store.count_products() == 0


def test_quality_counts_duplicates_outliers_and_stock(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    lines = ["id,title,price,stock"]
    lines += [f"p{i},Item {i},{10 + i % 7},{i % 3}" for i in range(40)]
    lines += ["p5,Item 5 again,12,1", "px,Gold plated kettle,250000,1", "pz,Free gift,0,1"]
    report = ingest_products(store, write(tmp_path / "q.csv", "\n".join(lines)), settings.ingest)
    q = report.quality
    assert q["duplicate_ids"] == 1 and q["duplicate_id_samples"] == ["p5"]
    assert store.get_product("p5").title == "Item 5 again"  # the last row wins
    assert q["price_outliers"] >= 1
    assert {"id": "px", "price": 250000.0} in q["price_outlier_samples"]
    assert q["zero_price"] == 1
    assert q["out_of_stock"] == 14
    assert store.ingest_reports()[0]["quality"]["duplicate_ids"] == 1


def test_partial_update_file_changes_only_its_columns(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    ingest_products(
        store,
        write(tmp_path / "full.csv", "id,title,price,stock\na,Alpha,5,3\nb,Beta,6,0\n"),
        settings.ingest,
    )
    report = ingest_products(
        store,
        write(tmp_path / "price.csv", "id,price\na,4.5\nb,\n"),
        settings.ingest,
        partial=True,
    )
    assert report.updated == 2
    assert (store.get_product("a").title, store.get_product("a").price) == ("Alpha", 4.5)
    assert store.get_product("b").price == 6.0  # a blank cell changes nothing
    with pytest.raises(NotFound, match="ghost"):
        ingest_products(
            store,
            write(tmp_path / "g.csv", "id,price\na,1\nghost,2\n"),
            settings.ingest,
            partial=True,
        )
    assert store.get_product("a").price == 4.5
