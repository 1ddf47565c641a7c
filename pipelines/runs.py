"""Run records: id, input and configuration checksums, configuration version, stage timings."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

logger = logging.getLogger(__name__)


def new_run_id(now: datetime | None = None) -> str:
    """Return a sortable run id such as `20261204T210540Z`."""
    moment = now or datetime.now(timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def file_checksum(path: Path, chunk_bytes: int = 1 << 20) -> str:
    """Return the SHA-256 of a file, read in chunks so large exports use little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class RunRecord:
    """What a run used and how long each stage took."""

    run_id: str
    config_version: str
    region_code: str
    started_at: datetime
    input_checksums: dict[str, str] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    finished_at: datetime | None = None
    # SHA-256 of the rules configuration and of the run configuration files.
    rules_checksum: str | None = None
    run_config_checksum: str | None = None
    # The earlier run that this run's rules were compared with, and whether the two rules
    # files differ while their `version` is the same. `compare_rules` picks the run. Both are
    # None without an earlier run.
    rules_compared_with_run_id: str | None = None
    rules_changed_without_new_version: bool | None = None
    # Date to which complaints were counted overdue: `[complaints] reference_date`, or else
    # the earlier of the period end and `run_date`. Two runs of the same inputs and rules that
    # differ in it can differ only in which complaints are overdue: `is_overdue` and the status
    # texts of complaint_results, and the severity and evidence of rule 29 findings.
    complaints_reference_date: date | None = None

    @property
    def run_date(self) -> date:
        """Calendar date on which the run started, in the local time zone of this machine."""
        return self.started_at.astimezone().date()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block and store the seconds under `name`."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] = round(time.perf_counter() - start, 2)


# Columns of the `runs` table and their DuckDB types, in table order.
RUNS_COLUMNS: dict[str, str] = {
    "run_id": "varchar",
    "started_at": "timestamptz",
    "finished_at": "timestamptz",
    "config_version": "varchar",
    "region_code": "varchar",
    "input_checksums": "json",
    "stage_seconds": "json",
    "rules_checksum": "varchar",
    "run_config_checksum": "varchar",
    "rules_compared_with_run_id": "varchar",
    "rules_changed_without_new_version": "boolean",
    "complaints_reference_date": "date",
}


def write_run_record(
    con: duckdb.DuckDBPyConnection, record: RunRecord, previous: Path | None = None
) -> None:
    """Replace the `runs` table of this run's database with the earlier runs and `record`.

    The earlier runs are the rows of the `runs` table in `previous`, the audit.duckdb of the
    live run, oldest first, and `record` comes last. A run id appears once. When `previous` is
    None or cannot be read, the table contains `record` alone.
    """
    columns = ", ".join(f'"{name}" {type_}' for name, type_ in RUNS_COLUMNS.items())
    con.execute(f"create or replace table runs ({columns})")
    if previous is not None:
        copy_earlier_runs(con, previous, record.run_id)
    con.execute(
        f"insert into runs values ({', '.join('?' * len(RUNS_COLUMNS))})",
        [
            record.run_id,
            record.started_at,
            record.finished_at,
            record.config_version,
            record.region_code,
            json.dumps(record.input_checksums, sort_keys=True),
            json.dumps(record.stage_seconds),
            record.rules_checksum,
            record.run_config_checksum,
            record.rules_compared_with_run_id,
            record.rules_changed_without_new_version,
            record.complaints_reference_date,
        ],
    )


def copy_earlier_runs(con: duckdb.DuckDBPyConnection, previous: Path, run_id: str) -> int:
    """Insert the rows of the `runs` table in the DuckDB file `previous` into `con`'s `runs`.

    Return the number of rows copied. A column that the earlier file lacks is NULL, and one
    that this version does not know is left out. Rows of `run_id` are skipped. When the file
    or its `runs` table cannot be read, log a warning and copy nothing, so the run goes on.
    """
    alias = "previous_runs_source"
    try:
        quoted = str(previous).replace("'", "''")
        con.execute(f"attach '{quoted}' as {alias} (read_only)")
    except duckdb.Error as e:
        _warn_runs_not_copied(previous, e)
        return 0
    try:
        present = {
            name for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_catalog = ? and table_schema = 'main' and table_name = 'runs'",
                [alias],
            ).fetchall()
        }
        if "run_id" not in present:
            logger.warning("%s has no runs table with a run_id column, so the runs table of "
                           "this run does not keep the earlier runs", previous)
            return 0
        before = con.execute("select count(*) from runs").fetchone()[0]
        con.execute(f"insert into runs {_earlier_runs_select(alias, present)}", [run_id])
        return con.execute("select count(*) from runs").fetchone()[0] - before
    except duckdb.Error as e:
        _warn_runs_not_copied(previous, e)
        return 0
    finally:
        con.execute(f"detach {alias}")


