"""Indonesian-style synthetic person records with ground truth, for the linkage benchmarks.

Builds a population of families in Batang desa (reference/wilayah_batang.csv) with NIK and
No KK following the Dukcapil structure (region, DDMMYY with day + 40 for women, serial), then
draws source records (register, PKH, BPNT, PBI, complaints, deaths) with the noise real files
show: old and new spelling, Muhammad variants, titles, word order, initials, typos, default
birth dates, swapped day and month, NIK typos and Excel damage, changed No KK, missing desa.
Hard negatives are planted too: same mononym and same default birth date in one desa.
All names are generated; no real person is described.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REGION_FILE = ROOT / "reference" / "wilayah_batang.csv"

MALE_NAMES = (
    "SLAMET",
    "SUTRISNO",
    "SUPARDI",
    "SUGENG",
    "SUMARNO",
    "SUDARSONO",
    "SUYONO",
    "SUJONO",
    "KASTARI",
    "KASMURI",
    "KARSONO",
    "DARSONO",
    "WARSITO",
    "TARMUDI",
    "TARYONO",
    "CAHYONO",
    "JOKO",
    "BUDI",
    "AGUS",
    "EKO",
    "HERU",
    "BAMBANG",
    "HARYANTO",
    "PRIYANTO",
    "YUNUS",
    "AHMAD",
    "ABDUL",
    "ALI",
    "FAIZIN",
    "SOLIKHIN",
    "MUKHTAR",
    "ROHMAT",
    "NURKHOLIS",
    "SYAIFUL",
    "ARIFIN",
    "ZAENAL",
    "IMAM",
    "RIDWAN",
    "TOHIR",
    "KHAMID",
    "RASIDI",
    "SAMSUDIN",
    "WAHYUDI",
    "TRI",
    "DWI",
    "ADI",
    "RUDI",
    "YANTO",
    "YUSUF",
    "HASAN",
    "HUSEN",
    "MANSUR",
    "MASRUKHAN",
    "MUNTOHAR",
    "NGADIMAN",
    "PAIMIN",
    "RAHMAN",
    "SAIFUDIN",
    "SUKARDI",
    "TASLIM",
    "UMAR",
    "WAKIDI",
    "YAHYA",
    "ZUHRI",
    "FAJAR",
    "ANDI",
    "DEDI",
    "GUNAWAN",
    "HENDRA",
    "IRFAN",
    "KURNIAWAN",
    "LUKMAN",
    "NUGROHO",
    "SETIAWAN",
)
FEMALE_NAMES = (
    "SITI",
    "AMINAH",
    "ROMLAH",
    "SAINEM",
    "JUMINAH",
    "YANTI",
    "SRI",
    "WAHYUNI",
    "SUPRIYATI",
    "SUMIYATI",
    "KASMINAH",
    "DARMI",
    "TARSIH",
    "WARSINAH",
    "KARTINI",
    "NUR",
    "NURAINI",
    "FATIMAH",
    "KHOTIJAH",
    "MUSLIMAH",
    "ROKHAYAH",
    "ZULAIKAH",
    "ASIH",
    "ENDANG",
    "LESTARI",
    "RATNA",
    "DEWI",
    "YULIANI",
    "MARYATI",
    "SUTINAH",
    "PONIRAH",
    "SUKINAH",
    "RUMINAH",
    "TUMINAH",
    "NGATINAH",
    "MUNAWAROH",
    "UMI",
    "KHASANAH",
    "MUALIFAH",
    "ISTIQOMAH",
    "SOLIKHAH",
    "FITRIANI",
    "RINA",
    "TITIK",
    "ANIK",
    "ERNA",
    "INDAH",
    "LINA",
    "MUNIROH",
    "NENG",
    "PURWANTI",
    "RATMI",
    "SUMARNI",
)
# Old spelling of some modern names (reverse of the 1972 reform) for noise.
OLD_SPELLING = (("U", "OE"), ("C", "TJ"), ("J", "DJ"), ("Y", "J"), ("KH", "CH"), ("SY", "SJ"))
MUHAMMAD_VARIANTS = ("MUHAMMAD", "MUHAMAD", "MOHAMMAD", "MOCH.", "MOH.", "M.", "MOCHAMAD")
TITLES_BEFORE = ("H.", "HJ.", "NY.", "MBAH", "ALM.")
TITLES_AFTER = (", S.PD", ", S.PD.I", ", S.H", ", A.MD")
DEFAULT_DAYS = ((1, 1), (7, 1), (12, 31))


@dataclass
class Person:
    uid: int
    family: int
    nik: str
    no_kk: str
    name: str
    birth_date: dt.date
    sex: str
    desa_code: str
    kecamatan_code: str
    rt: str
    rw: str
    relationship: str


def load_desa() -> list[tuple[str, str]]:
    with REGION_FILE.open(encoding="utf-8") as f:
        return [(row["kecamatan_code"], row["desa_code"]) for row in csv.DictReader(f)]


def _birth_date(rng: np.random.Generator, age_low: int, age_high: int) -> dt.date:
    year = int(rng.integers(2026 - age_high, 2026 - age_low + 1))
    if year < 1965 and rng.random() < 0.5:
        month, day = DEFAULT_DAYS[int(rng.integers(0, 3))]
        return dt.date(year, month, day)
    return dt.date(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))


def _name(rng: np.random.Generator, sex: str) -> str:
    pool = MALE_NAMES if sex == "L" else FEMALE_NAMES
    roll = rng.random()
    if roll < 0.35:
        return pool[int(rng.integers(len(pool)))]
    words = [pool[int(rng.integers(len(pool)))] for _ in range(2 if roll < 0.85 else 3)]
    if sex == "L" and rng.random() < 0.15:
        words[0] = "MUHAMMAD"
    if sex == "P" and rng.random() < 0.15:
        words[0] = "SITI"
    return " ".join(dict.fromkeys(words))


def _nik(kecamatan_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{kecamatan_code}{day:02d}{birth_date:%m%y}{serial:04d}"


def make_population(person_target: int, seed: int) -> list[Person]:
    rng = np.random.default_rng(seed)
    desa = load_desa()
    persons: list[Person] = []
    serials: dict[str, int] = {}
    family = 0
    while len(persons) < person_target:
        family += 1
        kecamatan_code, desa_code = desa[int(rng.integers(len(desa)))]
        rt, rw = f"{int(rng.integers(1, 12)):03d}", f"{int(rng.integers(1, 6)):03d}"
        kk_date = dt.date(
            int(rng.integers(2005, 2025)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
        )
        no_kk = f"{kecamatan_code}{kk_date:%d%m%y}{family % 10000:04d}"
        size = int(rng.integers(1, 6))
        for member in range(size):
            relationship, sex, ages = _member_role(rng, member)
            birth_date = _birth_date(rng, *ages)
            prefix = _nik(kecamatan_code, birth_date, sex, 0)[:12]
            serials[prefix] = serials.get(prefix, 0) + 1
            persons.append(
                Person(
                    uid=len(persons) + 1,
                    family=family,
                    nik=_nik(kecamatan_code, birth_date, sex, serials[prefix]),
                    no_kk=no_kk,
                    name=_name(rng, sex),
                    birth_date=birth_date,
                    sex=sex,
                    desa_code=desa_code,
                    kecamatan_code=kecamatan_code,
                    rt=rt,
                    rw=rw,
                    relationship=relationship,
                )
            )
    return persons[:person_target]


def _member_role(rng: np.random.Generator, member: int) -> tuple[str, str, tuple[int, int]]:
    if member == 0:
        return "KEPALA KELUARGA", "L" if rng.random() < 0.85 else "P", (25, 85)
    if member == 1:
        return "ISTRI", "P", (20, 80)
    return "ANAK", "L" if rng.random() < 0.5 else "P", (0, 30)


def plant_hard_negatives(persons: list[Person], rng: np.random.Generator, count: int) -> None:
    """Give `count` pairs of different people in one desa the same mononym, sex and default
    birth date, and the elder a namesake among the neighbours."""
    for _ in range(count):
        a, b = rng.integers(len(persons), size=2)
        first, second = persons[int(a)], persons[int(b)]
        if first.uid == second.uid:
            continue
        second.desa_code, second.kecamatan_code = first.desa_code, first.kecamatan_code
        second.sex = first.sex
        second.name = first.name.split()[0]
        first.name = second.name
        year = first.birth_date.year
        first.birth_date = second.birth_date = dt.date(year, 7, 1)


def noisy_name(name: str, rng: np.random.Generator) -> str:
    words = name.split()
    roll = rng.random()
    if roll < 0.10:
        words = [_old_spelling(w) for w in words]
    elif roll < 0.16 and words[0] == "MUHAMMAD":
        words[0] = MUHAMMAD_VARIANTS[int(rng.integers(len(MUHAMMAD_VARIANTS)))]
    elif roll < 0.20 and len(words) > 1:
        words = [*words[1:], words[0]]
    elif roll < 0.24 and len(words) > 1:
        words[0] = words[0][0] + "."
    elif roll < 0.32:
        position = int(rng.integers(len(words)))
        words[position] = _typo(words[position], rng)
    text = " ".join(words)
    if rng.random() < 0.08:
        text = f"{TITLES_BEFORE[int(rng.integers(len(TITLES_BEFORE)))]} {text}"
    if rng.random() < 0.03:
        text = f"{text}{TITLES_AFTER[int(rng.integers(len(TITLES_AFTER)))]}"
    if rng.random() < 0.2:
        text = text.title()
    return text


def _old_spelling(word: str) -> str:
    for new, old in OLD_SPELLING:
        if new in word:
            return word.replace(new, old, 1)
    return word


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 4:
        return word
    position = int(rng.integers(1, len(word) - 1))
    kind = rng.random()
    if kind < 0.4:
        return word[:position] + "AIUEO"[int(rng.integers(5))] + word[position + 1 :]
    if kind < 0.7:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    return word[:position] + word[position + 1 :]


def noisy_date(value: dt.date, rng: np.random.Generator) -> dt.date | None:
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.07:
        month, day = DEFAULT_DAYS[int(rng.integers(0, 3))]
        return dt.date(value.year, month, day)
    if roll < 0.09 and value.day <= 12 and value.day != value.month:
        return dt.date(value.year, value.day, value.month)
    if roll < 0.12:
        return (
            value.replace(day=min(28, max(1, value.day + int(rng.choice([-1, 1, 10, -10])))))
            if value.day <= 28
            else value
        )
    return value


def noisy_nik(nik: str, rng: np.random.Generator) -> str | None:
    roll = rng.random()
    if roll < 0.04:
        return None
    if roll < 0.07:
        position = int(rng.integers(6, 16))
        return (
            nik[:position]
            + str((int(nik[position]) + int(rng.integers(1, 10))) % 10)
            + nik[position + 1 :]
        )
    if roll < 0.09:
        position = int(rng.integers(6, 15))
        return nik[:position] + nik[position + 1] + nik[position] + nik[position + 2 :]
    if roll < 0.10:
        return nik[:15] + "0"
    return nik


def make_record(person: Person, kind: str, row: int, rng: np.random.Generator, clean: bool) -> dict:
    nik = person.nik if clean else noisy_nik(person.nik, rng)
    birth_date = person.birth_date if clean else noisy_date(person.birth_date, rng)
    name = person.name if clean else noisy_name(person.name, rng)
    no_kk = person.no_kk
    if not clean and rng.random() < 0.1:
        no_kk = no_kk[:12] + f"{int(rng.integers(10000)):04d}"
    desa_code = person.desa_code if clean or rng.random() > 0.05 else None
    sex = person.sex if clean or rng.random() > 0.05 else None
    return {
        "record_id": f"{kind}:1::{row}",
        "source_kind": kind,
        "nik": nik,
        "nik_status": "valid" if nik else "empty",
        "no_kk": no_kk,
        "name": name,
        "name_raw": name,
        "birth_date": birth_date,
        "is_birth_date_default": birth_date is not None
        and ((birth_date.month, birth_date.day) in DEFAULT_DAYS or birth_date.day == 15),
        "sex": sex,
        "desa_code": desa_code,
        "kecamatan_code": person.kecamatan_code if desa_code else None,
        "rt": person.rt if rng.random() > 0.1 else None,
        "rw": person.rw if rng.random() > 0.1 else None,
        "person_uid": person.uid,
    }


SOURCE_SHARES = {"pkh": 0.10, "bpnt": 0.12, "pbi": 0.30, "complaints": 0.02, "deaths": 0.02}


def make_records(person_target: int, seed: int, hard_negatives: int | None = None) -> list[dict]:
    """Return register records for every person plus noisy records from the other sources;
    `person_uid` is the truth."""
    rng = np.random.default_rng(seed + 1)
    persons = make_population(person_target, seed)
    plant_hard_negatives(
        persons, rng, hard_negatives if hard_negatives is not None else person_target // 200
    )
    records = [
        make_record(p, "register", i + 2, rng, clean=rng.random() < 0.7)
        for i, p in enumerate(persons)
    ]
    for kind, share in SOURCE_SHARES.items():
        chosen = rng.choice(len(persons), size=int(len(persons) * share), replace=False)
        for row, index in enumerate(chosen, start=2):
            record = make_record(persons[int(index)], kind, row, rng, clean=False)
            if kind == "complaints" and rng.random() < 0.4:
                record["nik"], record["nik_status"], record["no_kk"] = None, "empty", None
            records.append(record)
    return records
