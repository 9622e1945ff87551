"""Read records from the files shops already have: CSV/TSV, JSON Lines, Parquet, RecBole.

The format comes from the extension and the header; a gzip-compressed file (``X.csv.gz``,
``X.jsonl.gz``...) is read as it is, streamed through :func:`open_text`, its format taken
from the name under the ``.gz``. Every reader yields chunks of
``(row, record)`` where ``row`` is the 1-based record number in the file (the header is
not a row) and ``record`` maps column names to raw values. RecBole's typed headers
(``item_id:token``) are read as plain names (``item_id``).
"""

from __future__ import annotations

import csv
import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from shopmind.errors import InvalidFile

Format = Literal["csv", "jsonl", "parquet", "recbole"]
Record = dict[str, Any]
Chunk = list[tuple[int, Record]]

_CSV_EXT = {".csv", ".tsv", ".txt"}
_JSONL_EXT = {".jsonl", ".ndjson", ".json"}
_PARQUET_EXT = {".parquet", ".pq"}
_RECBOLE_EXT = {".inter", ".item", ".user"}
_DELIMITERS = [",", "\t", ";", "|"]


@dataclass(frozen=True)
class SourceFile:
    """A readable input file: its format, delimiter (text formats) and column names."""

    path: Path
    format: Format
    columns: tuple[str, ...]
    delimiter: str = ","

    @property
    def name(self) -> str:
        """The file name, for messages."""
        return self.path.name

    @property
    def compressed(self) -> bool:
        """Whether the file is gzip-compressed (read as it is, never unpacked to disk)."""
        return is_gzip(self.path)


def is_gzip(path: Path) -> bool:
    """Whether a file's name says it is gzip-compressed (``.gz``)."""
    return path.suffix.lower() == ".gz"


def inner_suffix(path: Path) -> str:
    """The extension that names the format: ``.csv`` for both ``a.csv`` and ``a.csv.gz``."""
    return Path(path.stem).suffix.lower() if is_gzip(path) else path.suffix.lower()


def open_text(
    path: str | Path,
    encoding: str = "utf-8-sig",
    newline: str | None = "",
    errors: str = "strict",
) -> IO[str]:
    """Open a text file for reading, streaming through gzip when its name ends in ``.gz``.

    Every reader of shop files goes through here, so ``X.csv.gz`` reads like ``X.csv``.
    Decoding and gzip errors surface when reading (``UnicodeDecodeError``, ``OSError``).
    """
    p = Path(path)
    if is_gzip(p):
        return gzip.open(p, "rt", encoding=encoding, newline=newline, errors=errors)
    return p.open(encoding=encoding, newline=newline, errors=errors)


_BAD_GZIP = (gzip.BadGzipFile, EOFError, zlib.error)


def _plain(name: str) -> str:
    return name.split(":", 1)[0].strip() if ":" in name else name.strip()


def open_source(path: str | Path) -> SourceFile:
    """Inspect a file and say how to read it.

    Raises:
        InvalidFile: the file is missing, empty, or of a format shopmind does not read.
    """
    p = Path(path)
    if not p.is_file():
        raise InvalidFile("no such file; check the path", source=str(p))
    ext = inner_suffix(p)
    if ext in _PARQUET_EXT and is_gzip(p):
        raise InvalidFile(
            "a gzip-compressed Parquet file cannot be read as it is (Parquet compresses its "
            "own columns); unpack it with gunzip first",
            source=str(p),
        )
    if ext in _PARQUET_EXT:
        return SourceFile(p, "parquet", _parquet_columns(p))
    if ext in _JSONL_EXT:
        return SourceFile(p, "jsonl", ())
    if ext in _RECBOLE_EXT or ext in _CSV_EXT:
        header = _first_line(p)
        delim = _sniff(header)
        cols = tuple(next(csv.reader([header], delimiter=delim)))
        typed = any(":" in c for c in cols)
        fmt: Format = "recbole" if ext in _RECBOLE_EXT or (delim == "\t" and typed) else "csv"
        if fmt == "recbole":
            cols = tuple(_plain(c) for c in cols)
        else:
            cols = tuple(c.strip() for c in cols)
        if len(set(cols)) != len(cols):
            raise InvalidFile(f"the header repeats a column name: {list(cols)}", source=str(p))
        return SourceFile(p, fmt, cols, delim)
    known = sorted(_CSV_EXT | _JSONL_EXT | _PARQUET_EXT | _RECBOLE_EXT)
    raise InvalidFile(
        f"unknown file type {ext or '(none)'}; use one of: {', '.join(known)} "
        "(each may be gzip-compressed as NAME.EXT.gz)",
        source=str(p),
    )


