"""Reader and ingest tests: every row of every file lands in raw_<kind> or quarantine."""

from __future__ import annotations

import logging

import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlsxwriter

from pipelines.errors import ReconciliationError, SourceFileError
from pipelines.i18n import set_language
from pipelines.ingest.formulas import FormulaCell, formulas_without_value
from pipelines.ingest.load import _ClassifyContext, _reconcile, ingest_source
from pipelines.ingest.readers import detect_encoding
from pipelines.runconfig import SourceSpec

DATA = Path(__file__).resolve().parent / "data" / "ingest"


# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _spec(raw_dir: Path, path: str, kind: str | None, **extra) -> SourceSpec:
    return SourceSpec(kind=kind, path=path, raw_dir=raw_dir, **extra)


def _copy(name: str, raw_dir: Path) -> None:
    shutil.copy(DATA / name, raw_dir / name)


def _raw(con, kind: str, columns: str) -> list[tuple]:
    return con.sql(f"select {columns} from raw_{kind} order by source_row").fetchall()


def _quarantine(con) -> list[tuple]:
    return con.sql(
        "select source_sheet, source_row, reason_code from quarantine "
        "order by source_sheet, source_row"
    ).fetchall()


def _write_csv(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


# --- CSV -------------------------------------------------------------------------------------


def test_csv_bom_semicolon_register(con, tmp_path):
    _copy("dtsen_register_bom.csv", tmp_path)

    counts = ingest_source(con, _spec(tmp_path, "dtsen_*.csv", "register"), "run1", 1)

    assert [(c.rows_read, c.rows_loaded, c.rows_quarantined) for c in counts] == [(5, 4, 1)]
    rows = _raw(con, "register", "record_id, source_row, nik, no_kk, name, address")
    assert rows[0] == ("register:1::2", 2, "3325011007600002", "3325010101200001",
                       "H. MOCH. SOLICHIN, S.Pd.I", "Dk. Krajan")
    # A quoted field with the delimiter and a line break stays one value of one record.
    assert rows[2][5] == "Dk. Krajan; belakang\nmasjid"
    assert rows[2][2] == "3,32502E+15"
    assert rows[3][1] == 5
    assert _quarantine(con) == [("", 6, "blank_row")]


def test_csv_utf16_tab_unicode_text(con, tmp_path):
    # Excel's "Unicode Text" export: UTF-16 with a byte order mark, tab separated.
    _write_csv(tmp_path / "p.csv", "NIK\tNAMA\tJABATAN\n"
               "3325011007600005\tKARTO\tKADUS\n"
               "3325011007600004\tJOS\u00c9\tKADUS\n", encoding="utf-16")

    counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert detect_encoding(tmp_path / "p.csv") == "utf-16"
    assert [(c.rows_read, c.rows_loaded) for c in counts] == [(2, 2)]
    rows = _raw(con, "village_officials", "nik, name")
    assert rows == [("3325011007600005", "KARTO"), ("3325011007600004", "JOS\u00c9")]


UNICODE_TEXT = ("NIK,NAMA,JABATAN\n"
                "3325011007600005,KARTO,KADUS\n"
                "3325011007600004,JOS\u00c9,KADUS\n")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_csv_utf16_without_bom(con, tmp_path, encoding):
    _write_csv(tmp_path / "p.csv", UNICODE_TEXT, encoding=encoding)

    counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert detect_encoding(tmp_path / "p.csv") == encoding
    assert [(c.rows_read, c.rows_loaded) for c in counts] == [(2, 2)]
    rows = _raw(con, "village_officials", "nik, name")
    assert rows == [("3325011007600005", "KARTO"), ("3325011007600004", "JOS\u00c9")]


def test_csv_utf16_cut_short_named(con, tmp_path):
    # An odd number of bytes: the last UTF-16 character lost its second byte.
    (tmp_path / "perangkat.csv").write_bytes(UNICODE_TEXT.encode("utf-16-le")[:-1])

    with pytest.raises(SourceFileError) as error:
        ingest_source(con, _spec(tmp_path, "perangkat.csv", "village_officials"), "r", 1)

    message = str(error.value)
    assert message.startswith("perangkat.csv: ")
    assert "UTF-16 text without a byte order mark" in message
    assert "save it as CSV UTF-8" in message


def test_csv_nul_bytes_not_utf16(tmp_path):
    # NUL padding on both byte positions is not the pattern of UTF-16 text.
    _write_csv(tmp_path / "p.csv", "NIK,NAMA\n" + "\0" * 40)

    assert detect_encoding(tmp_path / "p.csv") == "utf-8"


def test_csv_windows_1252_comma(con, tmp_path):
    _copy("bpnt_bnba_cp1252.csv", tmp_path)

    ingest_source(con, _spec(tmp_path, "bpnt_bnba_cp1252.csv", "bpnt"), "run1", 3)

    rows = _raw(con, "bpnt", "record_id, nik, name, amount, address, nik_cell_type")
    assert detect_encoding(tmp_path / "bpnt_bnba_cp1252.csv") == "cp1252"
    assert rows[1][2] == "NUR\u2019AINI"
    assert rows[0][3] == "Rp 600.000"
    assert rows[0][4] == "DK. KRAJAN, RT 03 RW 05"
    assert rows[2][1] == "'3325014107900003"
    assert rows[0][0] == "bpnt:3::2"
    assert {r[5] for r in rows} == {"csv"}


def test_csv_utf8_without_bom(con, tmp_path):
    _write_csv(tmp_path / "asn.csv", "NIK,NAMA,TGL_LHR,INSTANSI,KATEGORI\n"
               "0012345678901234,BUDI,01/07/1970,DINAS PENDIDIKAN,PNS\n")

    ingest_source(con, _spec(tmp_path, "asn.csv", "asn"), "run1", 1)

    assert detect_encoding(tmp_path / "asn.csv") == "utf-8"
    assert _raw(con, "asn", "nik, birth_date, agency, category") == [
        ("0012345678901234", "01/07/1970", "DINAS PENDIDIKAN", "PNS")
    ]


def test_csv_values_stay_text(con, tmp_path):
    # Leading zeros and the 16th digit must survive even after many rows without them.
    lines = ["NOKA;NIK;NAMA;SEGMEN"]
    lines += [f"1234567890123;3325015207850{i:03d};A{i};PBI APBN" for i in range(1, 400)]
    lines.append("0001234567890;0325015207859999;LAST;PBI APBD")
    _write_csv(tmp_path / "pbi.csv", "\n".join(lines) + "\n")

    ingest_source(con, _spec(tmp_path, "pbi.csv", "pbi"), "run1", 1)

    last = con.sql("select noka, nik from raw_pbi where name = 'LAST'").fetchall()
    assert last == [("0001234567890", "0325015207859999")]


def test_csv_ragged_row_quarantined(con, tmp_path):
    _write_csv(tmp_path / "officials.csv", "NIK;NAMA;JABATAN\n"
               "3325015207850001;SITI;KAUR KEUANGAN\n"
               "3325011007600002;BUDI;SEKDES;EXTRA\n"
               "3325011007600003;KARTO\n"
               "3325011007600004;JONO;KADUS\n")

    counts = ingest_source(con, _spec(tmp_path, "officials.csv", "village_officials"), "r", 1)

    assert _raw(con, "village_officials", "source_row, name") == [(2, "SITI"), (5, "JONO")]
    detail = con.sql("select source_row, reason_code, reason_detail from quarantine "
                     "order by source_row").fetchall()
    assert detail == [
        (3, "unparseable_row", "officials.csv row 3: the row has 4 fields but the header has "
                               "3. A value probably contains the separator ';' without quotes. "
                               "Put that value in double quotes, or export the file again with "
                               "another separator."),
        (4, "unparseable_row", "officials.csv row 4: the row has 2 fields but the header has "
                               "3. Check that row in the file: a value or a separator is "
                               "missing."),
    ]
    assert (counts[0].rows_read, counts[0].rows_loaded, counts[0].rows_quarantined) == (4, 2, 2)


def test_csv_title_rows_above_header(con, tmp_path, caplog):
    _write_csv(tmp_path / "deaths.csv", "DAFTAR KEMATIAN DESA SILURAH\n\n"
               "NIK;NAMA;TANGGAL MENINGGAL\n3325015207850001;SITI;01-08-2026\n"
               "3325015207850002;\"BUDI\nSANTOSO\";02-08-2026\n")

    with caplog.at_level("INFO"):
        ingest_source(con, _spec(tmp_path, "deaths.csv", "deaths"), "r", 1)

    assert _raw(con, "deaths", "source_row, name") == [(4, "SITI"), (5, "BUDI\nSANTOSO")]
    assert _quarantine(con) == [("", 1, "title_row"), ("", 2, "blank_row")]
    assert "reading again" not in caplog.text


def test_csv_no_identity_row(con, tmp_path):
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n-;;KADUS\n;SUPARDI;KADUS\n")

    ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert _quarantine(con) == [("", 2, "no_identity")]
    assert _raw(con, "village_officials", "name") == [("SUPARDI",)]


def test_raw_values_json(con, tmp_path):
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n0;-;KADUS\n")

    ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    raw = con.sql("select raw_values from quarantine").fetchall()[0][0]
    assert json.loads(raw) == {"NIK": "0", "NAMA": "-", "JABATAN": "KADUS"}


# --- Excel -----------------------------------------------------------------------------------


def _pkh_workbook(path: Path) -> None:
    workbook = xlsxwriter.Workbook(path)
    headers = ["NO", "ID PKH", "ID DTKS", "NIK PENGURUS", "NAMA PENGURUS", "NO KK",
               "KECAMATAN", "DESA/KELURAHAN", "ALAMAT", "RT/RW", "KOMPONEN", "TAHAP",
               "NOMINAL", "BANK", "STATUS"]
    for sheet_name, kecamatan in (("Kec. Wonotunggal", "WONOTUNGGAL"), ("Kec. Tersono", "")):
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_string(0, 0, "DAFTAR KPM PKH TAHAP 4 TAHUN 2026")
        sheet.write_string(1, 0, "KABUPATEN BATANG")
        for col, header in enumerate(headers):
            sheet.write_string(3, col, header)
        sheet.write_row(4, 0, ["1", "PKH001", "D001"])
        sheet.write_string(4, 3, "3325015207850001")
        sheet.write_row(4, 4, ["SITI AMINAH", "3325010101200001", kecamatan, "SENDANG",
                               "DK KRAJAN", "003/005", "SD, LANSIA", "4", "Rp 600.000",
                               "BRI", "AKTIF"])
        # A numeric NIK cell: Excel keeps 15 significant digits.
        sheet.write_number(5, 3, 3325015207850001)
        sheet.write_row(5, 4, ["BUDI", "3325010101200001"])
        sheet.write_row(7, 0, headers)  # repeated header after a blank row 7
        sheet.write_row(8, 0, ["", "JUMLAH", "", "", "", "", "", "", "", "", "", "", "1200000"])
    notes = workbook.add_worksheet("Keterangan")
    notes.write_string(0, 0, "Data bersumber dari SIKS-NG")
    workbook.close()


def test_xlsx_layout_every_sheet(con, tmp_path):
    _pkh_workbook(tmp_path / "pkh_tahap4_2026.xlsx")

    counts = ingest_source(con, _spec(tmp_path, "pkh_*.xlsx", "pkh"), "run1", 2)

    by_sheet = {c.source_sheet: (c.rows_read, c.rows_loaded, c.rows_quarantined) for c in counts}
    assert by_sheet == {"Kec. Wonotunggal": (8, 2, 6), "Kec. Tersono": (8, 2, 6),
                        "Keterangan": (1, 0, 1)}
    rows = con.sql("select record_id, source_row, nik, nik_cell_type, rt_rw from raw_pkh "
                   "where source_sheet = 'Kec. Wonotunggal' order by source_row").fetchall()
    assert rows == [
        ("pkh:2:Kec. Wonotunggal:5", 5, "3325015207850001", "text", "003/005"),
        ("pkh:2:Kec. Wonotunggal:6", 6, "3325015207850001", "number", ""),
    ]
    assert [r for r in _quarantine(con) if r[0] == "Kec. Tersono"] == [
        ("Kec. Tersono", 1, "title_row"),
        ("Kec. Tersono", 2, "title_row"),
        ("Kec. Tersono", 3, "blank_row"),
        ("Kec. Tersono", 7, "blank_row"),
        ("Kec. Tersono", 8, "repeated_header"),
        ("Kec. Tersono", 9, "totals_row"),
    ]
    assert ("Keterangan", 1, "sheet_without_header") in _quarantine(con)


def test_legacy_xls(con, tmp_path):
    _copy("kematian_legacy.xls", tmp_path)

    ingest_source(con, _spec(tmp_path, "kematian_legacy.xls", "deaths"), "run1", 1)

    rows = _raw(con, "deaths", "source_sheet, source_row, nik, nik_cell_type, birth_date")
    assert rows == [
        ("Kematian", 4, "3325015207850001", "text", "07-05-1985"),
        ("Kematian", 5, "3325011007600002", "number", "22106"),
    ]
    assert _quarantine(con) == [("Kematian", 1, "title_row"), ("Kematian", 2, "blank_row")]


def test_configured_sheet_and_header_row(con, tmp_path):
    _pkh_workbook(tmp_path / "pkh.xlsx")
    spec = _spec(tmp_path, "pkh.xlsx", "pkh", sheet="Kec. Tersono", header_row=4)

    counts = ingest_source(con, spec, "run1", 1)

    assert [c.source_sheet for c in counts] == ["Kec. Tersono"]


# --- mapping errors and reconciliation -------------------------------------------------------


def test_missing_required_column(con, tmp_path):
    _write_csv(tmp_path / "pkh.csv", "NAMA PENGURUS;NO KK\nSITI;3325010101200001\n")

    with pytest.raises(SourceFileError) as error:
        ingest_source(con, _spec(tmp_path, "pkh.csv", "pkh"), "run1", 1)

    message = str(error.value)
    assert "pkh.csv" in message
    assert "header row 1: NIK (accepted headers: NIK, " in message
    assert "NIK PENGURUS" in message
    assert "NIK KTP" in message


def _load_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and r.name == "pipelines.ingest.load"]


