"""A workbook sheet whose header row has none of the required columns, such as a Rekap sheet of
totals per kecamatan, is quarantined with a warning when another sheet contains the list."""

from __future__ import annotations

import logging

import duckdb
import pytest
import xlsxwriter

from pipelines.cli import console_text
from pipelines.errors import SourceFileError
from pipelines.i18n import set_language
from pipelines.ingest.load import ingest_source
from pipelines.runconfig import SourceSpec

LIST_HEADER = ["NO", "NIK PENGURUS", "NAMA PENGURUS", "KECAMATAN", "KOMPONEN", "NOMINAL"]
REKAP_HEADER = ["KECAMATAN", "JUMLAH KPM", "NOMINAL"]
REKAP_ROWS = [["BANDAR", "2", "1200000"], ["TERSONO", "1", "600000"], ["TOTAL", "3", "1800000"]]
FILE = "pkh_tahap4_2026.xlsx"


# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


def _write_workbook(path, sheets: dict[str, list[list[str]]]) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    workbook.close()


def _kecamatan_rows(kecamatan: str, niks: list[str]) -> list[list[str]]:
    rows = [[str(n + 1), nik, f"WARGA {n + 1}", kecamatan, "LANSIA", "600000"]
            for n, nik in enumerate(niks)]
    return [LIST_HEADER, *rows]


def _pkh_with_rekap(path, rekap: list[list[str]]) -> None:
    _write_workbook(path, {
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001", "3325010107400002"]),
        "Kec. Tersono": _kecamatan_rows("TERSONO", ["3325020107400003"]),
        "Rekap": rekap,
        "Kosong": [],
    })


def _ingest(con, tmp_path):
    spec = SourceSpec(kind="pkh", path=FILE, raw_dir=tmp_path)
    return ingest_source(con, spec, "r", 1)


def test_rekap_sheet_quarantined(tmp_path, caplog):
    _pkh_with_rekap(tmp_path / FILE, [REKAP_HEADER, *REKAP_ROWS])

    with duckdb.connect() as con, caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        counts = _ingest(con, tmp_path)
        reconciliation = con.sql(
            "select source_sheet, rows_read, rows_loaded, rows_quarantined "
            "from file_reconciliation order by source_sheet"
        ).fetchall()
        quarantine = con.sql(
            "select source_row, reason_code, reason_detail from quarantine "
            "where source_sheet = 'Rekap' order by source_row"
        ).fetchall()
        loaded = con.sql("select source_sheet, nik from raw_pkh order by nik").fetchall()

    assert sorted((c.source_sheet, c.rows_read, c.rows_loaded, c.rows_quarantined)
                  for c in counts) == reconciliation
    assert reconciliation == [
        ("Kec. Bandar", 2, 2, 0),
        ("Kec. Tersono", 1, 1, 0),
        ("Kosong", 0, 0, 0),
        ("Rekap", 4, 0, 4),
    ]
    assert loaded == [
        ("Kec. Bandar", "3325010107400001"),
        ("Kec. Bandar", "3325010107400002"),
        ("Kec. Tersono", "3325020107400003"),
    ]
    detail = "the sheet has no header row with the required columns of the PKH roster (NIK, NAMA)"
    assert quarantine == [(row, "sheet_without_header", detail) for row in (1, 2, 3, 4)]


def _rekap_warning(tmp_path, caplog) -> str:
    """Ingest a workbook with a Rekap sheet and return its one warning as the console shows it."""
    _pkh_with_rekap(tmp_path / FILE, [REKAP_HEADER, *REKAP_ROWS])
    caplog.clear()

    with duckdb.connect() as con, caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        _ingest(con, tmp_path)

    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    return console_text(record)


def test_rekap_warning_in_both_languages(tmp_path, caplog):
    assert _rekap_warning(tmp_path, caplog) == (
        "pkh_tahap4_2026.xlsx [Rekap]: 4 rows are quarantined, not loaded, because the sheet has "
        "no header row with the required columns of the PKH roster (NIK, NAMA). If the sheet "
        "contains rows of the list, fix its header or map it under [sources.columns] in the run "
        "configuration, and run again. If it is a summary or notes sheet, nothing needs doing."
    )
    # The run's language names the list in the console's text.
    set_language("id")
    assert _rekap_warning(tmp_path, caplog) == (
        "pkh_tahap4_2026.xlsx [Rekap]: 4 baris dikarantina, tidak dimuat, karena sheet itu tidak "
        "memiliki baris judul dengan kolom wajib daftar KPM PKH (NIK, NAMA). Jika sheet itu memuat "
        "baris daftar, perbaiki judul kolomnya atau petakan di [sources.columns] pada "
        "konfigurasi run, lalu jalankan lagi. Jika sheet itu berisi rekap atau catatan, tidak "
        "ada yang perlu dilakukan."
    )


