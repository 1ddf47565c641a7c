"""Rules 1 to 9: NIK and No KK validity and duplicates, on hand-made staging tables."""

from __future__ import annotations

import pytest
from test_rules_builders import (
    found,
    make_kk,
    make_nik,
    make_world,
    new_connection,
    rules_config,
    run,
)

from pipelines.rules import apply_rules


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


def test_nik_format_fires_on_15_digits(con):
    run(con, register=[{"nik": "3325 0152 0785 000"}, {"nik": "0000000000000000"}])

    rows = found(con, "NIK_FORMAT")

    assert [r[0] for r in rows] == ["register:1::2", "register:1::3"]
    assert {r[1] for r in rows} == {"ERROR"}
    assert "15 digits" in rows[0][3]


def test_nik_format_accepts_separators(con):
    run(
        con,
        register=[{"nik": "'3325 0152.0585-0001", "birth_date": "1985-05-12", "sex": "L"}],
        complaints=[{"nik": None, "name": "SITI"}],
    )

    assert found(con, "NIK_FORMAT") == []


def test_full_width_digits_are_no_format_error(con):
    full_width = "".join(chr(0xFF10 + int(d)) for d in "3325015205850001")
    run(
        con,
        register=[{"nik": full_width, "no_kk": "\uff13\uff13\uff12\uff15010101850001",
                   "birth_date": "1985-05-12", "sex": "P"}],
    )

    assert found(con, "NIK_FORMAT") == []
    assert found(con, "KK_FORMAT") == []


def test_nik_excel_damage_fires_on_scientific_notation(con):
    run(con, bpnt=[{"nik": "3,32502E+15"}], pbi=[{"nik": make_nik(1), "nik_cell_type": "number"}])

    rows = found(con, "NIK_EXCEL_DAMAGE")

    assert [(r[0], r[2]) for r in rows] == [("bpnt:1::2", "BPNT"), ("pbi:1::2", "PBI")]
    assert found(con, "NIK_FORMAT") == []


def test_nik_excel_damage_ignores_text_cells(con):
    run(con, pbi=[{"nik": make_nik(1), "nik_cell_type": "text"}])

    assert found(con, "NIK_EXCEL_DAMAGE") == []


def test_nik_structure_fires_on_impossible_parts(con):
    run(
        con,
        register=[
            {"nik": "3325017213850001"},
            {"nik": "3325013102850001"},
            {"nik": "3325011205850000"},
            {"nik": "3325991205850001"},
            {"nik": "3325401205850001"},
        ],
    )

    rows = found(con, "NIK_STRUCTURE")

    assert [r[1] for r in rows] == ["ERROR", "ERROR", "ERROR", "ERROR", "WARN"]
    assert "day 72" in rows[0][3]
    assert "31-02 is not a calendar date" in rows[1][3]
    assert "serial 0000" in rows[2][3]


def test_nik_structure_warns_outside_region(con):
    run(con, register=[{"nik": "3374011205850001"}])

    rows = found(con, "NIK_STRUCTURE")

    assert [r[1] for r in rows] == ["WARN"]
    assert "outside the audited kabupaten" in rows[0][3]


def test_nik_structure_accepts_29_february_and_female_day(con):
    run(con, register=[{"nik": "3325012902850001"}, {"nik": "3325015207850001"}])

    assert found(con, "NIK_STRUCTURE") == []


def test_nik_attr_mismatch_fires_on_sex_and_date(con):
    run(
        con,
        register=[
            {"nik": make_nik(1, "1985-05-12", "P"), "sex": "L"},
            {"nik": make_nik(2, "1985-05-12"), "birth_date": "1986-05-12"},
        ],
    )

    rows = found(con, "NIK_ATTR_MISMATCH")

    assert len(rows) == 2
    assert "sex P" in rows[0][3]
    assert "12-05-85" in rows[1][3]


def test_nik_attr_mismatch_ignores_default_day(con):
    run(
        con,
        register=[
            {"nik": make_nik(1, "1950-07-12"), "birth_date": "1950-07-01"},
            {
                "nik": make_nik(2, "1980-03-05"),
                "birth_date": "1980-05-03",
                "is_birth_date_ambiguous": True,
            },
        ],
    )

    assert found(con, "NIK_ATTR_MISMATCH") == []


