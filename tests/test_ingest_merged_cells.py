"""Merged cells: below the header row each row reads the value Excel shows, with a warning, and a
merged header cell is named in the error about a missing column."""

from __future__ import annotations

import logging

import duckdb
import openpyxl
import pytest
import xlsxwriter

from pipelines.errors import SourceFileError
from pipelines.ingest.load import ingest_source
from pipelines.runconfig import SourceSpec

HEADER = ["NIK", "NAMA", "TANGGAL LAHIR", "DESA", "KECAMATAN"]
NIKS = ["3325010107400001", "3325010107400002", "3325010107400003"]

# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


def _write_officials(path, merge_data: bool = False, merge_header: bool = False) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Perangkat")
    sheet.write(0, 0, "DAFTAR PERANGKAT DESA")
    if merge_header:
        # Merging A2:B2 in Excel keeps "NIK" and drops the NAMA header.
        sheet.merge_range(1, 0, 1, 1, "NIK")
        sheet.write_row(1, 2, HEADER[2:])
    else:
        sheet.write_row(1, 0, HEADER)
    for offset, nik in enumerate(NIKS):
        sheet.write_row(2 + offset, 0, [nik, f"WARGA {offset}", "01-07-1940", "", "WONOTUNGGAL"])
    if merge_data:
        # Excel keeps the first cell's value: D3:D5 shows SILURAH in all three rows.
        sheet.merge_range(2, 3, 4, 3, "SILURAH")
    workbook.close()


def _ingest(tmp_path, caplog, **merges):
    _write_officials(tmp_path / "perangkat.xlsx", **merges)
    spec = SourceSpec(kind="village_officials", path="perangkat.xlsx", raw_dir=tmp_path)
    con = duckdb.connect()
    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        ingest_source(con, spec, "r", 1)
    return con


def test_merged_data_cells_fill_each_row(tmp_path, caplog):
    con = _ingest(tmp_path, caplog, merge_data=True)

    rows = con.execute(
        "select source_row, desa from raw_village_officials order by source_row"
    ).fetchall()
    assert rows == [(3, "SILURAH"), (4, "SILURAH"), (5, "SILURAH")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "perangkat.xlsx [Perangkat]: merged cells below the header row (D3:D5). Each row of a "
        "merged range gets the value of its first cell in the range's first column, and the "
        "range's other columns read as empty. Check those rows, and unmerge the cells and fill "
        "each row in the file to be sure."
    ]


def test_wide_merge_fills_first_column_only(tmp_path):
    path = tmp_path / "perangkat.xlsx"
    _write_officials(path)
    workbook = openpyxl.load_workbook(path)
    # D3:E4 merges desa and kecamatan over two rows; Excel shows DESA X across the block.
    workbook["Perangkat"]["D3"] = "DESA X"
    workbook["Perangkat"].merge_cells("D3:E4")
    workbook.save(path)
    spec = SourceSpec(kind="village_officials", path="perangkat.xlsx", raw_dir=tmp_path)
    con = duckdb.connect()

    ingest_source(con, spec, "r", 1)

    rows = con.execute(
        "select source_row, desa, kecamatan from raw_village_officials order by source_row"
    ).fetchall()
    assert rows == [(3, "DESA X", ""), (4, "DESA X", ""), (5, "", "WONOTUNGGAL")]


def test_sheet_without_merges_gives_no_warning(tmp_path, caplog):
    con = _ingest(tmp_path, caplog)

    rows = con.execute("select desa from raw_village_officials order by source_row").fetchall()
    assert rows == [("",), ("",), ("",)]
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []


def test_merged_header_cell_named(tmp_path, caplog):
    with pytest.raises(SourceFileError) as raised:
        _ingest(tmp_path, caplog, merge_header=True)

    message = str(raised.value)
    assert "required column missing in header row 2: NAMA" in message
    assert message.endswith(
        "Header row 2 has merged cells (A2:B2), and merging keeps only the first cell's text: "
        "unmerge them and give each column its own header."
    )


def test_merged_header_over_optional_column_warned(tmp_path, caplog):
    path = tmp_path / "perangkat.xlsx"
    _write_officials(path)
    workbook = openpyxl.load_workbook(path)
    # DESA swallows the KECAMATAN header; both required columns are still there.
    workbook["Perangkat"]["E2"] = None
    workbook["Perangkat"].merge_cells("D2:E2")
    workbook.save(path)
    spec = SourceSpec(kind="village_officials", path="perangkat.xlsx", raw_dir=tmp_path)

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        ingest_source(duckdb.connect(), spec, "r", 1)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "perangkat.xlsx [Perangkat]: header row 2 has merged cells (D2:E2). Merging keeps only "
        "the first cell's text, so a column under the rest of a range has no header and is not "
        "read. Unmerge them and give each column its own header."
    ]


def test_header_merged_from_row_above_named(tmp_path, caplog):
    path = tmp_path / "perangkat.xlsx"
    _write_officials(path)
    workbook = openpyxl.load_workbook(path)
    # A two-row header: NAMA written in B1 and merged down into the header row.
    sheet = workbook["Perangkat"]
    sheet["A1"] = None
    sheet["B1"] = "NAMA"
    sheet["B2"] = None
    sheet.merge_cells("B1:B2")
    workbook.save(path)
    spec = SourceSpec(kind="village_officials", path="perangkat.xlsx", raw_dir=tmp_path,
                      header_row=2)

    with pytest.raises(SourceFileError) as raised:
        ingest_source(duckdb.connect(), spec, "r", 1)

    assert "Header row 2 has merged cells (B1:B2)" in str(raised.value)

