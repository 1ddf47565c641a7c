"""Warnings that name the rows an analyst must correct: quarantined data rows, and loaded rows
whose date cell is not a date."""

from __future__ import annotations

import logging

import pytest
from test_ingest_stray_quotes import REGISTER_HEADER, REGISTER_ROW, _data_lines, _ingest
from test_staging_values import stage

from pipelines.cli import console_text
from pipelines.i18n import set_language


def _warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING]


def test_quarantined_data_row_warned(con, tmp_path, caplog, english):
    lines = _data_lines(REGISTER_ROW)
    lines[2] = lines[2].replace(";WARGA 3;", ";WARGA 3 &amp;;")

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        count = _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    assert (count.rows_read, count.rows_loaded, count.rows_quarantined) == (6, 5, 1)
    [warning] = _warnings(caplog)
    assert warning.getMessage().startswith(
        "dtsen.csv: 1 data row was not loaded but quarantined (dtsen.csv row 4: the row has 26 "
        "fields but the header has 25."
    )
    assert warning.getMessage().endswith(
        "The quarantine table of audit.duckdb lists it with its values; correct it in the file "
        "and run the audit again."
    )


def test_quarantined_rows_counted_beyond_examples(con, tmp_path, caplog):
    set_language("id")
    lines = _data_lines(REGISTER_ROW, count=8)
    for index in (1, 2, 3, 4, 5):
        lines[index] = lines[index].replace(";YA;", ";YA;;")

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    [warning] = _warnings(caplog)
    assert "5 data rows were not loaded but quarantined" in warning.getMessage()
    assert "; 2 more)" in warning.getMessage()
    # The console shows the Indonesian template with the Indonesian reasons and count.
    console = console_text(warning)
    assert console.startswith("dtsen.csv: 5 baris data tidak dimuat tetapi dikarantina (dtsen.csv")
    assert "; 2 lainnya)" in console


def test_layout_rows_not_warned(con, tmp_path, caplog):
    lines = _data_lines(REGISTER_ROW)
    lines.insert(3, "")
    lines.append("JUMLAH;;;;;;;;;;;;;;;;;;;;;;;;")

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        count = _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    assert count.rows_quarantined == 2
    assert _warnings(caplog) == []


def test_unreadable_dates_warned(con, caplog, english):
    rows = [
        {"nik": "3325040107400001", "name": "BUDI", "death_date": "31-02-2026"},
        {"nik": "3325040107400002", "name": "SITI", "death_date": "kemarin"},
        {"nik": "3325040107400003", "name": "AMIN", "death_date": "21-05-2026"},
        {"nik": "3325040107400004", "name": "TONO", "death_date": "-"},
        {"nik": "3325040107400005", "name": "RINI", "death_date": "00-00-0000"},
    ]

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        staged = stage(con, "deaths", rows)

    assert [row["death_date"] is None for row in staged] == [True, True, False, True, True]
    unreadable, empty = _warnings(caplog)
    # Empty cells and placeholders get a warning of their own.
    assert empty.getMessage() == (
        "deaths_2026.csv: 2 rows have no death date (rows 5, 6). A recipient on them is listed as "
        "DECEASED_RECIPIENT for the date to be checked. Write the dates as DD-MM-YYYY in the file "
        "and run the audit again."
    )
    warning = unreadable
    # Without a recorded header, the column is named by its field.
    assert warning.getMessage() == (
        "deaths_2026.csv, column death_date: 2 cells are not dates (row 2: '31-02-2026'; row 3: "
        "'kemarin'). A recipient on those rows is listed as DECEASED_RECIPIENT for the date to be "
        "checked. Write the date as DD-MM-YYYY in the file and run the audit again."
    )
    set_language("id")
    assert "). Penerima pada baris-baris itu dicantumkan sebagai DECEASED_RECIPIENT agar " in (
        console_text(warning)
    )


def test_unreadable_date_names_header(con, tmp_path, caplog):
    set_language("id")
    lines = _data_lines(REGISTER_ROW)
    lines[1] = lines[1].replace(";01-07-1974;", ";31-02-1974;")
    _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        stage(con, "register", [])

    [warning] = _warnings(caplog)
    assert console_text(warning).startswith(
        "dtsen.csv, kolom Tanggal Lahir: 1 sel bukan tanggal (baris 3: '31-02-1974'), sehingga "
        "barisnya dimuat tanpa tanggal ini"
    )


@pytest.mark.parametrize("value", ["01-07-1974", "-", ""])
def test_readable_or_empty_dates_not_warned(con, caplog, value):
    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        stage(con, "register", [{"nik": "3325040107400001", "name": "BUDI", "birth_date": value}])

    assert _warnings(caplog) == []


def test_all_rows_quarantined_warned(con, tmp_path, caplog, english):
    lines = [line.replace(";YA;", ";YA;;") for line in _data_lines(REGISTER_ROW, count=3)]

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        count = _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    assert (count.rows_loaded, count.rows_quarantined) == (0, 3)
    [warning] = _warnings(caplog)
    assert "dtsen.csv: 3 data rows were not loaded but quarantined" in warning.getMessage()


def test_nik_in_date_cell_masked(con, caplog, english):
    rows = [{"nik": "3325040107400001", "name": "BUDI", "death_date": "3325044107420001"}]

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        stage(con, "deaths", rows)

    [warning] = _warnings(caplog)
    assert "(row 2: '3325********0001')" in warning.getMessage()
    assert "(row 2: '3325********0001')" in console_text(warning)
    assert "3325044107420001" not in warning.getMessage()
