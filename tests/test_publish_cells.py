"""Formula escaping, NIK masking and sheet names."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from xlsxwriter.workbook import Workbook

from pipelines.publish.cells import csv_text, sheet_names, starts_like_formula, write_text
from pipelines.publish.masking import mask_ids_in_text, mask_nik
from pipelines.publish.sheets import Formats, write_cell

RISKY = ["=1+1", "+62 812", "-5", "@SUM(A1)", '=HYPERLINK("http://x","y")', "\t=1", "\r=1"]
SAFE = ["SITI AMINAH", "1+1", "a=b", "", "3325014507850001"]


@pytest.mark.parametrize("text", RISKY)
def test_formula_prefixes_detected(text):
    assert starts_like_formula(text)


@pytest.mark.parametrize("text", SAFE)
def test_plain_text_not_flagged(text):
    assert not starts_like_formula(text)


@pytest.mark.parametrize("text", RISKY)
def test_csv_text_prefixes_quote(text):
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_csv_text_keeps_plain_text(text):
    assert csv_text(text) == text


def test_csv_text_round_trip_through_csv_module():
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow([csv_text(t) for t in RISKY])

    cells = next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))

    assert all(cell.startswith("'") for cell in cells)


def test_write_text_stores_formulas_as_text(tmp_path):
    path = tmp_path / "cells.xlsx"
    workbook = Workbook(str(path))
    worksheet = workbook.add_worksheet("S")
    plain = workbook.add_format({})
    guarded = workbook.add_format({"quote_prefix": True})
    for row, text in enumerate(RISKY + SAFE + [None, 3325014507850001]):
        write_text(worksheet, row, 0, text, plain, guarded)
    workbook.close()

    sheet = openpyxl.load_workbook(path).active
    values = [sheet.cell(row=i + 1, column=1) for i in range(len(RISKY) + len(SAFE) + 2)]

    for cell, text in zip(values, RISKY, strict=False):
        assert cell.data_type == "s", text
        # openpyxl returns a carriage return in its XML escape form.
        assert cell.value.replace("_x000D_", "\r") == text
        assert cell.quotePrefix, text
    assert values[len(RISKY) + len(SAFE)].value is None
    last = values[-1]
    assert last.data_type == "s"
    assert last.value == "3325014507850001"


def test_written_workbook_has_no_formula_cells(tmp_path):
    path = tmp_path / "cells.xlsx"
    workbook = Workbook(str(path))
    worksheet = workbook.add_worksheet("S")
    for row, text in enumerate(RISKY):
        write_text(worksheet, row, 0, text)
    workbook.close()

    sheet = openpyxl.load_workbook(path).active

    assert [c.data_type for c in sheet["A"]] == ["s"] * len(RISKY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3325014507850001", "3325********0001"),
        ("0000123456789012", "0000********9012"),
        (" 3325014507850001 ", "3325********0001"),
        ("33250145078500011", "3325*********0011"),
        ("332501450785", "3325****0785"),
        ("3,32502E+15", "***********"),
        ("-", "*"),
        ("", ""),
        (None, ""),
        (3325014507850001, "3325********0001"),
    ],
)
def test_mask_nik(value, expected):
    assert mask_nik(value) == expected


def test_mask_nik_hides_birth_date_digits():
    masked = mask_nik("3325014507850001")

    assert "450785" not in masked
    assert len(masked) == 16


def test_sheet_names_truncate_and_dedupe():
    names = sheet_names(
        [
            "Kalisalak",
            "KALISALAK",
            "A" * 40,
            "A" * 40,
            "Tri/Mulyo: [1]*?",
            "'Kutosari'",
            "",
            "History",
            "kalisalak",
        ]
    )

    assert names[0] == "Kalisalak"
    assert names[1] == "KALISALAK (2)"
    assert names[2] == "A" * 31
    assert names[3] == "A" * 27 + " (2)"
    assert names[4] == "Tri Mulyo 1"
    assert names[5] == "Kutosari"
    assert names[6] == "Sheet"
    assert names[7] == "History 1"
    assert names[8] == "kalisalak (3)"
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_sheet_names_accepted_by_xlsxwriter(tmp_path):
    names = sheet_names(["Desa " + "X" * 40] * 12 + ["a:b", "a b"])
    workbook = Workbook(str(tmp_path / "names.xlsx"))
    for name in names:
        workbook.add_worksheet(name)
    workbook.close()

    assert openpyxl.load_workbook(tmp_path / "names.xlsx").sheetnames == names


def test_write_cell_amount_kinds(tmp_path):
    path = tmp_path / "amounts.xlsx"
    workbook = Workbook(str(path))
    formats = Formats(workbook)
    worksheet = workbook.add_worksheet("S")
    write_cell(worksheet, 0, 0, Decimal("250000.00"), "idr", formats)
    write_cell(worksheet, 1, 0, 12, "int", formats)
    write_cell(worksheet, 2, 0, "12", "int", formats)
    write_cell(worksheet, 3, 0, True, "int", formats)
    write_cell(worksheet, 4, 0, dt.date(2026, 11, 18), "date", formats)
    workbook.close()

    sheet = openpyxl.load_workbook(path).active

    assert sheet["A1"].value == 250000
    assert sheet["A1"].number_format == '"Rp "#,##0'
    assert sheet["A2"].value == 12
    assert sheet["A3"].data_type == "s"
    assert sheet["A4"].data_type == "s"
    assert sheet["A5"].value == dt.datetime(2026, 11, 18)


def test_mask_ids_in_text():
    text = "NIK 3325014507850001 dan KK 3325010101050001; 15 digit 332501450785000 tetap"

    masked = mask_ids_in_text(text)

    assert masked == "NIK 3325********0001 dan KK 3325********0001; 15 digit 332501450785000 tetap"
