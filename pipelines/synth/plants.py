"""Planted errors and decoys.

Population plants change the true state before identifiers are built (a decoy pair of people
sharing a mononym and default DOB, dissolved households, a family whose only PKH component is a
20-year-old in school). Row plants change roster membership or how a row is written. Every
planted row is protected from random noise so that it keeps exactly the planted defect.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipelines.synth import names as nm
from pipelines.synth.params import RuleParams, age_on, to_days
from pipelines.synth.population import is_default_dob
from pipelines.synth.rosters import component_list, spec_frame

logger = logging.getLogger(__name__)


@dataclass
class PlantBook:
    """Random source, persons already used by a plant, and the tallies of planted cases."""

    persons: pd.DataFrame
    families: pd.DataFrame
    params: RuleParams
    rng: np.random.Generator
    per_rule: int
    used: np.ndarray = field(init=False)
    planted: Counter = field(default_factory=Counter)
    # (pidx, file, decoy_kind, rule_code, programme) resolved to rows after writing.
    decoys: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.used = np.zeros(len(self.persons), dtype=bool)

    def pick(self, mask: np.ndarray, k: int | None = None) -> np.ndarray:
        """Draw up to `k` unused persons from `mask` and mark them used."""
        pool = np.flatnonzero(mask & ~self.used)
        k = self.per_rule if k is None else k
        chosen = self.rng.choice(pool, size=min(k, len(pool)), replace=False) if len(pool) else pool
        chosen = np.sort(chosen)
        self.used[chosen] = True
        return chosen

    def family_of(self, pidx: np.ndarray) -> np.ndarray:
        return self.persons["family_idx"].to_numpy()[pidx]

    def mark_family_used(self, fam_idx: np.ndarray) -> None:
        self.used[np.isin(self.persons["family_idx"].to_numpy(), fam_idx)] = True

    def fam_column(self, name: str) -> np.ndarray:
        return self.families[name].to_numpy()[self.persons["family_idx"].to_numpy()]


# ---------------------------------------------------------------- population plants


def plant_population(book: PlantBook) -> dict[str, np.ndarray]:
    """Plants that change the true state; returns families that must receive a programme."""
    forced = {"PKH": np.array([], dtype=int), "BPNT": np.array([], dtype=int)}
    _plant_mononym_decoy(book)
    dissolved = _plant_dissolved_households(book)
    forced["BPNT"] = np.r_[forced["BPNT"], dissolved]
    forced["PKH"] = np.r_[forced["PKH"], dissolved[: max(1, len(dissolved) // 2)]]
    forced["PKH"] = np.r_[forced["PKH"], _plant_only_school_decoy(book)]
    return forced


def _plant_mononym_decoy(book: PlantBook) -> None:
    """Two people in one desa, different families, both SAINEM born 01-07-1950."""
    p = book.persons
    desa = book.fam_column("desa_code")
    age = age_on(p["birth_date"].to_numpy(), book.params.period_start)
    registered = book.fam_column("in_register")
    candidates = (age >= 65) & (p["sex"].to_numpy() == "P") & registered & ~book.used
    counts = pd.Series(desa[candidates]).value_counts()
    for desa_code in counts[counts >= 2].index[:2]:
        pool = np.flatnonzero(candidates & (desa == desa_code))
        pair = pool[:2]
        if book.family_of(pair)[0] == book.family_of(pair)[1]:
            continue
        book.used[pair] = True
        p.loc[pair, "name"] = "SAINEM"
        p.loc[pair, "birth_date"] = np.datetime64("1950-07-01")
        p.loc[pair, "death_date"] = np.datetime64("NaT")
        for pidx in pair:
            book.decoys.append(
                (int(pidx), "dtsen", "same_mononym_default_dob", "DUP_PERSON_DIFF_NIK", "ALL")
            )


def _plant_dissolved_households(book: PlantBook) -> np.ndarray:
    """Single elderly households whose only member died in mid-2026, still paid by BPNT."""
    fam = book.families
    single = (fam["household_type"] == "single_elderly").to_numpy() & fam["in_register"].to_numpy()
    poor = (fam["desil"].to_numpy() >= 1) & (
        fam["desil"].to_numpy() <= book.params.desil_threshold["PKH"]
    )
    fam_pool = np.flatnonzero(single & poor)
    members = book.persons["family_idx"].to_numpy()
    chosen = []
    for f in book.rng.permutation(fam_pool)[: book.per_rule]:
        pidx = np.flatnonzero(members == f)
        if book.used[pidx].any():
            continue
        book.used[pidx] = True
        book.persons.loc[pidx, "death_date"] = np.datetime64("2026-05-12") + np.timedelta64(
            int(f % 60), "D"
        )
        book.persons.loc[pidx, "is_register_active"] = True
        book.persons.loc[pidx, "asn_category"] = ""
        book.persons.loc[pidx, "official_position"] = ""
        chosen.append(f)
    book.planted["HOUSEHOLD_DISSOLVED"] += len(chosen)
    return np.array(chosen, dtype=int)


def _plant_only_school_decoy(book: PlantBook) -> np.ndarray:
    """Poor families whose only PKH component is a 20-year-old still in SMA."""
    p = book.persons
    age = age_on(p["birth_date"].to_numpy(), book.params.period_start)
    desil = book.fam_column("desil")
    ok_family = (
        book.fam_column("in_register")
        & (desil >= 1)
        & (desil <= book.params.desil_threshold["PKH"])
    )
    fam_idx = p["family_idx"].to_numpy()
    other_component = (
        p["is_pregnant"].to_numpy()
        | p["has_severe_disability"].to_numpy()
        | (age <= book.params.early_childhood_max_age)
        | (age >= book.params.elderly_min_age)
        | p["is_in_school"].to_numpy()
    )
    has_other = np.bincount(fam_idx, weights=other_component, minlength=len(book.families)) > 0
    candidates = ok_family & (age == 20) & ~has_other[fam_idx] & p["is_padan"].to_numpy()

    chosen = book.pick(candidates)
    p.loc[chosen, "is_in_school"] = True
    p.loc[chosen, "school_level"] = "SMA"
    p.loc[chosen, "death_date"] = np.datetime64("NaT")
    families = book.family_of(chosen)
    book.mark_family_used(families)
    for pidx in chosen:
        book.decoys.append(
            (int(pidx), "pkh_family", "only_component_school_age_20", "PKH_NO_COMPONENT", "PKH")
        )
    return families


# ---------------------------------------------------------------- roster plants


def _add_rows(spec: pd.DataFrame, template: pd.DataFrame) -> pd.DataFrame:
    template = template.copy()
    template["is_protected"] = True
    return pd.concat([spec, template], ignore_index=True)


def _protect(spec: pd.DataFrame, rows: np.ndarray, plant: str) -> None:
    spec.loc[rows, "is_protected"] = True
    spec.loc[rows, "plant"] = plant


def _choose_rows(
    book: PlantBook, spec: pd.DataFrame, rows: np.ndarray, k: int | None = None
) -> np.ndarray:
    """Pick up to `k` rows of `spec` whose persons are unused, and mark those persons used."""
    rows = rows[
        ~book.used[spec.loc[rows, "pidx"].to_numpy()] & ~spec.loc[rows, "is_protected"].to_numpy()
    ]
    k = book.per_rule if k is None else k
    chosen = (
        np.sort(book.rng.choice(rows, size=min(k, len(rows)), replace=False)) if len(rows) else rows
    )
    book.used[spec.loc[chosen, "pidx"].to_numpy()] = True
    return chosen


def roster_rows(spec: pd.DataFrame, file: str, **where) -> np.ndarray:
    mask = spec["file"].to_numpy() == file
    for column, value in where.items():
        mask &= spec[column].to_numpy() == value
    return spec.index.to_numpy()[mask]


PKH, BPNT, PBI = "pkh_tahap4_2026.xlsx", "bpnt_bnba_tahap4_2026.csv", "pbi_jkn_202611.xlsx"


def _template(book: PlantBook, pidx: np.ndarray, file: str, plant: str, **columns) -> pd.DataFrame:
    frame = spec_frame(pidx, file, family_idx=book.family_of(pidx), **columns)
    frame["plant"] = plant
    return frame


def plant_rosters(
    book: PlantBook,
    rosters: pd.DataFrame,
    pengurus: np.ndarray,
    counts: pd.DataFrame,
    nik: np.ndarray,
) -> pd.DataFrame:
    """Add and alter roster rows so that every covered rule has planted cases."""
    p = book.persons
    desil = book.fam_column("desil")
    registered = book.fam_column("in_register")
    fam_idx_all = p["family_idx"].to_numpy()
    is_pengurus = np.zeros(len(p), dtype=bool)
    is_pengurus[pengurus] = True
    age = age_on(p["birth_date"].to_numpy(), book.params.period_start)
    alive = np.isnat(p["death_date"].to_numpy())
    has_comp = (counts.to_numpy().sum(axis=1) > 0)[fam_idx_all]
    thr = book.params.desil_threshold
    k = book.per_rule

    def comps(f: int) -> str:
        return ", ".join(component_list(counts.iloc[f], book.params))

    def add(pidx: np.ndarray, file: str, plant: str, **cols) -> None:
        nonlocal rosters
        if len(pidx):
            rosters = _add_rows(rosters, _template(book, pidx, file, plant, **cols))

    def add_pkh(pidx: np.ndarray, plant: str) -> None:
        add(pidx, PKH, plant, components=[comps(f) for f in book.family_of(pidx)])

    base = is_pengurus & alive
    # NOT_IN_REGISTER: pengurus of unregistered families.
    for file in (PKH, BPNT, PBI):
        chosen = book.pick(base & ~registered & has_comp if file == PKH else base & ~registered)
        if file == PKH:
            add_pkh(chosen, "NOT_IN_REGISTER")
        elif file == BPNT:
            add(chosen, BPNT, "NOT_IN_REGISTER", tahap=4)
        else:
            add(chosen, PBI, "NOT_IN_REGISTER", segment="PBI APBD", status="AKTIF", noka_offset=0)
        book.planted["NOT_IN_REGISTER"] += len(chosen)

    # DESIL_OUT_OF_RANGE and PBI_NOT_ELIGIBLE: rich or unranked families on the rosters.
    rich = registered & (desil >= 8)
    chosen = book.pick(base & rich & has_comp)
    add_pkh(chosen, "DESIL_OUT_OF_RANGE")
    unranked = book.pick(base & registered & (desil == 0) & has_comp, max(1, k // 2))
    add_pkh(unranked, "DESIL_OUT_OF_RANGE")
    chosen_b = book.pick(base & rich)
    add(chosen_b, BPNT, "DESIL_OUT_OF_RANGE", tahap=4)
    chosen_p = book.pick(base & rich)
    add(chosen_p, PBI, "PBI_NOT_ELIGIBLE", segment="PBI APBD", status="AKTIF", noka_offset=0)
    book.planted["DESIL_OUT_OF_RANGE"] += (
        len(chosen) + len(unranked) + len(chosen_b) + len(chosen_p)
    )
    book.planted["PBI_NOT_ELIGIBLE"] += len(chosen_p)

    # PKH_NO_COMPONENT: poor families with no qualifying member.
    chosen = book.pick(base & registered & (desil >= 1) & (desil <= thr["PKH"]) & ~has_comp)
    add(chosen, PKH, "PKH_NO_COMPONENT", components=["LANSIA"] * len(chosen))
    book.planted["PKH_NO_COMPONENT"] += len(chosen)
    book.planted["PKH_COMPONENT_LIMITS"] += len(chosen)

    # AGE_IMPLAUSIBLE: a girl under the minimum pengurus age listed as pengurus.
    young = (p["sex"].to_numpy() == "P") & (age >= 12) & (age < book.params.pengurus_min_age)
    chosen = book.pick(
        young & registered & has_comp & (desil >= 1) & (desil <= thr["PKH"]) & alive, max(1, k // 2)
    )
    add_pkh(chosen, "AGE_IMPLAUSIBLE")
    book.planted["AGE_IMPLAUSIBLE"] += len(chosen)

    rosters = _plant_existing_rows(book, rosters, nik, age)
    return rosters


def _plant_existing_rows(
    book: PlantBook, rosters: pd.DataFrame, nik: np.ndarray, age: np.ndarray
) -> pd.DataFrame:
    p = book.persons
    k = book.per_rule
    rng = book.rng
    pkh = roster_rows(rosters, PKH)
    bpnt4 = roster_rows(rosters, BPNT, tahap=4)
    pbi = roster_rows(rosters, PBI, status="AKTIF")
    start = to_days(book.params.period_start)

    # NOT_PADAN_DUKCAPIL and CROSS_PROGRAMME_INCONSISTENCY (register NONAKTIF).
    for rows in (pkh, bpnt4, pbi):
        chosen = _choose_rows(book, rosters, rows)
        p.loc[rosters.loc[chosen, "pidx"], "is_padan"] = False
        _protect(rosters, chosen, "NOT_PADAN_DUKCAPIL")
        book.planted["NOT_PADAN_DUKCAPIL"] += len(chosen)
        chosen = _choose_rows(book, rosters, rows, max(1, k // 2))
        p.loc[rosters.loc[chosen, "pidx"], "is_register_active"] = False
        _protect(rosters, chosen, "CROSS_PROGRAMME_INCONSISTENCY")
        book.planted["CROSS_PROGRAMME_INCONSISTENCY"] += len(chosen)

    # DECEASED_RECIPIENT, its Alm./Almh. form, and deaths after the period start (decoys).
    for rows, file, programme in ((pkh, PKH, "PKH"), (bpnt4, BPNT, "BPNT"), (pbi, PBI, "PBI")):
        chosen = _choose_rows(book, rosters, rows)
        days = rng.integers(30, 240, size=len(chosen)).astype("timedelta64[D]")
        p.loc[rosters.loc[chosen, "pidx"], "death_date"] = start - days
        _protect(rosters, chosen, "DECEASED_RECIPIENT")
        book.planted["DECEASED_RECIPIENT"] += len(chosen)
        if file != PBI and len(chosen):
            rosters.loc[chosen[:1], "name_kind"] = "alm"
        later = _choose_rows(book, rosters, rows, max(1, k // 2))
        days = rng.integers(14, 55, size=len(later)).astype("timedelta64[D]")
        p.loc[rosters.loc[later, "pidx"], "death_date"] = start + days
        _protect(rosters, later, "decoy")
        for pidx in rosters.loc[later, "pidx"]:
            book.decoys.append(
                (int(pidx), file, "death_after_period_start", "DECEASED_RECIPIENT", programme)
            )

    # ASN_TNI_POLRI and OCCUPATIONAL_EXCLUSION: the recipient or another KK member is listed.
    for rows, file in ((pkh, PKH), (bpnt4, BPNT), (pbi, PBI)):
        for rule, column, value in (
            ("ASN_TNI_POLRI", "asn_category", "ASN"),
            ("OCCUPATIONAL_EXCLUSION", "official_position", "KEPALA DUSUN"),
        ):
            chosen = _choose_rows(book, rosters, rows)
            targets = rosters.loc[chosen, "pidx"].to_numpy().copy()
            if file == PKH and len(targets):
                # A KK member, not the pengurus, is on the list.
                targets[0] = _other_adult(book, targets[0], age)
            p.loc[targets, column] = value
            if column == "asn_category":
                retired = age[targets] >= 58
                p.loc[targets, "asn_category"] = np.where(retired, "PENSIUNAN", "ASN")
                p.loc[targets, "asn_agency"] = np.where(retired, "TASPEN", "SETDA KAB. BATANG")
            _protect(rosters, chosen, rule)
            book.planted[rule] += len(chosen)

    rosters = _plant_duplicates(book, rosters, pkh, bpnt4, pbi)
    _plant_names(book, rosters, pkh, bpnt4, pbi, nik)
    _plant_components(book, rosters, pkh)
    _plant_identifier_errors(book, rosters, pkh, bpnt4, pbi, nik)
    _plant_tahap3_decoys(book, rosters)
    return rosters


def _other_adult(book: PlantBook, pidx: int, age: np.ndarray) -> int:
    fam = book.persons["family_idx"].to_numpy()
    members = np.flatnonzero((fam == fam[pidx]) & (np.arange(len(fam)) != pidx) & (age >= 20))
    if len(members):
        book.used[members[0]] = True
        return int(members[0])
    return int(pidx)


def _plant_duplicates(
    book: PlantBook, rosters: pd.DataFrame, pkh: np.ndarray, bpnt4: np.ndarray, pbi: np.ndarray
) -> pd.DataFrame:
    p = book.persons
    age = age_on(p["birth_date"].to_numpy(), book.params.period_start)
    new_rows = []

    # DUP_NIK_IN_LIST: the same KPM twice, once with a BINTI patronym.
    for rows in (pkh, bpnt4):
        chosen = _choose_rows(book, rosters, rows)
        _protect(rosters, chosen, "DUP_NIK_IN_LIST")
        copy = rosters.loc[chosen].copy()
        copy["name_kind"] = "given"
        copy["name_text"] = [
            f"{p['name'].iat[i]} {'BINTI' if p['sex'].iat[i] == 'P' else 'BIN'} "
            f"{nm.MALE_MONONYMS[i % len(nm.MALE_MONONYMS)]}"
            for i in copy["pidx"]
        ]
        new_rows.append(copy)
        book.planted["DUP_NIK_IN_LIST"] += len(chosen)

    # MULTI_KPM_PER_KK: a second adult of the same KK registered as another KPM.
    fam = p["family_idx"].to_numpy()
    for rows in (pkh, bpnt4):
        chosen = _choose_rows(book, rosters, rows)
        extra = []
        for r in chosen:
            pidx = rosters.at[r, "pidx"]
            others = np.flatnonzero((fam == fam[pidx]) & (age >= 17) & ~book.used)
            if len(others):
                book.used[others[0]] = True
                extra.append((r, others[0]))
        _protect(rosters, np.array([r for r, _ in extra], dtype=int), "MULTI_KPM_PER_KK")
        copy = rosters.loc[[r for r, _ in extra]].copy()
        copy["pidx"] = [o for _, o in extra]
        copy["name_kind"] = "same"
        new_rows.append(copy)
        book.planted["MULTI_KPM_PER_KK"] += len(extra)

    # PBI_DOUBLE_COVERAGE: APBN and APBD at once, or the same segment with a second NOKA.
    chosen = _choose_rows(book, rosters, pbi)
    _protect(rosters, chosen, "PBI_DOUBLE_COVERAGE")
    copy = rosters.loc[chosen].copy()
    flip = np.arange(len(copy)) % 3 != 2
    copy.loc[flip, "segment"] = np.where(
        copy.loc[flip, "segment"] == "PBI APBN", "PBI APBD", "PBI APBN"
    )
    copy["noka_offset"] = 1
    new_rows.append(copy)
    book.planted["PBI_DOUBLE_COVERAGE"] += len(chosen)

    extra = pd.concat(new_rows, ignore_index=True)
    extra["is_protected"] = True
    return pd.concat([rosters, extra], ignore_index=True)


def _plant_names(
    book: PlantBook,
    rosters: pd.DataFrame,
    pkh: np.ndarray,
    bpnt4: np.ndarray,
    pbi: np.ndarray,
    nik: np.ndarray,
) -> None:
    p = book.persons
    rng = book.rng
    fam = p["family_idx"].to_numpy()
    pool = np.r_[nm.FEMALE_MONONYMS, nm.MALE_MONONYMS]

    # NAME_MISMATCH_SAME_NIK (and DUP_NIK_CONFLICT): another name on the pengurus's NIK.
    for rows in (pkh, bpnt4, pbi):
        chosen = _choose_rows(book, rosters, rows)
        for r in chosen:
            rosters.at[r, "name_kind"] = "different"
            rosters.at[r, "name_text"] = nm.different_name(
                p["name"].iat[rosters.at[r, "pidx"]], pool, rng
            )
        _protect(rosters, chosen, "NAME_MISMATCH_SAME_NIK")
        book.planted["NAME_MISMATCH_SAME_NIK"] += len(chosen)
        book.planted["DUP_NIK_CONFLICT"] += len(chosen)

    # "Ny. <husband>" for wives on the PKH roster.
    wives = pkh[(p["role"].to_numpy()[rosters.loc[pkh, "pidx"].to_numpy()] == "ISTRI")]
    heads = p[p["role"] == "KEPALA KELUARGA"].set_index("family_idx")["name"]
    count = 0
    for r in _choose_rows(book, rosters, wives):
        pidx = rosters.at[r, "pidx"]
        husband = heads.get(fam[pidx], "")
        if husband and nm.name_similarity(husband, p["name"].iat[pidx]) < 60:
            rosters.at[r, "name_kind"] = "different"
            rosters.at[r, "name_text"] = f"NY. {husband}"
            _protect(rosters, np.array([r]), "NAME_MISMATCH_SAME_NIK")
            count += 1
    book.planted["NAME_MISMATCH_SAME_NIK"] += count

    # Identity reuse: a family member's NIK written for the PBI member.
    chosen = _choose_rows(book, rosters, pbi)
    pbi_people = set(rosters.loc[roster_rows(rosters, PBI), "pidx"])
    for r in chosen:
        pidx = rosters.at[r, "pidx"]
        others = [
            o
            for o in np.flatnonzero(fam == fam[pidx])
            if o != pidx
            and o not in pbi_people
            and nm.name_similarity(p["name"].iat[o], p["name"].iat[pidx]) < 60
        ]
        if others:
            rosters.at[r, "nik_kind"] = "other_person"
            rosters.at[r, "nik_value"] = nik[others[0]]
            book.used[others[0]] = True
            _protect(rosters, np.array([r]), "DUP_NIK_CONFLICT")
            book.planted["DUP_NIK_CONFLICT"] += 1

    # A DOB one year off in the PBI roster: DUP_NIK_CONFLICT and NIK_ATTR_MISMATCH.
    non_default = ~is_default_dob(p["birth_date"].to_numpy())
    rows = pbi[non_default[rosters.loc[pbi, "pidx"].to_numpy()]]
    chosen = _choose_rows(book, rosters, rows)
    rosters.loc[chosen, "dob_shift_days"] = 366
    _protect(rosters, chosen, "DUP_NIK_CONFLICT")
    book.planted["DUP_NIK_CONFLICT"] += len(chosen)
    book.planted["NIK_ATTR_MISMATCH"] += len(chosen)

    # Titles added to recipients' names: the same person, a decoy for NAME_MISMATCH_SAME_NIK.
    for rows, file, programme in ((pkh, PKH, "PKH"), (bpnt4, BPNT, "BPNT")):
        chosen = _choose_rows(book, rosters, rows, max(1, book.per_rule // 2))
        for r in chosen:
            pidx = rosters.at[r, "pidx"]
            title = "HJ." if p["sex"].iat[pidx] == "P" else "H."
            rosters.at[r, "name_kind"] = "given"
            rosters.at[r, "name_text"] = f"{title} {p['name'].iat[pidx]}"
            book.decoys.append(
                (int(pidx), file, "title_added_same_person", "NAME_MISMATCH_SAME_NIK", programme)
            )
        _protect(rosters, chosen, "decoy")


def _plant_components(book: PlantBook, rosters: pd.DataFrame, pkh: np.ndarray) -> None:
    """PKH_COMPONENT_LIMITS: too many BALITA, more than the maximum, or SD without a pupil."""
    chosen = _choose_rows(book, rosters, pkh)
    too_many = ", ".join(["BALITA"] * (book.params.max_early_childhood + 1))
    over_max = ", ".join(
        ["SD", "SMP", "SMA", "LANSIA", "DISABILITAS"][: book.params.max_components + 1]
    )
    forms = (too_many, over_max, "SD, SD, SD, SMA")
    for n, r in enumerate(chosen):
        rosters.at[r, "components"] = forms[n % len(forms)]
    _protect(rosters, chosen, "PKH_COMPONENT_LIMITS")
    book.planted["PKH_COMPONENT_LIMITS"] += len(chosen)


def _plant_identifier_errors(
    book: PlantBook,
    rosters: pd.DataFrame,
    pkh: np.ndarray,
    bpnt4: np.ndarray,
    pbi: np.ndarray,
    nik: np.ndarray,
) -> None:
    p = book.persons
    for rows, kinds in (
        (pkh, ("placeholder", "short", "excel_num")),
        (bpnt4, ("placeholder", "short", "sci_text")),
        (pbi, ("placeholder", "excel_num")),
    ):
        for kind in kinds:
            chosen = _choose_rows(book, rosters, rows, max(1, book.per_rule // 2))
            rosters.loc[chosen, "nik_kind"] = kind
            rule = "NIK_EXCEL_DAMAGE" if kind in ("excel_num", "sci_text") else "NIK_FORMAT"
            _protect(rosters, chosen, rule)
            book.planted[rule] += len(chosen)

    # NIK_STRUCTURE: impossible day, month, date, serial and region prefix.
    for rows in (pkh, bpnt4, pbi):
        chosen = _choose_rows(book, rosters, rows)
        values = nik[rosters.loc[chosen, "pidx"].to_numpy()]
        rosters.loc[chosen, "nik_kind"] = "struct_bad"
        rosters.loc[chosen, "nik_value"] = [broken_nik(v, n) for n, v in enumerate(values)]
        _protect(rosters, chosen, "NIK_STRUCTURE")
        book.planted["NIK_STRUCTURE"] += len(chosen)

    # DUP_PERSON_DIFF_NIK: BPJS kept an old NIK from another kecamatan.
    non_default = ~is_default_dob(p["birth_date"].to_numpy())
    rows = pbi[non_default[rosters.loc[pbi, "pidx"].to_numpy()]]
    chosen = _choose_rows(book, rosters, rows)
    existing = set(nik.tolist())
    olds = []
    for n, r in enumerate(chosen):
        value = nik[rosters.at[r, "pidx"]]
        prefix = value // 10**10
        other_prefix = 332501 + (prefix - 332501 + 3) % 15
        old = other_prefix * 10**10 + (value % 10**10 // 10**4) * 10**4 + 9000 + n
        assert old not in existing
        olds.append(old)
    rosters.loc[chosen, "nik_kind"] = "old_nik"
    rosters.loc[chosen, "nik_value"] = olds
    _protect(rosters, chosen, "DUP_PERSON_DIFF_NIK")
    book.planted["DUP_PERSON_DIFF_NIK"] += len(chosen)

    # KK_FORMAT: No KK equal to the NIK, a future registration date, or Excel damage.
    for rows, kinds in (
        (pkh, ("eq_nik", "excel_num", "placeholder")),
        (bpnt4, ("future", "sci_text", "eq_nik")),
    ):
        for kind in kinds:
            chosen = _choose_rows(book, rosters, rows, max(1, book.per_rule // 2))
            rosters.loc[chosen, "kk_kind"] = kind
            _protect(rosters, chosen, "KK_FORMAT")
            book.planted["KK_FORMAT"] += len(chosen)

    # WILAYAH_INVALID: a desa of another kecamatan, and an unknown desa name.
    for rows, kind, text in (
        (pkh, "wrong_kec", "SILURAH"),
        (bpnt4, "bad_code", "3325992001"),
        (pbi, "unknown_desa", "SUKAMAJU"),
    ):
        chosen = _choose_rows(book, rosters, rows, max(1, book.per_rule // 2))
        if kind == "wrong_kec":
            kec = book.families["kecamatan_num"].to_numpy()[
                rosters.loc[chosen, "family_idx"].to_numpy()
            ]
            chosen = chosen[kec != 1]
        rosters.loc[chosen, "wil_kind"] = kind
        rosters.loc[chosen, "wil_text"] = text
        _protect(rosters, chosen, "WILAYAH_INVALID")
        book.planted["WILAYAH_INVALID"] += len(chosen)

    # Women's NIKs carry day + 40; those born on the 31st reach day 71 (decoy for NIK_STRUCTURE).
    day = (nik // 10**8) % 100
    rows = pkh[day[rosters.loc[pkh, "pidx"].to_numpy()] >= 68]
    chosen = _choose_rows(book, rosters, rows, max(1, book.per_rule // 2))
    _protect(rosters, chosen, "decoy")
    for pidx in rosters.loc[chosen, "pidx"]:
        book.decoys.append((int(pidx), PKH, "female_nik_day_plus_40", "NIK_STRUCTURE", "PKH"))


def broken_nik(value: int, n: int) -> int:
    """Break one part of a NIK's structure, cycling through the defect kinds by `n`."""
    prefix, day, month, yy, serial = (
        value // 10**10,
        value // 10**8 % 100,
        value // 10**6 % 100,
        value // 10**4 % 100,
        value % 10**4,
    )
    kind = n % 6
    if kind == 0:
        day = 72
    elif kind == 1:
        month = 13
    elif kind == 2:
        day, month = 31, 2
    elif kind == 3:
        serial = 0
    elif kind == 4:
        prefix = 332599
    else:
        prefix = 993201
    return ((prefix * 100 + day) * 100 + month) * 100 * 10**4 + yy * 10**4 + serial


def _plant_tahap3_decoys(book: PlantBook, rosters: pd.DataFrame) -> None:
    """KPMs paid in tahap 3 and tahap 4: two rows of one NIK that are not duplicates."""
    t3 = roster_rows(rosters, BPNT, tahap=3)
    t4_people = set(rosters.loc[roster_rows(rosters, BPNT, tahap=4), "pidx"])
    rows = t3[[pid in t4_people for pid in rosters.loc[t3, "pidx"]]]
    chosen = _choose_rows(book, rosters, rows, max(1, book.per_rule // 2))
    pidx_set = set(rosters.loc[chosen, "pidx"])
    both = roster_rows(rosters, BPNT)
    both = both[[pid in pidx_set for pid in rosters.loc[both, "pidx"]]]
    _protect(rosters, both, "decoy")
    for pidx in pidx_set:
        book.decoys.append((int(pidx), BPNT, "repeat_row_other_tahap", "DUP_NIK_IN_LIST", "BPNT"))
