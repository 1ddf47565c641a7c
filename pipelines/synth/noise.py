"""Random realistic noise on the unprotected rows of each file."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.synth.params import (
    AHU_FILE,
    ASN_FILE,
    BPJS_TK_FILE,
    BPNT_FILE,
    COMPLAINTS_FILE,
    DEATHS_FILE,
    DTSEN_FILE,
    OFFICIALS_FILE,
    PBI_FILE,
    PKH_FILE,
    PLN_FILE,
    VEHICLES_FILE,
)

# Per file and field: probability of each way of writing the value. Exclusion lists and the
# death register keep joinable NIKs, because the truth assumes an audit can match them by NIK.
NOISE_RATES: dict[str, dict[str, dict[str, float]]] = {
    DTSEN_FILE: {
        "nik_kind": {"apostrophe": 0.004, "spaces": 0.002, "dots": 0.002},
        "kk_kind": {"spaces": 0.002},
        "name_kind": {"variant": 0.02, "typo": 0.004},
    },
    PKH_FILE: {
        "nik_kind": {
            "apostrophe": 0.03,
            "spaces": 0.01,
            "excel_num": 0.006,
            "placeholder": 0.003,
            "short": 0.002,
        },
        "kk_kind": {"excel_num": 0.004, "placeholder": 0.002},
        "name_kind": {"variant": 0.05, "typo": 0.015},
    },
    BPNT_FILE: {
        "nik_kind": {
            "apostrophe": 0.02,
            "spaces": 0.01,
            "dots": 0.005,
            "sci_text": 0.006,
            "placeholder": 0.003,
            "short": 0.002,
        },
        "kk_kind": {"sci_text": 0.003, "placeholder": 0.002},
        "name_kind": {"variant": 0.04, "typo": 0.01},
    },
    PBI_FILE: {
        "nik_kind": {"apostrophe": 0.01, "excel_num": 0.005, "placeholder": 0.002},
        "name_kind": {"variant": 0.04, "typo": 0.01},
    },
    DEATHS_FILE: {"name_kind": {"variant": 0.03}},
    ASN_FILE: {"nik_kind": {"apostrophe": 0.01}, "name_kind": {"variant": 0.3}},
    OFFICIALS_FILE: {"name_kind": {"variant": 0.1}},
    COMPLAINTS_FILE: {"name_kind": {"variant": 0.05}},
    # Rules 17 and 18 join these extracts by NIK, or by name and address when the NIK cell is
    # empty. A damaged NIK therefore hides the row from them, and the truth does not count it.
    BPJS_TK_FILE: {
        "nik_kind": {"apostrophe": 0.02, "excel_num": 0.006, "spaces": 0.004},
        "name_kind": {"variant": 0.05, "typo": 0.01},
    },
    PLN_FILE: {"nik_kind": {"apostrophe": 0.01, "sci_text": 0.005}, "name_kind": {"variant": 0.05}},
    VEHICLES_FILE: {"nik_kind": {"dots": 0.005, "sci_text": 0.004}, "name_kind": {"variant": 0.05}},
    AHU_FILE: {"nik_kind": {"apostrophe": 0.01}, "name_kind": {"variant": 0.1}},
}


def apply_noise(
    spec: pd.DataFrame, recipients: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw a way of writing NIK, No KK and name for every unprotected row."""
    spec = spec.copy()
    # Each column is converted to NumPy once: converting the string columns of a batang-size
    # spec to and from Arrow for every file and field took seconds.
    file = spec["file"].to_numpy(dtype=object)
    unprotected = ~spec["is_protected"].to_numpy(dtype=bool)
    fields = {"nik_kind": None, "kk_kind": None, "name_kind": None}
    for name in fields:
        fields[name] = spec[name].to_numpy(dtype=object).copy()
    for file_name, rates_by_field in NOISE_RATES.items():
        rows = (file == file_name) & unprotected
        if file_name == DTSEN_FILE:
            # Register rows of recipients stay joinable, so that a recipient's register NIK exists.
            rows &= ~recipients[spec["pidx"].to_numpy()]
        for name, rates in rates_by_field.items():
            _draw_kinds(fields[name], rows, rates, rng)
    for name, values in fields.items():
        spec[name] = values
    return spec


def _draw_kinds(
    current: np.ndarray,
    rows: np.ndarray,
    rates: dict[str, float],
    rng: np.random.Generator,
) -> None:
    """Replace `clean`/`same` in `current` at `rows` with a noise kind drawn from `rates`."""
    untouched = rows & ((current == "clean") | (current == "same"))
    draw = rng.random(len(current))
    low = 0.0
    for kind, p in rates.items():
        hit = untouched & (draw >= low) & (draw < low + p)
        current[hit] = kind
        low += p
