"""A hidden sheet of a workbook is read like the others, and the run warns about it."""

from __future__ import annotations

import logging

import duckdb
import pytest
import xlsxwriter

from pipelines.ingest.load import ingest_source
from pipelines.runconfig import SourceSpec

HEADER = ["NIK", "NAMA", "TANGGAL LAHIR", "TANGGAL MENINGGAL"]


# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


def _write_deaths(path, hidden: bool) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    for sheet_name, nik in [("Kematian", "3325010107400001"), ("Lama", "3325010107400002")]:
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, [nik, "WARGA", "01-07-1940", "02-03-2026"])
        if hidden and sheet_name == "Lama":
            sheet.hide()
    workbook.close()


def _ingest(tmp_path, caplog, hidden: bool) -> tuple[int, list[str]]:
    _write_deaths(tmp_path / "kematian.xlsx", hidden)
    spec = SourceSpec(kind="deaths", path="kematian.xlsx", raw_dir=tmp_path)

    with duckdb.connect() as con, caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        counts = ingest_source(con, spec, "r", 1)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    return sum(count.rows_loaded for count in counts), warnings


def test_hidden_sheet_read_with_warning(tmp_path, caplog):
    loaded, warnings = _ingest(tmp_path, caplog, hidden=True)

    assert loaded == 2
    assert warnings == [
        "kematian.xlsx [Lama]: the sheet is hidden in the workbook, but its rows are read like "
        "those of any other sheet. If it holds rows that do not belong to this list, such as an "
        "older tahap, delete the sheet and run again."
    ]


def test_visible_sheets_give_no_warning(tmp_path, caplog):
    loaded, warnings = _ingest(tmp_path, caplog, hidden=False)

    assert loaded == 2
    assert warnings == []
