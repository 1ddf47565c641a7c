"""Render row specs as text and write the eight input files.

Each `write_*` function sorts its rows the way the real export is sorted, writes the file, and
returns the spec with `source_row` set to the row number a user sees when opening the file.
"""

from __future__ import annotations

import csv
import logging
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import xlsxwriter

from pipelines.synth import formats as fm
from pipelines.synth.params import (
    ASN_FILE,
    BPNT_FILE,
    COMPLAINTS_FILE,
    DEATHS_FILE,
    DTSEN_FILE,
    OFFICIALS_FILE,
    PBI_FILE,
    PKH_FILE,
    WORKBOOK_CREATED,
)
from pipelines.synth.rosters import BPNT_IDR_PER_TAHAP, COMPONENT_IDR_PER_YEAR

logger = logging.getLogger(__name__)

DTSEN_HEADER = [
    "No",
    "ID Keluarga",
    "ID Individu",
    "Provinsi",
    "Kabupaten/Kota",
    "Kecamatan",
    "Desa/Kelurahan",
    "Kode Kemdagri",
    "Desil Kesejahteraan",
    "Alamat",
    "RT",
    "RW",
    "No KK",
    "NIK",
    "Nama",
    "Padan Dukcapil",
    "Jenis Kelamin",
    "Hubungan dengan Kepala Keluarga",
    "Tanggal Lahir",
    "Pekerjaan",
    "Status Kehamilan",
    "Disabilitas Berat",
    "Partisipasi Sekolah",
    "Jenjang Sekolah",
    "Status Data",
]
PKH_HEADER = [
    "NO",
    "ID PKH",
    "ID DTKS",
    "NIK PENGURUS",
    "NAMA PENGURUS",
    "NO KK",
    "KECAMATAN",
    "DESA/KELURAHAN",
    "ALAMAT",
    "RT/RW",
    "KOMPONEN",
    "TAHAP",
    "NOMINAL",
    "BANK",
    "STATUS",
]
BPNT_HEADER = [
    "ID DTKS",
    "NO KK",
    "NIK KTP",
    "NAMA PENERIMA",
    "KODE WILAYAH",
    "TAHAP",
    "BANSOS",
    "NOMINAL",
    "BANK",
    "PROVINSI",
    "KABUPATEN",
    "KECAMATAN",
    "KELURAHAN",
    "ALAMAT",
    "DUSUN",
    "RT",
    "RW",
]
PBI_HEADER = [
    "NOKA",
    "NIK",
    "NAMA",
    "TGL LAHIR",
    "JENIS KELAMIN",
    "KODE FASKES",
    "NAMA FASKES",
    "SEGMEN",
    "STATUS",
    "TMT",
    "KECAMATAN",
    "DESA",
]
COMPLAINTS_HEADER = [
    "NO",
    "TANGGAL",
    "KANAL",
    "JENIS",
    "NIK PELAPOR",
    "NAMA PELAPOR",
    "NO KK",
    "TGL LAHIR",
    "DESA",
    "KECAMATAN",
    "PROGRAM DIMINTA",
    "URAIAN",
    "STATUS",
]
DEATHS_HEADER = [
    "NIK",
    "NAMA",
    "TANGGAL LAHIR",
    "JENIS KELAMIN",
    "TANGGAL MENINGGAL",
    "DESA",
    "KECAMATAN",
]
ASN_HEADER = ["NIK", "NAMA", "TGL_LHR", "INSTANSI", "KATEGORI"]
OFFICIALS_HEADER = ["NIK", "NAMA", "JABATAN", "DESA", "KECAMATAN"]
BANKS = np.array(["BRI", "BNI", "MANDIRI", "BSI"], dtype=object)


class _ColumnTake:
    """Columns of `frame` at positions `index`, taken from cached NumPy copies on first use.

    Taking whole rows with `iloc` copies every Arrow-backed string column of the population,
    which cost seconds per file at the batang size.
    """

    def __init__(self, cache: dict[str, np.ndarray], frame: pd.DataFrame, index: np.ndarray):
        self._cache, self._frame, self._index = cache, frame, index

    def __getitem__(self, column: str) -> pd.Series:
        if column not in self._cache:
            values = self._frame[column]
            dtype = object if values.dtype.kind not in "biufcmM" else None
            self._cache[column] = values.to_numpy(dtype=dtype)
        values = self._cache[column][self._index]
        # dtype=object stops pandas from converting the strings back to Arrow.
        return pd.Series(values, dtype=object if values.dtype == object else None, copy=False)


