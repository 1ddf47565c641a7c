"""Run records: id, input and configuration checksums, configuration version, stage timings."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
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

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block and store the seconds under `name`."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] = round(time.perf_counter() - start, 2)


def write_run_record(con: duckdb.DuckDBPyConnection, record: RunRecord) -> None:
    """Replace the one-row `runs` table of this run's database with `record`."""
    con.execute(
        """
        create or replace table runs (
            run_id varchar, started_at timestamptz, finished_at timestamptz,
            config_version varchar, region_code varchar,
            input_checksums json, stage_seconds json,
            rules_checksum varchar, run_config_checksum varchar
        )
        """
    )
    con.execute(
        "insert into runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ],
    )


@dataclass(frozen=True)
class RecordedRules:
    """The rules configuration that an earlier run recorded."""

    run_id: str
    config_version: str
    rules_checksum: str


def recorded_rules(db_path: Path) -> RecordedRules | None:
    """Return the rules version and checksum of the latest run in the audit.duckdb at `db_path`.

    Return None when the file is missing or cannot be read, or when its run was recorded
    without a rules checksum.
    """
    if not db_path.exists():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            columns = {
                name for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_name = 'runs'"
                ).fetchall()
            }
            if not {"config_version", "rules_checksum"} <= columns:
                return None
            row = con.execute(
                "select run_id, config_version, rules_checksum from runs "
                "where rules_checksum is not null order by started_at desc limit 1"
            ).fetchone()
    except duckdb.Error as e:
        logger.info("%s cannot be read (%s), so the rules file is not compared with the "
                    "previous run", db_path, str(e).splitlines()[0])
        return None
    return RecordedRules(*row) if row else None


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
