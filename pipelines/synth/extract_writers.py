"""Write the BPJS-TK, PLN, Samsat and AHU/OSS extracts as their offices export them."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.synth import formats as fm
from pipelines.synth.params import AHU_FILE, BPJS_TK_FILE, PLN_FILE, VEHICLES_FILE
from pipelines.synth.writers import (
    RenderContext,
    _csv_rows,
    _names,
    _sort,
    _write_simple_sheet,
    write_delimited,
)

BPJS_TK_HEADER = ["NO", "NO KPJ", "NIK", "NAMA TENAGA KERJA", "TGL LAHIR", "NAMA PERUSAHAAN",
                  "UPAH", "BLTH"]
PLN_HEADER = ["IDPEL", "NAMA", "NIK", "ALAMAT", "DESA", "KECAMATAN", "TARIF", "DAYA"]
VEHICLES_HEADER = ["NO POLISI", "NIK PEMILIK", "NAMA PEMILIK", "ALAMAT PEMILIK", "DESA",
                   "KECAMATAN", "JENIS KENDARAAN", "MERK", "JML RODA", "THN BUAT"]
AHU_HEADER = ["NO", "NIK", "NAMA", "TGL LAHIR", "JABATAN", "NAMA BADAN USAHA", "KATEGORI",
              "PER TANGGAL"]

EMPLOYERS = np.array(
    ["PT KAINDO BATANG", "PT TEKSTIL PANTURA", "CV SUMBER REJEKI", "PT PRIMA GARMEN",
     "KOPERASI SERBA USAHA MAJU", "PT GUDANG BERAS JAYA", "CV BANGUN KARYA"],
    dtype=object,
)
WAGE_MONTHS = np.array(["OKT 2026", "10-2026", "202610", "Oktober 2026"], dtype=object)
BIKES = np.array(["HONDA BEAT", "YAMAHA MIO", "HONDA VARIO", "SUZUKI NEX"], dtype=object)
CAR_BRANDS = np.array(["TOYOTA AVANZA", "DAIHATSU XENIA", "SUZUKI CARRY", "MITSUBISHI L300"],
                      dtype=object)
COMPANIES = np.array(["CV MAJU JAYA", "PT SINAR PANTURA", "CV KARYA MANDIRI", "PT ALAS ROBAN",
                      "CV SUMBER TANI", "PT BATIK ROGOJEMBANGAN"], dtype=object)


def write_bpjs_tk(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    """Write sheet `Upah TK` with wages as numbers or `Rp 3.100.000` text, some NIKs as numbers."""
    spec = _csv_rows(_sort(spec, ctx.families))
    rng = ctx.rng
    n = len(spec)
    dob_text, dob_form = fm.mixed_dates(
        spec["dob_value"].to_numpy(), {"dmy": 0.6, "iso": 0.2, "serial": 0.2}, rng
    )
    wage = spec["wage_idr"].to_numpy().astype(np.int64)
    wage_as_text = rng.random(n) < 0.4
    frame = pd.DataFrame(
        {
            "NO": np.arange(1, n + 1),
            "NO KPJ": [f"26{v:09d}" for v in spec["pidx"].to_numpy()],
            "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
            "NAMA TENAGA KERJA": _names(spec, ctx),
            "TGL LAHIR": dob_text,
            "NAMA PERUSAHAAN": EMPLOYERS[rng.integers(len(EMPLOYERS), size=n)],
            "UPAH": np.where(wage_as_text, fm.rupiah(wage), wage.astype(object)),
            "BLTH": WAGE_MONTHS[rng.integers(len(WAGE_MONTHS), size=n)],
        }
    )

    spec["sheet"] = "Upah TK"
    _write_simple_sheet(
        out / BPJS_TK_FILE, "Upah TK", BPJS_TK_HEADER, frame, spec, {4: dob_form == "serial"}
    )
    return spec


def _address(spec: pd.DataFrame, ctx: RenderContext) -> np.ndarray:
    """Return addresses as `DK. KRAJAN RT 003 RW 002`, `DK. KRAJAN RT 03/02` or `... Rt.3/Rw.2`."""
    fam = ctx.family_rows(spec)
    dusun = fam["dusun"].to_numpy(dtype=object)
    rt = fam["rt"].to_numpy().astype(int)
    rw = fam["rw"].to_numpy().astype(int)
    form = ctx.rng.integers(3, size=len(spec))
    return np.array(
        [
            f"DK. {d} RT {t:03d} RW {w:03d}" if f == 0
            else f"DK. {d} RT {t:02d}/{w:02d}" if f == 1
            else f"DK. {d} Rt.{t}/Rw.{w}"
            for d, t, w, f in zip(dusun, rt, rw, form, strict=True)
        ],
        dtype=object,
    )


def write_pln(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    """Write a `;`-separated AP2T-style export with tariff and power as `R1/900` and `900 VA`."""
    spec = _csv_rows(_sort(spec, ctx.families))
    rng = ctx.rng
    region = ctx.region(spec)
    tariff = spec["tariff"].to_numpy(dtype=object)
    power = spec["power_va"].to_numpy().astype(np.int64)
    power_text = np.array([f"{p:,}".replace(",", ".") for p in power], dtype=object)
    suffix = rng.random(len(spec)) < 0.5
    columns = {
        "IDPEL": [
            f"5240{o + 1}{f:07d}"
            for o, f in zip(
                spec["customer_offset"].to_numpy().astype(int),
                spec["family_idx"].to_numpy(),
                strict=True,
            )
        ],
        "NAMA": _names(spec, ctx),
        "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
        "ALAMAT": _address(spec, ctx),
        "DESA": region["desa"],
        "KECAMATAN": region["kec"],
        "TARIF": np.where(
            rng.random(len(spec)) < 0.5, tariff + "/" + power.astype(str), tariff
        ).astype(object),
        "DAYA": np.where(suffix, power_text + " VA", power_text).astype(object),
    }
    write_delimited(columns, out / PLN_FILE, ";", bom=True)
    return spec


def write_vehicles(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    """Write a quoted `,` CSV whose wheel column is blank on a third of rows."""
    spec = _csv_rows(_sort(spec, ctx.families))
    rng = ctx.rng
    n = len(spec)
    region = ctx.region(spec)
    wheels = spec["wheels"].to_numpy().astype(int)
    letters = np.array(list("ABCDEFGHKLMNPRSTUVWXYZ"), dtype=object)
    plate = [
        f"G {1000 + (i * 7919) % 8999} {letters[i % 22]}{letters[(i // 22) % 22]}"
        for i in range(n)
    ]
    frame = pd.DataFrame(
        {
            "NO POLISI": plate,
            "NIK PEMILIK": fm.nik_text(
                spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng
            ),
            "NAMA PEMILIK": _names(spec, ctx),
            "ALAMAT PEMILIK": _address(spec, ctx),
            "DESA": region["desa"],
            "KECAMATAN": region["kec"],
            "JENIS KENDARAAN": spec["vehicle_type"].to_numpy(dtype=object),
            "MERK": np.where(
                wheels >= 4,
                CAR_BRANDS[rng.integers(len(CAR_BRANDS), size=n)],
                BIKES[rng.integers(len(BIKES), size=n)],
            ),
            "JML RODA": np.where(rng.random(n) < 0.33, "", wheels.astype(str)),
            "THN BUAT": rng.integers(2005, 2026, size=n),
        }
    )
    frame.to_csv(
        out / VEHICLES_FILE,
        sep=",",
        index=False,
        encoding="utf-8",
        quoting=csv.QUOTE_ALL,
        lineterminator="\r\n",
    )
    return spec


def write_ahu(spec: pd.DataFrame, ctx: RenderContext, out: Path) -> pd.DataFrame:
    """Write the company officers and owners that Dinsos matched in AHU (CV, PT) and OSS (NIB)."""
    spec = _csv_rows(_sort(spec, ctx.families))
    rng = ctx.rng
    n = len(spec)
    dob_text, _ = fm.mixed_dates(spec["dob_value"].to_numpy(), {"dmy": 0.7, "iso": 0.3}, rng)
    position = spec["position"].to_numpy(dtype=object)
    company = COMPANIES[rng.integers(len(COMPANIES), size=n)]
    frame = pd.DataFrame(
        {
            "NO": np.arange(1, n + 1),
            "NIK": fm.nik_text(spec["nik_kind"].to_numpy(), spec["nik_value"].to_numpy(), rng),
            "NAMA": _names(spec, ctx),
            "TGL LAHIR": dob_text,
            "JABATAN": position,
            "NAMA BADAN USAHA": company,
            "KATEGORI": np.where(rng.random(n) < 0.7, "AHU", "OSS"),
            "PER TANGGAL": np.full(n, "30-11-2026", dtype=object),
        }
    )

    spec["sheet"] = "Pengurus"
    _write_simple_sheet(out / AHU_FILE, "Pengurus", AHU_HEADER, frame, spec)
    return spec


WRITERS = {
    BPJS_TK_FILE: write_bpjs_tk,
    PLN_FILE: write_pln,
    VEHICLES_FILE: write_vehicles,
    AHU_FILE: write_ahu,
}
