"""Text forms of NIKs, dates, sex, desil, RT/RW and amounts as they appear in real exports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.synth import names as nm

MONTHS_ID = np.array(
    [
        "",
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    dtype=object,
)
PLACEHOLDERS = np.array(["-", "0", "BELUM ADA", "0000000000000000", "TIDAK PUNYA"], dtype=object)
EXCEL_EPOCH = np.datetime64("1899-12-30")


def excel_damaged(values: np.ndarray) -> np.ndarray:
    """Return the value Excel keeps of a 16-digit number: 15 significant digits, the 16th 0."""
    return (values // 10) * 10


def nik_text(kind: np.ndarray, value: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Render NIK or No KK text for each row kind; `excel_num` rows get the damaged digits."""
    digits = pd.Series(value).astype(str).to_numpy(dtype=object)
    out = digits.copy()
    for k in (
        "apostrophe",
        "spaces",
        "dots",
        "placeholder",
        "short",
        "sci_text",
        "excel_num",
        "empty",
    ):
        rows = kind == k
        if not rows.any():
            continue
        d = digits[rows]
        if k == "apostrophe":
            out[rows] = "'" + d
        elif k == "spaces":
            out[rows] = [f"{s[:4]} {s[4:8]} {s[8:12]} {s[12:]}" for s in d]
        elif k == "dots":
            out[rows] = [f"{s[:2]}.{s[2:4]}.{s[4:6]}.{s[6:12]}.{s[12:]}" for s in d]
        elif k == "placeholder":
            out[rows] = PLACEHOLDERS[rng.integers(len(PLACEHOLDERS), size=int(rows.sum()))]
        elif k == "short":
            out[rows] = [s[:15] for s in d]
        elif k == "sci_text":
            out[rows] = [f"{int(s):.5E}".replace(".", ",") for s in d]
        elif k == "excel_num":
            out[rows] = excel_damaged(value[rows]).astype(str)
        elif k == "empty":
            out[rows] = ""
    return out


def date_parts(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    index = pd.DatetimeIndex(dates)
    return index.day.to_numpy(), index.month.to_numpy(), index.year.to_numpy()


def mixed_dates(
    dates: np.ndarray, weights: dict[str, float], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Render dates in a mix of formats; returns the text and the chosen format per row.

    Formats: `dmy` 07-05-1985, `slash` 7/5/1985, `iso` 1985-05-07, `words` 07 Mei 1985,
    `serial` Excel serial number, `yy` 07/05/85. Two-digit years are used only for 1930-1999,
    so reading YY above the current two-digit year as 19YY resolves the century.
    """
    n = len(dates)
    valid = ~np.isnat(dates)
    safe = np.where(valid, dates, np.datetime64("2000-01-01"))
    day, month, year = date_parts(safe)
    names = list(weights)
    p = np.array([weights[k] for k in names])
    choice = np.array(names, dtype=object)[rng.choice(len(names), size=n, p=p / p.sum())]
    choice[(choice == "yy") & ((year < 1930) | (year > 1999))] = "dmy"

    out = np.empty(n, dtype=object)
    for name in FORMATTERS:
        rows = choice == name
        if rows.any():
            out[rows] = FORMATTERS[name](day[rows], month[rows], year[rows], safe[rows])
    out[~valid] = ""
    return out, choice


def _text(values: np.ndarray, width: int = 0) -> np.ndarray:
    text = values.astype(str)
    return (np.char.zfill(text, width) if width else text).astype(object)


FORMATTERS = {
    "dmy": lambda d, m, y, _: _text(d, 2) + "-" + _text(m, 2) + "-" + _text(y),
    "slash": lambda d, m, y, _: _text(d) + "/" + _text(m) + "/" + _text(y),
    "iso": lambda d, m, y, _: _text(y) + "-" + _text(m, 2) + "-" + _text(d, 2),
    "words": lambda d, m, y, _: _text(d, 2) + " " + MONTHS_ID[m] + " " + _text(y),
    "serial": lambda d, m, y, dates: _text(
        (dates.astype("datetime64[D]") - EXCEL_EPOCH).astype(int)
    ),
    "yy": lambda d, m, y, _: _text(d, 2) + "/" + _text(m, 2) + "/" + _text(y % 100, 2),
}


SEX_FORMS = {
    "lp": {"L": "L", "P": "P"},
    "long": {"L": "LAKI-LAKI", "P": "PEREMPUAN"},
    "title": {"L": "Laki-laki", "P": "Perempuan"},
    "code": {"L": "1", "P": "2"},
}


def sex_text(sex: np.ndarray, weights: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    names = list(weights)
    p = np.array([weights[k] for k in names])
    choice = np.array(names)[rng.choice(len(names), size=len(sex), p=p / p.sum())]
    out = np.full(len(sex), "", dtype=object)
    for name, mapping in SEX_FORMS.items():
        for code, text in mapping.items():
            out[(choice == name) & (sex == code)] = text
    return out


def desil_text(desil: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Render desil as `1`, `Desil 1`, `D1` or `DESIL 1 (SANGAT MISKIN)`.

    A missing desil is blank or `Belum ada desil`.
    """
    n = len(desil)
    s = desil.astype(str).astype(object)
    form = rng.choice(4, size=n, p=[0.55, 0.2, 0.15, 0.1])
    out = np.where(form == 0, s, np.where(form == 1, "Desil " + s, "D" + s)).astype(object)
    long_form = (form == 3) & (desil == 1)
    out[long_form] = "DESIL 1 (SANGAT MISKIN)"
    out[(form == 3) & (desil == 2)] = "DESIL 2 (MISKIN)"
    out[(form == 3) & (desil > 2)] = "Desil " + s[(form == 3) & (desil > 2)]
    missing = desil == 0
    out[missing] = np.where(rng.random(int(missing.sum())) < 0.5, "", "Belum ada desil")
    return out


def rt_rw_text(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """RT or RW as `003`, `03` or `3` (leading zeros lost)."""
    s = pd.Series(values).astype(str)
    form = rng.choice(3, size=len(values), p=[0.6, 0.15, 0.25])
    return np.where(form == 0, s.str.zfill(3), np.where(form == 1, s.str.zfill(2), s)).astype(
        object
    )


def rupiah(amount: np.ndarray) -> np.ndarray:
    """`Rp 600.000` with dots as thousands separators."""
    return np.array([f"Rp {int(a):,}".replace(",", ".") for a in amount], dtype=object)


def render_names(
    spec: pd.DataFrame, persons: pd.DataFrame, father: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Name text per row following `name_kind`."""
    pidx = spec["pidx"].to_numpy()
    true_names = persons["name"].to_numpy()[pidx]
    out = true_names.copy()
    kinds = spec["name_kind"].to_numpy()
    sex = persons["sex"].to_numpy()[pidx]
    for i in np.flatnonzero(kinds != "same"):
        kind = kinds[i]
        if kind == "variant":
            out[i] = nm.benign_variant(true_names[i], sex[i], father[pidx[i]], rng)
        elif kind == "typo":
            out[i] = nm.typo(true_names[i], rng) or true_names[i]
        elif kind == "alm":
            out[i] = ("ALMH. " if sex[i] == "P" else "ALM. ") + true_names[i]
        elif kind in ("different", "given"):
            out[i] = spec["name_text"].iat[i]
    return out
