"""Rows of the BPJS-TK, PLN, Samsat and AHU/OSS extracts that rules 16, 17 and 18 read.

Natural rows follow the welfare decile: better-off families earn more, draw more power and own
more cars. Planted rows give each rule cases in recipient families. Decoys are recipient
families with a BPJS-TK wage at or below the UMK, a subsidised R1/900 connection or only
motorbikes, and must not fire.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.synth.params import (
    AHU_FILE,
    BPJS_TK_FILE,
    DTSEN_FILE,
    PLN_FILE,
    VEHICLES_FILE,
)
from pipelines.synth.plants import PlantBook, _add_rows, _template
from pipelines.synth.rosters import spec_frame

logger = logging.getLogger(__name__)

CARS = np.array(["MINIBUS", "JEEP", "PICK UP", "SEDAN", "MICROBUS"], dtype=object)
AHU_POSITIONS = np.array(
    ["DIREKTUR", "DIREKTUR UTAMA", "KOMISARIS", "PEMEGANG SAHAM", "PERSERO AKTIF"], dtype=object
)
# Share of members of each occupation in BPJS Ketenagakerjaan.
BPJS_MEMBERSHIP = {"KARYAWAN SWASTA": 0.7, "BURUH HARIAN LEPAS": 0.08, "WIRASWASTA": 0.05}


@dataclass(frozen=True)
class Recipients:
    """Period recipients: per person, per family, and the roster rows (file, pidx)."""

    person: np.ndarray
    family: np.ndarray
    rows: pd.DataFrame


def extract_rows(book: PlantBook, recipients: Recipients) -> pd.DataFrame:
    """Return the row specs of the four extracts, with planted cases and decoys."""
    p, fam, rng = book.persons, book.families, book.rng
    natural = pd.concat(
        [
            _bpjs_rows(p, fam, book.params.umk_idr, rng),
            _pln_rows(p, fam, rng),
            _vehicle_rows(p, fam, rng),
            _ahu_rows(p, rng),
        ],
        ignore_index=True,
    )
    spec = _plant(book, natural, recipients)
    # Set after the noise is drawn, by fix_address_links.
    spec["address_link"] = False
    logger.info("extract rows: %s", spec.groupby("file").size().to_dict())
    return spec


def _alive_adults(p: pd.DataFrame, low: int, high: int) -> np.ndarray:
    age = p["age"].to_numpy()
    return np.isnat(p["death_date"].to_numpy()) & (age >= low) & (age <= high)


def _bpjs_rows(p: pd.DataFrame, fam: pd.DataFrame, umk: int, rng) -> pd.DataFrame:
    """Draw one wage row per member for October 2026, with wages by the family's desil."""
    draw = rng.random(len(p))
    rate = p["occupation"].map(BPJS_MEMBERSHIP).fillna(0.0).to_numpy()
    member = _alive_adults(p, 18, 57) & (draw < rate)
    pidx = np.flatnonzero(member)
    desil = fam["desil"].to_numpy()[p["family_idx"].to_numpy()[pidx]]
    better_off = (desil == 0) | (desil >= 6)
    factor = np.where(
        better_off, rng.uniform(0.9, 2.2, len(pidx)), rng.uniform(0.45, 1.02, len(pidx))
    )
    # Employers often report exactly the UMK.
    factor[rng.random(len(pidx)) < 0.15] = 1.0
    wage = (np.round(factor * umk / 1000) * 1000).astype(np.int64)
    return spec_frame(
        pidx, BPJS_TK_FILE, family_idx=p["family_idx"].to_numpy()[pidx], wage_idr=wage
    )