def _first_line(p: Path) -> str:
    try:
        with open_text(p) as fh:
            line = fh.readline()
    except UnicodeDecodeError as err:
        raise InvalidFile(
            f"not UTF-8 text ({err.reason} at byte {err.start}); re-save it as UTF-8",
            source=str(p),
        ) from None
    except _BAD_GZIP as err:
        raise InvalidFile(_gzip_problem(err), source=str(p)) from None
    if not line.strip():
        raise InvalidFile("the file is empty or its first line (the header) is blank", str(p))
    return line.rstrip("\r\n")


def _gzip_problem(err: BaseException) -> str:
    return f"not a readable gzip file ({err}); re-compress it with gzip or unpack it"


def _sniff(header: str) -> str:
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _parquet_columns(p: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq

    try:
        return tuple(pq.ParquetFile(p).schema_arrow.names)
    except Exception as err:  # pyarrow raises several unrelated types for bad files
        raise InvalidFile(f"not a readable Parquet file: {err}", source=str(p)) from None


def read_chunks(src: SourceFile, chunk_rows: int = 5_000) -> Iterator[Chunk]:
    """Yield the file's records in chunks of at most ``chunk_rows``.

    Raises:
        InvalidFile: a line is not valid JSON, a CSV row has more fields than the header,
            or the text is not UTF-8; the message names the row.
    """
    if src.format == "parquet":
        yield from _parquet_chunks(src, chunk_rows)
    elif src.format == "jsonl":
        yield from _batched(_jsonl_records(src), chunk_rows)
    else:
        yield from _batched(_delimited_records(src), chunk_rows)


def _batched(records: Iterator[tuple[int, Record]], size: int) -> Iterator[Chunk]:
    chunk: Chunk = []
    for item in records:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _delimited_records(src: SourceFile) -> Iterator[tuple[int, Record]]:
    cols = src.columns
    width = len(cols)
    try:
        with open_text(src.path) as fh:
            if src.format == "recbole":
                reader = csv.reader(fh, delimiter=src.delimiter, quoting=csv.QUOTE_NONE)
            else:
                reader = csv.reader(fh, delimiter=src.delimiter)
            next(reader, None)
            for row, values in enumerate(reader, start=1):
                if not values:
                    continue
                if len(values) > width:
                    raise InvalidFile(
                        f"row {row} (line {reader.line_num}) has {len(values)} fields but the "
                        f"header has {width}; quote values that contain '{src.delimiter}'",
                        source=str(src.path),
                    )
                if len(values) < width:
                    values = values + [""] * (width - len(values))
                yield row, dict(zip(cols, values, strict=True))
    except UnicodeDecodeError as err:
        raise InvalidFile(
            f"not UTF-8 text ({err.reason}); re-save it as UTF-8", source=str(src.path)
        ) from None
    except csv.Error as err:
        raise InvalidFile(f"malformed CSV: {err}", source=str(src.path)) from None
    except _BAD_GZIP as err:
        raise InvalidFile(_gzip_problem(err), source=str(src.path)) from None


def _jsonl_records(src: SourceFile) -> Iterator[tuple[int, Record]]:
    row = 0
    try:
        with open_text(src.path, newline=None) as fh:
            for line in fh:
                if not line.strip():
                    continue
                row += 1
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as err:
                    raise InvalidFile(
                        f"row {row} is not valid JSON ({err.msg} at column {err.colno}); "
                        "write one JSON object per line",
                        source=str(src.path),
                    ) from None
                if not isinstance(value, dict):
                    raise InvalidFile(
                        f"row {row} is a JSON {type(value).__name__}, not an object; "
                        "write one JSON object per line",
                        source=str(src.path),
                    )
                yield row, value
    except UnicodeDecodeError as err:
        raise InvalidFile(
            f"not UTF-8 text ({err.reason}); re-save it as UTF-8", source=str(src.path)
        ) from None
    except _BAD_GZIP as err:
        raise InvalidFile(_gzip_problem(err), source=str(src.path)) from None


def _parquet_chunks(src: SourceFile, chunk_rows: int) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    row = 0
    for batch in pq.ParquetFile(src.path).iter_batches(batch_size=chunk_rows):
        chunk: Chunk = []
        for record in batch.to_pylist():
            row += 1
            chunk.append((row, record))
        yield chunk
