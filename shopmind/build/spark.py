"""The heavy part of ``shopmind build`` on Spark: ``build --engine spark [--master URL]``.

What grows with the events runs as Spark jobs: the visitor x product interaction matrix
with its time decay, the products carted or bought together in one visit (the
co-occurrence behind ``/bought-together``) and, when the blend weighs ``als``, the ALS
product factors (Spark MLlib, implicit feedback: confidence 1 + alpha x weight, as the
local build's ``implicit`` model). The events come from the store, exported once to
Parquet in store order (or from a Parquet export given with ``--events``); the results
come back as Parquet and become the very artifacts the local build writes, so serving
cannot tell the two builds apart. The other models are then fitted as in the local build.

``local[2]`` runs Spark inside this machine (tests); a cluster is named by its master URL
(``spark://host:7077``, ``yarn``, ``k8s://...``), and ``spark-submit`` takes the same
settings (see README). pyspark is the ``spark`` extra: ``pip install 'shopmind[spark]'``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from shopmind.config import EventsConfig
from shopmind.errors import ConfigError
from shopmind.events.matrix import Interactions
from shopmind.recommend.factors import Factors
from shopmind.store import Store

logger = logging.getLogger(__name__)

DAY = 86_400.0
_SCHEMA = pa.schema(
    [
        ("n", pa.int64()),
        ("visitor", pa.string()),
        ("session_id", pa.string()),
        ("item_id", pa.string()),
        ("type", pa.string()),
        ("value", pa.float64()),
        ("ts", pa.float64()),
    ]
)


@dataclass(frozen=True)
class SparkParts:
    """What Spark computed: the interaction matrix and the bought-together counts over the
    catalog's products (rows and columns in catalog order)."""

    interactions: Interactions
    together: sp.csr_matrix
    als: Factors | None = None


