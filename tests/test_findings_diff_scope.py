"""findings_diff counts a previous finding as resolved only when this run checked it again."""

from __future__ import annotations

import pytest
from test_rules_builders import (
    CHILD,
    HEAD,
    KK,
    con,  # noqa: F401 (fixture)
    family,
    make_kk,
    make_nik,
    make_world,
    rules_config,
)

from pipelines.rules import apply_rules, build_marts

RICH = make_nik(3, "1975-09-09")
OTHER_RICH = make_nik(5, "1969-02-11")


def build(con, previous=None):
    config = rules_config()
    apply_rules(con, config, "run-1")
    return build_marts(con, config, "run-1", previous)


def save_previous(con, tmp_path, files=None):
    """Write this run's findings, and `files` as its file_reconciliation, next to each other
    as the marts folder of a previous run; return the findings file."""
    previous = tmp_path / "fct_findings.parquet"
    con.execute(f"copy (select * from fct_findings) to '{previous}' (format parquet)")
    con.execute(f"copy (select * from rule_status) to '{tmp_path / 'rule_status.parquet'}'")
    if files is not None:
        write_files(con, files)
        con.execute(
            "copy (select * from file_reconciliation) "
            f"to '{tmp_path / 'file_reconciliation.parquet'}'"
        )
    return previous


def write_files(con, files):
    """Replace file_reconciliation with one loaded sheet per (source_kind, source_file)."""
    con.execute(
        "create or replace table file_reconciliation (run_id varchar, source_kind varchar, "
        "source_file varchar, source_sheet varchar, rows_read bigint, rows_loaded bigint, "
        "rows_quarantined bigint, lines_joined bigint)"
    )
    for kind, name in files:
        con.execute(
            "insert into file_reconciliation values ('run-1', ?, ?, '', 1, 1, 0, 0)", [kind, name]
        )


def gone(con):
    """Return (diff_status, not_rechecked_reason, rule_code, programme) of the previous
    findings that this run does not have."""
    return con.execute(
        "select diff_status, not_rechecked_reason, rule_code, programme from findings_diff "
        "where diff_status not in ('new', 'persisting') order by all"
    ).fetchall()


def rich_world(con, pkh=True, complaints=(), register=(), bpnt=(), **tables):
    """Two desil-8 and desil-9 families: RICH receives PKH and BPNT, OTHER_RICH BPNT from a
    second file. `register`, `bpnt` and `tables` add rows and tables."""
    make_world(
        con,
        register=[
            {"nik": HEAD, "no_kk": KK, "desil": 2},
            {"nik": RICH, "no_kk": make_kk(3), "desil": 8},
            {"nik": OTHER_RICH, "no_kk": make_kk(5), "desil": 9},
            *register,
        ],
        pkh=[{"nik": RICH, "no_kk": make_kk(3)}] if pkh else [],
        bpnt=[
            {"nik": RICH, "no_kk": make_kk(3), "source_file": "bpnt_a.csv"},
            {"nik": OTHER_RICH, "no_kk": make_kk(5), "source_file": "bpnt_b.csv"},
            *bpnt,
        ],
        complaints=list(complaints),
        **tables,
    )


def test_roster_missing_is_not_rechecked(con, tmp_path):
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path)

    rich_world(con, pkh=False)
    build(con, previous=previous)

    # The PKH rules were not evaluated at all, and that reason comes first.
    assert gone(con) == [
        ("not_rechecked", "roster_not_in_run", "DESIL_OUT_OF_RANGE", "PKH"),
        ("not_rechecked", "rule_not_evaluated", "PKH_COMPONENT_LIMITS", "PKH"),
        ("not_rechecked", "rule_not_evaluated", "PKH_NO_COMPONENT", "PKH"),
    ]


def test_rule_not_evaluated_is_not_rechecked(con, tmp_path):
    rich_world(con, complaints=[
        {"nik": RICH, "complaint_type": "sanggahan", "complaint_status": "selesai"},
    ])
    build(con)
    previous = save_previous(con, tmp_path)

    con.execute("drop table stg_complaints")
    build(con, previous=previous)

    statuses = {row[2]: row[:2] for row in gone(con)}
    assert statuses == {"COMPLAINT_LINK": ("not_rechecked", "rule_not_evaluated")}


def test_resolved_when_checked_again(con, tmp_path):
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path)

    con.execute("update stg_register set desil = 3 where nik = ?", [RICH])
    build(con, previous=previous)

    assert gone(con) == [
        ("resolved", None, "DESIL_OUT_OF_RANGE", "BPNT"),
        ("resolved", None, "DESIL_OUT_OF_RANGE", "PKH"),
    ]


