"""The true synthetic population: families, persons, welfare decile, components and deaths."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.synth import names as nm
from pipelines.synth.params import RuleParams, age_on, to_days

logger = logging.getLogger(__name__)

# Household types: (name, share of families, head age range, sizes, size weights).
HOUSEHOLD_TYPES = (
    ("single_elderly", 0.07, (62, 95), (1,), (1.0,)),
    ("elderly_couple", 0.06, (62, 90), (2,), (1.0,)),
    ("young_couple", 0.04, (20, 30), (2,), (1.0,)),
    ("nuclear", 0.67, (25, 60), (3, 4, 5, 6), (0.30, 0.36, 0.22, 0.12)),
    ("single_parent", 0.07, (25, 60), (2, 3, 4), (0.35, 0.40, 0.25)),
    ("extended", 0.09, (28, 55), (4, 5, 6), (0.35, 0.40, 0.25)),
)
# Upland kecamatan are poorer on average; the shift moves a family's latent welfare score.
POVERTY_SHIFT_BY_KECAMATAN = {1: 0.35, 2: 0.25, 3: 0.45, 4: 0.45, 5: 0.4, 11: -0.5, 13: -0.1}
OFFICIAL_POSITIONS = (
    "KEPALA DESA",
    "SEKRETARIS DESA",
    "KAUR KEUANGAN",
    "KAUR UMUM",
    "KASI PEMERINTAHAN",
    "KASI KESEJAHTERAAN",
    "KASI PELAYANAN",
    "KEPALA DUSUN",
    "KEPALA DUSUN",
    "KEPALA DUSUN",
    "STAF DESA",
)
ASN_AGENCIES = {
    "ASN": (
        "DINAS PENDIDIKAN KAB. BATANG",
        "RSUD BATANG",
        "SETDA KAB. BATANG",
        "DINAS KESEHATAN KAB. BATANG",
        "KEMENAG KAB. BATANG",
    ),
    "TNI": ("KODIM 0736/BATANG",),
    "POLRI": ("POLRES BATANG",),
    "PENSIUNAN": ("TASPEN", "ASABRI"),
}


@dataclass
class Population:
    """True state: one row per family in `families`, one row per person in `persons`."""

    families: pd.DataFrame
    persons: pd.DataFrame


def choose_desa(wilayah: pd.DataFrame, n_persons: int, rng: np.random.Generator) -> pd.DataFrame:
    """Use all 248 desa for a full-size run, and a spread subset for small runs."""
    n_desa = int(np.clip(n_persons // 400, 30, len(wilayah)))
    if n_desa >= len(wilayah):
        return wilayah.reset_index(drop=True)
    must = wilayah["desa_name"].isin(["Sendang", "Gondang", "Kebumen", "Lebo"])
    first_per_kec = ~wilayah.duplicated("kecamatan_code")
    keep = must | first_per_kec
    rest = wilayah.index[~keep].to_numpy()
    extra = rng.choice(rest, size=max(0, n_desa - int(keep.sum())), replace=False)
    keep[extra] = True
    return wilayah[keep].reset_index(drop=True)


def build_families(desa: pd.DataFrame, n_persons: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw household types and sizes until the population reaches `n_persons`."""
    shares = np.array([t[1] for t in HOUSEHOLD_TYPES])
    n_guess = int(n_persons / 3.3) + 50
    type_idx = rng.choice(len(HOUSEHOLD_TYPES), size=n_guess, p=shares / shares.sum())
    sizes = np.empty(n_guess, dtype=int)
    for i, (_, _, _, options, weights) in enumerate(HOUSEHOLD_TYPES):
        mask = type_idx == i
        sizes[mask] = rng.choice(options, size=int(mask.sum()), p=weights)
    keep = np.cumsum(sizes) <= n_persons
    type_idx, sizes = type_idx[keep], sizes[keep]
    n_fam = len(sizes)

    desa_idx = rng.integers(len(desa), size=n_fam)
    families = pd.DataFrame(
        {
            "family_idx": np.arange(n_fam),
            "family_uid": np.char.add("F", np.char.zfill(np.arange(1, n_fam + 1).astype(str), 7)),
            "household_type": np.array([t[0] for t in HOUSEHOLD_TYPES])[type_idx],
            "size": sizes,
            "desa_code": desa["desa_code"].to_numpy()[desa_idx],
            "desa_name": desa["desa_name"].to_numpy()[desa_idx],
            "kecamatan_code": desa["kecamatan_code"].to_numpy()[desa_idx],
            "kecamatan_name": desa["kecamatan_name"].to_numpy()[desa_idx],
            "kecamatan_num": desa["kecamatan_num"].to_numpy()[desa_idx],
            "rt": rng.integers(1, 13, size=n_fam),
            "rw": rng.integers(1, 7, size=n_fam),
            "dusun": nm.DUSUN_NAMES[rng.integers(len(nm.DUSUN_NAMES), size=n_fam)],
        }
    )
    return families