class RenderContext:
    """Per-person text shared by every writer: names, region names and identifiers."""

    def __init__(self, persons: pd.DataFrame, families: pd.DataFrame, rng: np.random.Generator):
        self.persons = persons
        self.families = families
        self.rng = rng
        self._person_columns: dict[str, np.ndarray] = {}
        self._family_columns: dict[str, np.ndarray] = {}
        fam = persons["family_idx"].to_numpy()
        heads = persons[persons["role"] == "KEPALA KELUARGA"].set_index("family_idx")
        head_name = heads["name"].reindex(range(len(families))).fillna("").to_numpy()
        head_male = (heads["sex"].reindex(range(len(families))) == "L").to_numpy()
        self.father = np.where(
            (persons["role"] == "ANAK").to_numpy() & head_male[fam], head_name[fam], ""
        )

    def person_rows(self, spec: pd.DataFrame) -> _ColumnTake:
        return _ColumnTake(self._person_columns, self.persons, spec["pidx"].to_numpy())

    def family_rows(self, spec: pd.DataFrame) -> _ColumnTake:
        return _ColumnTake(self._family_columns, self.families, spec["family_idx"].to_numpy())

    def region(self, spec: pd.DataFrame) -> dict[str, np.ndarray]:
        """Desa and kecamatan names and codes per row, with WILAYAH_INVALID plants applied."""
        fam = self.family_rows(spec)
        out = {
            "desa": np.array(fam["desa_name"].str.upper(), dtype=object),
            "kec": np.array(fam["kecamatan_name"].str.upper(), dtype=object),
            "desa_code": np.array(fam["desa_code"], dtype=object),
        }
        kinds = spec["wil_kind"].to_numpy()
        texts = spec["wil_text"].to_numpy() if "wil_text" in spec else np.full(len(spec), "")
        for kind, column in (
            ("bad_code", "desa_code"),
            ("unknown_desa", "desa"),
            ("wrong_kec", "desa"),
            ("ambiguous", "desa"),
        ):
            rows = kinds == kind
            out[column][rows] = texts[rows]
        out["kec"][kinds == "ambiguous"] = ""
        return out


def _names(spec: pd.DataFrame, ctx: RenderContext) -> np.ndarray:
    """Render names and keep them in the spec, where the truth compares them."""
    names = fm.render_names(spec, ctx.persons, ctx.father, ctx.rng)
    spec["name_out"] = names
    return names


def dotted(code: np.ndarray) -> np.ndarray:
    """Kemendagri code with dots, `3325012001` -> `33.25.01.2001`."""
    unique, inverse = np.unique(code.astype(str), return_inverse=True)
    forms = np.array([f"{c[:2]}.{c[2:4]}.{c[4:6]}.{c[6:]}" for c in unique], dtype=object)
    return forms[inverse]


def _sort(spec: pd.DataFrame, families: pd.DataFrame, *extra: str) -> pd.DataFrame:
    spec = spec.copy()
    spec["_desa"] = families["desa_code"].to_numpy()[spec["family_idx"].to_numpy()]
    spec["_pos"] = spec["pidx"]
    order = ["_desa", "family_idx", *extra, "_pos"]
    return (
        spec.sort_values(order, kind="stable")
        .drop(columns=["_desa", "_pos"])
        .reset_index(drop=True)
    )


def _csv_rows(spec: pd.DataFrame) -> pd.DataFrame:
    spec["sheet"] = ""
    spec["source_row"] = np.arange(len(spec)) + 2
    return spec