@pytest.mark.parametrize(
    "text",
    ["NO POLISI;NIK PEMILIK;NAMA PEMILIK\n",
     "DATA KENDARAAN 2026\n\nNO POLISI;NIK PEMILIK;NAMA PEMILIK\n\n"],
    ids=["header", "title-and-blank-rows"],
)
def test_header_only_file_loads_nothing(con, tmp_path, caplog, text):
    _write_csv(tmp_path / "samsat.csv", text)

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest.load"):
        counts = ingest_source(con, _spec(tmp_path, "samsat.csv", "vehicles"), "r", 1)

    [count] = counts
    assert count.rows_loaded == 0
    assert count.rows_read == count.rows_quarantined
    assert _load_warnings(caplog) == [
        "samsat.csv: the file has a header row but no data rows, so it adds no rows to the "
        "audit. If the source system has data for it, export the file again."
    ]


def test_header_only_sheet_beside_data_silent(con, tmp_path, caplog):
    # One sheet without data rows beside one with data. The file has data, so ingest does not
    # warn.
    workbook = xlsxwriter.Workbook(tmp_path / "pbi.xlsx")
    workbook.add_worksheet("Kosong").write_row(0, 0, ["NOKA", "NIK", "NAMA", "SEGMEN"])
    full = workbook.add_worksheet("PBI")
    full.write_row(0, 0, ["NOKA", "NIK", "NAMA", "SEGMEN"])
    full.write_row(1, 0, ["0001234567890", "3325015207850001", "SITI", "PBI APBD"])
    workbook.close()

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest.load"):
        counts = ingest_source(con, _spec(tmp_path, "pbi.xlsx", "pbi"), "r", 1)

    assert [(c.source_sheet, c.rows_read, c.rows_loaded) for c in counts] == [
        ("Kosong", 0, 0), ("PBI", 1, 1)]
    assert _load_warnings(caplog) == []


