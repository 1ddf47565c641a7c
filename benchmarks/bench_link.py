"""Link-stage benchmark: `link_persons` alone on the records of an earlier audit run.

Copies `int_person_records` and `stg_register` from the work database of an earlier run into
a new DuckDB file with the flow's connection settings and runs the linker once. The work
database of `bench_stages.py --snapshot` serves. A published audit.duckdb does not, because it
keeps only the columns of those tables that the desk reads. The script prints wall seconds per
step, wall and CPU seconds in total, pairs per blocking rule, pair decisions and the peak
resident memory of this process. With `--truth`, it also scores the clusters pairwise against the generator's
records.csv, as `bansos-audit evaluate` does.

    uv run --frozen python benchmarks/bench_stages.py --folder /tmp/bench/batang \
        --snapshot /tmp/snap.duckdb --skip-publish
    uv run --frozen python benchmarks/bench_link.py --source /tmp/snap.duckdb \
        --truth /tmp/bench/batang/truth
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.er import link_persons
from pipelines.flows.audit import DUCKDB_CONFIG as FLOW_DUCKDB_CONFIG
from pipelines.flows.audit import LINK_MEMORY_LIMIT

# The audit flow's connection settings; its link task has a lower memory limit.
DUCKDB_CONFIG = dict(FLOW_DUCKDB_CONFIG)
LINK_CONFIG = {**FLOW_DUCKDB_CONFIG, "memory_limit": LINK_MEMORY_LIMIT}
LINKING_CONFIG = {"match_threshold": 0.92, "possible_threshold": 0.50}
COPIED_TABLES = ("int_person_records", "stg_register")


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def copy_inputs(source: Path, target: Path) -> None:
    with duckdb.connect(str(target), config=DUCKDB_CONFIG) as con:
        con.execute(f"attach '{source}' as source (read_only)")
        for table in COPIED_TABLES:
            con.execute(f"create table {table} as select * from source.{table}")
        con.execute("detach source")


def pairwise_scores(db: Path, truth_dir: Path) -> tuple[int, int, int]:
    """Return (predicted pairs, true pairs, predicted pairs that are true) over the records
    found in records.csv, matched on file base name, sheet and row."""
    records_csv = truth_dir / "records.csv"
    sql = f"""
        with
        truth as (
            select * from read_csv('{records_csv}', all_varchar = true, header = true,
                delim = ',', quote = '"', escape = '"')
        ),
        joined as (
            select l.person_id, t.person_uid
            from int_person_links as l
            inner join int_person_records as s on l.record_id = s.record_id
            inner join truth as t
                on regexp_replace(s.source_file, '^.*[/\\\\]', '')
                    = regexp_replace(t.source_file, '^.*[/\\\\]', '')
                and cast(s.source_row as bigint) = cast(t.source_row as bigint)
                and (coalesce(t.source_sheet, '') = ''
                    or coalesce(s.source_sheet, '') = t.source_sheet)
        ),
        cells as (select person_id, person_uid, count(*) as n from joined group by all),
        predicted as (select person_id, count(*) as n from joined group by all),
        expected as (select person_uid, count(*) as n from joined group by all)
        select
            (select coalesce(sum(n * (n - 1) / 2), 0) from predicted),
            (select coalesce(sum(n * (n - 1) / 2), 0) from expected),
            (select coalesce(sum(n * (n - 1) / 2), 0) from cells)
    """
    with duckdb.connect(str(db), config=DUCKDB_CONFIG) as con:
        predicted, expected, true_pairs = con.execute(sql).fetchall()[0]
    return int(predicted), int(expected), int(true_pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="work database to read from")
    parser.add_argument("--truth", type=Path, default=None, help="truth folder of the data")
    parser.add_argument("--work", type=Path, default=None, help="folder for the new database")
    parser.add_argument("--verbose", action="store_true", help="log at INFO level")
    args = parser.parse_args()

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )
    work = args.work or Path(tempfile.mkdtemp(prefix="bansos-link-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "link.duckdb"
    db.unlink(missing_ok=True)
    copy_inputs(args.source, db)
    state_dir = work / "review"
    shutil.rmtree(state_dir, ignore_errors=True)
    state_dir.mkdir()

    wall, cpu = time.perf_counter(), cpu_seconds()
    with duckdb.connect(str(db), config=LINK_CONFIG) as con:
        summary = link_persons(con, None, LINKING_CONFIG, state_dir)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu

    print(f"records {summary.records:,}, candidate pairs {summary.candidate_pairs:,}, "
          f"reduction ratio {summary.reduction_ratio:.6f}")
    for rule, count in summary.pairs_per_rule.items():
        print(f"  rule {rule:<26} {count:>12,}")
    for decision, count in sorted(summary.decisions.items()):
        print(f"  decision {decision:<22} {count:>12,}")
    print(f"clusters {summary.clusters:,}, rejected merges {summary.rejected_merges:,}, "
          f"EM iterations {summary.em_iterations}")
    print(f"{'step':<12} {'wall s':>8}")
    for step, seconds in summary.stage_seconds.items():
        print(f"{step:<12} {seconds:>8.1f}")
    print(f"link_persons: {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"peak RSS {peak_rss_mib():,.0f} MiB, load average {os.getloadavg()[0]:.1f}")

    if args.truth is not None:
        predicted, expected, true_pairs = pairwise_scores(db, args.truth)
        precision = true_pairs / predicted if predicted else float("nan")
        recall = true_pairs / expected if expected else float("nan")
        print(f"pairwise precision {precision:.4f}, recall {recall:.4f} "
              f"({true_pairs:,} of {expected:,} true pairs; {predicted:,} predicted)")
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