def _earlier_runs_select(alias: str, present: set[str]) -> str:
    """Select the `runs` rows of `alias` in RUNS_COLUMNS order, one per run id, oldest first."""
    projected = ", ".join(
        f'cast("{name}" as {type_}) as "{name}"' if name in present
        else f'cast(null as {type_}) as "{name}"'
        for name, type_ in RUNS_COLUMNS.items()
    )
    # Should a file hold a run id twice, the row that started last is kept.
    return f"""
        select * from (
            select {projected} from {alias}.runs
            where run_id is not null and run_id <> ?
        )
        qualify row_number() over (
            partition by run_id order by started_at desc nulls last, finished_at desc nulls last
        ) = 1
        order by started_at nulls first, run_id
    """


def _warn_runs_not_copied(previous: Path, error: duckdb.Error) -> None:
    logger.warning("%s cannot be read (%s), so the runs table of this run does not keep the "
                   "earlier runs. If the file is damaged, move it away or delete it.",
                   previous, str(error).splitlines()[0])


@dataclass(frozen=True)
class RecordedRules:
    """The rules configuration that an earlier run recorded."""

    run_id: str
    config_version: str
    rules_checksum: str


def recorded_rules(db_path: Path) -> list[RecordedRules]:
    """Return the rules version and checksum of every run in the `runs` table of the
    audit.duckdb at `db_path`, oldest first.

    Runs recorded without a rules checksum are left out. Return an empty list when the file is
    missing or cannot be read.
    """
    if not db_path.exists():
        return []
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            columns = {
                name for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_name = 'runs'"
                ).fetchall()
            }
            if not {"config_version", "rules_checksum"} <= columns:
                return []
            rows = con.execute(
                "select run_id, config_version, rules_checksum from runs "
                "where rules_checksum is not null order by started_at nulls first, run_id"
            ).fetchall()
    except duckdb.Error as e:
        logger.info("%s cannot be read (%s), so the rules file is not compared with the "
                    "earlier runs", db_path, str(e).splitlines()[0])
        return []
    return [RecordedRules(*row) for row in rows]


def warn_if_rules_changed(previous: RecordedRules | None, record: RunRecord,
                          rules_path: Path) -> bool:
    """Warn and return True when the rules file differs from the one that the `previous` run
    used, but its `version` is the same."""
    if previous is None or record.rules_checksum is None:
        return False
    if previous.config_version != record.config_version:
        return False
    if previous.rules_checksum == record.rules_checksum:
        return False
    logger.warning(
        "%s changed since run %s, but its version is still %s. Raise `version` in that file "
        "whenever thresholds, amounts or the period change, so that each run records which "
        "rules it used and findings_diff can be read against them.",
        rules_path.name, previous.run_id, record.config_version,
    )
    return True


def compare_rules(earlier: list[RecordedRules], record: RunRecord, rules_path: Path) -> None:
    """Store in `record` which earlier run its rules were compared with and whether they
    changed without a new version, warning as `warn_if_rules_changed` does.

    `earlier` lists the earlier runs oldest first. When any run of the same version recorded
    another rules checksum, the version names two sets of rules, even if the latest run used
    the same file as this one. The comparison then names the latest such run. Otherwise it
    names the latest earlier run.
    """
    if not earlier or record.rules_checksum is None:
        return
    differing = [
        run for run in earlier
        if run.config_version == record.config_version
        and run.rules_checksum != record.rules_checksum
    ]
    compared = differing[-1] if differing else earlier[-1]
    record.rules_compared_with_run_id = compared.run_id
    record.rules_changed_without_new_version = warn_if_rules_changed(compared, record, rules_path)
