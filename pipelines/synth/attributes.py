"""Occupations, exclusion lists, welfare decile, PKH components, deaths and register status."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from pipelines.synth.params import DEATHS_FROM, DEATHS_TO, RuleParams, age_on, to_days
from pipelines.synth.population import ASN_AGENCIES, OFFICIAL_POSITIONS, POVERTY_SHIFT_BY_KECAMATAN

logger = logging.getLogger(__name__)


def assign_occupations(
    persons: pd.DataFrame, families: pd.DataFrame, params: RuleParams, rng: np.random.Generator
) -> None:
    """Set `occupation`, `asn_category`, `asn_agency` and `official_position` per person."""
    n = len(persons)
    age = age_on(persons["birth_date"].to_numpy(), params.period_start)
    persons["age"] = age
    sex = persons["sex"].to_numpy()
    coastal = np.isin(families["kecamatan_num"].to_numpy()[persons["family_idx"]], [7, 11, 13, 15])

    occupation = np.full(n, "BELUM/TIDAK BEKERJA", dtype=object)
    adult = age >= 18
    work = rng.choice(
        ["PETANI/PEKEBUN", "BURUH HARIAN LEPAS", "WIRASWASTA", "PEDAGANG", "KARYAWAN SWASTA"],
        size=n,
        p=[0.35, 0.3, 0.15, 0.1, 0.1],
    )
    occupation[adult] = work[adult]
    occupation[adult & coastal & (rng.random(n) < 0.25)] = "NELAYAN/PERIKANAN"
    occupation[adult & (sex == "P") & (rng.random(n) < 0.45)] = "MENGURUS RUMAH TANGGA"
    occupation[(age >= 6) & (age <= 22) & (rng.random(n) < 0.8)] = "PELAJAR/MAHASISWA"

    category = np.full(n, "", dtype=object)
    working_age = (age >= 22) & (age <= 57)
    draw = rng.random(n)
    category[working_age & (draw < 0.020)] = "ASN"
    category[working_age & (draw >= 0.020) & (draw < 0.024)] = "TNI"
    category[working_age & (draw >= 0.024) & (draw < 0.028)] = "POLRI"
    category[(age >= 58) & (age <= 85) & (draw < 0.03)] = "PENSIUNAN"
    occupation[category == "ASN"] = "PEGAWAI NEGERI SIPIL"
    occupation[category == "TNI"] = "TNI"
    occupation[category == "POLRI"] = "POLRI"
    occupation[category == "PENSIUNAN"] = "PENSIUNAN"
    agency = np.array(
        [
            ASN_AGENCIES[c][int(i) % len(ASN_AGENCIES[c])] if c else ""
            for c, i in zip(category, rng.integers(100, size=n), strict=True)
        ],
        dtype=object,
    )

    persons["occupation"] = occupation
    persons["asn_category"] = category
    persons["asn_agency"] = agency
    persons["official_position"] = _assign_officials(persons, families, age, category, rng)
    persons.loc[persons["official_position"] != "", "occupation"] = "PERANGKAT DESA"


def _assign_officials(
    persons: pd.DataFrame,
    families: pd.DataFrame,
    age: np.ndarray,
    category: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    position = np.full(len(persons), "", dtype=object)
    desa = families["desa_code"].to_numpy()[persons["family_idx"]]
    candidates = pd.DataFrame({"desa": desa, "key": rng.random(len(persons))})
    candidates = candidates[(age >= 25) & (age <= 60) & (category == "")]
    candidates = candidates.sort_values(["desa", "key"])
    candidates["rank"] = candidates.groupby("desa").cumcount()
    desa_pop = pd.Series(desa).value_counts()
    quota = np.clip(np.round(desa_pop / 350), 2, len(OFFICIAL_POSITIONS)).astype(int)
    chosen = candidates[candidates["rank"] < candidates["desa"].map(quota)]
    position[chosen.index.to_numpy()] = np.array(OFFICIAL_POSITIONS, dtype=object)[
        chosen["rank"].to_numpy()
    ]
    return position


def assign_desil(persons: pd.DataFrame, families: pd.DataFrame, rng: np.random.Generator) -> None:
    """Rank families by a latent welfare score into ten person-weighted deciles."""
    fam = persons["family_idx"].to_numpy()
    n_fam = len(families)
    has_asn = np.bincount(fam, weights=(persons["asn_category"] != "").to_numpy(), minlength=n_fam)
    has_official = np.bincount(
        fam, weights=(persons["official_position"] != "").to_numpy(), minlength=n_fam
    )
    htype = families["household_type"].to_numpy()
    shift = families["kecamatan_num"].map(POVERTY_SHIFT_BY_KECAMATAN).fillna(0.0).to_numpy()

    poverty = rng.normal(size=n_fam) + shift
    poverty += np.select([htype == "single_elderly", htype == "single_parent"], [0.8, 0.6], 0.0)
    poverty += 0.15 * (families["size"].to_numpy() - 4)
    poverty -= 1.6 * (has_asn > 0) + 1.0 * (has_official > 0)

    order = np.argsort(-poverty, kind="stable")
    share = np.cumsum(families["size"].to_numpy()[order]) / families["size"].sum()
    desil = np.empty(n_fam, dtype=int)
    desil[order] = np.clip(np.ceil(share * 10), 1, 10).astype(int)
    families["desil"] = desil
    families["poverty_score"] = poverty


def assign_components(persons: pd.DataFrame, params: RuleParams, rng: np.random.Generator) -> None:
    """Set pregnancy, severe disability and school participation with level."""
    n = len(persons)
    age = persons["age"].to_numpy()
    sex = persons["sex"].to_numpy()
    role = persons["role"].to_numpy()

    fertile_wife = (
        (sex == "P") & (age >= 18) & (age <= 42) & np.isin(role, ["ISTRI", "KEPALA KELUARGA"])
    )
    persons["is_pregnant"] = fertile_wife & (rng.random(n) < 0.06)
    p_disabled = np.where(age >= 60, 0.02, 0.006)
    persons["has_severe_disability"] = rng.random(n) < p_disabled

    # School starts at 7 and nobody aged 21 is in school, so the 6-21 boundary is never tested.
    p_school = np.select(
        [
            (age >= 7) & (age <= 12),
            (age >= 13) & (age <= 15),
            (age >= 16) & (age <= 18),
            (age >= 19) & (age <= 20),
        ],
        [0.98, 0.9, 0.7, 0.08],
        default=0.0,
    )
    in_school = rng.random(n) < p_school
    level = np.select([age <= 12, age <= 15], ["SD", "SMP"], default="SMA").astype(object)
    level[~in_school] = ""
    persons["is_in_school"] = in_school
    persons["school_level"] = level


def assign_deaths(persons: pd.DataFrame, rng: np.random.Generator) -> None:
    """Draw deaths recorded in 2026, more likely with age."""
    age = persons["age"].to_numpy()
    p_death = np.select(
        [age >= 80, age >= 70, age >= 60, age >= 45], [0.09, 0.04, 0.015, 0.005], 0.001
    )
    dies = rng.random(len(persons)) < p_death
    span = (to_days(DEATHS_TO) - to_days(DEATHS_FROM)).astype(int)
    offsets = rng.integers(0, span + 1, size=len(persons)).astype("timedelta64[D]")
    death = np.full(len(persons), np.datetime64("NaT"), dtype="datetime64[D]")
    death[dies] = to_days(DEATHS_FROM) + offsets[dies]
    persons["death_date"] = death


def assign_register_status(
    persons: pd.DataFrame, families: pd.DataFrame, rng: np.random.Generator
) -> None:
    """Mark unregistered families, missing desil, Padan Dukcapil and NONAKTIF rows."""
    n_fam = len(families)
    families["in_register"] = rng.random(n_fam) >= 0.015
    missing = rng.random(n_fam) < 0.01
    families.loc[missing, "desil"] = 0

    n = len(persons)
    dead = ~np.isnat(persons["death_date"].to_numpy())
    persons["is_padan"] = rng.random(n) >= 0.02
    persons["is_register_active"] = ~((dead & (rng.random(n) < 0.3)) | (rng.random(n) < 0.01))
    logger.info(
        "register status: unregistered families=%d, missing desil=%d",
        int((~families["in_register"]).sum()),
        int(missing.sum()),
    )
