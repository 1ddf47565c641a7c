"""Run records keep the checksums of the configuration, keep every earlier run, and record an
unversioned change of the rules."""

from __future__ import annotations

import logging
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from pipelines.i18n import set_language
from pipelines.runs import (
    RUNS_COLUMNS,
    RecordedRules,
    RunRecord,
    compare_rules,
    file_checksum,
    recorded_rules,
    warn_if_rules_changed,
    write_run_record,
)

STARTED = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)


def _record(run_id: str, version: str, rules_checksum: str | None,
            started_at: datetime = STARTED) -> RunRecord:
    return RunRecord(run_id=run_id, config_version=version, region_code="3325",
                     started_at=started_at, rules_checksum=rules_checksum,
                     run_config_checksum="c0ffee")


def _audit_db(path, record: RunRecord, previous=None):
    with duckdb.connect(str(path)) as con:
        write_run_record(con, record, previous)
    return path


def _runs(path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select * from runs").fetchall()


def test_run_record_stores_config_checksums(tmp_path):
    path = _audit_db(tmp_path / "audit.duckdb", _record("r1", "2026.12-1", "ab12"))

    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("select rules_checksum, run_config_checksum from runs").fetchall()
    assert row == [("ab12", "c0ffee")]


def test_recorded_rules_read_back(tmp_path):
    path = _audit_db(tmp_path / "audit.duckdb", _record("r1", "2026.12-1", "ab12"))

    assert recorded_rules(path) == [RecordedRules("r1", "2026.12-1", "ab12")]


def test_recorded_rules_lists_every_run(tmp_path):
    first = _audit_db(tmp_path / "first.duckdb", _record("r1", "2026.12-1", "ab12"))
    second = _audit_db(tmp_path / "second.duckdb",
                       _record("r2", "2026.12-1", None, STARTED + timedelta(hours=1)), first)
    third = _audit_db(tmp_path / "third.duckdb",
                      _record("r3", "2026.12-1", "cd34", STARTED + timedelta(hours=2)), second)

    assert recorded_rules(third) == [
        RecordedRules("r1", "2026.12-1", "ab12"),
        RecordedRules("r3", "2026.12-1", "cd34"),
    ]


def test_recorded_rules_missing_or_older(tmp_path):
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as con:
        con.execute("create table runs as select 'r0' as run_id, '2026.12-1' as config_version")
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database")

    assert recorded_rules(tmp_path / "absent.duckdb") == []
    assert recorded_rules(older) == []
    assert recorded_rules(damaged) == []


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


def test_run_record_keeps_earlier_runs(tmp_path):
    first = _audit_db(tmp_path / "first.duckdb", _record("r1", "2026.12-1", "ab12"))
    second = _audit_db(tmp_path / "second.duckdb",
                       _record("r2", "2026.12-1", "ab12", STARTED + timedelta(hours=1)), first)
    third = _audit_db(tmp_path / "third.duckdb",
                      _record("r3", "2026.12-2", "cd34", STARTED + timedelta(hours=2)), second)

    rows = _runs(third)
    assert [row[0] for row in rows] == ["r1", "r2", "r3"]
    assert _runs(second) == rows[:2]
    assert [row[3] for row in rows] == ["2026.12-1", "2026.12-1", "2026.12-2"]
    assert [row[7] for row in rows] == ["ab12", "ab12", "cd34"]


def test_run_record_keeps_one_row_per_run(tmp_path):
    previous = tmp_path / "previous.duckdb"
    with duckdb.connect(str(previous)) as con:
        con.execute(
            "create table runs as select * from (values "
            "('r1', timestamp '2026-12-04 19:00:00', 'a'), "
            "('r1', timestamp '2026-12-04 19:30:00', 'b'), "
            "('r2', timestamp '2026-12-04 19:45:00', 'c'), "
            "(null, timestamp '2026-12-04 18:00:00', 'd')"
            ") as t(run_id, started_at, config_version)"
        )

    path = _audit_db(tmp_path / "audit.duckdb", _record("r2", "2026.12-1", "ab12"), previous)

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select run_id, config_version from runs").fetchall()
    assert rows == [("r1", "b"), ("r2", "2026.12-1")]


def test_run_record_carries_older_schema(tmp_path):
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as con:
        # A runs table written before the configuration checksums were recorded, with a
        # column that this version no longer writes.
        con.execute(
            "create table runs as select 'r0' as run_id, "
            "timestamp '2026-11-01 08:00:00' as started_at, "
            "timestamp '2026-11-01 08:20:00' as finished_at, '2026.11-1' as config_version, "
            "'{\"dtsen_batang_202610.csv\": \"sha256:00\"}' as input_checksums, "
            "'{\"ingest\": 1.5}' as stage_seconds, 'retired' as operator"
        )

    path = _audit_db(tmp_path / "audit.duckdb", _record("r1", "2026.12-1", "ab12"), older)

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select run_id, config_version, input_checksums->>'dtsen_batang_202610.csv', "
            "rules_checksum, run_config_checksum, rules_changed_without_new_version from runs"
        ).fetchall()
        columns = [name for (name,) in con.execute(
            "select column_name from information_schema.columns where table_name = 'runs'"
        ).fetchall()]
    assert rows == [
        ("r0", "2026.11-1", "sha256:00", None, None, None),
        ("r1", "2026.12-1", None, "ab12", "c0ffee", None),
    ]
    assert columns == list(RUNS_COLUMNS)


