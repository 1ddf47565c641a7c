"""Notices in the workbooks about rules that a run skipped or ran with a limitation."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest
from test_publish_handmade_marts import RUN_ID, make_marts

from pipelines.publish import publish_marts
from pipelines.publish.formatting import using_language
from pipelines.publish.run_notices import rule_status_notices

# A run without the death register: two rules skipped and three that count deceased family
# members as alive. The reasons are stored in the run's language, as rules.apply writes them.
REASONS = {
    "id": (
        "tidak ada data kematian di run ini (stg_deaths)",
        "tanpa data kematian (stg_deaths), anggota keluarga yang sudah meninggal dihitung "
        "masih hidup",
    ),
    "en": (
        "no death register in this run (stg_deaths)",
        "without the death register (stg_deaths), deceased family members count as alive",
    ),
}
NOTICES = {
    "id": [
        "Tidak dievaluasi pada run ini, jadi daftar ini tidak memuat temuannya: "
        f"DECEASED_RECIPIENT, HOUSEHOLD_DISSOLVED - {REASONS['id'][0]}.",
        "Dievaluasi dengan keterbatasan pada run ini, jadi temuannya bisa tidak lengkap atau "
        "keliru: EXCLUSION_ERROR_CANDIDATE, PKH_COMPONENT_LIMITS, PKH_NO_COMPONENT - "
        f"{REASONS['id'][1]}.",
    ],
    "en": [
        "Not evaluated in this run, so this list has none of their findings: "
        f"DECEASED_RECIPIENT, HOUSEHOLD_DISSOLVED - {REASONS['en'][0]}.",
        "Evaluated with a limitation in this run, so their findings can be incomplete or wrong: "
        "EXCLUSION_ERROR_CANDIDATE, PKH_COMPONENT_LIMITS, PKH_NO_COMPONENT - "
        f"{REASONS['en'][1]}.",
    ],
}
NOTICE_FONT_COLOUR = "FFC00000"


def _rule_status_without_deaths(con: duckdb.DuckDBPyConnection, language: str) -> None:
    skipped, limited = REASONS[language]
    con.execute(
        "create or replace table rule_status (rule_code varchar, status varchar, "
        "is_evaluated boolean, not_evaluated_reason varchar, limitation_reason varchar, "
        "missing_inputs varchar, findings integer)"
    )
    con.executemany(
        "insert into rule_status values (?, ?, ?, ?, ?, ?, ?)",
        [
            ("DESIL_OUT_OF_RANGE", "evaluated", True, None, None, None, 2),
            ("PBI_NOT_ELIGIBLE", "evaluated", True, None, None, None, 1),
            ("DECEASED_RECIPIENT", "not_evaluated", False, skipped, None, "stg_deaths", 0),
            ("HOUSEHOLD_DISSOLVED", "not_evaluated", False, skipped, None, "stg_deaths", 0),
            ("PKH_NO_COMPONENT", "evaluated_with_limitation", True, None, limited, None, 0),
            ("PKH_COMPONENT_LIMITS", "evaluated_with_limitation", True, None, limited, None, 0),
            (
                "EXCLUSION_ERROR_CANDIDATE",
                "evaluated_with_limitation",
                True,
                None,
                limited,
                None,
                1,
            ),
        ],
    )


def _rule_status_all_evaluated(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace table rule_status as select * from (values "
        "('DESIL_OUT_OF_RANGE', 'evaluated', true, null, null, null, 2), "
        "('PBI_NOT_ELIGIBLE', 'evaluated', true, null, null, null, 1)) as t(rule_code, status, "
        "is_evaluated, not_evaluated_reason, limitation_reason, missing_inputs, findings)"
    )


def _publish(tmp_path, language, set_rule_status):
    con = duckdb.connect()
    make_marts(con)
    set_rule_status(con)
    summary = publish_marts(con, tmp_path / "marts", language, RUN_ID)
    con.close()
    return summary.marts_dir


def _sheets(marts_dir):
    """Return (file name, sheet) for every sheet of the list and verification workbooks."""
    paths = [
        marts_dir / "inclusion_errors.xlsx",
        marts_dir / "exclusion_errors.xlsx",
        *sorted((marts_dir / "verifikasi").glob("*.xlsx")),
    ]
    return [
        (path.name, sheet)
        for path in paths
        for sheet in openpyxl.load_workbook(path).worksheets
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_notices_name_rules_and_reasons(con, language):
    _rule_status_without_deaths(con, language)

    with using_language(language):
        notices = rule_status_notices(con)

    assert notices == NOTICES[language]


def test_notices_empty_when_all_evaluated(con):
    _rule_status_all_evaluated(con)

    assert rule_status_notices(con) == []


def test_notices_read_legacy_rule_status(con):
    # Runs before the limitation state recorded only is_evaluated and a reason.
    con.execute(
        "create table rule_status as select * from (values "
        "('DESIL_OUT_OF_RANGE', true, null, 2), "
        "('WAGE_ABOVE_UMK', false, 'no BPJS-TK wage extract', 0)) "
        "as t(rule_code, is_evaluated, not_evaluated_reason, findings)"
    )

    with using_language("en"):
        notices = rule_status_notices(con)

    assert notices == [
        "Not evaluated in this run, so this list has none of their findings: "
        "WAGE_ABOVE_UMK - no BPJS-TK wage extract."
    ]


def test_notices_group_rules_by_reason(con):
    con.execute(
        "create table rule_status as select * from (values "
        "('A_RULE', 'not_evaluated', false, 'reason one', null, 0), "
        "('B_RULE', 'not_evaluated', false, 'reason two', null, 0), "
        "('C_RULE', 'not_evaluated', false, 'reason one', null, 0), "
        "('D_RULE', 'not_evaluated', false, null, null, 0)) "
        "as t(rule_code, status, is_evaluated, not_evaluated_reason, limitation_reason, findings)"
    )

    with using_language("en"):
        notices = rule_status_notices(con)

    assert notices == [
        "Not evaluated in this run, so this list has none of their findings: "
        "A_RULE, C_RULE - reason one; B_RULE - reason two; D_RULE."
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_workbook_sheet_shows_notices(tmp_path, language):
    marts_dir = _publish(tmp_path, language, lambda c: _rule_status_without_deaths(c, language))

    sheets = _sheets(marts_dir)

    assert len(sheets) >= 6
    for name, sheet in sheets:
        where = f"{name}!{sheet.title}"
        assert [sheet["A3"].value, sheet["A4"].value] == NOTICES[language], where
        assert sheet["A3"].font.b, where
        assert sheet["A3"].font.color.rgb == NOTICE_FONT_COLOUR, where
        assert sheet["A3"].data_type == "s", where


@pytest.mark.parametrize("language", ["id", "en"])
def test_notices_move_header_rows_down(tmp_path, language):
    marts_dir = _publish(tmp_path, language, lambda c: _rule_status_without_deaths(c, language))
    verification = marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    nik = "NIK"

    listed = openpyxl.load_workbook(marts_dir / "inclusion_errors.xlsx")["PKH"]
    summary, desa = openpyxl.load_workbook(verification).worksheets

    # Lists: title, subtitle, two notices, then the header in row 5.
    assert listed["B5"].value == nik
    assert listed.freeze_panes == "A6"
    assert listed.auto_filter.ref.startswith("A5:")
    assert listed.print_title_rows == "$5:$5"
    # Verification: title, subtitle, two notices, the instruction, then the header in row 6.
    assert desa["B6"].value == nik
    assert desa.freeze_panes == "A7"
    assert str(desa.data_validations.dataValidation[0].sqref) == "L7"
    assert summary.freeze_panes == "A7"
    linked = {
        row[0].value: row[3].hyperlink.location
        for row in summary.iter_rows(min_row=7)
        if row[3].hyperlink
    }
    assert linked == {"Silurah": "'Silurah'!A1"}


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_notice_when_all_evaluated(tmp_path, language):
    marts_dir = _publish(tmp_path, language, _rule_status_all_evaluated)
    notice_texts = [line.split(":")[0] for line in NOTICES[language]]

    for name, sheet in _sheets(marts_dir):
        where = f"{name}!{sheet.title}"
        texts = [sheet.cell(row=row, column=1).value or "" for row in range(1, 5)]
        assert not any(text.startswith(tuple(notice_texts)) for text in texts), where
        assert sheet["A3"].font.color is None or sheet["A3"].font.color.rgb != NOTICE_FONT_COLOUR

    listed = openpyxl.load_workbook(marts_dir / "inclusion_errors.xlsx")["PKH"]
    desa = openpyxl.load_workbook(
        marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    )["Silurah"]
    assert listed["B3"].value == "NIK"
    assert listed.freeze_panes == "A4"
    assert desa["B4"].value == "NIK"
    assert desa.freeze_panes == "A5"