def test_kind_recognised_after_rekap_sheet(tmp_path):
    # Dinas Sosial workbooks often put the Rekap sheet first.
    _write_workbook(tmp_path / FILE, {
        "Rekap": [REKAP_HEADER, *REKAP_ROWS],
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001"]),
    })
    spec = SourceSpec(kind=None, path=FILE, raw_dir=tmp_path)

    with duckdb.connect() as con:
        counts = ingest_source(con, spec, "r", 1)

    assert [(c.source_kind, c.source_sheet, c.rows_loaded, c.rows_quarantined)
            for c in counts] == [("pkh", "Rekap", 0, 4), ("pkh", "Kec. Bandar", 1, 0)]


def test_kind_recognised_after_rekap_with_names(tmp_path):
    # NO and NAMA are the only required and specific headers of a complaint export that this
    # Rekap of pendamping has. A row-number column names no kind, so the kecamatan sheets decide.
    _write_workbook(tmp_path / FILE, {
        "Rekap Pendamping": [
            ["NO", "KECAMATAN", "NAMA", "JUMLAH KPM"], ["1", "BANDAR", "SITI", "2"],
        ],
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001", "3325010107400002"]),
    })
    spec = SourceSpec(kind=None, path=FILE, raw_dir=tmp_path)

    with duckdb.connect() as con:
        counts = ingest_source(con, spec, "r", 1)

    assert {c.source_kind for c in counts} == {"pkh"}
    assert [(c.source_sheet, c.rows_loaded) for c in counts] == [
        ("Rekap Pendamping", 0), ("Kec. Bandar", 2)
    ]


def test_kind_recognised_after_rekap_with_notes(tmp_path):
    # NAMA and KETERANGAN name a complaint export, but the Rekap has no NIK, so the kecamatan
    # sheets decide the kind.
    _write_workbook(tmp_path / FILE, {
        "Rekap Pendamping": [
            ["NO", "KECAMATAN", "NAMA", "JUMLAH KPM", "KETERANGAN"],
            ["1", "BANDAR", "SITI", "2", "LENGKAP"],
        ],
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001", "3325010107400002"]),
    })
    spec = SourceSpec(kind=None, path=FILE, raw_dir=tmp_path)

    with duckdb.connect() as con:
        counts = ingest_source(con, spec, "r", 1)

    assert {c.source_kind for c in counts} == {"pkh"}
    assert [(c.source_sheet, c.rows_loaded, c.rows_quarantined) for c in counts] == [
        ("Rekap Pendamping", 0, 2), ("Kec. Bandar", 2, 0)
    ]


def test_list_sheet_without_nik_header_stops(tmp_path):
    # The NIK column of Kec. Tersono has a header the run does not know, but its cells are
    # NIKs: a list sheet with a damaged header, not a summary.
    damaged = [["NO", "NO IDENTITAS", "NAMA PENGURUS", "KECAMATAN", "KOMPONEN", "NOMINAL"],
               ["1", "3325020107400003", "WARGA 1", "TERSONO", "LANSIA", "600000"]]
    _write_workbook(tmp_path / FILE, {
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001"]),
        "Kec. Tersono": damaged,
    })

    with duckdb.connect() as con, pytest.raises(SourceFileError, match=r"\[Kec\. Tersono\]"):
        _ingest(con, tmp_path)


def test_rekap_with_account_numbers_quarantined(tmp_path):
    # Bank account numbers have 16 digits but not the shape of a NIK.
    rekap = [["NO", "KECAMATAN", "NAMA", "NO REKENING", "JUMLAH KPM"],
             ["1", "BANDAR", "SITI", "0002010100015301", "2"]]
    _pkh_with_rekap(tmp_path / FILE, rekap)

    with duckdb.connect() as con:
        counts = _ingest(con, tmp_path)

    assert [(c.source_sheet, c.rows_loaded, c.rows_quarantined) for c in counts
            if c.source_sheet == "Rekap"] == [("Rekap", 0, 2)]


def test_nik_below_first_rows_stops(tmp_path):
    # The NIK header of Kec. Tersono is blank and its first 40 rows have no NIK. The sheet looks
    # like a summary from its first rows, but the NIK further down makes it a list sheet.
    header = ["NO", "", "NAMA PENGURUS", "KECAMATAN", "KOMPONEN", "NOMINAL"]
    rows = [[str(n), "", f"WARGA {n}", "TERSONO", "LANSIA", "600000"] for n in range(1, 41)]
    rows.append(["41", "3325020107400003", "WARGA 41", "TERSONO", "LANSIA", "600000"])
    _write_workbook(tmp_path / FILE, {
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001"]),
        "Kec. Tersono": [header, *rows],
    })

    with duckdb.connect() as con, pytest.raises(SourceFileError) as error:
        _ingest(con, tmp_path)

    assert str(error.value) == (
        f"{FILE} [Kec. Tersono]: the sheet has no header row with the required columns of the "
        "PKH roster (NIK, NAMA), but 1 of its rows contain a NIK (rows 42). Fix its header or map "
        "it under [sources.columns] in the run configuration, and run again. If it is a summary "
        "sheet, delete those NIKs from it."
    )


