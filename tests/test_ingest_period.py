"""A roster whose TAHAP carries no year takes its period from the run configuration."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import build_staging, ingest_source
from pipelines.runconfig import SourceSpec

ROSTER = "NIK;NAMA;NO KK;TAHAP\n3325015207850001;SITI AMINAH;3325010101100001;4\n"


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def staged_period(con, raw_dir: Path, **extra) -> str | None:
    ingest_source(con, SourceSpec(kind="bpnt", path="bpnt_kpm.csv", raw_dir=raw_dir, **extra),
                  "run-1", 1)
    build_staging(con, ["bpnt"])
    return con.execute("select period from stg_bpnt").fetchall()[0][0]


def test_configured_period_fills_year(con, tmp_path):
    (tmp_path / "bpnt_kpm.csv").write_text(ROSTER, encoding="utf-8")
    assert staged_period(con, tmp_path, period="2026-T4") == "2026-T4"


def test_period_without_year_stays_incomplete(con, tmp_path):
    (tmp_path / "bpnt_kpm.csv").write_text(ROSTER, encoding="utf-8")
    assert staged_period(con, tmp_path) == "T4"
