"""Fixed dates, sizes and configuration values shared by the synthetic generator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.errors import ConfigError
from pipelines.i18n import _
from pipelines.rulesconfig import as_date, setting
from pipelines.runconfig import load_rules_config

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_PATH = REPO_ROOT / "config" / "rules.toml"
WILAYAH_PATH = REPO_ROOT / "reference" / "wilayah_batang.csv"

SNAPSHOT_DATE = date(2026, 11, 18)
# The death register covers deaths recorded in 2026 up to its export at the end of November.
DEATHS_FROM = date(2026, 1, 1)
DEATHS_TO = date(2026, 11, 30)
# Fixed workbook creation time so that the same seed gives byte-identical XLSX files.
WORKBOOK_CREATED = (2026, 12, 1, 8, 0, 0)

SIZES = {"tiny": 1_500, "demo": 30_000, "batang": 860_000}
# Below this the 30 desa used for small runs get fewer than ten people each.
MIN_PERSONS = 300

PROGRAMME_BY_FILE = {
    "dtsen_batang_202611.csv": "ALL",
    "pkh_tahap4_2026.xlsx": "PKH",
    "bpnt_bnba_tahap4_2026.csv": "BPNT",
    "pbi_jkn_202611.xlsx": "PBI",
    "pengaduan_rumah_curhat_2026.csv": "ALL",
    "kematian_dukcapil_2026.xlsx": "ALL",
    "asn_tni_polri_2026.csv": "ALL",
    "perangkat_desa_2026.xlsx": "ALL",
    "bpjs_tk_upah_202610.xlsx": "ALL",
    "pln_pelanggan_202611.csv": "ALL",
    "samsat_kendaraan_2026.csv": "ALL",
    "ahu_oss_pengurus_2026.xlsx": "ALL",
}
(
    DTSEN_FILE,
    PKH_FILE,
    BPNT_FILE,
    PBI_FILE,
    COMPLAINTS_FILE,
    DEATHS_FILE,
    ASN_FILE,
    OFFICIALS_FILE,
    BPJS_TK_FILE,
    PLN_FILE,
    VEHICLES_FILE,
    AHU_FILE,
) = PROGRAMME_BY_FILE

DOB_COLUMNS_FILES = (
    DTSEN_FILE, PBI_FILE, DEATHS_FILE, ASN_FILE, COMPLAINTS_FILE, BPJS_TK_FILE, AHU_FILE,
)
SEX_COLUMNS_FILES = (DTSEN_FILE, PBI_FILE, DEATHS_FILE)


@dataclass(frozen=True)
class RuleParams:
    """Audit thresholds read from config/rules.toml, so the truth follows the configuration."""

    period_start: date
    period_end: date
    desil_threshold: dict[str, int]
    elderly_min_age: int
    early_childhood_max_age: int
    school_min_age: int
    school_max_age: int
    max_components: int
    max_early_childhood: int
    max_pregnancies: int
    pengurus_min_age: int
    # [wage] umk_idr and [proxy] min_power_va, read by rules 17 and 18.
    umk_idr: int = 2_550_000
    proxy_min_power_va: int = 1300

    @property
    def max_threshold(self) -> int:
        return max(self.desil_threshold.values())


def load_rule_params(path: Path = RULES_PATH) -> RuleParams:
    """Read the period, desil thresholds and PKH limits from the rules file, checked as an
    audit run checks it."""
    cfg = load_rules_config(path)
    pkh = cfg["pkh"]
    return RuleParams(
        period_start=as_date(cfg["period"]["start_date"]),
        period_end=as_date(cfg["period"]["end_date"]),
        desil_threshold={k: int(v) for k, v in cfg["desil_threshold"].items()},
        elderly_min_age=int(pkh["elderly_min_age"]),
        early_childhood_max_age=int(pkh["early_childhood_max_age"]),
        school_min_age=int(pkh["school_min_age"]),
        school_max_age=int(pkh["school_max_age"]),
        max_components=int(pkh["max_components"]),
        max_early_childhood=int(pkh["max_early_childhood"]),
        max_pregnancies=int(pkh["max_pregnancies"]),
        pengurus_min_age=int(pkh["pengurus_min_age"]),
        umk_idr=int(cfg["wage"]["umk_idr"]),
        proxy_min_power_va=int(setting(cfg, "proxy", "min_power_va")),
    )


def load_wilayah(path: Path = WILAYAH_PATH) -> pd.DataFrame:
    """Load the Batang region table with codes kept as text."""
    table = pd.read_csv(path, dtype=str)
    table["kecamatan_num"] = table["kecamatan_code"].str[-2:].astype(int)
    return table


def resolve_persons(size: str, persons: int | None) -> int:
    """Return the target population for a named size or an explicit person count."""
    if persons is not None:
        if persons < MIN_PERSONS:
            raise ConfigError(
                _("--persons {persons} is too small; use at least {minimum}.").format(
                    persons=persons, minimum=MIN_PERSONS
                )
            )
        return persons
    if size not in SIZES:
        raise ConfigError(
            _("Unknown size {size}; use one of {sizes}, or give --persons N.").format(
                size=repr(size), sizes=", ".join(SIZES)
            )
        )
    return SIZES[size]


def to_days(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def age_on(birth: np.ndarray, on: date) -> np.ndarray:
    """Completed years on `on` for datetime64[D] birth dates (NaT gives -1)."""
    births = pd.DatetimeIndex(birth)
    years = on.year - births.year
    before_birthday = (births.month > on.month) | (
        (births.month == on.month) & (births.day > on.day)
    )
    ages = np.asarray(years - before_birthday.astype(int), dtype=float)
    return np.where(np.isnan(ages), -1, ages).astype(int)
