"""NIK and No KK numbers built from their documented structure, and their structure checks.

NIK: 6-digit kecamatan of first registration, birth date DDMMYY with 40 added to the day for
women, and a 4-digit serial from 0001. No KK: 6-digit issuing kecamatan, registration date
DDMMYY, and a 4-digit serial.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.synth.params import SNAPSHOT_DATE

VALID_PREFIXES = np.arange(332501, 332516)


def ddmmyy(dates: np.ndarray, add_day: np.ndarray | int = 0) -> np.ndarray:
    """DDMMYY as an integer for datetime64[D] dates."""
    index = pd.DatetimeIndex(dates)
    day = index.day.to_numpy() + add_day
    return day * 10_000 + index.month.to_numpy() * 100 + index.year.to_numpy() % 100


def with_serials(prefix: np.ndarray, middle: np.ndarray) -> np.ndarray:
    """Join prefix, DDMMYY and a serial 0001.. that is unique within each prefix and date."""
    key = prefix.astype(np.int64) * 1_000_000 + middle
    serial = pd.Series(key).groupby(key).cumcount().to_numpy() + 1
    if serial.max() > 9999:
        raise ValueError("more than 9999 identifiers share one prefix and date")
    return key * 10_000 + serial


def build_niks(
    persons: pd.DataFrame, families: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """Build unique NIKs; 10% were first registered in another Batang kecamatan."""
    home = families["kecamatan_code"].to_numpy()[persons["family_idx"]].astype(np.int64)
    moved = rng.random(len(persons)) < 0.10
    prefix = np.where(moved, rng.choice(VALID_PREFIXES, size=len(persons)), home)
    add = np.where(persons["sex"].to_numpy() == "P", 40, 0)
    return with_serials(prefix, ddmmyy(persons["birth_date"].to_numpy(), add))


def build_kks(families: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Build unique No KK numbers registered between 2005 and 2025."""
    start = np.datetime64("2005-01-01")
    span = (np.datetime64("2025-12-31") - start).astype(int)
    registered = start + rng.integers(0, span + 1, size=len(families)).astype("timedelta64[D]")
    prefix = families["kecamatan_code"].to_numpy().astype(np.int64)
    return with_serials(prefix, ddmmyy(registered))


def split_digits(values: np.ndarray) -> dict[str, np.ndarray]:
    """Split 16-digit integers into prefix, day, month, year and serial."""
    v = values.astype(np.int64)
    return {
        "prefix": v // 10**10,
        "day": (v // 10**8) % 100,
        "month": (v // 10**6) % 100,
        "yy": (v // 10**4) % 100,
        "serial": v % 10_000,
    }


def _calendar_ok(day: np.ndarray, month: np.ndarray) -> np.ndarray:
    # 29 February is allowed for any two-digit year because the century is unknown.
    month_len = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    valid_month = (month >= 1) & (month <= 12)
    limit = month_len[np.where(valid_month, month, 0)]
    return valid_month & (day >= 1) & (day <= limit)


def nik_structure_ok(values: np.ndarray) -> np.ndarray:
    """Structure check of 16-digit NIK integers against the Batang kecamatan table."""
    parts = split_digits(values)
    day = parts["day"]
    real_day = np.where(day > 40, day - 40, day)
    day_range = ((day >= 1) & (day <= 31)) | ((day >= 41) & (day <= 71))
    return (
        np.isin(parts["prefix"], VALID_PREFIXES)
        & day_range
        & _calendar_ok(real_day, parts["month"])
        & (parts["serial"] > 0)
        & (values >= 10**15)
    )


def kk_structure_ok(values: np.ndarray) -> np.ndarray:
    """Structure check of 16-digit No KK integers: prefix, calendar date not after the snapshot."""
    parts = split_digits(values)
    year = 2000 + parts["yy"]
    snapshot = SNAPSHOT_DATE.year * 10_000 + SNAPSHOT_DATE.month * 100 + SNAPSHOT_DATE.day
    not_future = year * 10_000 + parts["month"] * 100 + parts["day"] <= snapshot
    return (
        np.isin(parts["prefix"], VALID_PREFIXES)
        & _calendar_ok(parts["day"], parts["month"])
        & not_future
        & (parts["serial"] > 0)
        & (values >= 10**15)
    )
