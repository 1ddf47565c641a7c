"""Scoring findings and linkage against a tiny hand-made ground truth."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest
from test_rules_builders import make_kk, make_nik, make_world, rules_config

from pipelines.errors import SourceFileError
from pipelines.evaluate import LINKAGE, LeftOut, evaluate, format_table
from pipelines.ingest.load import RECONCILIATION_DDL
from pipelines.rules import apply_rules
from pipelines.runs import RUNS_COLUMNS, file_checksum
from pipelines.truth_manifest import (
    MANIFEST_NAME,
    CheckStatus,
    check_run_inputs,
    write_manifest,
)

KK = make_kk(1)
HEAD = make_nik(1, "1980-04-10")
RICH = make_nik(3, "1975-09-09")
STRANGER = make_nik(7, "1990-02-02")


def write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def record_files(con):
    """Fill file_reconciliation with the files of every staging table, as ingest does."""
    con.execute(RECONCILIATION_DDL)
    tables = con.execute(
        "select table_name from duckdb_tables() where starts_with(table_name, 'stg_')"
    ).fetchall()
    for (table,) in tables:
        con.execute(
            "insert into file_reconciliation select 'run-1', source_kind, source_file, "
            f"source_sheet, count(*), count(*), 0, 0 from {table} group by all"
        )


def make_run(tmp_path, with_pbi=False):
    """An audit.duckdb where RICH (desil 8) gets PKH twice and STRANGER is not in the register.

    The run reads register.csv and pkh.csv, and pbi.csv with HEAD on it when `with_pbi`.
    """
    database = tmp_path / "audit.duckdb"
    con = duckdb.connect(str(database))
    sources = {
        "register": [
            {"nik": HEAD, "no_kk": KK, "desil": 2},
            {"nik": RICH, "no_kk": make_kk(3), "desil": 8},
        ],
        "pkh": [
            {"nik": RICH, "no_kk": make_kk(3), "components": "LANSIA"},
            {"nik": STRANGER, "components": "LANSIA"},
        ],
    }
    if with_pbi:
        sources["pbi"] = [{"nik": HEAD, "no_kk": KK}]
    make_world(con, **sources)
    record_files(con)
    apply_rules(con, rules_config(), "run-1")
    con.close()
    return database


def make_truth(tmp_path, findings, decoys=()):
    truth = tmp_path / "truth"
    truth.mkdir()
    write_csv(
        truth / "records.csv",
        ["source_file", "source_sheet", "source_row", "person_uid"],
        [
            ["register.csv", "", "2", "u-head"],
            ["register.csv", "", "3", "u-rich"],
            ["pkh.csv", "", "2", "u-rich"],
            ["pkh.csv", "", "3", "u-stranger"],
            ["pbi.csv", "", "2", "u-head"],
        ],
    )
    write_csv(
        truth / "findings.csv",
        [
            "rule_code",
            "programme",
            "person_uid",
            "family_uid",
            "source_file",
            "source_sheet",
            "source_row",
            "note",
        ],
        findings,
    )
    write_csv(
        truth / "decoys.csv",
        [
            "decoy_kind",
            "rule_code",
            "programme",
            "person_uid",
            "source_file",
            "source_sheet",
            "source_row",
            "note",
        ],
        decoys,
    )
    write_csv(
        truth / "rules_covered.csv",
        ["rule_code", "planted_count"],
        [["DESIL_OUT_OF_RANGE", "1"], ["NOT_IN_REGISTER", "2"], ["DECEASED_RECIPIENT", "1"]],
    )
    return truth


def by_code(rows):
    return {row.rule_code: row for row in rows}


def test_evaluate_scores_precision_and_recall(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(
        tmp_path,
        [
            ["DESIL_OUT_OF_RANGE", "PKH", "u-rich", "f1", "pkh.csv", "", "2", ""],
            ["NOT_IN_REGISTER", "PKH", "u-stranger", "f2", "pkh.csv", "", "3", ""],
            ["NOT_IN_REGISTER", "PKH", "u-head", "f3", "pkh.csv", "", "4", "missed"],
        ],
    )

    rows = by_code(evaluate(database, truth))

    assert (rows["DESIL_OUT_OF_RANGE"].precision, rows["DESIL_OUT_OF_RANGE"].recall) == (1.0, 1.0)
    assert rows["NOT_IN_REGISTER"].precision == 1.0
    assert rows["NOT_IN_REGISTER"].recall == 0.5
    assert rows["NOT_IN_REGISTER"].false_negatives == 1
    assert rows["DECEASED_RECIPIENT"].is_evaluated is False
    assert rows["DECEASED_RECIPIENT"].recall is None
    # rule_status keeps the reason in the run's language, Indonesian by default.
    assert rows["DECEASED_RECIPIENT"].note == "not evaluated: tidak ada data kematian di run ini"


# The death register is not in make_run's run, so DECEASED_RECIPIENT is not evaluated although
# the truth has a finding of it.
DECEASED_RICH = ["DECEASED_RECIPIENT", "PKH", "u-rich", "f4", "pkh.csv", "", "2", ""]


def test_evaluate_no_scores_not_evaluated(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(tmp_path, [DECEASED_RICH])

    row = by_code(evaluate(database, truth))["DECEASED_RECIPIENT"]

    assert row.is_evaluated is False
    assert row.expected == 1
    assert row.predicted == 0
    assert row.precision is None
    assert row.recall is None
    assert row.f1 is None


def test_format_table_dashes_not_evaluated(tmp_path):
    database = make_run(tmp_path)
    rows = evaluate(database, make_truth(tmp_path, [DECEASED_RICH]))
    table = format_table(rows)
    index = [row.rule_code for row in rows].index("DECEASED_RECIPIENT")

    cells = {column.header: list(column.cells)[index] for column in table.columns}

    assert cells["evaluated"] == "no"
    assert cells["expected"] == "1"
    for header in ("predicted", "TP", "FP", "FN", "precision", "recall", "F1"):
        assert cells[header] == "-", header


def test_evaluate_marks_limited_rules(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(
        tmp_path, [["PKH_NO_COMPONENT", "PKH", "u-rich", "f1", "pkh.csv", "", "2", ""]]
    )

    rows = by_code(evaluate(database, truth))

    assert rows["PKH_NO_COMPONENT"].is_evaluated is True
    assert rows["PKH_NO_COMPONENT"].is_limited is True
    assert rows["PKH_NO_COMPONENT"].note.startswith(
        "evaluated with a limitation: tanpa data kematian, anggota keluarga yang "
        "sudah meninggal dihitung masih hidup"
    )
    assert rows["NOT_IN_REGISTER"].is_limited is False


def test_evaluate_counts_false_positives_and_decoys(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(
        tmp_path,
        [["NOT_IN_REGISTER", "PKH", "u-stranger", "f2", "pkh.csv", "", "3", ""]],
        decoys=[["desil_in_range", "DESIL_OUT_OF_RANGE", "PKH", "u-rich", "pkh.csv", "", "2", ""]],
    )

    rows = by_code(evaluate(database, truth))

    assert rows["DESIL_OUT_OF_RANGE"].false_positives == 1
    assert rows["DESIL_OUT_OF_RANGE"].precision == 0.0
    assert rows["DESIL_OUT_OF_RANGE"].decoys_flagged == 1
    assert rows["PKH_COMPONENT_LIMITS"].is_covered_by_truth is False
    assert rows["PKH_COMPONENT_LIMITS"].precision is None


# NOT_IN_REGISTER of HEAD on the PBI roster is a finding that the rules cannot produce, because
# HEAD is in the register. It stands for a finding missed whenever the PBI roster is in the run.
FOUND_AND_PBI = [
    ["NOT_IN_REGISTER", "PKH", "u-stranger", "f2", "pkh.csv", "", "3", ""],
    ["NOT_IN_REGISTER", "PBI", "u-head", "f1", "pbi.csv", "", "2", ""],
    ["DESIL_OUT_OF_RANGE", "PKH", "u-rich", "f3", "pkh.csv", "", "2", ""],
]


def test_evaluate_leaves_out_missing_roster(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(
        tmp_path,
        FOUND_AND_PBI,
        decoys=[["desil_in_range", "NOT_IN_REGISTER", "PBI", "u-head", "pbi.csv", "", "2", ""]],
    )

    rows = by_code(evaluate(database, truth))

    assert rows["NOT_IN_REGISTER"].expected == 1
    assert rows["NOT_IN_REGISTER"].recall == 1.0
    assert rows["NOT_IN_REGISTER"].false_negatives == 0
    assert rows["NOT_IN_REGISTER"].left_out == (LeftOut(1, "PBI"),)
    assert rows["NOT_IN_REGISTER"].decoys == 0
    assert rows["NOT_IN_REGISTER"].decoys_left_out == 1
    assert rows["DESIL_OUT_OF_RANGE"].recall == 1.0
    assert rows["DESIL_OUT_OF_RANGE"].left_out == ()


def test_evaluate_leaves_out_missing_file(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(
        tmp_path,
        [
            ["NOT_IN_REGISTER", "PKH", "u-stranger", "f2", "pkh.csv", "", "3", ""],
            ["NOT_IN_REGISTER", "PKH", "u-head", "f1", "pkh_tahap3.csv", "", "5", ""],
            ["NOT_IN_REGISTER", "ALL", "u-rich", "f3", "sub/deaths.csv", "", "2", ""],
        ],
    )

    rows = by_code(evaluate(database, truth))

    assert rows["NOT_IN_REGISTER"].expected == 1
    assert rows["NOT_IN_REGISTER"].recall == 1.0
    assert rows["NOT_IN_REGISTER"].left_out == (
        LeftOut(1, None, "deaths.csv"),
        LeftOut(1, None, "pkh_tahap3.csv"),
    )


def test_evaluate_full_run_scores_every_finding(tmp_path):
    database = make_run(tmp_path, with_pbi=True)
    truth = make_truth(tmp_path, FOUND_AND_PBI)

    rows = evaluate(database, truth)
    with duckdb.connect(str(database)) as con:
        con.execute("drop table file_reconciliation")
    rows_without_files = evaluate(database, truth)

    scores = by_code(rows)
    assert scores["NOT_IN_REGISTER"].expected == 2
    assert scores["NOT_IN_REGISTER"].recall == 0.5
    assert scores["NOT_IN_REGISTER"].false_negatives == 1
    assert [row.rule_code for row in rows if row.left_out] == []
    # Without file_reconciliation nothing is left out, as before runs recorded their files.
    assert rows == rows_without_files


def test_evaluate_without_file_list_counts_all(tmp_path):
    database = make_run(tmp_path)
    with duckdb.connect(str(database)) as con:
        con.execute("drop table file_reconciliation")
    truth = make_truth(tmp_path, FOUND_AND_PBI)

    rows = by_code(evaluate(database, truth))

    assert rows["NOT_IN_REGISTER"].expected == 2
    assert rows["NOT_IN_REGISTER"].recall == 0.5
    assert rows["NOT_IN_REGISTER"].left_out == ()


def test_evaluate_scores_linkage_pairs(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(tmp_path, [])

    linkage = by_code(evaluate(database, truth))[LINKAGE]

    assert (linkage.predicted, linkage.expected, linkage.true_positives) == (1, 1, 1)
    assert linkage.f1 == 1.0


def test_evaluate_rejects_missing_truth(tmp_path):
    database = make_run(tmp_path)

    with pytest.raises(SourceFileError, match="records.csv tidak ditemukan"):
        evaluate(database, tmp_path / "nowhere")


def test_format_table_has_row_per_rule(tmp_path):
    database = make_run(tmp_path)
    rows = evaluate(database, make_truth(tmp_path, []))

    table = format_table(rows)

    assert table.row_count == len(rows)
    assert table.columns[0].header == "rule"


REGISTER_LINES = ["nik,no_kk,desil", f"{HEAD},{KK},2", f"{RICH},{make_kk(3)},8"]


def write_inputs(folder, register_lines=REGISTER_LINES):
    """Write register.csv and pkh.csv into `folder` and return their paths."""
    folder.mkdir(exist_ok=True)
    register = folder / "register.csv"
    register.write_text("\n".join(register_lines) + "\n", encoding="utf-8")
    pkh = folder / "pkh.csv"
    pkh.write_text(f"nik,no_kk\n{RICH},{make_kk(3)}\n{STRANGER},\n", encoding="utf-8")
    return [register, pkh]


def record_run(database, files, run_id="run-1", started_at="2026-12-04 10:00:00+00"):
    """Add the `runs` row that a run over `files` writes, with their SHA-256 by base name."""
    checksums = json.dumps({path.name: file_checksum(path) for path in files})
    with duckdb.connect(str(database)) as con:
        columns = ", ".join(f'"{name}" {type_}' for name, type_ in RUNS_COLUMNS.items())
        con.execute(f"create table if not exists runs ({columns})")
        con.execute(
            "insert into runs (run_id, started_at, input_checksums) values (?, ?, ?)",
            [run_id, started_at, checksums],
        )


def test_input_check_unchanged_files(tmp_path):
    database = make_run(tmp_path)
    files = write_inputs(tmp_path / "raw")
    record_run(database, files)
    truth = make_truth(tmp_path, [])
    write_manifest(truth, files)

    check = check_run_inputs(database, truth)

    assert check.status is CheckStatus.CHECKED
    assert check.run_id == "run-1"
    assert check.unmatched == ()


def test_input_check_names_row_deleted(tmp_path):
    generated = write_inputs(tmp_path / "generated")
    truth = make_truth(tmp_path, [])
    write_manifest(truth, generated)
    database = make_run(tmp_path)
    record_run(database, write_inputs(tmp_path / "raw", REGISTER_LINES[:1] + REGISTER_LINES[2:]))

    check = check_run_inputs(database, truth)

    assert check.changed == ("register.csv",)
    assert check.not_generated == ()


def test_input_check_names_file_not_generated(tmp_path):
    generated = write_inputs(tmp_path / "generated")
    truth = make_truth(tmp_path, [])
    write_manifest(truth, generated)
    extra = tmp_path / "raw" / "pbi.csv"
    files = write_inputs(tmp_path / "raw")
    extra.write_text(f"nik\n{HEAD}\n", encoding="utf-8")
    database = make_run(tmp_path)
    record_run(database, [*files, extra])

    check = check_run_inputs(database, truth)

    assert check.changed == ()
    assert check.not_generated == ("pbi.csv",)


def test_input_check_uses_evaluated_run(tmp_path):
    # The runs table keeps earlier runs. Only the run whose findings are scored is checked.
    generated = write_inputs(tmp_path / "generated")
    truth = make_truth(tmp_path, [])
    write_manifest(truth, generated)
    database = make_run(tmp_path)
    edited = write_inputs(tmp_path / "edited", REGISTER_LINES[:2])
    record_run(database, edited, run_id="run-0", started_at="2026-12-01 10:00:00+00")
    record_run(database, generated, run_id="run-1")
    record_run(database, edited, run_id="run-2", started_at="2026-11-01 10:00:00+00")

    check = check_run_inputs(database, truth)

    assert check.run_id == "run-1"
    assert check.unmatched == ()


def test_input_check_without_manifest(tmp_path):
    database = make_run(tmp_path)
    record_run(database, write_inputs(tmp_path / "raw"))

    check = check_run_inputs(database, make_truth(tmp_path, []))

    assert check.status is CheckStatus.NO_MANIFEST
    assert check.unmatched == ()


def test_input_check_without_run_checksums(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(tmp_path, [])
    write_manifest(truth, write_inputs(tmp_path / "raw"))

    check = check_run_inputs(database, truth)

    assert check.status is CheckStatus.NO_RUN_CHECKSUMS
    assert check.unmatched == ()


def test_input_check_rejects_invalid_manifest(tmp_path):
    database = make_run(tmp_path)
    truth = make_truth(tmp_path, [])
    (truth / MANIFEST_NAME).write_text('{"register.csv": "ab"}\n', encoding="utf-8")

    with pytest.raises(SourceFileError, match="files.json tidak valid"):
        check_run_inputs(database, truth)
