"""Split a judgments file by query into a training file and a scored file (seeded).

The files `evaluate search --train-judgments` is measured with in README (Tuning):

    .venv/bin/python benchmarks/split_judgments.py ../shared/data/homedepot/judgments.csv \
        --out /tmp/hd --scored 0.2 --seed 7   # writes /tmp/hd/A.csv (train), /tmp/hd/B.csv

Queries are compared with their whitespace collapsed, as the evaluator reads them; every
row of a query goes to the same side, so the two files share no query.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("judgments", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scored", type=float, default=0.2, help="Share of queries scored.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--query-column", default="search_term")
    args = parser.parse_args()

    with args.judgments.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)

    def query(row: dict[str, str]) -> str:
        return " ".join(row[args.query_column].split())

    queries = sorted({query(r) for r in rows})
    random.Random(args.seed).shuffle(queries)
    scored = set(queries[: int(len(queries) * args.scored)])
    args.out.mkdir(parents=True, exist_ok=True)
    for name, keep in (("A", False), ("B", True)):
        part = [r for r in rows if (query(r) in scored) == keep]
        with (args.out / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(part)
        print(f"{args.out / (name + '.csv')}: {len(part):,} rows")


if __name__ == "__main__":
    main()