@pytest.mark.parametrize("content", [b"not a database", None])
def test_run_record_without_readable_previous(tmp_path, caplog, content):
    previous = tmp_path / "previous.duckdb"
    if content is None:
        # A DuckDB file without a runs table.
        with duckdb.connect(str(previous)) as con:
            con.execute("create table fct_findings (finding_id varchar)")
    else:
        previous.write_bytes(content)

    with caplog.at_level(logging.WARNING, logger="pipelines.runs"):
        path = _audit_db(tmp_path / "audit.duckdb", _record("r1", "2026.12-1", "ab12"), previous)

    assert [row[0] for row in _runs(path)] == ["r1"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(previous) in warnings[0]
    assert "does not keep the earlier runs" in warnings[0]


def test_run_record_stores_rules_comparison(tmp_path, caplog):
    record = _record("r2", "2026.12-1", "new")

    with caplog.at_level(logging.WARNING, logger="pipelines.runs"):
        compare_rules([RecordedRules("r1", "2026.12-1", "old")], record, tmp_path / "rules.toml")
    path = _audit_db(tmp_path / "audit.duckdb", record)

    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute(
            "select rules_compared_with_run_id, rules_changed_without_new_version from runs"
        ).fetchall()
    assert row == [("r1", True)]
    assert "rules.toml changed since run r1" in caplog.text


@pytest.mark.parametrize(
    ("earlier", "compared", "changed"),
    [([RecordedRules("r1", "2026.12-1", "old")], "r1", True),
     ([RecordedRules("r1", "2026.11-2", "old")], "r1", False),
     ([RecordedRules("r1", "2026.12-1", "new")], "r1", False),
     ([], None, None)],
)
def test_compare_rules(tmp_path, earlier, compared, changed):
    record = _record("r2", "2026.12-1", "new")

    compare_rules(earlier, record, tmp_path / "rules.toml")

    assert record.rules_compared_with_run_id == compared
    assert record.rules_changed_without_new_version is changed


# Runs r1 to r4 of one version: r2 changed the rules file, r3 went back to r1's file, and the
# run after them uses r1's file again.
HISTORY = [
    RecordedRules("r1", "2026.12-1", "old"),
    RecordedRules("r2", "2026.12-1", "edited"),
    RecordedRules("r3", "2026.12-1", "old"),
    RecordedRules("r4", "2026.12-1", "old"),
]


@pytest.mark.parametrize(
    ("earlier", "compared", "changed"),
    [
        # The latest run has the same file, but r2 of the same version had another.
        (HISTORY, "r2", True),
        (HISTORY[:3], "r2", True),
        # Of several differing runs, the latest one is named.
        ([*HISTORY, RecordedRules("r5", "2026.12-1", "edited again")], "r5", True),
        # Runs of another version do not count.
        ([RecordedRules("r0", "2026.11-2", "older"), *HISTORY[2:]], "r4", False),
    ],
)
def test_compare_rules_reads_history(tmp_path, caplog, earlier, compared, changed):
    record = _record("r9", "2026.12-1", "old")

    with caplog.at_level(logging.WARNING, logger="pipelines.runs"):
        compare_rules(earlier, record, tmp_path / "rules.toml")

    assert record.rules_compared_with_run_id == compared
    assert record.rules_changed_without_new_version is changed
    warned = f"rules.toml changed since run {compared}, but its version is still 2026.12-1"
    assert (warned in caplog.text) is changed


def test_compare_rules_after_warned_run(tmp_path):
    # Three runs in a row, each reading the runs table that the one before wrote.
    first = _record("r1", "2026.12-1", "old")
    compare_rules(recorded_rules(tmp_path / "absent.duckdb"), first, tmp_path / "rules.toml")
    first_db = _audit_db(tmp_path / "first.duckdb", first)
    second = _record("r2", "2026.12-1", "edited", STARTED + timedelta(hours=1))
    compare_rules(recorded_rules(first_db), second, tmp_path / "rules.toml")
    second_db = _audit_db(tmp_path / "second.duckdb", second, first_db)
    third = _record("r3", "2026.12-1", "edited", STARTED + timedelta(hours=2))

    compare_rules(recorded_rules(second_db), third, tmp_path / "rules.toml")

    assert (second.rules_compared_with_run_id, second.rules_changed_without_new_version) == (
        "r1", True)
    assert third.rules_compared_with_run_id == "r1"
    assert third.rules_changed_without_new_version is True


# SHA-256 of config/rules.toml for each version it shipped as. Runs compare the file's checksum
# under one version, so an edit of the shipped file, comments included, needs a new version.
SHIPPED_RULES = {"2026.12-1": "94bfd296c246f5bda2d26b0375ceee329f97dd175436fb0f6fb56eeb3a153b2d"}


def test_shipped_rules_file_matches_its_version():
    path = Path(__file__).resolve().parents[1] / "config" / "rules.toml"
    version = tomllib.loads(path.read_text(encoding="utf-8"))["version"]

    assert version in SHIPPED_RULES, f"add version {version} and its SHA-256 to SHIPPED_RULES"
    assert file_checksum(path) == SHIPPED_RULES[version], (
        f"{path.name} changed under version {version}: raise `version` in it"
    )
