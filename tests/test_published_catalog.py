"""Tables built straight into the run's future audit.duckdb and published without a copy."""

from __future__ import annotations

import duckdb
from test_publish_handmade_marts import make_marts

from pipelines.flows.audit import connect, published_db_path
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
