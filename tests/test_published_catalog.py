"""Tables built straight into the run's future audit.duckdb and published without a copy."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest
from test_publish_handmade_marts import make_marts

from pipelines.flows.audit import connect, published_db_path
from pipelines.publish import publish as publish_module
from pipelines.publish import publish_marts
from pipelines.publish.columns import DESK_OPTIONAL_TABLES, DESK_TABLES, MART_TABLES
from pipelines.publish.publish import PROJECTED_TABLES
from pipelines.sqlrun import PUBLISHED_CATALOG, PUBLISHED_TABLES, run_sql


def _tables(con, catalog):
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ?", [catalog]
    ).fetchall()
    return {name for (name,) in rows}


def test_published_tables_are_kept_whole():
    published_whole = (set(MART_TABLES) | set(DESK_TABLES) | set(DESK_OPTIONAL_TABLES))
    assert PUBLISHED_TABLES <= published_whole - set(PROJECTED_TABLES)


def test_run_sql_builds_in_published_catalog(tmp_path):
    db_path = tmp_path / "audit-r1.duckdb"
    with connect(db_path) as con:
        # A table of the same name left by an earlier step gives way to the view.
        con.execute("create table fct_findings as select 'old' as finding_id")

        run_sql(con, "select 'F1' as finding_id union all select 'F2'", "fct_findings")
        run_sql(con, "select 1 as n", "stg_other")

        assert _tables(con, PUBLISHED_CATALOG) == {"fct_findings"}
        assert "stg_other" in _tables(con, db_path.stem)
        assert "fct_findings" not in _tables(con, db_path.stem)
        assert con.execute("select count(*) from fct_findings").fetchall() == [(2,)]

    # A later connection of the flow reads the same table through the view.
    with connect(db_path) as con:
        assert con.execute("select min(finding_id) from fct_findings").fetchall() == [("F1",)]
    assert published_db_path(db_path).exists()


def test_run_sql_without_published_catalog():
    con = duckdb.connect()

    run_sql(con, "select 'F1' as finding_id", "fct_findings")

    assert _tables(con, "memory") == {"fct_findings"}


def test_publish_moves_published_catalog(tmp_path):
    db_path = tmp_path / "work" / "audit-r1.duckdb"
    db_path.parent.mkdir()
    marts_dir = tmp_path / "marts"
    with connect(db_path) as con:
        make_marts(con, "r1")
        # As in a flow run: the findings were built in the published catalog.
        run_sql(con, "select * from fct_findings", "__copy_of_findings")
        con.execute("drop table fct_findings")
        run_sql(con, "select * from __copy_of_findings", "fct_findings")
        findings = con.execute("select count(*) from fct_findings").fetchall()[0][0]

        summary = publish_marts(con, marts_dir, "id", "r1")

        assert not published_db_path(db_path).exists()
        assert PUBLISHED_CATALOG not in {
            name for (name,) in con.execute("select database_name from duckdb_databases()")
            .fetchall()
        }

    assert summary.table_rows["fct_findings"] == findings
    with duckdb.connect(str(marts_dir / "audit.duckdb"), read_only=True) as db:
        tables = _tables(db, "audit")
        indexes = {name for (name,) in db.execute(
            "select index_name from duckdb_indexes()").fetchall()}
        assert {"fct_findings", "stg_register", "int_person_links", "runs"} <= tables
        assert "__copy_of_findings" not in tables
        assert db.execute("select count(*) from fct_findings").fetchall() == [(findings,)]
        assert "idx_fct_findings_person_id" in indexes
        assert db.execute("select run_id from runs").fetchall() == [("r1",)]


def _flow_marts(db_path, run_id):
    """Build the hand-made marts as a flow run does, with the findings in the published
    catalog; return their count."""
    with connect(db_path) as con:
        make_marts(con, run_id)
        run_sql(con, "select * from fct_findings", "__copy_of_findings")
        con.execute("drop table fct_findings")
        run_sql(con, "select * from __copy_of_findings", "fct_findings")
        return con.execute("select count(*) from fct_findings").fetchall()[0][0]


def _publish_and_read(db_path, marts_dir):
    """Publish run r1 on a new connection and read back what it published.

    Return the findings that the publish counted and that audit.duckdb contains, the run ids of
    its runs table, and whether the prebuilt database is still in the work folder."""
    with connect(db_path) as con:
        summary = publish_marts(con, marts_dir, "id", "r1")
    with duckdb.connect(str(marts_dir / "audit.duckdb"), read_only=True) as db:
        stored = db.execute("select count(*) from fct_findings").fetchall()[0][0]
        runs = db.execute("select run_id from runs").fetchall()
    return summary.table_rows["fct_findings"], stored, runs, published_db_path(db_path).exists()


def _fail_once(monkeypatch, name):
    original = getattr(publish_module, name)
    calls = []

    def fail_first_call(*args, **kwargs):
        calls.append(name)
        if len(calls) == 1:
            raise OSError(f"{name} failed")
        return original(*args, **kwargs)

    monkeypatch.setattr(publish_module, name, fail_first_call)


@pytest.mark.parametrize("failing_step", ["write_report", "write_manifest"])
def test_publish_retry_after_failure(tmp_path, monkeypatch, failing_step):
    # write_report fails before the prebuilt database moves into the new set, write_manifest
    # after it.
    db_path = tmp_path / "work" / "audit-r1.duckdb"
    db_path.parent.mkdir()
    marts_dir = tmp_path / "marts"
    findings = _flow_marts(db_path, "r1")
    _fail_once(monkeypatch, failing_step)

    with connect(db_path) as con, pytest.raises(OSError):
        publish_marts(con, marts_dir, "id", "r1")
    assert published_db_path(db_path).exists()
    assert not marts_dir.exists()

    # Prefect's retry of the publish task opens a new connection.
    counted, stored, runs, prebuilt_left = _publish_and_read(db_path, marts_dir)

    assert counted == findings
    assert stored == findings
    assert runs == [("r1",)]
    assert not prebuilt_left


SHARED_MEMORY = Path("/dev/shm")


@pytest.mark.skipif(not SHARED_MEMORY.is_dir(), reason="needs /dev/shm")
def test_publish_from_work_folder_on_other_file_system(tmp_path):
    if os.stat(SHARED_MEMORY).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("/dev/shm is on the file system of the test folder")
    work = Path(tempfile.mkdtemp(dir=SHARED_MEMORY))
    try:
        db_path = work / "audit-r1.duckdb"
        marts_dir = tmp_path / "marts"
        findings = _flow_marts(db_path, "r1")

        counted, stored, runs, prebuilt_left = _publish_and_read(db_path, marts_dir)

        assert counted == findings
        assert stored == findings
        assert runs == [("r1",)]
        assert not prebuilt_left
    finally:
        shutil.rmtree(work)
