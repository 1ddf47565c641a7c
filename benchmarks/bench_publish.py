"""Benchmark publish_marts on Batang-size synthetic marts.

Builds synthetic marts (about 860,000 register rows with the default size) and publishes them
twice into a temporary folder, so the second run also keeps `previous/` and swaps atomically.

    uv run python benchmarks/bench_publish.py [--families-per-desa 1160]

Prints the time of each publish, the size of what it wrote and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.publish import publish_marts
from pipelines.publish.regions import load_regions
from pipelines.publish.synthetic_marts import SyntheticSize, build_synthetic_marts
from pipelines.sqlrun import run_sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--families-per-desa",
        type=int,
        default=1160,
        help="families per desa; 1160 gives about 860,000 register rows",
    )
    args = parser.parse_args()
    marts_dir = Path(tempfile.mkdtemp(prefix="bench_publish_")) / "marts"

    con = duckdb.connect()
    started = time.perf_counter()
    build_synthetic_marts(
        con, load_regions(), SyntheticSize(families_per_desa=args.families_per_desa)
    )
    _print("build synthetic marts (s)", f"{time.perf_counter() - started:.1f}")

    for run_id in ("run-1", "run-2"):
        run_sql(con, f"update runs set run_id = '{run_id}'")
        summary = publish_marts(con, marts_dir, "id", run_id)
        _print(f"publish {run_id} (s)", f"{summary.seconds:.1f}")
    con.close()

    _print("register rows", f"{summary.table_rows['stg_register']:,}")
    _print("inclusion_errors rows", f"{summary.table_rows['inclusion_errors']:,}")
    _print("verification workbooks", str(summary.verification_workbooks))
    for name in ("audit.duckdb", "inclusion_errors.xlsx", "laporan_bappeda.html"):
        _print(f"{name} (MB)", f"{(marts_dir / name).stat().st_size / 1e6:.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _print("peak memory (MB)", f"{peak:.0f}")


def _print(label: str, value: str) -> None:
    print(f"{label:<32} {value}")  # noqa: T201 - benchmark output


if __name__ == "__main__":
    main()
