"""Programme rosters (PKH, BPNT, PBI) drawn mostly from eligible families, and the other files.

Every file starts as a frame of "row specs": one row per output row with the true person
(`pidx`) and how each field is to be written (`nik_kind`, `name_kind`, ...). Noise and planted
errors change the specs; `render` turns them into text; `truth` evaluates the rules on them.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from pipelines.synth.params import (
    ASN_FILE,
    BPNT_FILE,
    COMPLAINTS_FILE,
    DEATHS_FILE,
    DTSEN_FILE,
    OFFICIALS_FILE,
    PBI_FILE,
    PKH_FILE,
    RuleParams,
    age_on,
    to_days,
)
from pipelines.synth.population import is_default_dob

logger = logging.getLogger(__name__)

COMPONENT_ORDER = ("HAMIL", "BALITA", "SD", "SMP", "SMA", "DISABILITAS", "LANSIA")
# Yearly rupiah per component; a tahap pays a quarter.
COMPONENT_IDR_PER_YEAR = {
    "HAMIL": 3_000_000,
    "BALITA": 3_000_000,
    "SD": 900_000,
    "SMP": 1_500_000,
    "SMA": 2_000_000,
    "DISABILITAS": 2_400_000,
    "LANSIA": 2_400_000,
}
BPNT_IDR_PER_TAHAP = 600_000


def qualifying_members(persons: pd.DataFrame, params: RuleParams) -> pd.DataFrame:
    """Per person, which PKH component the person qualifies for on the period start."""
    age = age_on(persons["birth_date"].to_numpy(), params.period_start)
    death = persons["death_date"].to_numpy()
    alive = np.isnat(death) | (death >= to_days(params.period_start))
    in_school = (
        persons["is_in_school"].to_numpy()
        & (age >= params.school_min_age)
        & (age <= params.school_max_age)
    )
    level = persons["school_level"].to_numpy()
    return pd.DataFrame(
        {
            "HAMIL": alive & persons["is_pregnant"].to_numpy(),
            "BALITA": alive & (age >= 0) & (age <= params.early_childhood_max_age),
            "SD": alive & in_school & (level == "SD"),
            "SMP": alive & in_school & (level == "SMP"),
            "SMA": alive & in_school & (level == "SMA"),
            "DISABILITAS": alive & persons["has_severe_disability"].to_numpy(),
            "LANSIA": alive & (age >= params.elderly_min_age),
        }
    )


def family_component_counts(
    persons: pd.DataFrame, n_families: int, params: RuleParams
) -> pd.DataFrame:
    """Number of qualifying members per family and component."""
    qualifying = qualifying_members(persons, params)
    fam = persons["family_idx"].to_numpy()
    return pd.DataFrame(
        {
            c: np.bincount(fam, weights=qualifying[c].to_numpy(), minlength=n_families).astype(int)
            for c in COMPONENT_ORDER
        }
    )


def component_list(counts: pd.Series, params: RuleParams) -> list[str]:
    """KOMPONEN items for one family, capped the way PKH pays them."""
    caps = {"BALITA": params.max_early_childhood, "HAMIL": params.max_pregnancies}
    items: list[str] = []
    for component in COMPONENT_ORDER:
        items += [component] * min(int(counts[component]), caps.get(component, 99))
    return items[: params.max_components]


def choose_pengurus(persons: pd.DataFrame) -> np.ndarray:
    """Pengurus per family: the wife, else a female head, else an elderly woman, else the head."""
    role = persons["role"].to_numpy()
    sex = persons["sex"].to_numpy()
    priority = np.select(
        [
            role == "ISTRI",
            (role == "KEPALA KELUARGA") & (sex == "P"),
            (role == "ORANG TUA") & (sex == "P"),
            role == "KEPALA KELUARGA",
        ],
        [0, 1, 2, 3],
        default=9,
    )
    order = np.lexsort((priority, persons["family_idx"].to_numpy()))
    fam_sorted = persons["family_idx"].to_numpy()[order]
    first = np.r_[True, fam_sorted[1:] != fam_sorted[:-1]]
    pengurus = np.empty(fam_sorted.max() + 1, dtype=np.int64)
    pengurus[fam_sorted[first]] = persons["pidx"].to_numpy()[order][first]
    return pengurus


def spec_frame(pidx: np.ndarray, file: str, **columns) -> pd.DataFrame:
    """Row specs with clean defaults for persons `pidx` in `file`."""
    n = len(pidx)
    frame = pd.DataFrame(
        {
            "file": file,
            "sheet": "",
            "pidx": np.asarray(pidx, dtype=np.int64),
            "nik_kind": "clean",
            "nik_value": np.zeros(n, dtype=np.int64),
            "kk_kind": "clean",
            "kk_value": np.zeros(n, dtype=np.int64),
            "name_kind": "same",
            "name_text": "",
            "dob_shift_days": np.zeros(n, dtype=np.int64),
            "dob_override": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
            "sex_override": "",
            "wil_kind": "ok",
            "is_protected": False,
            "plant": "",
        }
    )
    for key, value in columns.items():
        frame[key] = value
    return frame


def select_families(
    families: pd.DataFrame,
    counts: pd.DataFrame,
    exclusion_members: np.ndarray,
    params: RuleParams,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Decide which families receive PKH, BPNT and PBI, with real rosters' inclusion errors."""
    n = len(families)
    desil = families["desil"].to_numpy()
    registered = families["in_register"].to_numpy()
    ranked = registered & (desil > 0)
    has_component = counts.to_numpy().sum(axis=1) > 0
    draw = rng.random((3, n))
    # Exclusion-list families were mostly screened out at the last cleansing.
    screened = np.where(exclusion_members > 0, 0.25, 1.0)

    thr = params.desil_threshold
    p_pkh = np.select(
        [
            ranked & (desil <= thr["PKH"]) & has_component,
            ranked & (desil <= thr["PKH"]),
            ranked & (desil <= thr["PKH"] + 2) & has_component,
        ],
        [0.62, 0.02, 0.04],
        0.0,
    )
    pkh = draw[0] < p_pkh * screened
    p_bpnt = np.select(
        [pkh, ranked & (desil <= thr["BPNT"]), ranked & (desil <= thr["BPNT"] + 2)],
        [0.9, 0.5, 0.03],
        0.0,
    )
    bpnt = draw[1] < p_bpnt * screened
    p_pbi = np.select(
        [pkh, ranked & (desil <= thr["PBI"]), ranked & (desil <= thr["PBI"] + 3), ~registered],
        [0.95, 0.65, 0.08, 0.3],
        0.0,
    )
    pbi = draw[2] < p_pbi * screened
    logger.info("families selected: PKH=%d BPNT=%d PBI=%d", pkh.sum(), bpnt.sum(), pbi.sum())
    return {"PKH": pkh, "BPNT": bpnt, "PBI": pbi}