@pytest.mark.parametrize("name", ["samsat_kendaraan_2026.csv", "pbi_jkn_202611.xlsx"])
def test_empty_file_named(con, tmp_path, name):
    (tmp_path / name).write_bytes(b"")

    with pytest.raises(SourceFileError) as error:
        ingest_source(con, _spec(tmp_path, name, None), "run1", 1)

    message = str(error.value)
    assert name in message
    assert "empty (0 bytes)" in message


def test_missing_required_column_names_sheet(con, tmp_path):
    workbook = xlsxwriter.Workbook(tmp_path / "pbi.xlsx")
    workbook.add_worksheet("PBI").write_row(0, 0, ["NOKA", "NAMA", "SEGMEN"])
    workbook.close()

    with pytest.raises(SourceFileError, match=r"pbi.xlsx \[PBI\].*: NIK \(accepted"):
        ingest_source(con, _spec(tmp_path, "pbi.xlsx", "pbi"), "run1", 1)


def test_kind_recognised_from_headers(con, tmp_path):
    _write_csv(tmp_path / "bpjs.csv", "NOKA;NIK;NAMA;SEGMEN;TMT\n"
               "0001234567890;3325015207850001;SITI;PBI APBD;01-01-2024\n")

    counts = ingest_source(con, _spec(tmp_path, "bpjs.csv", None), "run1", 1)

    assert counts[0].source_kind == "pbi"


