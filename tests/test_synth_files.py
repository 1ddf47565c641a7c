"""Re-derive row-level rules from the written files and compare them with the truth.

These checks read the files the way an ingest stage would (text cells, cell types, mixed date
formats) with a small independent parser, so they catch a truth that drifts from the files.
"""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pipelines.synth import generate

MONTHS = {
    "januari": 1,
    "februari": 2,
    "maret": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "agustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "desember": 12,
}
PLACEHOLDERS = {"", "-", "0", "BELUM ADA", "TIDAK PUNYA"}
PREFIXES = {f"3325{k:02d}" for k in range(1, 16)}
# (file, sheet or None for every sheet, NIK column, DOB column or None, first data row)
NIK_COLUMNS = {
    "dtsen_batang_202611.csv": (13, 18),
    "bpnt_bnba_tahap4_2026.csv": (2, None),
    "pengaduan_rumah_curhat_2026.csv": (4, 7),
    "asn_tni_polri_2026.csv": (0, 2),
    "pkh_tahap4_2026.xlsx": (3, None),
    "pbi_jkn_202611.xlsx": (1, 3),
    "kematian_dukcapil_2026.xlsx": (0, 2),
    "perangkat_desa_2026.xlsx": (0, None),
    "bpjs_tk_upah_202610.xlsx": (2, 4),
    "ahu_oss_pengurus_2026.xlsx": (1, 3),
    "pln_pelanggan_202611.csv": (2, None),
    "samsat_kendaraan_2026.csv": (1, None),
}
CSV_FORMATS = {
    "dtsen_batang_202611.csv": (";", "utf-8-sig"),
    "bpnt_bnba_tahap4_2026.csv": (",", "cp1252"),
    "pengaduan_rumah_curhat_2026.csv": (";", "utf-8"),
    "asn_tni_polri_2026.csv": (",", "utf-8"),
    "pln_pelanggan_202611.csv": (";", "utf-8-sig"),
    "samsat_kendaraan_2026.csv": (",", "utf-8"),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("files")
    generate(root / "raw", root / "truth", persons=3000, seed=11)
    return root


def _rows(root: Path) -> list[tuple[str, str, int, list]]:
    """Every data row of every file as (file, sheet, source_row, cells)."""
    out = []
    for name, (sep, encoding) in CSV_FORMATS.items():
        with (root / "raw" / name).open(encoding=encoding, newline="") as f:
            for number, cells in enumerate(csv.reader(f, delimiter=sep), start=1):
                if number > 1:
                    out.append((name, "", number, cells))
    for name in (
        "pkh_tahap4_2026.xlsx",
        "pbi_jkn_202611.xlsx",
        "kematian_dukcapil_2026.xlsx",
        "perangkat_desa_2026.xlsx",
        "bpjs_tk_upah_202610.xlsx",
        "ahu_oss_pengurus_2026.xlsx",
    ):
        book = CalamineWorkbook.from_path(str(root / "raw" / name))
        for sheet in book.sheet_names:
            cells = book.get_sheet_by_name(sheet).to_python()
            first = 5 if name.startswith("pkh") else 2
            for number in range(first, len(cells) + 1):
                row = cells[number - 1]
                if name.startswith("pkh") and row[1] == "JUMLAH":
                    continue
                out.append((name, sheet, number, row))
    return out


def _classify_nik(value, file: str) -> str:
    if isinstance(value, float):
        return "excel"
    text = str(value).strip().lstrip("'")
    if re.fullmatch(r"\d[,.]\d+E\+\d+", text):
        return "excel"
    digits = re.sub(r"[\s.\-]", "", text)
    if text in PLACEHOLDERS or re.fullmatch(r"(\d)\1{15}", digits or "x"):
        # Complaints and PLN customers may come without a NIK.
        return "ok" if file.startswith(("pengaduan", "pln")) and text == "" else "format"
    if not re.fullmatch(r"\d{16}", digits):
        return "format"
    return "ok" if _structure_ok(digits) else "structure"


def _structure_ok(nik: str) -> bool:
    day, month, serial = int(nik[6:8]), int(nik[8:10]), int(nik[12:])
    if nik[:6] not in PREFIXES or serial == 0 or not (1 <= month <= 12):
        return False
    if 41 <= day <= 71:
        day -= 40
    try:
        date(2000, month, day)
    except ValueError:
        return False
    return True


def _parse_date(value) -> date | None:
    if value in ("", None):
        return None
    if isinstance(value, float):
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{5}", text):
        return date(1899, 12, 30) + timedelta(days=int(text))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{2}|\d{4})", text):
        year = int(m[3])
        if len(m[3]) == 2:
            year += 1900 if year > 26 else 2000
        return date(year, int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", text):
        return date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    raise AssertionError(f"unparseable date {value!r}")


def _truth_keys(root: Path, rules: set[str]) -> set[tuple[str, str, str, int]]:
    findings = pd.read_csv(root / "truth" / "findings.csv", dtype=str, keep_default_na=False)
    picked = findings[findings["rule_code"].isin(rules)]
    return set(
        zip(
            picked["rule_code"],
            picked["source_file"],
            picked["source_sheet"],
            picked["source_row"].astype(int),
            strict=True,
        )
    )


def test_nik_rules_match_files(run):
    derived = set()
    rule_of = {"excel": "NIK_EXCEL_DAMAGE", "format": "NIK_FORMAT", "structure": "NIK_STRUCTURE"}
    for file, sheet, number, cells in _rows(run):
        kind = _classify_nik(cells[NIK_COLUMNS[file][0]], file)
        if kind != "ok":
            derived.add((rule_of[kind], file, sheet, number))
    truth = _truth_keys(run, set(rule_of.values()))
    assert derived - truth == set()
    assert truth - derived == set()
    assert len(truth) > 0


def test_default_dob_matches_files(run):
    derived = set()
    for file, sheet, number, cells in _rows(run):
        column = NIK_COLUMNS[file][1]
        if column is None:
            continue
        born = _parse_date(cells[column])
        if born and ((born.month, born.day) in {(1, 1), (7, 1), (12, 31)} or born.day == 15):
            derived.add(("DEFAULT_DOB", file, sheet, number))
    truth = _truth_keys(run, {"DEFAULT_DOB"})
    assert derived - truth == set()
    assert truth - derived == set()


def test_all_dates_parse(run):
    parsed = 0
    for file, _sheet, _number, cells in _rows(run):
        column = NIK_COLUMNS[file][1]
        if column is not None and cells[column] != "":
            assert _parse_date(cells[column]) is not None
            parsed += 1
    assert parsed > 3000


def test_numeric_cells_only_where_damaged(run):
    """Every numeric NIK or No KK cell of the PKH workbook ends in 0, as Excel leaves it."""
    book = CalamineWorkbook.from_path(str(run / "raw" / "pkh_tahap4_2026.xlsx"))
    numeric = 0
    for sheet in book.sheet_names:
        for row in book.get_sheet_by_name(sheet).to_python()[4:-1]:
            for cell in (row[3], row[5]):
                if isinstance(cell, float):
                    numeric += 1
                    assert int(cell) % 10 == 0
    assert numeric > 0


SEX_COLUMNS = {
    "dtsen_batang_202611.csv": 16,
    "pbi_jkn_202611.xlsx": 4,
    "kematian_dukcapil_2026.xlsx": 3,
}
SEX_WORDS = {"L": "L", "LAKI-LAKI": "L", "1": "L", "P": "P", "PEREMPUAN": "P", "2": "P"}
KK_COLUMNS = {
    "dtsen_batang_202611.csv": 12,
    "pkh_tahap4_2026.xlsx": 5,
    "bpnt_bnba_tahap4_2026.csv": 1,
    "pengaduan_rumah_curhat_2026.csv": 6,
}


def _is_default(born: date) -> bool:
    return (born.month, born.day) in {(1, 1), (7, 1), (12, 31)} or born.day == 15


def test_nik_attr_mismatch_matches_files(run):
    derived = set()
    for file, sheet, number, cells in _rows(run):
        nik = cells[NIK_COLUMNS[file][0]]
        if _classify_nik(nik, file) != "ok" or str(nik).strip() == "":
            continue
        digits = re.sub(r"[\s.\-']", "", str(nik))
        female = int(digits[6:8]) > 40
        sex_bad = False
        if file in SEX_COLUMNS:
            sex = SEX_WORDS.get(str(cells[SEX_COLUMNS[file]]).upper())
            sex_bad = sex is not None and sex != ("P" if female else "L")
        dob_bad = False
        column = NIK_COLUMNS[file][1]
        born = _parse_date(cells[column]) if column is not None else None
        if born:
            day = int(digits[6:8]) - (40 if female else 0)
            same_year = born.year % 100 == int(digits[10:12])
            same_date = same_year and born.day == day and born.month == int(digits[8:10])
            dob_bad = not same_year if _is_default(born) else not same_date
        if sex_bad or dob_bad:
            derived.add(("NIK_ATTR_MISMATCH", file, sheet, number))
    truth = _truth_keys(run, {"NIK_ATTR_MISMATCH"})
    assert derived - truth == set()
    assert truth - derived == set()
    assert len(truth) > 0


def test_kk_format_matches_files(run):
    derived = set()
    for file, sheet, number, cells in _rows(run):
        if file not in KK_COLUMNS:
            continue
        value, nik = cells[KK_COLUMNS[file]], cells[NIK_COLUMNS[file][0]]
        if value == "" and file.startswith("pengaduan"):
            continue
        if _kk_bad(value, nik):
            derived.add(("KK_FORMAT", file, sheet, number))
    truth = _truth_keys(run, {"KK_FORMAT"})
    assert derived - truth == set()
    assert truth - derived == set()
    assert len(truth) > 0


def _kk_bad(value, nik) -> bool:
    if isinstance(value, float):
        return True
    text = str(value).strip().lstrip("'")
    digits = re.sub(r"[\s.\-]", "", text)
    if text in PLACEHOLDERS or not re.fullmatch(r"\d{16}", digits):
        return True
    if digits == re.sub(r"[\s.\-']", "", str(nik)):
        return True
    try:
        registered = date(2000 + int(digits[10:12]), int(digits[8:10]), int(digits[6:8]))
    except ValueError:
        return True
    return digits[:6] not in PREFIXES or registered > date(2026, 11, 18) or digits[12:] == "0000"


def test_wilayah_matches_files(run):
    table = pd.read_csv(
        Path(__file__).resolve().parents[1] / "reference" / "wilayah_batang.csv", dtype=str
    )
    pairs = set(
        zip(table["kecamatan_name"].str.upper(), table["desa_name"].str.upper(), strict=True)
    )
    codes = set(table["desa_code"])
    columns = {  # file: (kecamatan column, desa column, code column or None)
        "dtsen_batang_202611.csv": (5, 6, 7),
        "pkh_tahap4_2026.xlsx": (6, 7, None),
        "bpnt_bnba_tahap4_2026.csv": (11, 12, 4),
        "pbi_jkn_202611.xlsx": (10, 11, None),
        "pengaduan_rumah_curhat_2026.csv": (9, 8, None),
        "kematian_dukcapil_2026.xlsx": (6, 5, None),
        "perangkat_desa_2026.xlsx": (4, 3, None),
    }
    derived = set()
    for file, sheet, number, cells in _rows(run):
        if file not in columns:
            continue
        kec, desa, code = columns[file]
        bad = (cells[kec], cells[desa]) not in pairs
        if code is not None:
            bad |= str(cells[code]).replace(".", "") not in codes
        if bad:
            derived.add(("WILAYAH_INVALID", file, sheet, number))
    truth = _truth_keys(run, {"WILAYAH_INVALID"})
    assert derived - truth == set()
    assert truth - derived == set()
    assert len(truth) > 0
