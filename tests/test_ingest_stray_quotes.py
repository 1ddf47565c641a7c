"""A stray double quote in a CSV file of any kind: joined lines are quarantined and counted.

A quote that opens a value on one line and a second quote that closes it in the same column of
a later line leave a row of the header's width, whose value contains whole records. The files
here start their lines with a sequence number, an IDPEL, an ID DTKS or a number plate, so the
joined lines are found without a NIK after the line break.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipelines.i18n import set_language
from pipelines.ingest.load import ingest_source
from pipelines.runconfig import SourceSpec


# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


REGISTER_HEADER = (
    "No;ID Keluarga;ID Individu;Provinsi;Kabupaten/Kota;Kecamatan;Desa/Kelurahan;Kode Kemdagri;"
    "Desil Kesejahteraan;Alamat;RT;RW;No KK;NIK;Nama;Padan Dukcapil;Jenis Kelamin;"
    "Hubungan dengan Kepala Keluarga;Tanggal Lahir;Pekerjaan;Status Kehamilan;"
    "Disabilitas Berat;Partisipasi Sekolah;Jenjang Sekolah;Status Data"
)
REGISTER_ROW = (
    "{i};KEL0000009;IND000003{i};JAWA TENGAH;BATANG;WONOTUNGGAL;SILURAH;33.25.01.2001;D8;"
    "DK. TEGALREJO;002;002;3325010107220001;332512010774000{i};WARGA {i};YA;L;"
    "KEPALA KELUARGA;01-07-1974;PEDAGANG;;TIDAK;TIDAK;;AKTIF"
)
PLN_HEADER = "IDPEL;NAMA;NIK;ALAMAT;DESA;KECAMATAN;TARIF;DAYA"
PLN_ROW = (
    "52401000003{i};WARGA {i};332501240869000{i};DK. WATUGAJAH RT 01/04;SILURAH;WONOTUNGGAL;"
    "R1;900"
)
BPNT_HEADER = (
    "ID DTKS,NO KK,NIK KTP,NAMA PENERIMA,KODE WILAYAH,TAHAP,BANSOS,NOMINAL,BANK,PROVINSI,"
    "KABUPATEN,KECAMATAN,KELURAHAN,ALAMAT,DUSUN,RT,RW"
)
BPNT_ROW = (
    "332500000011{i},3325010506170001,332501690554000{i},WARGA {i},3325012001,4,SEMBAKO,600000,"
    "BRI,JAWA TENGAH,BATANG,WONOTUNGGAL,SILURAH,DK. PENDOWO,PENDOWO,004,004"
)
COMPLAINTS_HEADER = (
    "NO;TANGGAL;KANAL;JENIS;NIK PELAPOR;NAMA PELAPOR;NO KK;TGL LAHIR;DESA;KECAMATAN;"
    "PROGRAM DIMINTA;URAIAN;STATUS"
)
COMPLAINTS_ROW = (
    "{i};10/08/2026;SP4N-LAPOR!;usulan;332512261294000{i};WARGA {i};3325122608090001;"
    "26-12-1994;LEBO;WARUNGASEM;PKH;Mohon diusulkan sebagai penerima bantuan;BARU"
)
VEHICLES_HEADER = (
    "NO POLISI|NIK PEMILIK|NAMA PEMILIK|ALAMAT PEMILIK|DESA|KECAMATAN|JENIS KENDARAAN|MERK|"
    "JML RODA|THN BUAT"
)
VEHICLES_ROW = (
    "G 100{i} AA|332512010774000{i}|WARGA {i}|DK. TEGALREJO|SILURAH|WONOTUNGGAL|MINIBUS|"
    "TOYOTA AVANZA|4|2006"
)

# kind, file name, header, data line template ({i} is the line's number), field separator.
FILES = {
    "register": ("register", "dtsen_batang.csv", REGISTER_HEADER, REGISTER_ROW, ";"),
    "pln": ("pln", "pln_pelanggan.csv", PLN_HEADER, PLN_ROW, ";"),
    "bpnt": ("bpnt", "bpnt_bnba.csv", BPNT_HEADER, BPNT_ROW, ","),
    "complaints": ("complaints", "pengaduan.csv", COMPLAINTS_HEADER, COMPLAINTS_ROW, ";"),
    "vehicles": ("vehicles", "samsat.csv", VEHICLES_HEADER, VEHICLES_ROW, "|"),
}


def _data_lines(template: str, count: int = 6) -> list[str]:
    return [template.format(i=i) for i in range(1, count + 1)]


def _quote_value(lines: list[str], separator: str, column: int, first: int, last: int) -> None:
    """Put a double quote before the value in `column` of data line `first` and after the value
    in the same column of data line `last` (both 1-based)."""
    opening = lines[first - 1].split(separator)
    opening[column] = '"' + opening[column]
    lines[first - 1] = separator.join(opening)
    closing = lines[last - 1].split(separator)
    closing[column] = closing[column] + '"'
    lines[last - 1] = separator.join(closing)


def _ingest(con, tmp_path: Path, kind: str, name: str, header: str, lines: list[str],
            newline: str = "\n"):
    (tmp_path / name).write_bytes((newline.join([header, *lines]) + newline).encode("utf-8"))
    spec = SourceSpec(kind=kind, path=name, raw_dir=tmp_path)
    return ingest_source(con, spec, "r", 1)[0]


def _quarantine(con) -> list[tuple]:
    return con.sql(
        "select source_row, reason_code from quarantine order by source_row"
    ).fetchall()


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize(("first", "last"), [(2, 3), (2, 5)])
def test_paired_stray_quotes_every_kind(con, tmp_path, caplog, file, first, last):
    kind, name, header, row, separator = FILES[file]
    lines = _data_lines(row)
    name_column = header.split(separator).index(
        {"register": "Nama", "pln": "NAMA", "bpnt": "NAMA PENERIMA",
         "complaints": "NAMA PELAPOR", "vehicles": "NAMA PEMILIK"}[file]
    )
    _quote_value(lines, separator, name_column, first, last)

    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        count = _ingest(con, tmp_path, kind, name, header, lines)

    joined = last - first
    assert count.rows_read == 6 - joined
    assert count.rows_loaded == 5 - joined
    assert count.rows_quarantined == 1
    assert count.lines_joined == joined
    # The data line of `first` is line first + 1 of the file, below the header.
    assert _quarantine(con) == [(first + 1, "joined_lines")]
    assert _warnings(caplog) == [
        f"{name} row {first + 1} contains lines {first + 1} to {last + 1} of the file: a stray "
        f"double quote joined them into one row, which is quarantined, so the data on {joined} "
        "more lines is not audited. Remove the stray quote and export the file again."
    ]


@pytest.mark.parametrize("column", ["No", "ID Keluarga", "Alamat", "Status Data"])
def test_register_stray_quotes_any_column(con, tmp_path, column):
    lines = _data_lines(REGISTER_ROW)
    _quote_value(lines, ";", REGISTER_HEADER.split(";").index(column), 3, 4)

    count = _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    assert (count.rows_read, count.rows_loaded, count.lines_joined) == (5, 4, 1)
    assert _quarantine(con) == [(4, "joined_lines")]


JOINED_DETAILS = {
    "en": (
        "a value spans several lines of the file, and they contain the separators of whole "
        "records: a stray double quote probably joined those lines into this row. Remove the "
        "stray quote and export the file again."
    ),
    "id": (
        "sebuah nilai mencakup beberapa baris teks berkas yang memuat pemisah kolom seperti baris "
        "data utuh: tanda kutip ganda yang tersasar kemungkinan menggabungkan baris-baris itu ke "
        "baris ini. Hapus tanda kutip itu lalu ekspor ulang berkas."
    ),
}


@pytest.mark.parametrize("language", JOINED_DETAILS)
def test_register_joined_lines_detail(con, tmp_path, language):
    set_language(language)
    lines = _data_lines(REGISTER_ROW)
    _quote_value(lines, ";", 14, 2, 5)

    _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    details = con.sql("select reason_detail from quarantine").fetchall()
    assert details == [(JOINED_DETAILS[language],)]
    # The quarantined value keeps the joined lines, from the rest of line 3 to the name on line 6.
    [(name,)] = con.sql("select raw_values::json ->> 'Nama' from quarantine").fetchall()
    assert name.split("\n")[0].startswith("WARGA 2;YA;L")
    assert name.split("\n")[3].endswith(";WARGA 5")


def test_bpnt_stray_quotes_crlf(con, tmp_path):
    # Windows line ends inside the joined value count as one line break each.
    lines = _data_lines(BPNT_ROW)
    _quote_value(lines, ",", 3, 1, 4)

    count = _ingest(con, tmp_path, "bpnt", "bpnt.csv", BPNT_HEADER, lines, newline="\r\n")

    assert (count.rows_read, count.rows_loaded, count.lines_joined) == (3, 2, 3)
    assert _quarantine(con) == [(2, "joined_lines")]


def test_pln_stray_quotes_csv_module(con, tmp_path):
    # A ragged row elsewhere makes the loader read the file again with the csv module.
    lines = _data_lines(PLN_ROW)
    _quote_value(lines, ";", 1, 1, 3)
    lines[5] += ";EXTRA"

    count = _ingest(con, tmp_path, "pln", "pln.csv", PLN_HEADER, lines)

    assert (count.rows_read, count.rows_loaded, count.lines_joined) == (4, 2, 2)
    assert _quarantine(con) == [(2, "joined_lines"), (5, "unparseable_row")]


def test_complaint_multiline_description_loads(con, tmp_path):
    # A quoted description over three lines, with separators on its lines, is one value.
    lines = _data_lines(COMPLAINTS_ROW, 3)
    lines[1] = lines[1].replace(
        "Mohon diusulkan sebagai penerima bantuan",
        '"KPM tersebut dinilai mampu: rumah permanen; punya sepeda motor 2;\n'
        "sawah 1 ha; toko kelontong.\n"
        'Mohon dicek ulang; terima kasih."',
    )

    count = _ingest(con, tmp_path, "complaints", "pengaduan.csv", COMPLAINTS_HEADER, lines)

    assert (count.rows_read, count.rows_loaded, count.rows_quarantined) == (3, 3, 0)
    assert count.lines_joined == 0
    [(reason,)] = con.sql("select reason from raw_complaints where source_row = 3").fetchall()
    assert reason.count("\n") == 2


def test_register_multiline_address_loads(con, tmp_path):
    lines = _data_lines(REGISTER_ROW)
    lines[2] = lines[2].replace("DK. TEGALREJO", '"DK. TEGALREJO; RT 2;\nbelakang masjid; RW 2"')

    count = _ingest(con, tmp_path, "register", "dtsen.csv", REGISTER_HEADER, lines)

    assert (count.rows_read, count.rows_loaded, count.rows_quarantined) == (6, 6, 0)


def test_complaint_stray_quote_shifts_fields(con, tmp_path):
    # The quote inside the quoted description closes it early, so the separator after it
    # starts a new field.
    lines = _data_lines(COMPLAINTS_ROW, 3)
    lines[1] = lines[1].replace(
        "Mohon diusulkan sebagai penerima bantuan",
        '"Mohon "diusulkan" sebagai penerima; keluarga tidak mampu"',
    )

    count = _ingest(con, tmp_path, "complaints", "pengaduan.csv", COMPLAINTS_HEADER, lines)

    assert (count.rows_read, count.rows_loaded, count.lines_joined) == (3, 2, 0)
    details = con.sql("select source_row, reason_code, reason_detail from quarantine").fetchall()
    assert details == [(3, "unparseable_row", (
        "pengaduan.csv row 3: the row has 14 fields but the header has 13. A value contains a "
        "double quote (\"), so a stray quote probably shifted the fields. Remove that quote, or "
        "write it twice (\"\") inside a quoted value, and export the file again."
    ))]


def test_complaint_stray_quote_missing_fields_indonesian(con, tmp_path):
    # The stray quote before the name opens a value that the quote of the description closes,
    # so the fields between them become one.
    set_language("id")
    lines = _data_lines(COMPLAINTS_ROW, 3)
    lines[1] = lines[1].replace(";WARGA 2;", ';"WARGA 2;').replace(
        "Mohon diusulkan sebagai penerima bantuan", '"Mohon diusulkan sebagai penerima bantuan"'
    )

    count = _ingest(con, tmp_path, "complaints", "pengaduan.csv", COMPLAINTS_HEADER, lines)

    assert (count.rows_read, count.rows_quarantined, count.lines_joined) == (3, 1, 0)
    details = con.sql("select reason_detail from quarantine").fetchall()
    assert details == [(
        "pengaduan.csv baris 3: baris ini berisi 7 kolom, padahal judul kolom ada 13. Ada nilai "
        "yang memuat tanda kutip ganda (\"), jadi kemungkinan tanda kutip yang tersasar menggeser "
        "kolom. Hapus tanda kutip itu, atau tulis dua kali (\"\") di dalam nilai yang diapit "
        "tanda kutip, lalu ekspor ulang berkas.",
    )]
