"""The review workbook keeps formula-like names as text and reads decisions back."""

from __future__ import annotations

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest
from helpers import make_people

from pipelines import cli
from pipelines.er import link_persons
from pipelines.er.review import DECISIONS_FILE, SHEET_NAME
from pipelines.i18n import gettext_for
from pipelines.publish.formatting import using_language

EVERYTHING_POSSIBLE = {"match_threshold": 1.0, "possible_threshold": 0.0}
DESA = {"desa_code": "3325012001", "kecamatan_code": "332501", "rt": "003", "rw": "005"}
# Names from a public file that a spreadsheet would run as formulas.
FORMULA_NAMES = ["=cmd|' /C calc'!A0", "-SITI AMINAH", "+62 SUJONO", "@SUM(A1)", "\tKASMURI"]


def _people() -> list[dict]:
    people = []
    for number, name in enumerate(FORMULA_NAMES, start=1):
        for side, kind in enumerate(("register", "bpnt")):
            people.append({
                "record_id": f"{kind}:1::{number}",
                "source_kind": kind,
                "nik": f"33250147058500{number}{side}",
                "name": "SITI AMINAH",
                "name_raw": name,
                "birth_date": "1985-05-07",
                "sex": "P",
                **DESA,
            })
    return people


@pytest.fixture
def workbook(tmp_path):
    con = duckdb.connect()
    make_people(con, _people())
    summary = link_persons(con, None, EVERYTHING_POSSIBLE, tmp_path)
    assert summary.review_pairs > 0
    return summary.review_workbook


def _name_cells(sheet) -> list:
    headers = [cell.value for cell in sheet[1]]
    name_columns = [i for i, header in enumerate(headers, start=1)
                    if header.startswith(gettext_for("id", "Name") + " (")]
    assert name_columns
    return [sheet.cell(row=row, column=column)
            for row in range(2, sheet.max_row + 1) for column in name_columns]


def test_formula_names_stay_text(workbook):
    sheet = openpyxl.load_workbook(workbook)[SHEET_NAME]
    cells = [cell for cell in _name_cells(sheet) if cell.value in FORMULA_NAMES]

    assert {cell.value for cell in cells} == set(FORMULA_NAMES)
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix, cell.value


def test_plain_text_has_no_quote_prefix(workbook):
    sheet = openpyxl.load_workbook(workbook)[SHEET_NAME]
    record_id = sheet.cell(row=2, column=3)

    assert record_id.value.startswith(("register:", "bpnt:"))
    assert not record_id.quotePrefix


def test_review_sheet_filter_and_header(workbook):
    sheet = openpyxl.load_workbook(workbook)[SHEET_NAME]
    last_column = openpyxl.utils.get_column_letter(sheet.max_column)

    assert sheet.auto_filter.ref == f"A1:{last_column}{sheet.max_row}"
    assert sheet.freeze_panes == "E2"


@pytest.mark.parametrize(("language", "decimal", "group"), [("id", ",", "."), ("en", ".", ",")])
def test_explanation_in_run_language(tmp_path, language, decimal, group):
    con = duckdb.connect()
    make_people(con, _people())
    with using_language(language):
        summary = link_persons(con, None, EVERYTHING_POSSIBLE, tmp_path)
    sheet = openpyxl.load_workbook(summary.review_workbook)[SHEET_NAME]
    explanation = sheet.cell(row=2, column=sheet.max_column - 1).value

    weights = [line.rsplit("(", 1)[1].rstrip(")") for line in explanation.splitlines()]
    assert weights
    for weight in weights:
        assert weight[0] in "+-", weight
        assert weight[-3] == decimal, weight
        assert group not in weight[-3:], weight


def test_review_reads_formula_names_back(workbook, tmp_path, monkeypatch):
    book = openpyxl.load_workbook(workbook)
    sheet = book[SHEET_NAME]
    decision = gettext_for("id", "same person")
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=sheet.max_column, value=decision)
    book.save(workbook)
    pairs = sheet.max_row - 1
    state = tmp_path / "state"
    monkeypatch.chdir(tmp_path)

    cli.main(["review", str(workbook), "--state", str(state)])

    stored = pq.read_table(state / DECISIONS_FILE).to_pylist()
    assert len(stored) == pairs
    assert {row["decision"] for row in stored} == {"match"}
    names = {cell.value for cell in _name_cells(openpyxl.load_workbook(workbook)[SHEET_NAME])}
    assert set(FORMULA_NAMES) <= names
