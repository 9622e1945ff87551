"""Sources: reading records from the files shops already have, and mapping their columns."""

from shopmind.sources.files import Chunk, Record, SourceFile, open_source, read_chunks
from shopmind.sources.mapping import ColumnMap, parse_mapping

__all__ = [
    "Chunk",
    "ColumnMap",
    "Record",
    "SourceFile",
    "open_source",
    "parse_mapping",
    "read_chunks",
]