def test_kk_format_kk_equal_nik(con):
    nik = make_nik(1)
    run(
        con,
        register=[
            {"nik": nik, "no_kk": nik},
            {"nik": make_nik(2), "no_kk": make_kk(2, "2026-12-01")},
        ],
    )

    rows = found(con, "KK_FORMAT")

    assert len(rows) == 2
    assert "equals the person's NIK" in rows[0][3]
    assert "after the export date" in rows[1][3]


def test_kk_format_reads_year_27_as_2027(con):
    run(con, register=[{"nik": make_nik(1), "no_kk": "3325021004270001"}])

    rows = found(con, "KK_FORMAT")

    assert "registration date 10-04-2027 is after the export date" in rows[0][3]


def test_kk_format_serial_0000(con):
    run(con, register=[{"nik": make_nik(1), "no_kk": make_kk(0)}])

    assert "serial 0000" in found(con, "KK_FORMAT")[0][3]


def test_kk_format_accepts_valid_and_missing_complaint_kk(con):
    run(
        con, register=[{"nik": make_nik(1), "no_kk": make_kk(1)}], complaints=[{"nik": make_nik(1)}]
    )

    assert found(con, "KK_FORMAT") == []


def test_dup_nik_in_list_fires_within_period(con):
    nik = make_nik(1)
    run(con, pkh=[{"nik": nik}, {"nik": nik}])

    rows = found(con, "DUP_NIK_IN_LIST")

    assert [(r[1], r[2]) for r in rows] == [("FLAG", "PKH"), ("FLAG", "PKH")]


def test_dup_nik_in_list_one_file_names_rows(con):
    nik = make_nik(1)
    run(con, bpnt=[{"nik": nik, "source_row": 12}, {"nik": nik, "source_row": 3}])

    rows = found(con, "DUP_NIK_IN_LIST")
    evidence_id = con.execute(
        "select evidence_id from fct_findings where rule_code = 'DUP_NIK_IN_LIST'"
    ).fetchall()

    assert rows[0][3] == "NIK appears in 2 active BPNT rows for 2026-T4 (rows 3, 12)"
    assert evidence_id[0][0] == "NIK muncul di 2 baris aktif BPNT untuk 2026-T4 (baris 3, 12)"


def _duplicate_findings(con) -> tuple[list[tuple], list[tuple]]:
    """Return DUP_NIK_IN_LIST findings as `found` gives them, and their (evidence_id,
    evidence_json) in record order."""
    texts = con.execute(
        "select evidence_id, evidence_json from fct_findings "
        "where rule_code = 'DUP_NIK_IN_LIST' order by record_id"
    ).fetchall()
    return found(con, "DUP_NIK_IN_LIST"), texts


def test_dup_nik_in_list_names_each_file(con):
    nik = make_nik(1)
    run(
        con,
        bpnt=[
            {"nik": nik, "source_row": 7, "source_file": "bpnt_t4.csv"},
            {
                "nik": nik,
                "source_row": 7,
                "source_file": "bpnt_t4 (1).csv",
                "record_id": "bpnt:2::7",
            },
        ],
    )

    rows, texts = _duplicate_findings(con)

    assert len(rows) == 2
    assert rows[0][3] == (
        "NIK appears in 2 active BPNT rows for 2026-T4 (bpnt_t4 (1).csv row 7, bpnt_t4.csv row 7)"
    )
    assert texts[0][0] == (
        "NIK muncul di 2 baris aktif BPNT untuk 2026-T4 "
        "(bpnt_t4 (1).csv baris 7, bpnt_t4.csv baris 7)"
    )
    assert '"source_files":["bpnt_t4 (1).csv","bpnt_t4.csv"]' in texts[0][1]


def test_dup_nik_in_list_names_each_sheet(con):
    nik = make_nik(1)
    run(
        con,
        pkh=[
            {"nik": nik, "source_row": 50, "source_file": "pkh.xlsx", "source_sheet": "Kec. Bandar"},
            {
                "nik": nik,
                "source_row": 50,
                "source_file": "pkh.xlsx",
                "source_sheet": "Bandar lama",
                "record_id": "pkh:1:Bandar lama:50",
            },
        ],
    )

    rows, texts = _duplicate_findings(con)

    assert len(rows) == 2
    assert rows[0][3] == (
        "NIK appears in 2 active PKH rows for 2026-T4 "
        "(pkh.xlsx [Bandar lama] row 50, pkh.xlsx [Kec. Bandar] row 50)"
    )
    assert texts[0][0] == (
        "NIK muncul di 2 baris aktif PKH untuk 2026-T4 "
        "(pkh.xlsx [Bandar lama] baris 50, pkh.xlsx [Kec. Bandar] baris 50)"
    )
    assert '"source_sheets":["Bandar lama","Kec. Bandar"]' in texts[0][1]