def build_persons(
    families: pd.DataFrame, params: RuleParams, rng: np.random.Generator
) -> pd.DataFrame:
    """Expand families into members with role, sex and date of birth."""
    sizes = families["size"].to_numpy()
    fam_idx = np.repeat(families["family_idx"].to_numpy(), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    pos = np.arange(len(fam_idx)) - starts
    htype = families["household_type"].to_numpy()[fam_idx]
    n = len(fam_idx)

    head_age = _draw_head_ages(families, rng)[fam_idx]
    head_female = _draw_head_female(families, rng)[fam_idx]
    has_spouse = np.isin(htype, ["elderly_couple", "young_couple", "nuclear", "extended"])
    is_parent_row = (htype == "extended") & (pos == sizes[fam_idx] - 1)

    role = np.full(n, "ANAK", dtype=object)
    role[pos == 0] = "KEPALA KELUARGA"
    role[(pos == 1) & has_spouse] = np.where(head_female[(pos == 1) & has_spouse], "SUAMI", "ISTRI")
    role[is_parent_row] = "ORANG TUA"

    sex = np.where(rng.random(n) < 0.5, "P", "L").astype(object)
    sex[pos == 0] = np.where(head_female[pos == 0], "P", "L")
    sex[role == "ISTRI"] = "P"
    sex[role == "SUAMI"] = "L"
    sex[is_parent_row] = np.where(rng.random(int(is_parent_row.sum())) < 0.7, "P", "L")

    age = np.zeros(n, dtype=int)
    age[pos == 0] = head_age[pos == 0]
    spouse = np.isin(role, ["ISTRI", "SUAMI"])
    age[spouse] = np.clip(head_age[spouse] - rng.integers(-2, 7, size=int(spouse.sum())), 18, 95)
    children = role == "ANAK"
    max_child = np.clip(head_age[children] - 19, 0, 30)
    age[children] = np.floor(rng.random(int(children.sum())) * (max_child + 1)).astype(int)
    age[is_parent_row] = np.clip(
        head_age[is_parent_row] + rng.integers(20, 35, int(is_parent_row.sum())), 60, 96
    )

    birth = _birth_dates(age, params, rng)
    persons = pd.DataFrame(
        {
            "pidx": np.arange(n),
            "person_uid": np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
            "family_idx": fam_idx,
            "pos": pos,
            "role": role,
            "sex": sex,
            "birth_date": birth,
        }
    )
    return persons


def _draw_head_ages(families: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    ages = np.zeros(len(families), dtype=int)
    for name, _, (low, high), _, _ in HOUSEHOLD_TYPES:
        mask = (families["household_type"] == name).to_numpy()
        ages[mask] = rng.integers(low, high + 1, size=int(mask.sum()))
    return ages


def _draw_head_female(families: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    htype = families["household_type"].to_numpy()
    p_female = np.select(
        [htype == "single_elderly", htype == "single_parent"], [0.65, 1.0], default=0.03
    )
    return rng.random(len(families)) < p_female


def _birth_dates(age: np.ndarray, params: RuleParams, rng: np.random.Generator) -> np.ndarray:
    """Birth dates giving `age` on the period start, never later than the day before it."""
    start = to_days(params.period_start)
    offset = (age * 365.25 + rng.random(len(age)) * 364).astype(int) + 1
    return start - offset.astype("timedelta64[D]")


def apply_default_dobs(persons: pd.DataFrame, params: RuleParams, rng: np.random.Generator) -> None:
    """Replace birth dates with Dukcapil default dates for part of the elderly and some families."""
    birth = pd.DatetimeIndex(persons["birth_date"].to_numpy())
    age = age_on(persons["birth_date"].to_numpy(), params.period_start)
    n = len(persons)
    p_default = np.where(age >= 45, 0.30, 0.03)
    chosen = rng.random(n) < p_default
    kind = rng.choice(4, size=n, p=[0.5, 0.3, 0.1, 0.1])
    whole_family = rng.random(persons["family_idx"].max() + 1) < 0.03
    family_chosen = whole_family[persons["family_idx"].to_numpy()]
    kind[family_chosen] = 0
    chosen |= family_chosen

    month = np.select([kind == 0, kind == 1, kind == 2], [7, 12, 1], default=birth.month)
    day = np.select([kind == 0, kind == 1, kind == 2], [1, 31, 1], default=15)
    defaulted = (
        pd.to_datetime({"year": birth.year, "month": month, "day": day})
        .to_numpy()
        .astype("datetime64[D]")
    )
    latest = to_days(params.period_start) - np.timedelta64(1, "D")
    # A default date later than the true birthday could fall after the period start for babies.
    use = chosen & (defaulted <= latest)
    new_birth = persons["birth_date"].to_numpy().copy()
    new_birth[use] = defaulted[use]
    persons["birth_date"] = new_birth
    logger.info("default DOBs applied: persons=%d", int(use.sum()))


def is_default_dob(birth: np.ndarray) -> np.ndarray:
    """True for 1 January, 1 July, 31 December and the 15th of any month."""
    dates = pd.DatetimeIndex(birth)
    md = dates.month * 100 + dates.day
    return np.asarray(np.isin(md, [101, 701, 1231]) | (dates.day == 15), dtype=bool)
