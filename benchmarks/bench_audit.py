"""End-to-end benchmark: the whole audit on batang-size synthetic data.

Generates about 860,000 persons with their rosters (unless the folder already contains them),
runs the `audit` flow once, and prints seconds per stage and the peak resident memory of this
process (DuckDB's memory counts; the temporary Prefect server runs in another process and does
not).

    uv run --frozen python benchmarks/bench_audit.py [--size batang] [--persons N] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipelines.prefect_env import apply_prefect_defaults
from pipelines.settings import write_demo_run_config


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="batang")
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--folder", type=Path, default=None,
                        help="reuse this folder's raw/ files instead of generating")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    folder = args.folder or Path(tempfile.mkdtemp(prefix="bansos-bench-"))
    apply_prefect_defaults(folder / "prefect")
    from pipelines.flows.audit import audit, preload_validation_library
    from pipelines.synth import generate

    if not (folder / "raw").exists():
        started = time.perf_counter()
        summary = generate(folder / "raw", folder / "truth", size=args.size, persons=args.persons)
        rows = sum(summary.rows.values())
        sys.stdout.write(f"generate: {time.perf_counter() - started:.1f} s, {rows:,} rows\n")
    config = write_demo_run_config(folder)

    started = time.perf_counter()
    preload_validation_library()
    result = audit(config_path=config, language="id")
    wall = time.perf_counter() - started

    read = sum(c.rows_read for c in result.file_counts)
    sys.stdout.write(f"audit: {wall:.1f} s wall (including Prefect start-up), {read:,} rows read\n")
    for stage, seconds in result.stage_seconds.items():
        sys.stdout.write(f"  {stage:<10} {seconds:7.1f} s\n")
    sys.stdout.write(f"  findings   {sum(result.findings_per_rule.values()):,}\n")
    sys.stdout.write(f"peak RSS of this process: {peak_rss_mib():,.0f} MiB\n")
    if not args.keep and args.folder is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
