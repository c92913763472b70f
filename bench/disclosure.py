"""Benchmark of disclosure control (wpsnap/publishing/disclosure.py): how long ``protect`` takes on the
largest tables the platform publishes. No database.

Run by hand (it is not part of the test suite): ``.venv/bin/python bench/disclosure.py``. For each share of
small inner cells (a tenth, a quarter, a half, four fifths) it protects ten random three-way 5 x 4 x 3 tables
with every margin (120 cells), and ten linked families (sex x age, sex x district and age x district of one
hidden 2 x 6 x 5 table of smaller counts), and prints one JSON object: processor seconds (median and worst) and the cells
suppressed, per case. Options: ``--tables N`` (ten), ``--seed N``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from wpsnap.publishing.disclosure import Family, Reason, make_table, protect  # noqa: E402

THRESHOLD = 10


def _inner(rng: random.Random, sizes: list[int], share: float, scale: int = 1) -> tuple[list, dict]:
    """Counts over the dimensions: ``share`` of them small (below the threshold over ``scale``)."""
    dims = [(f"d{k}", [f"o{i}" for i in range(size)]) for k, size in enumerate(sizes)]
    inner = {
        cell: rng.randint(0, (THRESHOLD - 1) // scale)
        if rng.random() < share
        else rng.randint(THRESHOLD // scale, 80 // scale)
        for cell in itertools.product(*(options for _code, options in dims))
    }
    return dims, inner


def three_way(rng: random.Random, share: float) -> Family:
    dims, inner = _inner(rng, [5, 4, 3], share)
    return Family(tables=(make_table("t", dims, inner),))


def linked(rng: random.Random, share: float) -> Family:
    # The hidden counts a fifth as large, so that the two-way tables have small cells of their own.
    dims, inner = _inner(rng, [2, 6, 5], share, scale=5)
    tables = []
    for number, keep in enumerate([(0, 1), (0, 2), (1, 2)]):
        summed: dict[tuple, int] = {}
        for cell, value in inner.items():
            key = tuple(cell[k] for k in keep)
            summed[key] = summed.get(key, 0) + value
        tables.append(make_table(f"t{number}", [dims[k] for k in keep], summed))
    return Family(tables=tuple(tables))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    results = {}
    for name, build in [("5x4x3 with margins", three_way), ("three linked 2-way tables of 2x6x5", linked)]:
        for share in (0.1, 0.25, 0.5, 0.8):
            rng = random.Random(f"{args.seed}-{name}-{share}")
            seconds, small, complementary = [], [], []
            for _ in range(args.tables):
                family = build(rng, share)
                started = time.process_time()
                release = protect(family, threshold=THRESHOLD)
                seconds.append(time.process_time() - started)
                reasons = [shown.reason for table in release.tables for shown in table.shown.values()]
                small.append(reasons.count(Reason.SMALL))
                complementary.append(reasons.count(Reason.COMPLEMENTARY))
            results[f"{name}, {share:.0%} small"] = {
                "cpu_seconds_median": round(statistics.median(seconds), 3),
                "cpu_seconds_max": round(max(seconds), 3),
                "cells_small_median": statistics.median(small),
                "cells_complementary_median": statistics.median(complementary),
            }
            print(name, share, results[f"{name}, {share:.0%} small"], file=sys.stderr)
    print(json.dumps({"threshold": THRESHOLD, "tables_per_case": args.tables, "cases": results}, indent=2))


if __name__ == "__main__":
    main()