FILES = [("register", "register.csv"), ("pkh", "pkh.csv"),
         ("bpnt", "bpnt_a.csv"), ("bpnt", "bpnt_b.csv")]


def test_unread_source_file_is_not_rechecked(con, tmp_path):
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path, FILES)

    con.execute("delete from stg_bpnt where source_file = 'bpnt_b.csv'")
    write_files(con, FILES[:3])
    build(con, previous=previous)

    assert gone(con) == [
        ("not_rechecked", "source_file_not_in_run", "DESIL_OUT_OF_RANGE", "BPNT"),
    ]


def test_replaced_source_file_is_resolved(con, tmp_path):
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path, FILES)

    # bpnt_c.csv, a file the previous run did not read, replaces bpnt_b.csv.
    con.execute("update stg_bpnt set source_file = 'bpnt_c.csv' where source_file = 'bpnt_b.csv'")
    con.execute("update stg_register set desil = 3 where nik = ?", [OTHER_RICH])
    write_files(con, [*FILES[:3], ("bpnt", "bpnt_c.csv")])
    build(con, previous=previous)

    assert gone(con) == [("resolved", None, "DESIL_OUT_OF_RANGE", "BPNT")]


def test_unread_file_without_previous_list(con, tmp_path):
    # Without the previous run's file list, bpnt_c.csv cannot be distinguished from a new file.
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path)

    con.execute("update stg_bpnt set source_file = 'bpnt_c.csv' where source_file = 'bpnt_b.csv'")
    con.execute("update stg_register set desil = 3 where nik = ?", [OTHER_RICH])
    write_files(con, [*FILES[:3], ("bpnt", "bpnt_c.csv")])
    build(con, previous=previous)

    assert gone(con) == [
        ("not_rechecked", "source_file_not_in_run", "DESIL_OUT_OF_RANGE", "BPNT"),
    ]


def affluent_world(con):
    """A PKH family with a four-wheel vehicle and a small PLN connection."""
    make_world(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        pln=[{"nik": CHILD, "power_va": 900, "tariff": "R1"}],
        vehicles=[{"nik": HEAD, "wheels": 4}],
    )


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        # Without the vehicle extract the rule still runs on PLN, with a limitation.
        ("drop table stg_vehicles", "not_rechecked", "rule_lost_input"),
        ("update stg_vehicles set wheels = 2", "resolved", None),
    ],
)
def test_rule_inputs_decide_resolution(con, tmp_path, change, status, reason):
    affluent_world(con)
    build(con)
    previous = save_previous(con, tmp_path)

    con.execute(change)
    build(con, previous=previous)

    assert gone(con) == [(status, reason, "PROXY_AFFLUENCE", "PKH")]


def test_same_inputs_change_nothing(con, tmp_path):
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path, FILES)

    build(con, previous=previous)

    statuses = con.execute("select distinct diff_status from findings_diff").fetchall()
    assert statuses == [("persisting",)]


def first_seen(con):
    """Return (diff_status, first_checked_reason, rule_code, programme) of the findings of this
    run that the previous run does not have."""
    return con.execute(
        "select diff_status, first_checked_reason, rule_code, programme from findings_diff "
        "where diff_status in ('new', 'first_checked') order by all"
    ).fetchall()


def test_first_run_has_only_new(con):
    rich_world(con)
    build(con)

    statuses = con.execute(
        "select distinct diff_status, first_checked_reason from findings_diff"
    ).fetchall()
    assert statuses == [("new", None)]


def test_roster_missing_before_is_first_checked(con, tmp_path):
    rich_world(con, pkh=False)
    build(con)
    previous = save_previous(con, tmp_path)

    rich_world(con)
    build(con, previous=previous)

    # The previous run did not evaluate the PKH rules at all, and that reason comes first.
    assert first_seen(con) == [
        ("first_checked", "roster_not_in_previous_run", "DESIL_OUT_OF_RANGE", "PKH"),
        ("first_checked", "rule_not_evaluated_before", "PKH_COMPONENT_LIMITS", "PKH"),
        ("first_checked", "rule_not_evaluated_before", "PKH_NO_COMPONENT", "PKH"),
    ]
    persisting = con.execute(
        "select rule_code, programme from findings_diff where diff_status = 'persisting' "
        "order by all"
    ).fetchall()
    assert persisting == [
        ("DESIL_OUT_OF_RANGE", "BPNT"),
        ("DESIL_OUT_OF_RANGE", "BPNT"),
        ("EXCLUSION_ERROR_CANDIDATE", "ALL"),
    ]