def test_dup_nik_in_list_ignores_other_tahap(con):
    nik = make_nik(1)
    run(con, bpnt=[{"nik": nik}, {"nik": nik, "period": "2026-T3"}])

    assert found(con, "DUP_NIK_IN_LIST") == []


def test_dup_nik_conflict_fires_on_different_names(con):
    nik = make_nik(1)
    run(con, register=[{"nik": nik, "name": "SUPARDI"}], pkh=[{"nik": nik, "name": "SITI AMINAH"}])

    rows = found(con, "DUP_NIK_CONFLICT")

    assert [r[0] for r in rows] == ["pkh:1::2"]
    assert '"SITI AMINAH" born 12-05-1985 belongs in the register to "SUPARDI"' in rows[0][3]


def test_dup_nik_conflict_old_spelling(con):
    nik = make_nik(1, "1950-07-01")
    run(
        con,
        register=[{"nik": nik, "name": "SOEDJONO", "birth_date": "1950-07-01"}],
        pkh=[{"nik": nik, "name": "SUJONO", "birth_date": "1950-08-17"}],
    )

    assert found(con, "DUP_NIK_CONFLICT") == []


def test_dup_person_diff_nik_fires(con):
    run(
        con,
        register=[{"nik": make_nik(1, "1970-03-12"), "name": "SUPARDI"}],
        pkh=[{"nik": make_nik(9, "1970-03-12"), "name": "SUPARDI"}],
    )

    rows = found(con, "DUP_PERSON_DIFF_NIK")

    assert [r[0] for r in rows] == ["pkh:1::2"]


def test_dup_person_diff_nik_follows_link(con):
    old_nik = make_nik(9, "1970-03-12")
    run(
        con,
        register=[{"nik": make_nik(1, "1970-03-12"), "name": "SOEDJONO"}],
        pbi=[
            {"nik": old_nik, "name": "SUJONO BIN KARTO", "_person": "P" + make_nik(1, "1970-03-12")}
        ],
    )

    assert [r[0] for r in found(con, "DUP_PERSON_DIFF_NIK")] == ["pbi:1::2"]


def test_dup_person_diff_nik_ignores_default_dob(con):
    run(
        con,
        register=[
            {"nik": make_nik(1, "1950-07-01"), "name": "SAINEM"},
            {"nik": make_nik(2, "1950-07-01"), "name": "SAINEM"},
        ],
    )

    assert found(con, "DUP_PERSON_DIFF_NIK") == []


def test_multi_kpm_per_kk_fires_on_shared_kk(con):
    kk = make_kk(1)
    run(con, pkh=[{"nik": make_nik(1), "no_kk": kk}, {"nik": make_nik(2), "no_kk": kk}])

    rows = found(con, "MULTI_KPM_PER_KK")

    assert len(rows) == 2
    assert "share No KK" in rows[0][3]


def test_multi_kpm_per_kk_ignores_invalid_kk(con):
    future_kk = make_kk(1, "2027-05-31")
    run(
        con,
        bpnt=[{"nik": make_nik(1), "no_kk": future_kk}, {"nik": make_nik(2), "no_kk": future_kk}],
    )

    assert found(con, "MULTI_KPM_PER_KK") == []


def test_multi_kpm_per_kk_ignores_other_programmes(con):
    kk = make_kk(1)
    run(con, pkh=[{"nik": make_nik(1), "no_kk": kk}], bpnt=[{"nik": make_nik(2), "no_kk": kk}])

    assert found(con, "MULTI_KPM_PER_KK") == []


def test_name_ratio_function_handles_null(con):
    make_world(con, register=[{"nik": make_nik(1)}])
    apply_rules(con, rules_config(), "test-run")

    rows = con.execute(
        "select __rules_name_ratio(a, b) from (values ('TASMINAH', 'TASIMNAH'), (null, 'SITI')) "
        "as pairs(a, b)"
    ).fetchall()

    assert rows == [(0.875,), (None,)]