def component_texts(counts: pd.DataFrame, params: RuleParams) -> np.ndarray:
    """KOMPONEN text per family (vectorised `component_list`)."""
    caps = {"BALITA": params.max_early_childhood, "HAMIL": params.max_pregnancies}
    listed = np.zeros(len(counts), dtype=int)
    text = np.full(len(counts), "", dtype=object)
    for component in COMPONENT_ORDER:
        capped = np.minimum(counts[component].to_numpy(), caps.get(component, 99))
        take = np.clip(np.minimum(capped, params.max_components - listed), 0, None)
        text = text + np.char.multiply(f"{component}, ", take).astype(object)
        listed += take
    return np.array([t[:-2] for t in text], dtype=object)


def pkh_rows(
    families: pd.DataFrame,
    pengurus: np.ndarray,
    counts: pd.DataFrame,
    selected: np.ndarray,
    params: RuleParams,
) -> pd.DataFrame:
    fam_idx = np.flatnonzero(selected)
    components = component_texts(counts, params)[fam_idx]
    return spec_frame(pengurus[fam_idx], PKH_FILE, family_idx=fam_idx, components=components)


def bpnt_rows(pengurus: np.ndarray, selected: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Tahap 4 rows for every KPM and tahap 3 rows for nearly all of them (repeat payments)."""
    fam_idx = np.flatnonzero(selected)
    t4 = spec_frame(pengurus[fam_idx], BPNT_FILE, family_idx=fam_idx, tahap=4)
    paid_t3 = rng.random(len(fam_idx)) < 0.97
    t3 = spec_frame(pengurus[fam_idx[paid_t3]], BPNT_FILE, family_idx=fam_idx[paid_t3], tahap=3)
    return pd.concat([t3, t4], ignore_index=True)


def pbi_rows(
    persons: pd.DataFrame,
    families: pd.DataFrame,
    selected: np.ndarray,
    rng: np.random.Generator,
    params: RuleParams,
) -> pd.DataFrame:
    """Build one row per member of a selected family: APBN for the poorest, APBD for the rest."""
    members = persons[selected[persons["family_idx"].to_numpy()]]
    fam_desil = families["desil"].to_numpy()[members["family_idx"].to_numpy()]
    registered = families["in_register"].to_numpy()[members["family_idx"].to_numpy()]
    apbn = registered & (fam_desil >= 1) & (fam_desil <= params.desil_threshold["PBI"] - 1)
    apbn_draw = rng.random(len(members)) < 0.85
    segment = np.where(apbn & apbn_draw, "PBI APBN", "PBI APBD")
    status = np.where(rng.random(len(members)) < 0.03, "NONAKTIF", "AKTIF")
    return spec_frame(
        members["pidx"].to_numpy(),
        PBI_FILE,
        family_idx=members["family_idx"].to_numpy(),
        segment=segment,
        status=status,
        noka_offset=0,
    )


def dtsen_rows(persons: pd.DataFrame, families: pd.DataFrame) -> pd.DataFrame:
    registered = families["in_register"].to_numpy()[persons["family_idx"].to_numpy()]
    members = persons[registered]
    return spec_frame(
        members["pidx"].to_numpy(), DTSEN_FILE, family_idx=members["family_idx"].to_numpy()
    )


def deaths_rows(persons: pd.DataFrame) -> pd.DataFrame:
    dead = persons[~np.isnat(persons["death_date"].to_numpy())]
    return spec_frame(
        dead["pidx"].to_numpy(), DEATHS_FILE, family_idx=dead["family_idx"].to_numpy()
    )


def asn_rows(persons: pd.DataFrame) -> pd.DataFrame:
    listed = persons[persons["asn_category"] != ""]
    return spec_frame(
        listed["pidx"].to_numpy(), ASN_FILE, family_idx=listed["family_idx"].to_numpy()
    )


def officials_rows(persons: pd.DataFrame) -> pd.DataFrame:
    listed = persons[persons["official_position"] != ""]
    return spec_frame(
        listed["pidx"].to_numpy(), OFFICIALS_FILE, family_idx=listed["family_idx"].to_numpy()
    )


def complaint_rows(
    persons: pd.DataFrame,
    families: pd.DataFrame,
    recipients: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Complaints about recipients (sanggahan, pengaduan) and self-proposals (usulan)."""
    n_target = max(12, len(families) // 150)
    heads = persons[persons["role"] == "KEPALA KELUARGA"]
    poor = families["desil"].to_numpy()[heads["family_idx"].to_numpy()]
    usulan_pool = heads[(poor >= 1) & (poor <= 5) & ~recipients[heads["pidx"].to_numpy()]]
    recipient_pool = persons[recipients[persons["pidx"].to_numpy()]]

    n_usulan = min(len(usulan_pool), n_target // 2)
    n_other = min(len(recipient_pool), n_target - n_usulan)
    usulan = rng.choice(usulan_pool["pidx"].to_numpy(), size=n_usulan, replace=False)
    other = rng.choice(recipient_pool["pidx"].to_numpy(), size=n_other, replace=False)
    kinds = np.r_[
        np.full(n_usulan, "usulan"), np.where(rng.random(n_other) < 0.6, "sanggahan", "pengaduan")
    ]
    pidx = np.r_[usulan, other]
    no_nik = (rng.random(len(pidx)) < 0.2) & ~is_default_dob(persons["birth_date"].to_numpy()[pidx])
    # Rows without a NIK keep the register name, so name, DOB and desa identify the person.
    return spec_frame(
        pidx,
        COMPLAINTS_FILE,
        family_idx=persons["family_idx"].to_numpy()[pidx],
        complaint_type=kinds,
        no_nik=no_nik,
        is_protected=no_nik,
    )