def _tariff_draw(desil: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Draw tariff and power per connection by desil (desil 0, none, counts as better off)."""
    choices = [
        ("R1", 450), ("R1", 900), ("R1M", 900), ("R1", 1300), ("R1", 2200), ("R1", 3500),
    ]
    weights = {
        "poor": [0.42, 0.55, 0.01, 0.02, 0.0, 0.0],
        "middle": [0.12, 0.7, 0.06, 0.1, 0.02, 0.0],
        "better": [0.0, 0.1, 0.15, 0.4, 0.25, 0.1],
    }
    band = np.select([(desil >= 1) & (desil <= 3), (desil >= 4) & (desil <= 5)], ["poor", "middle"],
                     "better")
    picked = np.zeros(len(desil), dtype=int)
    for name, w in weights.items():
        rows = band == name
        picked[rows] = rng.choice(len(choices), size=int(rows.sum()), p=w)
    tariff = np.array([c[0] for c in choices], dtype=object)[picked]
    power = np.array([c[1] for c in choices], dtype=np.int64)[picked]
    return tariff, power


def _pln_rows(p: pd.DataFrame, fam: pd.DataFrame, rng) -> pd.DataFrame:
    """Give half of the households a connection in the head's name, a third without NIK."""
    heads = p[(p["role"] == "KEPALA KELUARGA").to_numpy()]
    heads = heads[rng.random(len(heads)) < 0.5]
    pidx = heads["pidx"].to_numpy()
    fam_idx = heads["family_idx"].to_numpy()
    tariff, power = _tariff_draw(fam["desil"].to_numpy()[fam_idx], rng)
    no_nik = rng.random(len(pidx)) < 0.3
    return spec_frame(
        pidx,
        PLN_FILE,
        family_idx=fam_idx,
        tariff=tariff,
        power_va=power,
        no_nik=no_nik,
        is_protected=no_nik,
        customer_offset=0,
    )


def _vehicle_rows(p: pd.DataFrame, fam: pd.DataFrame, rng) -> pd.DataFrame:
    """Give many heads a motorbike and mainly better-off heads a car."""
    heads = p[(p["role"] == "KEPALA KELUARGA").to_numpy() & np.isnat(p["death_date"].to_numpy())]
    desil = fam["desil"].to_numpy()[heads["family_idx"].to_numpy()]
    car_rate = np.select([desil == 0, desil >= 6, desil >= 4], [0.3, 0.3, 0.03], 0.005)
    bike = heads[rng.random(len(heads)) < 0.45]
    car = heads[rng.random(len(heads)) < car_rate]
    frames = []
    for owners, types, wheels in (
        (bike, np.full(len(bike), "SEPEDA MOTOR", dtype=object), 2),
        (car, CARS[rng.integers(len(CARS), size=len(car))], 4),
    ):
        frames.append(
            spec_frame(
                owners["pidx"].to_numpy(),
                VEHICLES_FILE,
                family_idx=owners["family_idx"].to_numpy(),
                vehicle_type=types,
                wheels=wheels,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _ahu_rows(p: pd.DataFrame, rng) -> pd.DataFrame:
    """List 3% of traders and entrepreneurs as officers or owners of a CV, PT or NIB business."""
    trading = p["occupation"].isin(["WIRASWASTA", "PEDAGANG"]).to_numpy()
    listed = trading & _alive_adults(p, 21, 75) & (rng.random(len(p)) < 0.03)
    pidx = np.flatnonzero(listed)
    return spec_frame(
        pidx,
        AHU_FILE,
        family_idx=p["family_idx"].to_numpy()[pidx],
        position=AHU_POSITIONS[rng.integers(len(AHU_POSITIONS), size=len(pidx))],
    )


# ---------------------------------------------------------------- plants and decoys


class _Planter:
    """Planted and decoy rows added to the extract spec, one unused family member at a time."""

    def __init__(self, book: PlantBook, spec: pd.DataFrame, recipients: Recipients) -> None:
        self.book, self.spec, self.recipients = book, spec, recipients
        self.family = book.persons["family_idx"].to_numpy()
        self.open_family = recipients.family & book.families["in_register"].to_numpy()

    def members(self, families: np.ndarray, count: int, low: int = 20, high: int = 55):
        """Pick unused adults aged `low` to `high`, one in each of up to `count` families of
        `families` (a mask over families), and mark only them used."""
        book = self.book
        pool = book.pick(families[self.family] & _alive_adults(book.persons, low, high),
                         k=len(self.family))
        first = pd.Series(pool).groupby(self.family[pool]).first().to_numpy()
        chosen = book.rng.permutation(first)[:count]
        book.used[np.setdiff1d(pool, chosen)] = False
        return chosen

    def add(self, pidx: np.ndarray, file: str, plant: str, **columns) -> None:
        if len(pidx):
            self.spec = _add_rows(self.spec, _template(self.book, pidx, file, plant, **columns))

    def decoys(self, pidx: np.ndarray, kind: str, rule: str) -> None:
        """Record a decoy on every period roster row of the families of `pidx`."""
        book, rows = self.book, self.recipients.rows
        picked = rows[np.isin(book.family_of(rows["pidx"].to_numpy()), book.family_of(pidx))]
        for row in picked.itertuples():
            book.decoys.append((int(row.pidx), row.file, kind, rule, row.programme))


def _plant(book: PlantBook, spec: pd.DataFrame, recipients: Recipients) -> pd.DataFrame:
    planter = _Planter(book, spec, recipients)
    wage_hit, proxy_hit = _natural_hits(book, spec)
    _plant_wages(planter, wage_hit)
    _plant_proxies(planter, proxy_hit)

    owners = planter.members(planter.open_family, book.per_rule, 25, 70)
    planter.add(owners, AHU_FILE, "BUSINESS_OWNER", position="DIREKTUR")
    book.planted["BUSINESS_OWNER"] += len(owners)
    return planter.spec


def _plant_wages(planter: _Planter, wage_hit: np.ndarray) -> None:
    """Plant wages above the UMK, and decoys at the UMK or 80% of it, in recipient families."""
    book, k = planter.book, planter.book.per_rule
    umk = book.params.umk_idr
    candidates = planter.members(planter.open_family & ~wage_hit, 2 * k)
    above, at_or_below = candidates[:k], candidates[k:]

    wages = np.round(book.rng.uniform(1.15, 2.0, len(above)) * umk / 1000) * 1000
    planter.add(above, BPJS_TK_FILE, "WAGE_ABOVE_UMK", wage_idr=wages.astype(int))
    book.planted["WAGE_ABOVE_UMK"] += len(above)

    below = np.where(np.arange(len(at_or_below)) % 2 == 0, umk, np.round(0.8 * umk, -3))
    planter.add(at_or_below, BPJS_TK_FILE, "decoy", wage_idr=below.astype(int))
    planter.decoys(at_or_below, "bpjs_wage_at_or_below_umk", "WAGE_ABOVE_UMK")


def _plant_proxies(planter: _Planter, proxy_hit: np.ndarray) -> None:
    """Plant 1300 VA and R1M/900 connections and minibuses in recipient families, and decoy
    families with only an R1/900 connection or a motorbike."""
    book, k = planter.book, planter.book.per_rule
    candidates = planter.members(planter.open_family & ~proxy_hit, 5 * k)
    big, r1m, car, r1_900, bike = (candidates[i * k : (i + 1) * k] for i in range(5))

    planter.add(big, PLN_FILE, "PROXY_AFFLUENCE", tariff="R1",
                power_va=book.params.proxy_min_power_va, customer_offset=1)
    planter.add(r1m, PLN_FILE, "PROXY_AFFLUENCE", tariff="R1M", power_va=900,
                customer_offset=1, no_nik=np.arange(len(r1m)) % 2 == 0)
    planter.add(car, VEHICLES_FILE, "PROXY_AFFLUENCE", vehicle_type="MINIBUS", wheels=4)
    book.planted["PROXY_AFFLUENCE"] += len(big) + len(r1m) + len(car)

    planter.add(r1_900, PLN_FILE, "decoy", tariff="R1", power_va=900, customer_offset=1)
    planter.add(bike, VEHICLES_FILE, "decoy", vehicle_type="SEPEDA MOTOR", wheels=2)
    planter.decoys(r1_900, "pln_subsidised_r1_900", "PROXY_AFFLUENCE")
    planter.decoys(bike, "motorbike_only", "PROXY_AFFLUENCE")


def _natural_hits(book: PlantBook, spec: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the families with a wage above the UMK and those with a proxy indicator."""
    n_fam = len(book.families)
    file = spec["file"].to_numpy()
    family = spec["family_idx"].to_numpy().astype(int)
    wage = (file == BPJS_TK_FILE) & (spec["wage_idr"].fillna(0).to_numpy() > book.params.umk_idr)
    proxy = (
        (file == PLN_FILE)
        & (
            (spec["power_va"].fillna(0).to_numpy() >= book.params.proxy_min_power_va)
            | (spec["tariff"].fillna("").to_numpy() == "R1M")
        )
    ) | ((file == VEHICLES_FILE) & (spec["wheels"].fillna(0).to_numpy() >= 4))
    return (
        np.bincount(family[wage], minlength=n_fam) > 0,
        np.bincount(family[proxy], minlength=n_fam) > 0,
    )


def fix_address_links(spec: pd.DataFrame, persons: pd.DataFrame, families: pd.DataFrame) -> None:
    """Mark the PLN rows without a NIK that an audit can place by name, desa, RT and RW.

    That needs the person's register row written with the true name and region, and no other
    register person of the same name in that RT and RW. Runs after the noise is drawn.
    """
    file = spec["file"].to_numpy()
    pidx = spec["pidx"].to_numpy()
    dtsen = file == DTSEN_FILE
    clean = np.zeros(len(persons), dtype=bool)
    clean[pidx[dtsen]] = (
        (spec["name_kind"].to_numpy()[dtsen] == "same")
        & (spec["wil_kind"].to_numpy()[dtsen] == "ok")
    )
    fam = persons["family_idx"].to_numpy()
    registered = families["in_register"].to_numpy()[fam]
    key = pd.DataFrame(
        {
            "desa": families["desa_code"].to_numpy()[fam],
            "rt": families["rt"].to_numpy()[fam],
            "rw": families["rw"].to_numpy()[fam],
            "name": persons["name"].to_numpy(),
        }
    )[registered]
    unique = np.zeros(len(persons), dtype=bool)
    unique[np.flatnonzero(registered)] = ~key.duplicated(keep=False).to_numpy()
    pln = file == PLN_FILE
    no_nik = spec["no_nik"].fillna(False).astype(bool).to_numpy()
    spec["address_link"] = pln & no_nik & clean[pidx] & registered[pidx] & unique[pidx]