def test_roster_without_nik_column_named(con, tmp_path):
    # Without NIK, only the complaint export had every required column (NAMA), and its STATUS
    # header made this BPNT roster load as complaints with no usable NIK.
    _write_csv(tmp_path / "bpnt.csv", "NO;ID DTKS;NAMA PENERIMA;NO KK;TAHAP;BANSOS;NOMINAL;BANK;"
               "STATUS\n1;D1;SITI;3325010101200001;4;SEMBAKO;600000;BRI;AKTIF\n")

    with pytest.raises(SourceFileError) as error:
        ingest_source(con, _spec(tmp_path, "bpnt.csv", None), "run1", 1)

    assert str(error.value).startswith(
        "bpnt.csv: required column missing in header row 1: NIK (accepted headers: NIK, "
    )


def test_kind_ambiguous_rejected(con, tmp_path):
    _write_csv(tmp_path / "list.csv", "NIK;NAMA\n3325015207850001;SITI\n")

    with pytest.raises(SourceFileError) as error:
        ingest_source(con, _spec(tmp_path, "list.csv", None), "run1", 1)

    message = str(error.value)
    assert "fit equally well" not in message
    assert "would fit, but no header is particular to a kind" in message
    for kind in ("asn", "village_officials", "exclusion", "pbi"):
        assert kind in message