def test_sheets_of_different_kinds_stop(tmp_path):
    complaints = [
        ["ID PENGADUAN", "TANGGAL PENGADUAN", "JENIS PENGADUAN", "NIK", "NAMA"],
        ["C-1", "01-11-2026", "usulan", "3325010107400009", "SITI"],
    ]
    _write_workbook(tmp_path / FILE, {
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001"]),
        "Pengaduan": complaints,
    })
    spec = SourceSpec(kind=None, path=FILE, raw_dir=tmp_path)

    with duckdb.connect() as con, pytest.raises(SourceFileError) as error:
        ingest_source(con, spec, "r", 1)

    assert str(error.value) == (
        f"{FILE}: its sheets have the headers of different source kinds (complaints: Pengaduan; "
        "pkh: Kec. Bandar). Set `kind` for this source in the run configuration, or split the "
        "file by kind."
    )


def test_notes_sheet_without_header_warns(tmp_path, caplog):
    # A notes sheet has no header row at all. Its blank rows are layout, not lost rows.
    _pkh_with_rekap(tmp_path / FILE, [["Data bersumber dari SIKS-NG"], [" "], ["Dinas Sosial"]])

    with duckdb.connect() as con, caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        _ingest(con, tmp_path)
        reasons = con.sql(
            "select source_row, reason_code from quarantine where source_sheet = 'Rekap' "
            "order by source_row"
        ).fetchall()

    assert reasons == [(1, "sheet_without_header"), (2, "blank_row"), (3, "sheet_without_header")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("pkh_tahap4_2026.xlsx [Rekap]: 2 rows are quarantined")


def test_header_with_nik_but_no_name_stops(tmp_path):
    # The Rekap sheet comes first and is passed over, but the damaged list sheet stops the run.
    damaged = ["NO", "NIK PENGURUS", "NAMA IBU", "KECAMATAN", "NOMINAL"]
    _write_workbook(tmp_path / FILE, {
        "Rekap": [REKAP_HEADER, *REKAP_ROWS],
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001"]),
        "Kec. Tersono": [damaged, ["1", "3325020107400003", "SITI", "TERSONO", "600000"]],
    })

    with duckdb.connect() as con, pytest.raises(SourceFileError) as raised:
        _ingest(con, tmp_path)

    assert str(raised.value).startswith(
        "pkh_tahap4_2026.xlsx [Kec. Tersono]: required column missing in header row 1: "
        "NAMA (accepted headers: NAMA, "
    )


def test_no_matching_sheet_keeps_error(tmp_path, caplog):
    _write_workbook(tmp_path / FILE, {
        "Keterangan": [["Data bersumber dari SIKS-NG"]],
        "Rekap": [REKAP_HEADER, *REKAP_ROWS],
    })

    with (duckdb.connect() as con, pytest.raises(SourceFileError) as raised,
          caplog.at_level(logging.WARNING, logger="pipelines.ingest")):
        _ingest(con, tmp_path)

    # No warning is logged, because the run stops before it loads any row.
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == []

    message = str(raised.value)
    assert message.startswith(
        "pkh_tahap4_2026.xlsx [Rekap]: required column missing in header row 1: NIK "
        "(accepted headers: NIK, "
    )
    assert "; NAMA (accepted headers: NAMA, " in message
    assert message.endswith(
        "Rename the header in the file, or map it under [sources.columns] in the run "
        'configuration, for example: "<header in the file>" = "nik".'
    )


def test_header_row_above_list_stops(tmp_path):
    """A list sheet whose header is lower than `header_row` stops ingest instead of being
    quarantined as a summary sheet."""
    titles = [["DAFTAR KPM PKH TAHAP 4"], ["KABUPATEN BATANG"]]
    _write_workbook(tmp_path / FILE, {
        "Kec. Bandar": _kecamatan_rows("BANDAR", ["3325010107400001", "3325010107400002"]),
        "Kec. Tersono": [*titles, *_kecamatan_rows("TERSONO", ["3325020107400003"])],
        "Rekap": [REKAP_HEADER, *REKAP_ROWS],
    })
    spec = SourceSpec(kind="pkh", path=FILE, raw_dir=tmp_path, header_row=1)

    with pytest.raises(SourceFileError) as error:
        ingest_source(duckdb.connect(), spec, "r", 1)

    assert str(error.value).startswith(
        f"{FILE} [Kec. Tersono]: header row 1 has none of the required columns of the PKH roster, "
        "but row 3 has them all."
    )
