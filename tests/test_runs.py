"""Run records keep the checksums of the configuration and warn about an unversioned change."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import duckdb
import pytest

from pipelines.i18n import set_language
from pipelines.runs import (
    RecordedRules,
    RunRecord,
    recorded_rules,
    warn_if_rules_changed,
    write_run_record,
)

STARTED = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)


def _record(run_id: str, version: str, rules_checksum: str | None) -> RunRecord:
    return RunRecord(run_id=run_id, config_version=version, region_code="3325", started_at=STARTED,
                     rules_checksum=rules_checksum, run_config_checksum="c0ffee")


def _audit_db(path, record: RunRecord):
    with duckdb.connect(str(path)) as con:
        write_run_record(con, record)
    return path


def test_run_record_stores_config_checksums(tmp_path):
    path = _audit_db(tmp_path / "audit.duckdb", _record("r1", "2026.12-1", "ab12"))

    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("select rules_checksum, run_config_checksum from runs").fetchall()
    assert row == [("ab12", "c0ffee")]


def test_recorded_rules_read_back(tmp_path):
    path = _audit_db(tmp_path / "audit.duckdb", _record("r1", "2026.12-1", "ab12"))

    assert recorded_rules(path) == RecordedRules("r1", "2026.12-1", "ab12")


def test_recorded_rules_missing_or_older(tmp_path):
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as con:
        con.execute("create table runs as select 'r0' as run_id, '2026.12-1' as config_version")
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database")

    assert recorded_rules(tmp_path / "absent.duckdb") is None
    assert recorded_rules(older) is None
    assert recorded_rules(damaged) is None


@pytest.mark.parametrize(
    ("previous_version", "previous_checksum", "warned"),
    [("2026.12-1", "old", True), ("2026.11-2", "old", False), ("2026.12-1", "new", False)],
)
def test_rules_change_warning(tmp_path, caplog, previous_version, previous_checksum, warned):
    previous = RecordedRules("r1", previous_version, previous_checksum)

    with caplog.at_level(logging.WARNING, logger="pipelines.runs"):
        result = warn_if_rules_changed(previous, _record("r2", "2026.12-1", "new"),
                                       tmp_path / "rules.toml")

    assert result is warned
    messages = [record.getMessage() for record in caplog.records]
    if warned:
        assert messages == [
            "rules.toml changed since run r1, but its version is still 2026.12-1. Raise "
            "`version` in that file whenever thresholds, amounts or the period change, so that "
            "each run records which rules it used and findings_diff can be read against them."
        ]
    else:
        assert messages == []


def test_rules_change_warning_without_previous(tmp_path):
    assert not warn_if_rules_changed(None, _record("r2", "2026.12-1", "new"),
                                     tmp_path / "rules.toml")


def test_rules_change_warning_indonesian(tmp_path, capsys, console_log):
    set_language("id")

    warn_if_rules_changed(RecordedRules("r1", "2026.12-1", "old"),
                          _record("r2", "2026.12-1", "new"), tmp_path / "rules.toml")

    err = " ".join(capsys.readouterr().err.split())
    assert ("Peringatan: rules.toml berubah sejak run r1, tetapi versinya masih 2026.12-1. "
            "Naikkan `version` di berkas itu") in err
