"""BPJS-TK, PLN, Samsat and AHU/OSS extracts: hand-made files through ingest and staging."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from pipelines.ingest import build_staging, ingest_source, validate_staging
from pipelines.ingest.sources import detect_kind
from pipelines.runconfig import SourceSpec

TODAY = dt.date(2026, 12, 4)
NIK_A = "3325015207850001"
NIK_B = "3325091204790002"


@pytest.fixture
def con():
    connection = duckdb.connect(config={"autoinstall_known_extensions": False})
    yield connection
    connection.close()


def _ingest(con, folder: Path, name: str) -> str:
    """Ingest one file with its kind detected from the headers; return that kind."""
    counts = ingest_source(con, SourceSpec(kind=None, path=name, raw_dir=folder), "run1", 1)
    kind = counts[0].source_kind
    build_staging(con, [kind], today=TODAY)
    return kind


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _reconciliation(con) -> list[tuple]:
    return _rows(
        con, "select rows_read, rows_loaded, rows_quarantined from file_reconciliation"
    )


def test_bpjs_tk_workbook_with_title_and_number_cells(con, tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "upah_tk.xlsx"))
    sheet = book.add_worksheet("Upah TK")
    sheet.write_row(0, 0, ["DATA UPAH TENAGA KERJA KAB. BATANG"])
    sheet.write_row(2, 0, ["NO", "NO KPJ", "NIK", "NAMA TENAGA KERJA", "TGL LAHIR",
                           "NAMA PERUSAHAAN", "UPAH", "BLTH"])
    sheet.write_row(3, 0, [1, "26011234567", NIK_A, "SITI AMINAH", "12-11-1985", "PT KAINDO",
                           "Rp 3.100.000", "OKT 2026"])
    # Excel damage: the NIK and the wage are number cells.
    sheet.write_row(4, 0, [2, "26019876543", "", "JOKO SUSILO", "1979-04-12", "CV SUMBER",
                           2550000, "10-2026"])
    sheet.write_number(4, 2, 3325091204790000.0)
    sheet.write_row(6, 0, ["", "", "", "JUMLAH", "", "", 5650000, ""])
    book.close()

    kind = _ingest(con, tmp_path, "upah_tk.xlsx")

    assert kind == "bpjs_tk"
    rows = _rows(con, "select source_row, nik, nik_status, wage_idr, wage_month_date, employer "
                      "from stg_bpjs_tk order by source_row")
    assert rows == [
        (4, NIK_A, "valid", 3_100_000, dt.date(2026, 10, 1), "PT KAINDO"),
        (5, None, "excel_damaged", 2_550_000, dt.date(2026, 10, 1), "CV SUMBER"),
    ]
    quarantined = _rows(con, "select source_row, reason_code from quarantine order by 1")
    assert quarantined == [(1, "title_row"), (2, "blank_row"), (6, "blank_row"),
                           (7, "totals_row")]
    assert _reconciliation(con) == [(6, 2, 4)]


def test_pln_csv_without_nik_and_combined_tariff(con, tmp_path):
    text = (
        "\ufeffIDPEL;NAMA;NIK;ALAMAT;DESA;KECAMATAN;TARIF;DAYA\r\n"
        f"524010000017;SITI AMINAH;'{NIK_A};DK. KRAJAN RT 003 RW 002;SILURAH;WONOTUNGGAL;"
        "R1M/900;900 VA\r\n"
        "524010000033;TARMUJI;;DK. WATUGAJAH RT 04/01;SILURAH;WONOTUNGGAL;R1;1.300\r\n"
        "524010000034;;;DK. WATUGAJAH;SILURAH;WONOTUNGGAL;R1;450\r\n"
        "5.24010E+11;DARSINAH;-;DK. KRAJAN Rt.3/Rw.2;SILURAH;WONOTUNGGAL;R-1/2,2 kVA;\r\n"
    )
    (tmp_path / "pln.csv").write_bytes(text.encode("utf-8"))

    kind = _ingest(con, tmp_path, "pln.csv")

    assert kind == "pln"
    rows = _rows(con, "select customer_id, nik_status, tariff, power_va, desa_code, rt, rw "
                      "from stg_pln order by source_row")
    assert rows == [
        ("524010000017", "valid", "R1M", 900, "3325012001", "003", "002"),
        ("524010000033", "empty", "R1", 1300, "3325012001", "004", "001"),
        ("5.24010E+11", "placeholder", "R1", 2200, "3325012001", "003", "002"),
    ]
    assert _rows(con, "select source_row, reason_code from quarantine") == [(4, "no_identity")]
    assert _reconciliation(con) == [(4, 3, 1)]


def test_pln_suite_flags_bad_rows_only(con, tmp_path):
    text = (
        "IDPEL;NAMA;NIK;TARIF;DAYA\r\n"
        f"524010000017;SITI AMINAH;{NIK_A};R1M/900;900 VA\r\n"
        "524010000033;TARMUJI;;R1;1.300\r\n"
        "5.24010E+11;DARSINAH;-;R1/2200;\r\n"
    )
    (tmp_path / "pln.csv").write_bytes(text.encode("utf-8"))
    _ingest(con, tmp_path, "pln.csv")

    summary = validate_staging(con, tmp_path / "validation", "run1")

    assert summary.success
    flagged = sorted((o.column_name, o.unexpected_count) for o in summary.flag_failures)
    assert flagged == [("customer_id", 1), ("nik_status", 1)]


def test_vehicles_csv_wheels_from_type(con, tmp_path):
    text = (
        '"NO POLISI","NIK PEMILIK","NAMA PEMILIK","ALAMAT PEMILIK","JENIS KENDARAAN","JML RODA"\r\n'
        f'"G 1234 AB","{NIK_A}","SITI AMINAH","DK. KRAJAN RT 003 RW 002","SEDAN",""\r\n'
        f'"g5678cd","3,32509E+15","JOKO SUSILO","DK. SIDOREJO","SPD. MOTOR",""\r\n'
        f'"G 9 XY","{NIK_B}","JOKO SUSILO","DK. SIDOREJO","TRUK BOX","RODA 6"\r\n'
    )
    (tmp_path / "samsat.csv").write_bytes(text.encode("utf-8"))

    kind = _ingest(con, tmp_path, "samsat.csv")

    assert kind == "vehicles"
    rows = _rows(con, "select plate, nik_status, vehicle_type, wheels from stg_vehicles "
                      "order by source_row")
    assert rows == [
        ("G 1234 AB", "valid", "SEDAN", 4),
        ("G 5678 CD", "excel_damaged", "SPD. MOTOR", 2),
        ("G 9 XY", "valid", "TRUK BOX", 6),
    ]
    assert _reconciliation(con) == [(3, 3, 0)]


def test_ahu_oss_list_is_exclusion_kind(con, tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "ahu.xlsx"))
    sheet = book.add_worksheet("Pengurus")
    sheet.write_row(0, 0, ["NO", "NIK", "NAMA", "JABATAN", "NAMA BADAN USAHA", "KATEGORI",
                           "PER TANGGAL"])
    sheet.write_row(1, 0, [1, NIK_A, "H. SITI AMINAH", "DIREKTUR", "CV MAJU JAYA", "AHU",
                           "30-11-2026"])
    sheet.write_row(2, 0, [2, NIK_B, "JOKO SUSILO", "PEMILIK", "NIB 912020", "oss",
                           "30-11-2026"])
    book.close()

    kind = _ingest(con, tmp_path, "ahu.xlsx")

    assert kind == "exclusion"
    rows = _rows(con, "select name, category, as_of_date from stg_exclusion order by source_row")
    assert rows == [
        ("SITI AMINAH", "AHU", dt.date(2026, 11, 30)),
        ("JOKO SUSILO", "OSS", dt.date(2026, 11, 30)),
    ]


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["NIK", "NAMA", "UPAH", "BULAN"], "bpjs_tk"),
        (["ID PELANGGAN", "NAMA PELANGGAN", "TARIF/DAYA"], "pln"),
        (["NOPOL", "NIK PEMILIK", "NAMA PEMILIK", "MERK"], "vehicles"),
    ],
)
def test_detect_extract_kinds(headers, kind):
    assert detect_kind(headers, "f.csv") == kind