def test_configured_header_mapping(con, tmp_path):
    _write_csv(tmp_path / "x.csv",
               "NOMOR IDENTITAS;NAMA WARGA;KELOMPOK\n3325015207850001;SITI;GURU\n")
    spec = _spec(tmp_path, "x.csv", "exclusion",
                 columns=(("NOMOR IDENTITAS", "nik"),), aliases=(("name", ("NAMA WARGA",)),))

    ingest_source(con, spec, "run1", 1)

    assert _raw(con, "exclusion", "nik, name, category") == [
        ("3325015207850001", "SITI", "GURU")
    ]


def test_no_file_matches(con, tmp_path):
    with pytest.raises(SourceFileError, match="No file matches"):
        ingest_source(con, _spec(tmp_path, "nothing_*.csv", "pkh"), "run1", 1)


def test_glob_numbers_files(con, tmp_path):
    for name in ("asn_a.csv", "asn_b.csv"):
        _write_csv(tmp_path / name, "NIK;NAMA;INSTANSI\n3325015207850001;SITI;DINKES\n")

    counts = ingest_source(con, _spec(tmp_path, "asn_*.csv", "asn"), "run1", 7)

    assert [(c.source_file, c.file_number) for c in counts] == [("asn_a.csv", 7),
                                                                 ("asn_b.csv", 8)]
    assert _raw(con, "asn", "record_id") == [("asn:7::2",), ("asn:8::2",)]


def test_reingest_replaces_rows(con, tmp_path):
    _copy("bpnt_bnba_cp1252.csv", tmp_path)
    spec = _spec(tmp_path, "bpnt_bnba_cp1252.csv", "bpnt")

    ingest_source(con, spec, "run1", 1)
    ingest_source(con, spec, "run1", 1)

    assert con.sql("select count(*) from raw_bpnt").fetchall() == [(3,)]
    assert con.sql("select count(*) from file_reconciliation").fetchall() == [(1,)]


def test_reconciliation_counts_recorded(con, tmp_path):
    _copy("dtsen_register_bom.csv", tmp_path)

    ingest_source(con, _spec(tmp_path, "dtsen_register_bom.csv", "register"), "run9", 1)

    assert con.sql("select * from file_reconciliation").fetchall() == [
        ("run9", "register", "dtsen_register_bom.csv", "", 5, 4, 1, 0)
    ]


def test_reconciliation_mismatch_raises(con, tmp_path):
    _write_csv(tmp_path / "asn.csv", "NIK;NAMA;INSTANSI\n3325015207850001;SITI;DINKES\n")
    spec = _spec(tmp_path, "asn.csv", "asn")
    ingest_source(con, spec, "run1", 1)
    context = _ClassifyContext("asn", "asn.csv", "", "run1", 1, 0, ["NIK", "NAMA", "INSTANSI"],
                               None, spec)

    with pytest.raises(ReconciliationError, match="2 rows read but 0 loaded and 0"):
        _reconcile(con, context, 2)


def test_messages_in_indonesian(con, tmp_path):
    set_language("id")
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n;;KADUS\n")

    ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert con.sql("select reason_detail from quarantine").fetchall() == [
        ("tidak ada NIK dan tidak ada nama",)
    ]


def _reasons(con) -> list[tuple]:
    return con.sql("select source_row, reason_detail from quarantine order by source_row").fetchall()


def test_csv_separator_in_value_indonesian(con, tmp_path):
    set_language("id")
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n"
               "3325011007600002;BUDI;SEKDES; RT 02\n"
               "3325011007600004;JONO;KADUS\n")

    ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert _reasons(con) == [(2, (
        "p.csv baris 2: baris ini berisi 4 kolom, padahal judul kolom ada 3. Kemungkinan ada "
        "nilai yang memuat pemisah ';' tanpa tanda kutip. Apit nilai itu dengan tanda kutip "
        "ganda, atau ekspor ulang berkas dengan pemisah lain."))]


