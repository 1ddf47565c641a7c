"""Run records: id, input checksums, configuration version and stage timings."""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb


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
            input_checksums json, stage_seconds json
        )
        """
    )
    con.execute(
        "insert into runs values (?, ?, ?, ?, ?, ?, ?)",
        [
            record.run_id,
            record.started_at,
            record.finished_at,
            record.config_version,
            record.region_code,
            json.dumps(record.input_checksums, sort_keys=True),
            json.dumps(record.stage_seconds),
        ],
    )
