"""Dropping the rules' base tables after their last reader."""

from __future__ import annotations

import pytest
from test_rules_builders import make_kk, make_nik, make_world, new_connection, rules_config

from pipelines.rules import apply_rules, build_marts
from pipelines.rules.apply import BASE_MODELS, drop_plan
from pipelines.rules.lifetimes import last_readers, macro_reads, tables_read

TABLES = ("records", "pairs", "best", "parts")
MACROS = {"link_probability": {"pairs", "best"}}


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


def temp_tables(con) -> set[str]:
    rows = con.execute("select table_name from duckdb_tables() where temporary").fetchall()
    return {name for (name,) in rows}


def test_macro_reads_tables_of_its_file():
    sql = (
        "create or replace temp macro __rules_link_probability(a, b) as "
        "(select 1 from __rules_pairs join __rules_best using (id) join __rules_other using (id))"
    )

    assert macro_reads(sql, TABLES) == {"link_probability": {"pairs", "best"}}


def test_tables_read_direct_and_macro():
    sql = "select __rules_link_probability(a, b) from __rules_records"

    assert tables_read(sql, TABLES, MACROS) == {"records", "pairs", "best"}


def test_tables_read_ignores_unknown_names():
    sql = "select * from __rules_in_pkh join __rules_params on true join __rules_out_x using (id)"

    assert tables_read(sql, TABLES, MACROS) == set()


def test_last_readers_drops_after_last_step():
    steps = [
        ("model parts", "select * from __rules_records"),
        ("rule A", "select * from __rules_parts join __rules_records using (id)"),
        ("rule B", "select * from __rules_parts"),
        ("rule C", "select __rules_link_probability(a, b) from __rules_records"),
    ]

    plan = last_readers(steps, TABLES, MACROS, never_dropped={"records"})

    assert plan == {"rule B": ["parts"], "rule C": ["best", "pairs"]}


def test_last_readers_keeps_unread_table():
    plan = last_readers([("rule A", "select 1")], TABLES, MACROS, never_dropped=set())

    assert plan == {}


def test_drop_plan_keeps_mart_inputs():
    dropped = {table for tables in drop_plan().values() for table in tables}

    # The marts read these on the rules' connection, so they must outlive every rule.
    for table in ("records", "recipients", "person_register", "family_eligibility"):
        assert table not in dropped
    assert "nik_parts" in dropped
    assert dropped <= set(BASE_MODELS)


def test_apply_rules_drops_dead_tables(con):
    make_world(
        con,
        register=[{"nik": make_nik(1), "no_kk": make_kk(1), "desil": 8}],
        pkh=[{"nik": make_nik(1), "no_kk": make_kk(1)}],
    )

    apply_rules(con, rules_config(), "run-1")
    tables = temp_tables(con)

    assert "__rules_nik_parts" not in tables
    assert "__rules_findings_phase1" not in tables
    assert not any(name.startswith("__rules_out_") for name in tables - {"__rules_out_empty"})
    assert "__rules_records" in tables
    assert "__rules_recipients" in tables


def test_marts_after_drops_match_rebuild(con):
    world = {
        "register": [
            {"nik": make_nik(1), "no_kk": make_kk(1), "desil": 8},
            # The same desil as the head, so the family desil is 8 either way.
            {
                "nik": make_nik(2, "2014-02-02"),
                "no_kk": make_kk(1),
                "relationship": "ANAK",
                "desil": 8,
            },
        ],
        "pkh": [{"nik": make_nik(1), "no_kk": make_kk(1)}],
        "complaints": [{"nik": make_nik(1), "complaint_type": "sanggahan"}],
    }
    make_world(con, **world)
    apply_rules(con, rules_config(), "run-1")
    reused = build_marts(con, rules_config(), "run-1", None)
    reused_rows = con.execute("select * from complaint_results").fetchall()

    # A second connection rebuilds every base table, so nothing is missing there.
    other = new_connection()
    make_world(other, **world)
    apply_rules(other, rules_config(), "run-1")
    other.execute("drop table if exists __rules_params")
    rebuilt = build_marts(other, rules_config(), "run-1", None)
    rebuilt_rows = other.execute("select * from complaint_results").fetchall()
    other.close()

    assert reused == rebuilt
    assert reused_rows == rebuilt_rows