def test_csv_stray_quote_joins_lines(con, tmp_path):
    set_language("id")
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n"
               "3325011007600005;\"KARTO;KADUS\n"
               "3325011007600004;JONO;KADUS\n")

    counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    reasons = _reasons(con)
    assert len(reasons) == 1
    assert reasons[0][0] == 2
    assert reasons[0][1].startswith(
        "p.csv baris 2: sebuah tanda kutip ganda (\") membuka nilai yang berlanjut dari baris 2 "
        "sampai baris 3")
    assert "Hapus atau tutup tanda kutip" in reasons[0][1]
    assert (counts[0].rows_read, counts[0].rows_quarantined) == (1, 1)


def test_csv_paired_stray_quotes_quarantine_joined_records(con, tmp_path):
    # The second quote closes the value two lines later, so the joined row has the header's
    # three fields and would otherwise load, hiding two people inside a name.
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n"
               "3325011007600005;\"KARTO\n"
               "3325011007600004;JONO;KADUS\n"
               "3325011007600003;TONO\";KADUS\n"
               "3325011007600002;BUDI;SEKDES\n")

    counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert (counts[0].rows_read, counts[0].rows_loaded, counts[0].rows_quarantined) == (2, 1, 1)
    quarantined = con.sql("select source_row, reason_code from quarantine").fetchall()
    assert quarantined == [(2, "joined_lines")]


def test_csv_line_break_in_address_loads(con, tmp_path):
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;ALAMAT\n"
               "3325011007600005;KARTO;\"Dk. Krajan\nbelakang masjid\"\n")

    counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert (counts[0].rows_loaded, counts[0].rows_quarantined) == (1, 0)


def test_csv_stray_quote_warns(con, tmp_path, caplog):
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n"
               "3325011007600005;\"KARTO;KADUS\n"
               "3325011007600004;JONO;KADUS\n"
               "3325011007600003;TONO;KADUS\n")

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "p.csv row 2 contains lines 2 to 4 of the file: a stray double quote joined them into one "
        "row, which is quarantined, so the data on 2 more lines is not audited. Remove the "
        "stray quote and export the file again."
    ]
    assert (counts[0].rows_read, counts[0].lines_joined) == (1, 2)


def test_csv_paired_stray_quotes_count_joined_lines(con, tmp_path, caplog):
    # Fast reader path: the joined row has the header's width. A quoted line break in an
    # earlier loaded row moves the file lines of the rows after it.
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;ALAMAT\n"
               "3325011007600001;KARTO;\"Dk. Krajan\nbelakang masjid\"\n"
               "3325011007600002;BUDI;KRAJAN\n"
               "3325011007600005;\"SITI;KRAJAN\n"
               "3325011007600004;JONO;KRAJAN\n"
               "3325011007600003;TONO\";KRAJAN\n"
               "3325011007600006;TINI;KRAJAN\n")

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    count = counts[0]
    assert (count.rows_read, count.rows_loaded, count.rows_quarantined) == (4, 3, 1)
    assert count.lines_joined == 2
    # Seven data lines in the file: four rows read plus two lines inside the joined row, plus
    # the line break quoted inside the address of row 2, which is loaded.
    assert con.sql("select rows_read, lines_joined from file_reconciliation").fetchall() == [
        (4, 2)
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "p.csv row 4 contains lines 5 to 7 of the file: a stray double quote joined them into one "
        "row, which is quarantined, so the data on 2 more lines is not audited. Remove the "
        "stray quote and export the file again."
    ]


def test_csv_joined_lines_warning_indonesian(con, tmp_path, capsys, console_log):
    set_language("id")
    _write_csv(tmp_path / "asn.csv", "NIK;NAMA;INSTANSI\n"
               "3325011007600005;\"SITI;DINKES\n"
               "3325011007600004;JONO\";DINKES\n")

    ingest_source(con, _spec(tmp_path, "asn.csv", "asn"), "r", 1)

    err = " ".join(capsys.readouterr().err.split())
    assert (
        "Peringatan: asn.csv baris 2 memuat baris teks 2 sampai 3 dari berkas: sebuah tanda kutip "
        "ganda yang tersasar menggabungkannya menjadi satu baris yang dikarantina, sehingga data "
        "pada 1 baris teks lainnya tidak diaudit. Hapus tanda kutip itu lalu ekspor ulang berkas."
    ) in err


def test_csv_many_joined_rows_warn_once_more(con, tmp_path, caplog):
    rows = "".join(f"33250110076{i:05d};\"A{i}\n33250110077{i:05d};B{i}\";KADUS\n"
                   for i in range(7))
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n" + rows)

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        counts = ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 6
    assert warnings[4].startswith("p.csv row 6 contains lines 10 to 11 of the file")
    assert warnings[5].startswith("p.csv: 2 more rows were joined from several lines by stray "
                                  "double quotes (4 lines in all)")
    assert (counts[0].rows_read, counts[0].lines_joined) == (7, 7)