def write_dtsen(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = _csv_rows(_sort(spec, ctx.families))
    p = ctx.person_rows(spec)
    fam = ctx.family_rows(spec)
    rng = ctx.rng
    region = ctx.region(spec)
    dob_text, _ = fm.mixed_dates(
        spec["dob_value"].to_numpy(),
        {"dmy": 0.4, "slash": 0.15, "iso": 0.15, "words": 0.1, "serial": 0.05, "yy": 0.15},
        rng,
    )

    yes_no = lambda v: np.where(v, "YA", "TIDAK")  # noqa: E731
    n = len(spec)
    columns = {
        "No": np.arange(1, len(spec) + 1),
        "ID Keluarga": np.char.replace(fam["family_uid"].to_numpy().astype(str), "F", "KEL"),
        "ID Individu": np.char.replace(p["person_uid"].to_numpy().astype(str), "P", "IND"),
        "Provinsi": np.full(n, "JAWA TENGAH", dtype=object),
        "Kabupaten/Kota": np.full(n, "BATANG", dtype=object),
        "Kecamatan": region["kec"],
        "Desa/Kelurahan": region["desa"],
        "Kode Kemdagri": np.where(
            spec["wil_kind"].to_numpy() == "bad_code",
            region["desa_code"],
            dotted(region["desa_code"]),
        ),
        "Desil Kesejahteraan": fm.desil_text(fam["desil"].to_numpy(), rng),
        "Alamat": "DK. " + fam["dusun"].to_numpy(dtype=object),
        "RT": fm.rt_rw_text(fam["rt"].to_numpy(), rng),
        "RW": fm.rt_rw_text(fam["rw"].to_numpy(), rng),
        "No KK": fm.nik_text(spec["kk_kind"].to_numpy(), spec["kk_value"].to_numpy(), rng),
        "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
        "Nama": _names(spec, ctx),
        "Padan Dukcapil": yes_no(p["is_padan"].to_numpy()),
        "Jenis Kelamin": fm.sex_text(
            spec["sex_value"].to_numpy(), {"lp": 0.5, "long": 0.3, "title": 0.1, "code": 0.1}, rng
        ),
        "Hubungan dengan Kepala Keluarga": p["role"].to_numpy(),
        "Tanggal Lahir": dob_text,
        "Pekerjaan": p["occupation"].to_numpy(),
        "Status Kehamilan": np.where(
            p["sex"].to_numpy() == "P", yes_no(p["is_pregnant"].to_numpy()), ""
        ),
        "Disabilitas Berat": yes_no(p["has_severe_disability"].to_numpy()),
        "Partisipasi Sekolah": yes_no(p["is_in_school"].to_numpy()),
        "Jenjang Sekolah": p["school_level"].to_numpy(),
        "Status Data": np.where(p["is_register_active"].to_numpy(), "AKTIF", "NONAKTIF"),
    }

    male_pregnant = (p["sex"].to_numpy() == "L") & p["is_pregnant"].to_numpy()
    columns["Status Kehamilan"] = np.where(male_pregnant, "YA", columns["Status Kehamilan"])
    write_delimited(columns, out / DTSEN_FILE, ";", bom=True)
    return spec


def write_delimited(columns: dict[str, np.ndarray], path: Path, sep: str, bom: bool) -> None:
    """Write a UTF-8 CSV without quotes; fields must not contain `sep`, quotes or line breaks.

    Arrow joins the columns in C++, which takes seconds where `DataFrame.to_csv` took most of
    a minute for the register's 850,000 rows.
    """
    arrays = [pa.array(_as_text(values), type=pa.string()) for values in columns.values()]
    for name, array in zip(columns, arrays, strict=True):
        bad = pc.any(pc.match_substring_regex(array, f'[{re.escape(sep)}"\r\n]')).as_py()
        if bad:
            raise ValueError(f"column {name!r} has a field that needs quoting; use pandas to_csv")
    lines = pc.binary_join_element_wise(*arrays, sep)
    with path.open("wb") as f:
        if bom:
            f.write("\ufeff".encode("utf-8"))
        f.write((sep.join(columns) + "\r\n").encode("utf-8"))
        options = pacsv.WriteOptions(
            include_header=False, quoting_style="none", delimiter="\t", eol="\r\n"
        )
        pacsv.write_csv(pa.table({"line": lines}), f, options)


def _as_text(values) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == object:
        return array
    return array.astype(str).astype(object)


def _workbook(path: Path) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    book.set_properties({"created": datetime(*WORKBOOK_CREATED), "author": "SIKS-NG"})
    return book


def _write_id(sheet, row: int, col: int, text: str, kind: str, value: int) -> None:
    """Write a NIK or No KK as text, or as a number cell when the spec says Excel damaged it."""
    if kind == "excel_num":
        sheet.write_number(row, col, float(fm.excel_damaged(np.array([value]))[0]))
    else:
        sheet.write_string(row, col, text)


def write_pkh(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = _sort(spec, ctx.families)
    fam = ctx.family_rows(spec)
    rng = ctx.rng
    region = ctx.region(spec)
    nik = fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng)
    kk = fm.nik_text(spec["kk_kind"].to_numpy(), spec["kk_value"].to_numpy(), rng)
    names = _names(spec, ctx)
    rtrw = fm.rt_rw_text(fam["rt"].to_numpy(), rng) + "/" + fm.rt_rw_text(fam["rw"].to_numpy(), rng)
    components = spec["components"].astype(str)
    amounts = (
        sum(
            components.str.count(rf"\b{c}\b").to_numpy() * idr
            for c, idr in COMPONENT_IDR_PER_YEAR.items()
        )
        // 4
    )
    banks = BANKS[rng.integers(len(BANKS), size=len(spec))]
    sheet_kec = fam["kecamatan_name"].to_numpy()

    book = _workbook(out / PKH_FILE)
    text = book.add_format({"num_format": "@"})
    source_row = np.zeros(len(spec), dtype=int)
    sheet_name = np.empty(len(spec), dtype=object)
    family = spec["family_idx"].to_numpy()
    nik_kind, nik_value = spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy()
    kk_kind, kk_value = spec["kk_kind"].to_numpy(), spec["kk_value"].to_numpy()
    tail = np.column_stack(
        [
            region["kec"],
            region["desa"],
            "DK. " + fam["dusun"].to_numpy(dtype=object),
            rtrw,
            spec["components"].to_numpy(dtype=object),
            np.full(len(spec), 4, dtype=object),
            fm.rupiah(amounts),
            banks,
            np.full(len(spec), "AKTIF", dtype=object),
        ]
    ).tolist()
    kec_order = ctx.families.drop_duplicates("kecamatan_name").sort_values("kecamatan_code")
    for kec in kec_order["kecamatan_name"]:
        rows = np.flatnonzero(sheet_kec == kec)
        if not len(rows):
            continue
        name = f"Kec. {kec}"
        sheet = book.add_worksheet(name)
        sheet.set_column(3, 5, 20, text)
        sheet.write_string(0, 0, "DAFTAR KPM PKH TAHAP 4 TAHUN 2026")
        sheet.write_string(1, 0, "KABUPATEN BATANG")
        sheet.write_row(3, 0, PKH_HEADER)
        for n, i in enumerate(rows, start=1):
            r = 3 + n
            sheet.write_number(r, 0, n)
            sheet.write_string(r, 1, f"PKH{3325_0000000 + int(family[i]):011d}")
            sheet.write_string(r, 2, f"{3325_000000000 + int(family[i]) * 7:013d}")
            _write_id(sheet, r, 3, nik[i], nik_kind[i], int(nik_value[i]))
            sheet.write_string(r, 4, names[i])
            _write_id(sheet, r, 5, kk[i], kk_kind[i], int(kk_value[i]))
            sheet.write_row(r, 6, tail[i])
            source_row[i] = r + 1
            sheet_name[i] = name
        total_row = 4 + len(rows)
        sheet.write_string(total_row, 1, "JUMLAH")
        sheet.write_string(total_row, 12, fm.rupiah([amounts[rows].sum()])[0])
    book.close()
    spec["sheet"] = sheet_name
    spec["source_row"] = source_row
    return spec


def write_bpnt(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = _csv_rows(_sort(spec, ctx.families, "tahap"))
    fam = ctx.family_rows(spec)
    rng = ctx.rng
    region = ctx.region(spec)
    nominal = np.where(
        rng.random(len(spec)) < 0.5,
        fm.rupiah(np.full(len(spec), BPNT_IDR_PER_TAHAP)),
        str(BPNT_IDR_PER_TAHAP),
    )
    frame = pd.DataFrame(
        {
            "ID DTKS": [f"{3325_000000000 + f * 7:013d}" for f in spec["family_idx"]],
            "NO KK": fm.nik_text(spec["kk_kind"].to_numpy(), spec["kk_value"].to_numpy(), rng),
            "NIK KTP": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
            "NAMA PENERIMA": _names(spec, ctx),
            "KODE WILAYAH": region["desa_code"],
            "TAHAP": spec["tahap"].to_numpy(),
            "BANSOS": "SEMBAKO",
            "NOMINAL": nominal,
            "BANK": BANKS[rng.integers(len(BANKS), size=len(spec))],
            "PROVINSI": "JAWA TENGAH",
            "KABUPATEN": "BATANG",
            "KECAMATAN": region["kec"],
            "KELURAHAN": region["desa"],
            "ALAMAT": "DK. " + fam["dusun"].to_numpy(),
            "DUSUN": fam["dusun"].to_numpy(),
            "RT": fm.rt_rw_text(fam["rt"].to_numpy(), rng),
            "RW": fm.rt_rw_text(fam["rw"].to_numpy(), rng),
        }
    )
    frame.to_csv(
        out / BPNT_FILE,
        sep=",",
        index=False,
        encoding="cp1252",
        quoting=csv.QUOTE_ALL,
        lineterminator="\r\n",
    )
    return spec


def _write_simple_sheet(
    path: Path,
    sheet_name: str,
    header: list[str],
    frame: pd.DataFrame,
    spec: pd.DataFrame,
    date_serial_cols: dict[int, np.ndarray] | None = None,
) -> None:
    """Write a one-sheet workbook with the header on row 1 and the NIK under header `NIK`."""
    book = _workbook(path)
    sheet = book.add_worksheet(sheet_name)
    sheet.write_row(0, 0, header)
    nik_col = header.index("NIK")
    values = frame.to_numpy(dtype=object).tolist()
    numeric_nik = spec["nik_kind"].to_numpy() == "excel_num"
    nik_values = spec["nik_value"].to_numpy()
    serial_cells = [(col, rows) for col, rows in (date_serial_cols or {}).items()]
    for r, row in enumerate(values, start=1):
        sheet.write_row(r, 0, row)
        if numeric_nik[r - 1]:
            _write_id(sheet, r, nik_col, "", "excel_num", int(nik_values[r - 1]))
        for col, serial_rows in serial_cells:
            if serial_rows[r - 1]:
                sheet.write_number(r, col, int(row[col]))
    book.close()


def write_pbi(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = _csv_rows(_sort(spec, ctx.families, "noka_offset"))
    rng = ctx.rng
    region = ctx.region(spec)
    dob_text, dob_form = fm.mixed_dates(
        spec["dob_value"].to_numpy(), {"dmy": 0.6, "iso": 0.2, "slash": 0.1, "serial": 0.1}, rng
    )
    faskes = rng.integers(1, 30, size=len(spec))
    start = np.datetime64("2014-01-01") + rng.integers(0, 4000, size=len(spec)).astype(
        "timedelta64[D]"
    )
    frame = pd.DataFrame(
        {
            "NOKA": [
                f"{v:013d}"
                for v in 1_000_000
                + spec["pidx"].to_numpy() * 3
                + spec["noka_offset"].to_numpy() * 7_000_000_000
            ],
            "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
            "NAMA": _names(spec, ctx),
            "TGL LAHIR": dob_text,
            "JENIS KELAMIN": fm.sex_text(
                spec["sex_value"].to_numpy(), {"lp": 0.7, "long": 0.3}, rng
            ),
            "KODE FASKES": [f"1102U{f:03d}" for f in faskes],
            "NAMA FASKES": [f"PUSKESMAS {region['kec'][i]}" for i in range(len(spec))],
            "SEGMEN": spec["segment"].to_numpy(),
            "STATUS": spec["status"].to_numpy(),
            "TMT": pd.Series(start).dt.strftime("%d-%m-%Y").to_numpy(),
            "KECAMATAN": region["kec"],
            "DESA": region["desa"],
        }
    )
    spec["sheet"] = "PBI"
    _write_simple_sheet(out / PBI_FILE, "PBI", PBI_HEADER, frame, spec, {3: dob_form == "serial"})
    return spec


def write_deaths(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = _csv_rows(_sort(spec, ctx.families))
    rng = ctx.rng
    region = ctx.region(spec)
    p = ctx.person_rows(spec)
    dob_text, _ = fm.mixed_dates(spec["dob_value"].to_numpy(), {"dmy": 0.7, "words": 0.3}, rng)
    death_text, _ = fm.mixed_dates(p["death_date"].to_numpy(), {"dmy": 0.8, "iso": 0.2}, rng)
    frame = pd.DataFrame(
        {
            "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
            "NAMA": _names(spec, ctx),
            "TANGGAL LAHIR": dob_text,
            "JENIS KELAMIN": fm.sex_text(
                spec["sex_value"].to_numpy(), {"lp": 0.5, "long": 0.5}, rng
            ),
            "TANGGAL MENINGGAL": death_text,
            "DESA": region["desa"],
            "KECAMATAN": region["kec"],
        }
    )
    spec["sheet"] = "Kematian"
    _write_simple_sheet(out / DEATHS_FILE, "Kematian", DEATHS_HEADER, frame, spec)
    return spec


def write_asn(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = _csv_rows(_sort(spec, ctx.families))
    rng = ctx.rng
    p = ctx.person_rows(spec)
    dob_text, _ = fm.mixed_dates(spec["dob_value"].to_numpy(), {"iso": 0.6, "dmy": 0.4}, rng)
    frame = pd.DataFrame(
        {
            "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
            "NAMA": _names(spec, ctx),
            "TGL_LHR": dob_text,
            "INSTANSI": p["asn_agency"].to_numpy(),
            "KATEGORI": p["asn_category"].to_numpy(),
        }
    )
    frame.to_csv(out / ASN_FILE, sep=",", index=False, encoding="utf-8", lineterminator="\r\n")
    return spec


def write_officials(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = _csv_rows(_sort(spec, ctx.families))
    region = ctx.region(spec)
    p = ctx.person_rows(spec)
    frame = pd.DataFrame(
        {
            "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), ctx.rng),
            "NAMA": _names(spec, ctx),
            "JABATAN": p["official_position"].to_numpy(),
            "DESA": region["desa"],
            "KECAMATAN": region["kec"],
        }
    )
    spec["sheet"] = "Perangkat"
    _write_simple_sheet(out / OFFICIALS_FILE, "Perangkat", OFFICIALS_HEADER, frame, spec)
    return spec


COMPLAINT_TEXT = {
    "usulan": "Mohon diusulkan sebagai penerima bantuan; keluarga tidak mampu, suami buruh harian.",
    "sanggahan": (
        "KPM tersebut dinilai mampu: rumah permanen; punya sepeda motor 2.\nMohon dicek ulang."
    ),
    "pengaduan": "Bantuan tahap 3 belum cair;\nsaldo KKS kosong sejak Agustus.",
}


def write_complaints(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    spec = spec.copy()
    spec["_order"] = ctx.rng.permutation(len(spec))
    spec = spec.sort_values("_order").drop(columns="_order").reset_index(drop=True)
    spec = _csv_rows(spec)
    rng = ctx.rng
    region = ctx.region(spec)
    n = len(spec)

    filed = np.datetime64("2026-06-01") + rng.integers(0, 170, size=n).astype("timedelta64[D]")
    dob_text, _ = fm.mixed_dates(
        spec["dob_value"].to_numpy(), {"dmy": 0.6, "words": 0.2, "slash": 0.2}, rng
    )
    kinds = spec["complaint_type"].to_numpy()
    frame = pd.DataFrame(
        {
            "NO": np.arange(1, n + 1),
            "TANGGAL": pd.Series(filed).dt.strftime("%d/%m/%Y").to_numpy(),
            "KANAL": np.array(["Rumah Curhat", "Cek Bansos", "SP4N-LAPOR!"], dtype=object)[
                rng.integers(3, size=n)
            ],
            "JENIS": kinds,
            "NIK PELAPOR": fm.nik_text(
                spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng
            ),
            "NAMA PELAPOR": _names(spec, ctx),
            "NO KK": fm.nik_text(spec["kk_kind"].to_numpy(), spec["kk_value"].to_numpy(), rng),
            "TGL LAHIR": dob_text,
            "DESA": region["desa"],
            "KECAMATAN": region["kec"],
            "PROGRAM DIMINTA": np.array(["PKH", "BPNT", "PBI JK", "PKH, BPNT"], dtype=object)[
                rng.integers(4, size=n)
            ],
            "URAIAN": [COMPLAINT_TEXT[k] for k in kinds],
            "STATUS": np.array(["BARU", "DIPROSES", "SELESAI"], dtype=object)[
                rng.integers(3, size=n)
            ],
        }
    )
    frame.to_csv(
        out / COMPLAINTS_FILE, sep=";", index=False, encoding="utf-8", lineterminator="\r\n"
    )
    return spec


WRITERS = {
    DTSEN_FILE: write_dtsen,
    PKH_FILE: write_pkh,
    BPNT_FILE: write_bpnt,
    PBI_FILE: write_pbi,
    COMPLAINTS_FILE: write_complaints,
    DEATHS_FILE: write_deaths,
    ASN_FILE: write_asn,
    OFFICIALS_FILE: write_officials,
}
