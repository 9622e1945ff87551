"""The long fuzzing run (issue 22): schemathesis over every route of the OpenAPI schema,
against the real app on a loopback port with a fresh home, ``--examples`` per route (100 by
default), checking that no answer is a server error and that every answer matches the
schema. Prints examples tried and the outcome per route, then one JSON line.

Run::

    .venv/bin/python benchmarks/fuzz_api.py --examples 100
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.serve.test_fuzz_api import fuzz, served_shop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="Examples per route.")
    parser.add_argument("--random", action="store_true", help="A new random seed per run.")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, served_shop(Path(tmp) / "home") as base:
        result = fuzz(base, Path(tmp) / "home", args.examples, seed_free=args.random)
    for label in sorted(result.examples):
        outcome = "FAILED" if label in result.failures else "ok"
        print(f"{label:45s} {result.examples[label]:6d}  {outcome}")
    for label, report in result.failures.items():
        print(f"\n== {label}\n{report}")
    seconds = round(time.perf_counter() - started, 1)
    print(
        json.dumps(
            {
                "routes": len(result.examples),
                "examples": sum(result.examples.values()),
                "fewest_per_route": min(result.examples.values(), default=0),
                "failing_routes": len(result.failures),
                "seconds": seconds,
            }
        )
    )
    sys.exit(1 if result.failures else 0)


if __name__ == "__main__":
    main()
