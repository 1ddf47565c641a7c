"""Planted errors in the register and complaint rows, kept away from recipient families.

Register rows of recipient families stay as the true state, so the targeting rules judge them
on true values. Data-quality errors go to families that receive nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.synth.params import COMPLAINTS_FILE, DTSEN_FILE, age_on
from pipelines.synth.plants import PlantBook, _choose_rows, _protect, broken_nik, roster_rows
from pipelines.synth.population import is_default_dob


def plant_other_files(
    book: PlantBook, spec: pd.DataFrame, recipient_family: np.ndarray
) -> pd.DataFrame:
    """Plant data-quality errors in DTSEN rows of non-recipient families and in complaints."""
    spec = spec.copy()
    p = book.persons
    k = book.per_rule
    family = p["family_idx"].to_numpy()
    quiet = ~recipient_family[family]
    dtsen = roster_rows(spec, DTSEN_FILE)
    dtsen_quiet = dtsen[quiet[spec.loc[dtsen, "pidx"].to_numpy()]]
    birth = p["birth_date"].to_numpy()
    age = age_on(birth, book.params.period_start)
    row_pidx = spec.loc[dtsen_quiet, "pidx"].to_numpy()
    plain_dob = dtsen_quiet[~is_default_dob(birth[row_pidx]) & (age[row_pidx] >= 20)]

    chosen = _choose_rows(book, spec, dtsen_quiet, k)
    spec.loc[chosen, "nik_kind"] = "struct_bad"
    spec.loc[chosen, "nik_value"] = [
        broken_nik(int(p["nik"].iat[i]), n) for n, i in enumerate(spec.loc[chosen, "pidx"])
    ]
    _mark(book, spec, chosen, "NIK_STRUCTURE")

    chosen = _choose_rows(book, spec, dtsen_quiet, max(1, k // 2))
    spec.loc[chosen, "nik_kind"] = "placeholder"
    _mark(book, spec, chosen, "NIK_FORMAT")

    chosen = _choose_rows(book, spec, plain_dob, k)
    flipped = np.where(p["sex"].to_numpy()[spec.loc[chosen, "pidx"].to_numpy()] == "P", "L", "P")
    spec.loc[chosen, "sex_override"] = flipped
    _mark(book, spec, chosen, "NIK_ATTR_MISMATCH")

    chosen = _choose_rows(book, spec, plain_dob, k)
    spec.loc[chosen, "dob_shift_days"] = 400
    _mark(book, spec, chosen, "NIK_ATTR_MISMATCH")

    for date in ("2027-02-03", "1901-06-05"):
        chosen = _choose_rows(book, spec, plain_dob, max(1, k // 2))
        spec.loc[chosen, "dob_override"] = np.datetime64(date)
        _mark(book, spec, chosen, "AGE_IMPLAUSIBLE")

    heads = plain_dob[
        p["role"].to_numpy()[spec.loc[plain_dob, "pidx"].to_numpy()] == "KEPALA KELUARGA"
    ]
    chosen = _choose_rows(book, spec, heads, max(1, k // 2))
    spec.loc[chosen, "dob_override"] = np.datetime64("2013-03-05")
    _mark(book, spec, chosen, "AGE_IMPLAUSIBLE")

    men = dtsen_quiet[(p["sex"].to_numpy()[spec.loc[dtsen_quiet, "pidx"].to_numpy()] == "L")]
    chosen = _choose_rows(book, spec, men, max(1, k // 2))
    p.loc[spec.loc[chosen, "pidx"].to_numpy(), "is_pregnant"] = True
    _mark(book, spec, chosen, "AGE_IMPLAUSIBLE")

    for kind in ("bad_prefix", "future"):
        chosen = _choose_rows(book, spec, dtsen_quiet, max(1, k // 2))
        spec.loc[chosen, "kk_kind"] = kind
        _mark(book, spec, chosen, "KK_FORMAT")

    chosen = _choose_rows(book, spec, dtsen_quiet, max(1, k // 2))
    spec.loc[chosen, "wil_kind"] = "bad_code"
    spec.loc[chosen, "wil_text"] = "33.25.01.2099"
    _mark(book, spec, chosen, "WILAYAH_INVALID")

    complaints = roster_rows(spec, COMPLAINTS_FILE)
    with_nik = complaints[~spec.loc[complaints, "no_nik"].fillna(False).astype(bool).to_numpy()]
    chosen = _choose_rows(book, spec, with_nik, max(1, k // 2))
    spec.loc[chosen, "wil_kind"] = "ambiguous"
    spec.loc[chosen, "wil_text"] = "SENDANG"
    _mark(book, spec, chosen, "WILAYAH_INVALID")
    return spec


def _mark(book: PlantBook, spec: pd.DataFrame, rows: np.ndarray, rule: str) -> None:
    _protect(spec, rows, rule)
    book.planted[rule] += len(rows)
