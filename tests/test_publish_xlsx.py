"""The streaming XLSX writer: cell kinds, formula guard, XML escaping and the package parts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from pipelines.i18n import _
from pipelines.publish import xlsx_stream
from pipelines.publish.cells import sheet_names
from pipelines.publish.regions import load_regions
from pipelines.publish.sheets import prepare
from pipelines.publish.workbooks import write_list_workbook
from pipelines.publish.xlsx_cells import Column
from pipelines.publish.xlsx_parts import column_letter, column_width

RISKY = ["=1+1", "+62 812", "-5", "@SUM(A1)", '=HYPERLINK("http://x","y")', "\t=1", "\r=1"]
SAFE = ["SITI AMINAH", "1+1", "a=b", "3325014507850001"]


def _write_texts(con, path, texts, kind="text", max_rows_per_sheet=1_000_000):
    """Write `texts` into column A of one sheet, in order, and return the sheets written."""
    con.execute("create or replace table texts (position integer, value varchar)")
    if texts:
        con.executemany("insert into texts values (?, ?)", list(enumerate(texts)))
    prepare(con, load_regions())
    return write_list_workbook(
        con,
        path,
        "Title",
        "Subtitle",
        [Column("Value", "value", kind=kind)],
        "select 'PKH' as programme, * from texts",
        "position",
        max_rows_per_sheet=max_rows_per_sheet,
    )


def _column_a(path):
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [sheet.cell(row=row, column=1) for row in range(4, sheet.max_row + 1)]


@pytest.mark.parametrize("kind", ["text", "wrap"])
def test_formula_texts_stay_text(tmp_path, con, kind):
    path = tmp_path / "cells.xlsx"
    _write_texts(con, path, RISKY + SAFE, kind)

    cells = _column_a(path)

    for cell, text in zip(cells, RISKY, strict=False):
        assert cell.data_type == "s", text
        assert cell.value == text
        assert cell.quotePrefix, text
    for cell, text in zip(cells[len(RISKY) :], SAFE, strict=True):
        assert cell.value == text
        assert not cell.quotePrefix, text


def test_no_formula_cells(tmp_path, con):
    path = tmp_path / "cells.xlsx"
    _write_texts(con, path, RISKY)

    assert [cell.data_type for cell in _column_a(path)] == ["s"] * len(RISKY)


def test_xml_special_characters_escaped(tmp_path, con):
    texts = ['<b>"Tom" & Jerry</b>', "it's", "a]]>b", "_x0041_ stays", "10 > 9 < 11"]
    path = tmp_path / "cells.xlsx"
    _write_texts(con, path, texts)

    values = [cell.value for cell in _column_a(path)]

    assert values[:3] == texts[:3]
    # Excel reads _xHHHH_ as an escaped character, so the writer escapes its underscore;
    # openpyxl shows the escaped form.
    assert values[3] == "_x005F_x0041_ stays"
    assert values[4] == texts[4]


def test_forbidden_characters_dropped(tmp_path, con):
    texts = ["A\x01B\x0bC\x1fD", "x\ufffey\uffffz", "tab\tand\nnewline", "\x01=1", "\x00"]
    path = tmp_path / "cells.xlsx"
    _write_texts(con, path, texts)

    cells = _column_a(path)

    assert cells[0].value == "ABCD"
    assert cells[1].value == "xyz"
    assert cells[2].value == "tab\tand\nnewline"
    assert cells[3].value == "=1"
    assert cells[3].quotePrefix
    assert cells[4].value is None


def test_carriage_return_and_spaces_kept(tmp_path, con):
    texts = ["line\r\nbreak", "  padded  ", "\rstart"]
    path = tmp_path / "cells.xlsx"
    _write_texts(con, path, texts)

    values = [cell.value for cell in _column_a(path)]

    assert values == texts


def test_every_part_is_well_formed_xml(tmp_path, con):
    path = tmp_path / "cells.xlsx"
    _write_texts(con, path, RISKY + ["<&>\x02", "ünïcödé ✓", ""], "wrap")

    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        for name in names:
            ET.fromstring(package.read(name))
        compression = {info.compress_type for info in package.infolist()}

    assert "[Content_Types].xml" in names
    assert "xl/worksheets/sheet1.xml" in names
    assert compression == {zipfile.ZIP_DEFLATED}


def test_number_kinds(tmp_path, con):
    con.execute(
        "create table amounts as select * from (values "
        "(1, 250000.00::decimal(18,2), 12, '12', date '2026-11-18', 7::ubigint, 0.9731), "
        "(2, 1234.5::decimal(18,2), null, null, null, null, 1.0)) "
        "as t(position, rupiah, months, months_text, day, desil, confidence)"
    )
    prepare(con, load_regions())
    columns = [
        Column("Rp", "rupiah", kind="idr"),
        Column("Months", "months", kind="int"),
        Column("Months as text", "months_text", kind="int"),
        Column("Day", "day", kind="date"),
        Column("Desil", "desil", kind="int"),
        Column("Confidence", "confidence", kind="percent"),
    ]
    path = tmp_path / "amounts.xlsx"
    write_list_workbook(
        con, path, "T", "S", columns, "select 'PKH' as programme, * from amounts", "position"
    )

    sheet = openpyxl.load_workbook(path).worksheets[0]

    assert sheet["A4"].value == 250000
    assert sheet["A4"].data_type == "n"
    assert sheet["A4"].number_format == '"Rp "#,##0'
    assert sheet["A5"].value == Decimal("1234.5")
    assert sheet["B4"].value == 12
    assert sheet["B4"].number_format == "#,##0"
    assert sheet["C4"].data_type == "s"
    assert sheet["D4"].value == dt.datetime(2026, 11, 18)
    assert sheet["D4"].number_format == "dd\\-mm\\-yyyy"
    assert sheet["B5"].value is None
    assert sheet["E4"].value == 7
    assert sheet["E4"].data_type == "n"
    assert sheet["F4"].value == pytest.approx(0.9731)
    assert sheet["F4"].data_type == "n"
    assert sheet["F4"].number_format == "0.00%"
    assert sheet["F5"].value == 1


def test_sheet_split_at_max_rows(tmp_path, con):
    path = tmp_path / "split.xlsx"
    sheets = _write_texts(con, path, [f"row {n}" for n in range(7)], max_rows_per_sheet=3)

    workbook = openpyxl.load_workbook(path)

    assert sheets == 3
    assert workbook.sheetnames == ["PKH", "PKH (2)", "PKH (3)"]
    assert [c.value for c in workbook["PKH (3)"]["A"]][3:] == ["row 6"]
    assert workbook["PKH (2)"]["A4"].value == "row 3"
    assert workbook["PKH (2)"]["A1"].value == "Title - PKH"
    assert workbook["PKH (2)"].print_title_rows == "$3:$3"


def test_rows_keep_order_across_chunks(tmp_path, con, monkeypatch):
    # Rows reach the zip in chunks of ROWS_PER_CHUNK rows; a small size puts the chunk
    # boundaries inside each sheet and at the sheet break.
    monkeypatch.setattr(xlsx_stream, "ROWS_PER_CHUNK", 4)
    texts = [f"row {n:02d}" for n in range(23)]
    path = tmp_path / "chunks.xlsx"

    sheets = _write_texts(con, path, texts, max_rows_per_sheet=10)

    workbook = openpyxl.load_workbook(path)
    values = [cell.value for sheet in workbook.worksheets for cell in sheet["A"][3:]]
    assert sheets == 3
    assert values == texts


def test_empty_list_gets_header_sheet(tmp_path, con):
    path = tmp_path / "empty.xlsx"
    sheets = _write_texts(con, path, [])

    sheet = openpyxl.load_workbook(path).worksheets[0]

    assert sheets == 1
    assert sheet.title == _("none")
    assert sheet["A1"].value == "Title - " + _("none")
    assert sheet["A3"].value == "Value"
    assert sheet.auto_filter.ref == "A3:A3"
    assert sheet.max_row == 3


def test_missing_programme_named_dash(tmp_path, con):
    con.execute("create table texts as select * from (values (null, 'a'), ('PBI', 'b')) t(p, v)")
    prepare(con, load_regions())
    path = tmp_path / "dash.xlsx"
    write_list_workbook(
        con, path, "T", "S", [Column("V", "v")], "select p as programme, v from texts", "v"
    )

    assert openpyxl.load_workbook(path).sheetnames == ["PBI", "-"]


def test_list_sheets_in_report_order(tmp_path, con):
    con.execute(
        "create table texts as select * from (values ('BPNT', 'a'), ('PBI', 'b'), ('PBI', 'c'), "
        "('PKH', 'd'), ('ALL', 'e'), ('PENDING', 'f')) t(p, v)"
    )
    prepare(con, load_regions())
    path = tmp_path / "order.xlsx"
    write_list_workbook(
        con, path, "T", "S", [Column("V", "v")], "select p as programme, v from texts", "v",
        max_rows_per_sheet=1,
    )

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["PKH", "BPNT", "PBI", "PBI (2)", "PENDING", "ALL"]
    assert workbook["PBI (2)"]["A4"].value == "c"


def test_sheet_layout_and_print_setup(tmp_path, con):
    path = tmp_path / "layout.xlsx"
    _write_texts(con, path, ["short", "a much longer text value"])

    sheet = openpyxl.load_workbook(path).worksheets[0]

    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:A5"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.oddFooter.left.text == "&A"
    assert sheet.column_dimensions["A"].width == column_width(len("a much longer text value") + 2)
    assert sheet["A1"].font.b
    assert sheet["A3"].fill.fgColor.rgb == "FF1F4E79"


def test_sheet_names_accepted(tmp_path, con):
    names = sheet_names(["Desa " + "X" * 40] * 12 + ["a:b", "a b", "It's"])
    con.execute("create table texts as select unnest(?::varchar[]) as p", [names])
    prepare(con, load_regions())
    path = tmp_path / "names.xlsx"
    write_list_workbook(
        con, path, "T", "S", [Column("P", "p")], "select p as programme, p from texts", "p"
    )

    workbook = openpyxl.load_workbook(path)

    assert sorted(workbook.sheetnames) == sorted(names)
    assert workbook["It's"].print_title_rows == "$3:$3"


def test_column_rejects_unknown_kind():
    with pytest.raises(ValueError, match="invalid kind 'money'"):
        Column("Rp", "rupiah", kind="money")


def test_column_letters():
    assert [column_letter(n) for n in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_workbook(tmp_path, con):
    path = tmp_path / "cells.xlsx"
    _write_texts(con, path, RISKY + SAFE + ["<&>"])

    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )

    text = (tmp_path / "cells.csv").read_text(encoding="utf-8")
    assert "SITI AMINAH" in text
    assert "<&>" in text