def test_excel_line_break_counts_no_joined_lines(con, tmp_path):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = "ASN"
    worksheet.append(["NIK", "NAMA", "INSTANSI"])
    worksheet.append(["3325011007600005", "SITI\n3325011007600004 JONO", "DINKES"])
    workbook.save(tmp_path / "asn.xlsx")

    counts = ingest_source(con, _spec(tmp_path, "asn.xlsx", "asn"), "r", 1)

    assert (counts[0].rows_quarantined, counts[0].lines_joined) == (1, 0)


def test_csv_unclosed_quote_stops_english(con, tmp_path):
    # A quote that is never closed makes one value of the rest of the file, and the csv module
    # rejects a value longer than its field limit (131,072 characters by default).
    rows = "".join(f"33250110076{i:05d};WARGA {i};KADUS\n" for i in range(8000))
    _write_csv(tmp_path / "p.csv", "NIK;NAMA;JABATAN\n3325011007600005;\"KARTO;KADUS\n" + rows)

    with pytest.raises(SourceFileError) as error:
        ingest_source(con, _spec(tmp_path, "p.csv", "village_officials"), "r", 1)

    assert str(error.value) == (
        "p.csv: from line 2 on, a double quote (\") opens a value that is never closed, so the "
        "rest of the file reads as one value. Remove or close that quote and export the file "
        "again.")


# --- Excel formulas without a saved value ----------------------------------------------------


def _formula_workbook(path: Path, rows: list[list[str]], sheet: str = "PBI") -> None:
    # openpyxl saves formulas without their results, like tools that never calculate.
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)


def test_xlsx_formula_row_quarantined(con, tmp_path):
    set_language("id")
    _formula_workbook(tmp_path / "pbi.xlsx", [
        ["NIK", "NAMA", "SEGMEN", "CATATAN"],
        ["3325011203800002", "BUDI", "PBI APBN", "=1+1"],
        ["3325014507850001", '=UPPER("siti")', "PBI APBD", ""],
    ])

    counts = ingest_source(con, _spec(tmp_path, "pbi.xlsx", "pbi"), "r", 1)

    # A formula in a column the audit does not use leaves its row alone.
    assert _raw(con, "pbi", "source_row, name") == [(2, "BUDI")]
    rows = con.sql("select source_sheet, source_row, reason_code, reason_detail "
                   "from quarantine").fetchall()
    assert rows == [("PBI", 3, "formula_without_value", (
        "pbi.xlsx [PBI] baris 3: ada rumus tanpa nilai tersimpan di kolom NAMA (sel B3), jadi "
        "nilainya tidak diketahui. Buka berkas di Excel atau LibreOffice, simpan, lalu ekspor "
        "ulang, atau tempel sel-sel itu sebagai nilai (paste values)."))]
    assert (counts[0].rows_read, counts[0].rows_loaded, counts[0].rows_quarantined) == (2, 1, 1)


def test_xlsx_formula_offset_sheet(con, tmp_path):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = "Data"
    worksheet["C2"], worksheet["D2"], worksheet["E2"] = "NIK", "NAMA", "SEGMEN"
    worksheet["C3"], worksheet["D3"], worksheet["E3"] = "3325011203800002", "BUDI", "=D3"
    worksheet["C4"], worksheet["D4"], worksheet["E4"] = "3325014507850001", "SITI", "PBI APBD"
    workbook.save(tmp_path / "pbi.xlsx")

    ingest_source(con, _spec(tmp_path, "pbi.xlsx", "pbi"), "r", 1)

    assert _raw(con, "pbi", "source_row, name, segment") == [(4, "SITI", "PBI APBD")]
    detail = con.sql("select source_row, reason_detail from quarantine "
                     "where reason_code = 'formula_without_value'").fetchall()
    assert detail == [(3, (
        "pbi.xlsx [Data] row 3: formula without a saved value in column SEGMEN (cell E3), so "
        "the value is unknown. Open the file in Excel or LibreOffice, save it and export it "
        "again, or paste the cells as values."))]


