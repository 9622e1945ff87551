"""Sources: reading records from the files shops already have, and mapping their columns."""

from shopmind.sources.files import (
    Chunk,
    Record,
    SourceFile,
    inner_suffix,
    is_gzip,
    open_source,
    open_text,
    read_chunks,
)
from shopmind.sources.mapping import ColumnMap, parse_mapping

__all__ = [
    "Chunk",
    "ColumnMap",
    "Record",
    "SourceFile",
    "inner_suffix",
    "is_gzip",
    "open_source",
    "open_text",
    "parse_mapping",
    "read_chunks",
]