def test_roster_missing_before_from_file_list(con, tmp_path):
    # The previous run's file list shows it read no PKH rows, so its rule_status is not needed.
    rich_world(con, pkh=False)
    build(con)
    previous = save_previous(con, tmp_path, [f for f in FILES if f[0] != "pkh"])
    (tmp_path / "rule_status.parquet").unlink()

    rich_world(con)
    write_files(con, FILES)
    build(con, previous=previous)

    assert first_seen(con) == [
        ("first_checked", "roster_not_in_previous_run", "DESIL_OUT_OF_RANGE", "PKH"),
        ("first_checked", "roster_not_in_previous_run", "PKH_COMPONENT_LIMITS", "PKH"),
        ("first_checked", "roster_not_in_previous_run", "PKH_NO_COMPONENT", "PKH"),
    ]


def test_source_kind_missing_before_is_first_checked(con, tmp_path):
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path, FILES)

    # A village officials list, which the previous run did not read, with a malformed NIK.
    rich_world(con, village_officials=[{"nik": "33250112"}])
    write_files(con, [*FILES, ("village_officials", "village_officials.csv")])
    build(con, previous=previous)

    first_checked = con.execute(
        "select distinct first_checked_reason, source_file from findings_diff "
        "where diff_status = 'first_checked'"
    ).fetchall()
    assert first_checked == [("source_kind_not_in_previous_run", "village_officials.csv")]
    statuses = con.execute(
        "select distinct diff_status from findings_diff where source_file <> "
        "'village_officials.csv'"
    ).fetchall()
    assert statuses == [("persisting",)]


def test_new_export_of_read_kind_is_new(con, tmp_path):
    rich_world(con)
    build(con)
    previous = save_previous(con, tmp_path, FILES)

    # bpnt_c.csv is a new file, but the previous run read BPNT rows from other files.
    third_rich = make_nik(7, "1971-03-03")
    rich_world(
        con,
        register=[{"nik": third_rich, "no_kk": make_kk(7), "desil": 9}],
        bpnt=[{"nik": third_rich, "no_kk": make_kk(7), "source_file": "bpnt_c.csv"}],
    )
    write_files(con, [*FILES, ("bpnt", "bpnt_c.csv")])
    build(con, previous=previous)

    assert first_seen(con) == [("new", None, "DESIL_OUT_OF_RANGE", "BPNT")]


@pytest.mark.parametrize(
    ("previous_change", "status", "reason"),
    [
        # Without the vehicle extract the rule ran on PLN alone, with a limitation.
        ("drop table stg_vehicles", "first_checked", "rule_lacked_input_before"),
        ("update stg_vehicles set wheels = 2", "new", None),
    ],
)
def test_previous_rule_inputs_decide_first_check(con, tmp_path, previous_change, status, reason):
    affluent_world(con)
    con.execute(previous_change)
    build(con)
    previous = save_previous(con, tmp_path)

    affluent_world(con)
    build(con, previous=previous)

    assert first_seen(con) == [(status, reason, "PROXY_AFFLUENCE", "PKH")]


def test_new_finding_of_rule_that_lost_input(con, tmp_path):
    affluent_world(con)
    con.execute("update stg_vehicles set wheels = 2")
    build(con)
    previous = save_previous(con, tmp_path)

    # The rule now runs without the vehicle extract that the previous run had, so its new
    # finding may come from that gap.
    affluent_world(con)
    con.execute("drop table stg_vehicles")
    con.execute("update stg_pln set power_va = 2200")
    build(con, previous=previous)

    rows = con.execute(
        "select diff_status, first_checked_reason, rule_code from findings_diff "
        "where diff_status not in ('persisting')"
    ).fetchall()
    assert rows == [("new_with_limitation", None, "PROXY_AFFLUENCE")]


def test_new_finding_without_previous_rule_status(con, tmp_path):
    affluent_world(con)
    con.execute("update stg_vehicles set wheels = 2")
    build(con)
    previous = save_previous(con, tmp_path)
    (tmp_path / "rule_status.parquet").unlink()

    affluent_world(con)
    con.execute("drop table stg_vehicles")
    con.execute("update stg_pln set power_va = 2200")
    build(con, previous=previous)

    statuses = con.execute("select distinct diff_status from findings_diff").fetchall()
    assert statuses == [("new",)]


def test_gone_once_rule_has_input_again(con, tmp_path):
    affluent_world(con)
    con.execute("drop table stg_vehicles")
    con.execute("update stg_pln set power_va = 2200")
    build(con)
    previous = save_previous(con, tmp_path)

    # The vehicle extract is back and the PLN finding is gone.
    affluent_world(con)
    con.execute("update stg_vehicles set wheels = 2")
    build(con, previous=previous)

    rows = con.execute(
        "select diff_status, not_rechecked_reason, rule_code from findings_diff"
    ).fetchall()
    assert rows == [("resolved_with_input", None, "PROXY_AFFLUENCE")]

