"""Merged cells: below the header row each row reads the value Excel shows, with a warning, and a
merged header cell is named in the error about a missing column."""

from __future__ import annotations

import logging

import duckdb
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
        "merged range is read with the value Excel shows in it. Check those rows, and unmerge "
        "the cells and fill each row in the file to be sure."
    ]


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