def test_xlsx_formula_in_nik_stops(con, tmp_path):
    _formula_workbook(tmp_path / "pbi.xlsx", [
        ["NIK", "NAMA", "SEGMEN"],
        ["3325011203800002", "BUDI", "PBI APBN"],
        ['=TEXT(3325010101100003,"0")', "ANAK", "PBI APBD"],
        ['=TEXT(3325010101100004,"0")', "ANAK", "PBI APBD"],
    ])

    with pytest.raises(SourceFileError) as error:
        ingest_source(con, _spec(tmp_path, "pbi.xlsx", "pbi"), "r", 1)

    assert str(error.value) == (
        "pbi.xlsx [PBI], cell A3 (row 3, column NIK): the cell holds a formula without a saved "
        "value (=TEXT(3325********0003,\"0\")), so the ID cannot be read. Such cells in this "
        "column: 2. Open the file in Excel or LibreOffice, save it and export it again, or paste "
        "the column as values.")
    assert con.sql("select count(*) from raw_pbi").fetchall() == [(0,)]


def test_xlsx_cached_formula_keeps_value(con, tmp_path):
    workbook = xlsxwriter.Workbook(tmp_path / "pbi.xlsx")
    worksheet = workbook.add_worksheet("PBI")
    worksheet.write_row(0, 0, ["NIK", "NAMA", "SEGMEN"])
    worksheet.write_string(1, 0, "3325014507850001")
    worksheet.write_formula(1, 1, '=UPPER("siti")', None, "SITI")
    worksheet.write_string(1, 2, "PBI APBD")
    workbook.close()

    ingest_source(con, _spec(tmp_path, "pbi.xlsx", "pbi"), "r", 1)

    assert _raw(con, "pbi", "source_row, name") == [(2, "SITI")]
    assert _quarantine(con) == []


def _package(path: Path, sheet_xml: str, target: str) -> None:
    """Write the workbook parts that formulas_without_value reads, with an `x:` prefix."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", (
            f'<x:workbook xmlns:x="{main}" xmlns:r="{relations}"><x:sheets>'
            f'<x:sheet name="Daftar" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{package}"><Relationship Id="rId7" Type="{relations}/worksheet"'
            f' Target="{target}"/></Relationships>'))
        archive.writestr("xl/worksheets/daftar.xml", (
            f'<x:worksheet xmlns:x="{main}"><x:sheetData>{sheet_xml}</x:sheetData></x:worksheet>'))


def test_formula_scan_prefixed_parts(tmp_path):
    cells = (
        '<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2"><x:f>A2&amp;"x"</x:f></x:c>'
        '</x:row><x:row><x:c><x:v>1</x:v></x:c><x:c t="str"><x:f>""</x:f><x:v></x:v></x:c>'
        '<x:c><x:f t="shared" si="0"/><x:v/></x:c></x:row>'
    )
    _package(tmp_path / "a.xlsx", cells, "worksheets/daftar.xml")
    _package(tmp_path / "b.xlsx", cells, "/xl/worksheets/daftar.xml")

    for name in ("a.xlsx", "b.xlsx"):
        found = formulas_without_value(tmp_path / name)
        assert found == {"Daftar": [FormulaCell(2, 2, 'A2&"x"'), FormulaCell(3, 3, "")]}
    assert FormulaCell(2, 2, 'A2&"x"').reference == "B2"
    assert FormulaCell(3, 28, "").reference == "AB3"


def test_formula_text_masks_nik():
    cell = FormulaCell(7, 2, 'TEXT(3325013110680001,"0")&" "&3325011007200003')

    assert cell.shown_formula == '=TEXT(3325********0001,"0")&" "&3325********0003'


def test_formula_scan_skips_other_formats(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"not a zip")
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")

    assert formulas_without_value(tmp_path / "a.xls") == {}
    assert formulas_without_value(tmp_path / "b.xlsx") == {}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "pkh_tahap4.xlsx: the workbook cannot be opened (the XLSX reader reports: "),
        ("id", "pkh_tahap4.xlsx: buku kerja tidak dapat dibuka (laporan pembaca XLSX: "),
    ],
)
def test_damaged_workbook_message(con, tmp_path, language, expected):
    # Half of a real workbook: the zip directory at its end is gone.
    whole = tmp_path / "whole.xlsx"
    with xlsxwriter.Workbook(whole) as workbook:
        workbook.add_worksheet("PKH").write_row(0, 0, ["NIK", "NAMA"])
    data = whole.read_bytes()
    (tmp_path / "pkh_tahap4.xlsx").write_bytes(data[: len(data) // 2])
    set_language(language)

    with pytest.raises(SourceFileError) as raised:
        ingest_source(con, _spec(tmp_path, "pkh_tahap4.xlsx", "pkh"), "r", 1)

    assert str(raised.value).startswith(expected)
    assert str(raised.value).endswith("). " + {
        "en": "Save it again as .xlsx and retry.",
        "id": "Simpan ulang sebagai .xlsx lalu coba lagi.",
    }[language])
