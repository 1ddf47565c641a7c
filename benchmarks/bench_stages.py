"""Time the audit flow's stages one by one, without Prefect, on a work DuckDB file.

Runs the same task functions as `pipelines.flows.audit` in the same order, and prints wall
and CPU seconds (user + system, all threads, and the workbook worker processes) and the peak
resident memory after each stage. Linking takes most of a batang-size run, so `--snapshot`
keeps a copy of the work database after the link stage and `--from-snapshot` starts from such
a copy with the rules, marts and publish.

    uv run python benchmarks/bench_stages.py --folder /tmp/bench/batang --snapshot snap.duckdb
    uv run python benchmarks/bench_stages.py --folder /tmp/bench/batang --from-snapshot snap.duckdb
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from pipelines.flows import audit as flow
from pipelines.rules.params import parse_params
from pipelines.runconfig import load_rules_config, load_run_config
from pipelines.runs import RunRecord, write_run_record
from pipelines.settings import write_demo_run_config


def _usage() -> tuple[float, float]:
    """CPU seconds of this process and its finished children, and this process's peak MiB."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime
    return cpu, usage.ru_maxrss / 1024


@contextmanager
def timed(stage: str) -> Iterator[None]:
    wall, (cpu, _) = time.perf_counter(), _usage()
    yield
    cpu_after, peak = _usage()
    sys.stdout.write(
        f"{stage:<10} {time.perf_counter() - wall:7.1f} s wall {cpu_after - cpu:7.1f} s cpu "
        f"peak {peak:7,.0f} MiB\n"
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True, help="folder with raw/ files")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder for outputs")
    parser.add_argument("--snapshot", type=Path, help="copy the work database here after link")
    parser.add_argument("--from-snapshot", type=Path, help="start after link from this copy")
    parser.add_argument("--log", default="WARNING", help="log level, e.g. INFO for model timings")
    parser.add_argument(
        "--skip-publish", action="store_true", help="stop after the rules and marts stage"
    )
    args = parser.parse_args()
    logging.basicConfig(level=args.log, format="%(asctime)s %(name)s %(message)s", force=True)

    work = args.work or Path(tempfile.mkdtemp(prefix="bansos-stages-"))
    work.mkdir(parents=True, exist_ok=True)
    # rmtree raises on a symlink, and a previous run with the same --work leaves one.
    if (work / "raw").is_symlink():
        (work / "raw").unlink()
    shutil.rmtree(work / "raw", ignore_errors=True)
    (work / "raw").symlink_to((args.folder / "raw").resolve())
    run_config = load_run_config(write_demo_run_config(work))
    rules_config = load_rules_config(run_config.rules_path)
    run_id = "bench"
    record = RunRecord(run_id=run_id, config_version=str(rules_config["version"]),
                       region_code=run_config.region_code, started_at=datetime.now(timezone.utc))
    record.complaints_reference_date = parse_params(
        rules_config, run_date=record.run_date
    ).complaints_reference_date
    db_path = work / "work.duckdb"
    validation_dir = work / "validation"
    kinds = sorted({spec.kind for spec in run_config.sources})

    # A snapshot is two files: the work database and the run's future audit.duckdb, where
    # linking writes int_person_links and int_families.
    if args.from_snapshot:
        shutil.copyfile(args.from_snapshot, db_path)
        shutil.copyfile(flow.published_db_path(args.from_snapshot), flow.published_db_path(db_path))
    else:
        db_path.unlink(missing_ok=True)
        flow.published_db_path(db_path).unlink(missing_ok=True)
        _ingest_to_link(db_path, run_config, rules_config, run_id, validation_dir, kinds)
        if args.snapshot:
            shutil.copyfile(db_path, args.snapshot)
            shutil.copyfile(flow.published_db_path(db_path), flow.published_db_path(args.snapshot))

    with timed("rules+marts"):
        flow.count_rows_outside_period_task.fn(db_path, kinds, "")
        outcome = flow.rules_and_marts_task.fn(db_path, rules_config, run_id, None, record.run_date)
    sys.stdout.write(f"  seconds inside the task: {outcome.stage_seconds}\n")
    if args.skip_publish:
        sys.stdout.write(f"outputs in {work}\n")
        return
    with flow.connect(db_path) as con:
        write_run_record(con, record)
    with timed("publish"):
        flow.publish_task.fn(
            db_path, run_config.marts_dir, "id", run_id, rules_config, validation_dir
        )
    sys.stdout.write(f"outputs in {work}\n")


def _ingest_to_link(db_path, run_config, rules_config, run_id, validation_dir, kinds) -> None:
    # Ingest runs as in the flow, INGEST_WORKERS files at a time. Validation runs beside
    # linking in the flow; here the two are timed one after the other.
    with timed("ingest"), ThreadPoolExecutor(max_workers=flow.INGEST_WORKERS) as pool:
        sources = list(run_config.sources)
        flow.prepare_ingest_task.fn(db_path, sorted({spec.kind for spec in sources}))
        numbers = flow.first_file_numbers(sources)
        futures = [
            pool.submit(flow.ingest_source_task.fn, db_path, sources[index], run_id, numbers[index])
            for index in flow.largest_first(sources)
        ]
        for future in futures:
            future.result()
    with timed("staging"):
        flow.build_staging_task.fn(db_path, kinds)
    with timed("validate"):
        flow.validate_sources_task.fn(db_path, validation_dir, run_id)
    with timed("link"):
        review_dir = run_config.marts_dir.parent / "review"
        flow.link_persons_task.fn(db_path, kinds, rules_config.get("linking", {}), review_dir)


if __name__ == "__main__":
    main()
