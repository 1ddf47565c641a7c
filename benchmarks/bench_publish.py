"""Benchmark publish_marts on Batang-size marts.

Builds synthetic marts (about 860,000 register rows with the default size), or copies the tables
of a published audit.duckdb given with `--audit-db`, and publishes them twice into a temporary
folder, so the second run also keeps `previous/` and swaps atomically.

    uv run python benchmarks/bench_publish.py [--families-per-desa 1160]
    uv run python benchmarks/bench_publish.py --audit-db /tmp/bench/batang/marts/audit.duckdb

Prints the wall and CPU seconds of each publish and of its steps, the size of what it wrote and
the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.publish import publish as publish_module
from pipelines.publish import publish_marts
from pipelines.publish.regions import load_regions
from pipelines.publish.synthetic_marts import SyntheticSize, build_synthetic_marts
from pipelines.sqlrun import query_rows, run_sql

# Steps of publish_marts timed one by one: (label, attribute of pipelines.publish.publish).
TIMED_STEPS = (
    ("audit.duckdb", "write_audit_db"),
    ("Parquet", "write_parquet"),
    ("workbooks", "write_workbooks"),
    ("report", "write_report"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--families-per-desa",
        type=int,
        default=1160,
        help="families per desa; 1160 gives about 860,000 register rows",
    )
    parser.add_argument(
        "--audit-db",
        type=Path,
        help="publish the tables of this audit.duckdb (read-only) instead of synthetic marts",
    )
    args = parser.parse_args()
    marts_dir = Path(tempfile.mkdtemp(prefix="bench_publish_")) / "marts"

    con = duckdb.connect()
    started = time.perf_counter()
    if args.audit_db:
        _copy_tables(con, args.audit_db)
        _print("copy audit.duckdb tables (s)", f"{time.perf_counter() - started:.1f}")
    else:
        build_synthetic_marts(
            con, load_regions(), SyntheticSize(families_per_desa=args.families_per_desa)
        )
        _print("build synthetic marts (s)", f"{time.perf_counter() - started:.1f}")

    step_times = _time_steps()
    for run_id in ("run-1", "run-2"):
        run_sql(con, f"update runs set run_id = '{run_id}'")
        step_times.clear()
        cpu_before = _cpu_seconds()
        summary = publish_marts(con, marts_dir, "id", run_id)
        cpu = _cpu_seconds() - cpu_before
        _print(f"publish {run_id} (wall s, CPU s)", f"{summary.seconds:.1f}, {cpu:.1f}")
        for label, (wall, step_cpu) in step_times.items():
            _print(f"  {label} (wall s, CPU s)", f"{wall:.1f}, {step_cpu:.1f}")
    con.close()

    _print("register rows", f"{summary.table_rows['stg_register']:,}")
    _print("inclusion_errors rows", f"{summary.table_rows['inclusion_errors']:,}")
    _print("exclusion_errors rows", f"{summary.table_rows['exclusion_errors']:,}")
    _print("verification workbooks", str(summary.verification_workbooks))
    for name in (
        "audit.duckdb",
        "inclusion_errors.xlsx",
        "exclusion_errors.xlsx",
        "laporan_bappeda.html",
    ):
        _print(f"{name} (MB)", f"{(marts_dir / name).stat().st_size / 1e6:.1f}")
    verification = sum(p.stat().st_size for p in (marts_dir / "verifikasi").glob("*.xlsx"))
    _print("verifikasi/*.xlsx (MB)", f"{verification / 1e6:.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _print("peak memory (MB)", f"{peak:.0f}")


def _copy_tables(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Copy every table of the audit.duckdb at `path` into the in-memory database `con`."""
    run_sql(con, f"attach '{path}' as source_db (read_only)")
    tables = query_rows(
        con, "select table_name from information_schema.tables where table_catalog = 'source_db'"
    )
    for (table,) in tables:
        run_sql(con, f'create table "{table}" as select * from source_db."{table}"')
    run_sql(con, "detach source_db")


def _time_steps() -> dict[str, tuple[float, float]]:
    """Wrap the steps of publish_marts so that each call adds its wall and CPU seconds."""
    times: dict[str, tuple[float, float]] = {}
    for label, attribute in TIMED_STEPS:
        original = getattr(publish_module, attribute)

        def timed(*args, _original=original, _label=label, **kwargs):
            wall, cpu = time.perf_counter(), _cpu_seconds()
            try:
                return _original(*args, **kwargs)
            finally:
                spent = (time.perf_counter() - wall, _cpu_seconds() - cpu)
                times[_label] = spent

        setattr(publish_module, attribute, timed)
    return times


def _cpu_seconds() -> float:
    """Return user plus system CPU seconds of this process, all threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _print(label: str, value: str) -> None:
    print(f"{label:<36} {value}")  # noqa: T201 - benchmark output


if __name__ == "__main__":
    main()
