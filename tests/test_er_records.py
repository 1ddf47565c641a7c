"""int_person_records from hand-made staging tables (columns per docs/tables.md)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.er.records import RECORD_COLUMNS, build_person_records, present_staging_kinds
from pipelines.errors import PipelineError

COMMON = """record_id varchar, source_kind varchar, source_file varchar, source_sheet varchar,
    source_row integer, nik_raw varchar, nik varchar, nik_status varchar, no_kk_raw varchar,
    no_kk varchar, no_kk_status varchar, name_raw varchar, name varchar, name_titles varchar,
    name_patronym varchar, has_deceased_marker boolean, birth_date_raw varchar, birth_date date,
    is_birth_date_default boolean, is_birth_date_ambiguous boolean, sex varchar,
    kecamatan_code varchar, desa_code varchar, wilayah_status varchar, address varchar,
    rt varchar, rw varchar, dusun varchar"""


def _staging(con: duckdb.DuckDBPyConnection, kind: str, extra: str, rows: list[tuple]) -> None:
    con.execute(f"create table stg_{kind} ({COMMON}{', ' + extra if extra else ''})")
    for record_id, nik, name in rows:
        con.execute(
            f"""insert into stg_{kind} (record_id, source_kind, nik, nik_status, name, name_raw,
                birth_date, is_birth_date_default, sex, desa_code, kecamatan_code, rt, rw)
            values (?, ?, ?, 'valid', ?, ?, date '1985-05-07', false, 'P', '3325012001', '332501', '003', '005')""",
            [record_id, kind, nik, name, name.title()],
        )


@pytest.fixture
def con():
    connection = duckdb.connect()
    _staging(
        connection,
        "register",
        "family_id varchar, desil integer",
        [("register:1::2", "3325014705850001", "SITI AMINAH")],
    )
    _staging(
        connection,
        "pkh",
        "kpm_id varchar, period varchar",
        [("pkh:1:Kec. A:5", "3325014705850001", "SITI AMINAH")],
    )
    _staging(
        connection,
        "pbi",
        "noka varchar",
        [("pbi:1:PBI:2", None, "KASMURI"), ("pbi:1:PBI:3", "3325010107500001", "SARDI")],
    )
    connection.execute("create table stg_unrelated (x integer)")
    return connection


def test_present_kinds_in_fixed_order(con):
    assert present_staging_kinds(con) == ["register", "pkh", "pbi"]


def test_union_of_present_tables(con):
    assert build_person_records(con) == 4
    columns = [
        row[0]
        for row in con.execute("select column_name from (describe int_person_records)").fetchall()
    ]
    assert columns == list(RECORD_COLUMNS)
    kinds = con.execute(
        "select source_kind, count(*) from int_person_records group by all order by 1"
    ).fetchall()
    assert kinds == [("pbi", 2), ("pkh", 1), ("register", 1)]


def test_values_are_copied(con):
    build_person_records(con)
    row = con.execute(
        "select * from int_person_records where record_id = 'pkh:1:Kec. A:5'"
    ).fetchall()[0]
    assert row[2:6] == ("3325014705850001", "valid", None, "SITI AMINAH")
    assert str(row[7]) == "1985-05-07"


def test_chosen_kinds_only(con):
    assert build_person_records(con, ["pbi"]) == 2


def test_missing_common_column_becomes_null():
    connection = duckdb.connect()
    connection.execute(
        "create table stg_deaths (record_id varchar, nik varchar, name varchar, death_date date)"
    )
    connection.execute(
        "insert into stg_deaths values ('deaths:1:Kematian:2', '3325014705850001', 'SITI', date '2026-01-02')"
    )
    assert build_person_records(connection) == 1
    row = connection.execute(
        "select source_kind, nik, sex, birth_date from int_person_records"
    ).fetchall()[0]
    assert row == ("deaths", "3325014705850001", None, None)


def test_no_staging_table_gives_empty_table():
    connection = duckdb.connect()
    assert build_person_records(connection) == 0
    assert connection.execute("select count(*) from int_person_records").fetchall() == [(0,)]


def test_unknown_kind_rejected(con):
    with pytest.raises(PipelineError, match="unknown person source kinds"):
        build_person_records(con, ["register", "weather"])


def test_table_without_record_id_rejected():
    connection = duckdb.connect()
    connection.execute("create table stg_asn (nik varchar)")
    with pytest.raises(PipelineError, match="lacks column"):
        build_person_records(connection)