def export_events(store: Store, folder: Path, rows_per_file: int = 1_000_000) -> Path:
    """Write every event, in store order (``n``), as Parquet files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    part = 0
    columns: dict[str, list[Any]] = {name: [] for name in _SCHEMA.names}

    def flush() -> None:
        nonlocal part
        if columns["n"]:
            table = pa.Table.from_pydict(columns, schema=_SCHEMA)
            pq.write_table(table, folder / f"part-{part:05d}.parquet")
            part += 1
            for values in columns.values():
                values.clear()

    for batch in store.iter_events():
        for e in batch:
            columns["n"].append(n)
            columns["visitor"].append(e.visitor)
            columns["session_id"].append(e.session_id)
            columns["item_id"].append(e.item_id)
            columns["type"].append(e.type)
            columns["value"].append(e.value)
            columns["ts"].append(e.ts)
            n += 1
            if len(columns["n"]) >= rows_per_file:
                flush()
    flush()
    logger.info("exported %d events to %s", n, folder)
    return folder


@contextmanager
def spark_session(master: str = "local[2]", memory: str = "2g") -> Iterator[Any]:
    """A Spark session for one build; on this machine it binds to loopback only.

    ``SPARK_DRIVER_MEMORY`` in the environment overrides ``memory`` (with ``local[N]`` the
    driver's JVM does all the work, so that is the memory Spark gets)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise ConfigError(
            "build --engine spark needs pyspark: pip install 'shopmind[spark]' (and Java 17)"
        ) from err
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    memory = os.environ.get("SPARK_DRIVER_MEMORY", memory)  # Spark's own variable wins
    builder = (
        SparkSession.builder.master(master)
        .appName("shopmind-build")
        .config("spark.driver.memory", memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def spark_parts(
    spark: Any,
    events: Path,
    config: EventsConfig,
    catalog: Sequence[str],
    scratch: Path,
    als: Factors | None = None,
) -> SparkParts:
    """Compute the interaction matrix and bought-together counts from the Parquet events,
    and with ``als`` (its settings) the ALS product factors over the catalog.

    Codes follow the local build: visitors in order of their first event, products in
    catalog order and then products outside the catalog in order of their first event.
    """
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(events)).where(F.col("item_id").isNotNull())
    base = F.lit(0.0)
    for kind, value in sorted(config.weights.items()):
        base = F.when(F.col("type") == kind, F.lit(float(value))).otherwise(base)
    weight = F.when(F.col("type") == "rating", base * F.coalesce("value", F.lit(0.0)) / 5.0)
    df = df.withColumn("w", weight.otherwise(base))
    scored = df.where(F.col("w") > 0)
    if als is not None:
        als = _fit_als(spark, scored, catalog, scratch, als)
    if config.half_life_days > 0:
        newest = scored.agg(F.max("ts")).first()[0]
        if newest is not None:
            age = (F.lit(float(newest)) - F.col("ts")) / DAY
            decay = F.pow(F.lit(0.5), age / F.lit(float(config.half_life_days)))
            scored = scored.withColumn(
                "w", F.when(F.col("ts").isNull(), F.col("w")).otherwise(F.col("w") * decay)
            )
    cells = scored.groupBy("visitor", "item_id").agg(F.sum("w").alias("w"))
    visitors = scored.groupBy("visitor").agg(F.min("n").alias("first"))
    items = scored.groupBy("item_id").agg(F.min("n").alias("first"))
    order = "type IN ('cart', 'purchase')"
    baskets = (
        df.where(order)
        .withColumn(
            "basket",
            F.coalesce(
                F.col("session_id"), F.floor(F.coalesce("ts", F.lit(0.0)) / DAY).cast("string")
            ),
        )
        .select("visitor", "basket", "item_id")
        .distinct()
    )
    pairs = (
        baskets.alias("a")
        .join(baskets.alias("b"), ["visitor", "basket"])
        .where(F.col("a.item_id") != F.col("b.item_id"))
        .groupBy(F.col("a.item_id").alias("a"), F.col("b.item_id").alias("b"))
        .count()
    )
    out = {"cells": cells, "visitors": visitors, "items": items, "pairs": pairs}
    for name, frame in out.items():
        frame.write.mode("overwrite").parquet(str(scratch / name))
    parts = _assemble(scratch, catalog)
    return SparkParts(parts.interactions, parts.together, als)


def _fit_als(
    spark: Any, scored: Any, catalog: Sequence[str], scratch: Path, als: Factors
) -> Factors:
    """ALS with Spark MLlib on the events' summed weights (no time decay, catalog products
    only: what the local build's model is fitted on); returns its product factors.

    MLlib scales the regularisation by each row's number of ratings (ALS-WR), ``implicit``
    does not, so the same ``regularization`` regularises frequent visitors more here.
    """
    from pyspark.ml.feature import StringIndexer
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import functions as F

    codes = scratch / "catalog"
    codes.mkdir(parents=True, exist_ok=True)
    item = np.arange(len(catalog), dtype=np.int32)
    pq.write_table(pa.table({"item_id": list(catalog), "item": item}), str(codes / "part.parquet"))
    cells = (
        scored.join(spark.read.parquet(str(codes)), "item_id")
        .groupBy("visitor", "item")
        .agg(F.sum("w").alias("w"))
    )
    indexer = StringIndexer(inputCol="visitor", outputCol="user", stringOrderType="alphabetAsc")
    cells = indexer.fit(cells).transform(cells).withColumn("user", F.col("user").cast("int"))
    model = ALS(
        rank=als.factors,
        maxIter=als.iterations,
        regParam=als.regularization,
        alpha=als.alpha,
        implicitPrefs=True,
        seed=als.seed,
        userCol="user",
        itemCol="item",
        ratingCol="w",
        checkpointInterval=-1,
    ).fit(cells)
    model.itemFactors.write.mode("overwrite").parquet(str(scratch / "factors"))
    table = _read(scratch / "factors")
    factors = np.zeros((len(catalog), als.factors), dtype=np.float32)
    rows = table.column("id").to_numpy()
    if len(rows):
        factors[rows] = np.asarray(table.column("features").to_pylist(), dtype=np.float32)
    logger.info("ALS (Spark MLlib): %d products with factors of %d", len(rows), len(catalog))
    return Factors.fitted(factors, **als.params())


def _read(folder: Path) -> pa.Table:
    return pq.read_table(str(folder))


def _assemble(scratch: Path, catalog: Sequence[str]) -> SparkParts:
    first_seen = _read(scratch / "visitors").sort_by("first")
    visitor_ids = [str(v) for v in first_seen.column("visitor").to_pylist()]
    visitor_code = {v: i for i, v in enumerate(visitor_ids)}
    item_code = {item: i for i, item in enumerate(catalog)}
    for item in _read(scratch / "items").sort_by("first").column("item_id").to_pylist():
        item_code.setdefault(str(item), len(item_code))
    cells = _read(scratch / "cells")
    rows = np.fromiter((visitor_code[v] for v in cells.column("visitor").to_pylist()), np.int64)
    cols = np.fromiter((item_code[i] for i in cells.column("item_id").to_pylist()), np.int64)
    data = cells.column("w").to_numpy().astype(np.float32)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(visitor_code), len(item_code)))
    matrix.sort_indices()
    n = len(catalog)
    pairs = _read(scratch / "pairs")
    a = [item_code.get(str(x), n) for x in pairs.column("a").to_pylist()]
    b = [item_code.get(str(x), n) for x in pairs.column("b").to_pylist()]
    keep = np.asarray([i < n and j < n for i, j in zip(a, b, strict=True)], dtype=bool)
    counts = pairs.column("count").to_numpy().astype(np.float32)
    together = sp.csr_matrix(
        (counts[keep], (np.asarray(a)[keep], np.asarray(b)[keep])), shape=(n, n), dtype=np.float32
    )
    return SparkParts(Interactions(matrix, visitor_ids, list(item_code)), together)


def build_parts(
    store: Store,
    config: EventsConfig,
    catalog: Sequence[str],
    master: str = "local[2]",
    events: Path | None = None,
    als: Factors | None = None,
) -> SparkParts:
    """Export the events (unless ``events`` names a Parquet export), run the Spark jobs on
    ``master`` and return their results (the ALS factors too, given ``als``'s settings)."""
    with tempfile.TemporaryDirectory(prefix="shopmind-spark-") as tmp:
        scratch = Path(tmp)
        source = events or export_events(store, scratch / "events")
        with spark_session(master) as spark:
            return spark_parts(spark, source, config, catalog, scratch, als)
