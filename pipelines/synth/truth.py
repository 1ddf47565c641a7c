"""Ground truth: evaluate every covered rule on the written rows and the true state.

The interpretation of each rule is documented in docs/synthetic-data.md; keep the two in step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.synth import names as nm
from pipelines.synth.extract_truth import excluded_persons, extract_findings
from pipelines.synth.identifiers import kk_structure_ok, nik_structure_ok, split_digits
from pipelines.synth.params import (
    BPNT_FILE,
    COMPLAINTS_FILE,
    DOB_COLUMNS_FILES,
    DTSEN_FILE,
    PBI_FILE,
    PKH_FILE,
    PLN_FILE,
    PROGRAMME_BY_FILE,
    SEX_COLUMNS_FILES,
    RuleParams,
    age_on,
    to_days,
)
from pipelines.synth.population import is_default_dob
from pipelines.synth.rosters import COMPONENT_ORDER, family_component_counts

logger = logging.getLogger(__name__)

SIXTEEN_DIGIT_KINDS = (
    "clean",
    "apostrophe",
    "spaces",
    "dots",
    "struct_bad",
    "other_person",
    "old_nik",
)
DOB_FILES = DOB_COLUMNS_FILES
SEX_FILES = SEX_COLUMNS_FILES
KK_FILES = (DTSEN_FILE, PKH_FILE, BPNT_FILE, COMPLAINTS_FILE)
FINDING_COLUMNS = [
    "rule_code",
    "programme",
    "person_uid",
    "family_uid",
    "source_file",
    "source_sheet",
    "source_row",
    "note",
]
MATERIAL_NAME_SCORE = 60.0


COVERED_RULES = (
    "NIK_FORMAT",
    "NIK_EXCEL_DAMAGE",
    "NIK_STRUCTURE",
    "NIK_ATTR_MISMATCH",
    "KK_FORMAT",
    "DUP_NIK_IN_LIST",
    "DUP_NIK_CONFLICT",
    "DUP_PERSON_DIFF_NIK",
    "MULTI_KPM_PER_KK",
    "NOT_IN_REGISTER",
    "NOT_PADAN_DUKCAPIL",
    "DESIL_OUT_OF_RANGE",
    "DECEASED_RECIPIENT",
    "ASN_TNI_POLRI",
    "OCCUPATIONAL_EXCLUSION",
    "BUSINESS_OWNER",
    "WAGE_ABOVE_UMK",
    "PROXY_AFFLUENCE",
    "PKH_NO_COMPONENT",
    "PKH_COMPONENT_LIMITS",
    "AGE_IMPLAUSIBLE",
    "DEFAULT_DOB",
    "PBI_NOT_ELIGIBLE",
    "PBI_DOUBLE_COVERAGE",
    "WILAYAH_INVALID",
    "NAME_MISMATCH_SAME_NIK",
    "EXCLUSION_ERROR_CANDIDATE",
    "CROSS_PROGRAMME_INCONSISTENCY",
    "COMPLAINT_LINK",
    "HOUSEHOLD_DISSOLVED",
)


def period_mask(rows: pd.DataFrame) -> np.ndarray:
    """Recipient rows of the period: all PKH rows, BPNT tahap 4, PBI AKTIF."""
    file = rows["file"].to_numpy()
    tahap = (
        pd.to_numeric(rows.get("tahap"), errors="coerce").to_numpy()
        if "tahap" in rows
        else np.zeros(len(rows))
    )
    status = rows["status"].to_numpy() if "status" in rows else np.full(len(rows), "")
    return (
        (file == PKH_FILE)
        | ((file == BPNT_FILE) & (tahap == 4))
        | ((file == PBI_FILE) & (status == "AKTIF"))
    )


@dataclass
class TruthInput:
    rows: pd.DataFrame
    persons: pd.DataFrame
    families: pd.DataFrame
    params: RuleParams


def prepare_rows(rows: pd.DataFrame, persons: pd.DataFrame, families: pd.DataFrame) -> pd.DataFrame:
    """Add programme, period flag, NIK and No KK validity to the concatenated row specs."""
    rows = rows.reset_index(drop=True).copy()
    file = rows["file"].to_numpy()
    rows["programme"] = rows["file"].map(PROGRAMME_BY_FILE)
    rows["is_period"] = period_mask(rows)
    sixteen = rows["nik_kind"].isin(SIXTEEN_DIGIT_KINDS).to_numpy()
    rows["nik_is_16"] = sixteen
    rows["nik_valid"] = sixteen & nik_structure_ok(rows["nik_value"].to_numpy())
    kk16 = rows["kk_kind"].isin(("clean", "spaces", "eq_nik", "future", "bad_prefix")).to_numpy()
    rows["kk_valid"] = (
        kk16
        & kk_structure_ok(rows["kk_value"].to_numpy())
        & ~(sixteen & (rows["kk_value"].to_numpy() == rows["nik_value"].to_numpy()))
        & np.isin(file, KK_FILES)
    )
    rows["kk_is_16"] = kk16
    fam = persons["family_idx"].to_numpy()[rows["pidx"].to_numpy()]
    rows["true_family"] = fam
    rows["in_register"] = families["in_register"].to_numpy()[fam]
    rows["desil"] = families["desil"].to_numpy()[fam]
    return rows


def _finding(
    rows: pd.DataFrame, mask: np.ndarray, rule: str, note: str | np.ndarray = ""
) -> pd.DataFrame:
    picked = rows[mask]
    notes = note[mask] if isinstance(note, np.ndarray) else note
    return pd.DataFrame(
        {
            "row_key": picked.index.to_numpy(),
            "rule_code": rule,
            "programme": picked["programme"].to_numpy(),
            "note": notes,
        }
    )


def data_quality_findings(t: TruthInput) -> list[pd.DataFrame]:
    rows = t.rows
    file = rows["file"].to_numpy()
    kind = rows["nik_kind"].to_numpy()
    out = []

    blank_allowed = np.isin(file, [COMPLAINTS_FILE, PLN_FILE]) & (kind == "empty")
    out.append(
        _finding(
            rows,
            np.isin(kind, ["placeholder", "short", "empty"]) & ~blank_allowed,
            "NIK_FORMAT",
            "NIK " + kind,
        )
    )
    out.append(
        _finding(rows, np.isin(kind, ["excel_num", "sci_text"]), "NIK_EXCEL_DAMAGE", "NIK " + kind)
    )
    out.append(
        _finding(
            rows, rows["nik_is_16"].to_numpy() & ~rows["nik_valid"].to_numpy(), "NIK_STRUCTURE"
        )
    )
    out.append(_attr_mismatch(t))

    kk_kind = rows["kk_kind"].to_numpy()
    in_kk_file = np.isin(file, KK_FILES)
    kk_bad = in_kk_file & (
        np.isin(kk_kind, ["placeholder", "short", "excel_num", "sci_text"])
        | (rows["kk_is_16"].to_numpy() & ~rows["kk_valid"].to_numpy())
    )
    out.append(_finding(rows, kk_bad, "KK_FORMAT", "No KK " + kk_kind))
    out.append(
        _finding(
            rows,
            rows["wil_kind"].to_numpy() != "ok",
            "WILAYAH_INVALID",
            "wilayah " + rows["wil_kind"].to_numpy(),
        )
    )

    dob = rows["dob_value"].to_numpy()
    has_dob = np.isin(file, DOB_FILES) & ~np.isnat(dob)
    out.append(_finding(rows, has_dob & is_default_dob(dob), "DEFAULT_DOB"))
    out.append(_age_implausible(t))
    return out


def _attr_mismatch(t: TruthInput) -> pd.DataFrame:
    rows = t.rows
    file = rows["file"].to_numpy()
    valid = rows["nik_valid"].to_numpy()
    parts = split_digits(rows["nik_value"].to_numpy())
    nik_female = parts["day"] > 40
    nik_day = np.where(nik_female, parts["day"] - 40, parts["day"])

    sex = rows["sex_value"].to_numpy()
    sex_bad = np.isin(file, SEX_FILES) & (sex != "") & (sex != np.where(nik_female, "P", "L"))

    dob = rows["dob_value"].to_numpy()
    has_dob = np.isin(file, DOB_FILES) & ~np.isnat(dob)
    safe = np.where(has_dob, dob, np.datetime64("2000-01-01"))
    index = pd.DatetimeIndex(safe)
    year_bad = (index.year.to_numpy() % 100) != parts["yy"]
    full_bad = (
        year_bad | (index.day.to_numpy() != nik_day) | (index.month.to_numpy() != parts["month"])
    )
    dob_bad = has_dob & np.where(is_default_dob(safe), year_bad, full_bad)

    note = np.where(sex_bad & dob_bad, "sex and DOB", np.where(sex_bad, "sex", "DOB"))
    return _finding(rows, valid & (sex_bad | dob_bad), "NIK_ATTR_MISMATCH", note)


def _age_implausible(t: TruthInput) -> pd.DataFrame:
    rows, p, params = t.rows, t.persons, t.params
    file = rows["file"].to_numpy()
    dob = rows["dob_value"].to_numpy()
    age = age_on(dob, params.period_start)
    pidx = rows["pidx"].to_numpy()
    known = ~np.isnat(dob)
    future = known & (dob > to_days(params.period_start))
    too_old = known & (age > 110)
    dtsen = file == DTSEN_FILE
    a = np.isin(file, [DTSEN_FILE, PBI_FILE]) & (future | too_old)
    b = dtsen & known & (p["role"].to_numpy()[pidx] == "KEPALA KELUARGA") & (age < 15) & ~future
    pregnant = p["is_pregnant"].to_numpy()[pidx]
    male = rows["sex_value"].to_numpy() == "L"
    c = dtsen & pregnant & (male | (known & ((age < 10) | (age > 55))))

    register_dob = _register_values(t, "dob_value")
    pengurus_age = age_on(register_dob[pidx], params.period_start)
    d = (
        (file == PKH_FILE)
        & rows["in_register"].to_numpy()
        & ~np.isnat(register_dob[pidx])
        & (pengurus_age < params.pengurus_min_age)
    )
    note = np.select(
        [a, b, c, d],
        [
            "DOB in the future or age over 110",
            "KK head under 15",
            "pregnancy flag implausible",
            "pengurus under minimum age",
        ],
        "",
    )
    return _finding(rows, a | b | c | d, "AGE_IMPLAUSIBLE", note)


def _register_values(t: TruthInput, column: str) -> np.ndarray:
    """Per person, `column` of the person's DTSEN row (NaT/empty when not in DTSEN)."""
    dtsen = t.rows[t.rows["file"] == DTSEN_FILE]
    values = t.rows[column].to_numpy()
    out = np.full(
        len(t.persons),
        np.datetime64("NaT") if values.dtype.kind == "M" else None,
        dtype=values.dtype if values.dtype.kind == "M" else object,
    )
    out[dtsen["pidx"].to_numpy()] = dtsen[column].to_numpy()
    return out


def identity_findings(t: TruthInput) -> list[pd.DataFrame]:
    rows = t.rows
    file = rows["file"].to_numpy()
    valid = rows["nik_valid"].to_numpy()
    nik = rows["nik_value"].to_numpy()
    period = rows["is_period"].to_numpy()
    out = []

    family_roster = period & np.isin(file, [PKH_FILE, BPNT_FILE])
    dup = family_roster & valid
    group = pd.Series(nik[dup]).groupby([file[dup], nik[dup]]).transform("size").to_numpy()
    mask = np.zeros(len(rows), dtype=bool)
    mask[np.flatnonzero(dup)[group > 1]] = True
    out.append(_finding(rows, mask, "DUP_NIK_IN_LIST"))

    out.append(_multi_kpm(rows, family_roster))
    name_conflict, dob_conflict = _nik_conflicts(t)
    note = np.where(
        name_conflict & dob_conflict, "name and DOB", np.where(name_conflict, "name", "DOB")
    )
    out.append(_finding(rows, name_conflict | dob_conflict, "DUP_NIK_CONFLICT", note))
    out.append(_finding(rows, name_conflict & period, "NAME_MISMATCH_SAME_NIK"))
    out.append(_dup_person(t))
    return out


def _multi_kpm(rows: pd.DataFrame, family_roster: np.ndarray) -> pd.DataFrame:
    file = rows["file"].to_numpy()
    usable = family_roster & rows["kk_valid"].to_numpy()
    frame = pd.DataFrame(
        {
            "file": file[usable],
            "kk": rows["kk_value"].to_numpy()[usable],
            "nik": np.where(
                rows["nik_valid"].to_numpy()[usable], rows["nik_value"].to_numpy()[usable], -1
            ),
        },
        index=np.flatnonzero(usable),
    )
    grouped = frame.groupby(["file", "kk"])
    size = grouped["nik"].transform("size")
    same_nik = grouped["nik"].transform("nunique").eq(1) & frame["nik"].ne(-1)
    mask = np.zeros(len(rows), dtype=bool)
    mask[frame.index[(size > 1) & ~same_nik]] = True
    return _finding(rows, mask, "MULTI_KPM_PER_KK")


def _nik_conflicts(t: TruthInput) -> tuple[np.ndarray, np.ndarray]:
    rows = t.rows
    file = rows["file"].to_numpy()
    dtsen = rows[(file == DTSEN_FILE) & rows["nik_valid"].to_numpy()]
    owner = pd.Series(dtsen.index.to_numpy(), index=dtsen["nik_value"].to_numpy())
    candidates = (file != DTSEN_FILE) & rows["nik_valid"].to_numpy()
    owner_row = owner.reindex(rows["nik_value"].to_numpy()).to_numpy()
    has_owner = candidates & ~pd.isna(owner_row)
    owner_row = np.where(has_owner, owner_row, 0).astype(int)

    names = rows["name_out"].to_numpy()
    kinds = rows["name_kind"].to_numpy()
    pidx = rows["pidx"].to_numpy()
    name_conflict = np.zeros(len(rows), dtype=bool)
    check = np.flatnonzero(has_owner & ((kinds == "different") | (pidx != pidx[owner_row])))
    for i in check:
        name_conflict[i] = nm.name_similarity(names[i], names[owner_row[i]]) < MATERIAL_NAME_SCORE

    dob = rows["dob_value"].to_numpy()
    reg_dob = dob[owner_row]
    both = has_owner & ~np.isnat(dob) & ~np.isnat(reg_dob)
    safe = lambda d: np.where(both, d, np.datetime64("2000-01-02"))  # noqa: E731
    dob_conflict = (
        both & (dob != reg_dob) & ~is_default_dob(safe(dob)) & ~is_default_dob(safe(reg_dob))
    )
    return name_conflict, dob_conflict


def _dup_person(t: TruthInput) -> pd.DataFrame:
    rows, p = t.rows, t.persons
    file = rows["file"].to_numpy()
    pidx = rows["pidx"].to_numpy()
    scope = np.isin(file, [DTSEN_FILE, PBI_FILE]) & rows["nik_valid"].to_numpy()
    nik = rows["nik_value"].to_numpy()
    distinct = pd.Series(nik[scope]).groupby(pidx[scope]).nunique()
    multi = np.zeros(len(p), dtype=bool)
    multi[distinct.index[distinct > 1].to_numpy()] = True
    non_default = ~is_default_dob(p["birth_date"].to_numpy())
    mask = scope & multi[pidx] & non_default[pidx] & (nik != p["nik"].to_numpy()[pidx])
    return _finding(rows, mask, "DUP_PERSON_DIFF_NIK")


def targeting_findings(t: TruthInput) -> list[pd.DataFrame]:
    rows, p, fam, params = t.rows, t.persons, t.families, t.params
    file = rows["file"].to_numpy()
    pidx = rows["pidx"].to_numpy()
    period = rows["is_period"].to_numpy()
    in_reg = rows["in_register"].to_numpy()
    desil = rows["desil"].to_numpy()
    family = rows["true_family"].to_numpy()
    threshold = rows["programme"].map(params.desil_threshold).fillna(99).to_numpy()
    dead_before = _dead_before(p, params)
    out = []

    out.append(_finding(rows, period & ~in_reg, "NOT_IN_REGISTER"))
    out.append(
        _finding(rows, period & in_reg & ~p["is_padan"].to_numpy()[pidx], "NOT_PADAN_DUKCAPIL")
    )
    out.append(
        _finding(
            rows,
            period & in_reg & ((desil == 0) | (desil > threshold)),
            "DESIL_OUT_OF_RANGE",
            np.where(desil == 0, "desil missing", "desil " + desil.astype(str)),
        )
    )
    alm = rows["name_kind"].to_numpy() == "alm"
    out.append(_finding(rows, period & (dead_before[pidx] | alm), "DECEASED_RECIPIENT"))

    for rule, listed in (
        ("ASN_TNI_POLRI", (p["asn_category"] != "").to_numpy()),
        ("OCCUPATIONAL_EXCLUSION", (p["official_position"] != "").to_numpy()),
    ):
        member = _first_listed_member(p, listed)
        family_hit = in_reg & (member[family] >= 0)
        hit = period & (listed[pidx] | family_hit)
        matched = np.where(listed[pidx], pidx, member[family])
        note = "listed member " + p["person_uid"].to_numpy()[np.maximum(matched, 0)]
        out.append(_finding(rows, hit, rule, note))
    out.extend(extract_findings(t, _first_listed_member, _finding))

    counts = family_component_counts(p, len(fam), params)
    no_component = counts.to_numpy().sum(axis=1) == 0
    pkh = file == PKH_FILE
    out.append(_finding(rows, pkh & in_reg & no_component[family], "PKH_NO_COMPONENT"))
    out.append(_component_limits(t, counts))

    pbi = period & (file == PBI_FILE)
    out.append(
        _finding(
            rows, pbi & (~in_reg | (desil > params.desil_threshold["PBI"])), "PBI_NOT_ELIGIBLE"
        )
    )
    per_person = pd.Series(pidx[pbi]).value_counts()
    doubled = np.zeros(len(p), dtype=bool)
    doubled[per_person.index[per_person > 1].to_numpy()] = True
    ppu = ((p["asn_category"] != "") | (p["official_position"] != "")).to_numpy()
    out.append(
        _finding(
            rows,
            pbi & (doubled[pidx] | ppu[pidx]),
            "PBI_DOUBLE_COVERAGE",
            np.where(doubled[pidx], "two active PBI rows", "PPU member"),
        )
    )

    out.append(_cross_programme(t))
    all_dead = (
        np.bincount(p["family_idx"], weights=(~dead_before).astype(float), minlength=len(fam)) == 0
    )
    family_roster = period & np.isin(file, [PKH_FILE, BPNT_FILE])
    out.append(_finding(rows, family_roster & in_reg & all_dead[family], "HOUSEHOLD_DISSOLVED"))
    return out


def _dead_before(p: pd.DataFrame, params: RuleParams) -> np.ndarray:
    death = p["death_date"].to_numpy()
    return ~np.isnat(death) & (death < to_days(params.period_start))


def _first_listed_member(p: pd.DataFrame, listed: np.ndarray) -> np.ndarray:
    """Per family, the pidx of the first member on the list, or -1."""
    member = np.full(p["family_idx"].max() + 1, -1, dtype=np.int64)
    hits = p[listed]
    first = hits.drop_duplicates("family_idx")
    member[first["family_idx"].to_numpy()] = first["pidx"].to_numpy()
    return member


def _component_limits(t: TruthInput, counts: pd.DataFrame) -> pd.DataFrame:
    params = t.params
    rows = t.rows[t.rows["file"].to_numpy() == PKH_FILE]
    items = rows["components"].fillna("").astype(str).str.split(",")
    items = items.map(lambda parts: [p.strip() for p in parts if p.strip()])
    listed = pd.DataFrame(
        {c: items.map(lambda parts, c=c: parts.count(c)).to_numpy() for c in COMPONENT_ORDER}
    )
    family = counts.to_numpy()[rows["true_family"].to_numpy()]
    in_reg = rows["in_register"].to_numpy()

    reasons = [
        np.where(listed[c].to_numpy() > cap, f"{c} over limit", "")
        for c, cap in (("BALITA", params.max_early_childhood), ("HAMIL", params.max_pregnancies))
    ]
    reasons.append(
        np.where(
            items.map(len).to_numpy() > params.max_components,
            "more than the maximum components",
            "",
        )
    )
    for j, c in enumerate(COMPONENT_ORDER):
        unsupported = in_reg & (listed[c].to_numpy() > family[:, j])
        reasons.append(np.where(unsupported, f"{c} without a qualifying member", ""))
    notes = _join_reasons(reasons)
    return _finding(rows, notes != "", "PKH_COMPONENT_LIMITS", notes)


def _join_reasons(reasons: list[np.ndarray]) -> np.ndarray:
    """Join the non-empty reasons of each row with "; "."""
    rows = zip(*reasons, strict=True)
    return np.array(["; ".join(r for r in parts if r) for parts in rows], dtype=object)


def _cross_programme(t: TruthInput) -> pd.DataFrame:
    rows, p, params = t.rows, t.persons, t.params
    file = rows["file"].to_numpy()
    period = rows["is_period"].to_numpy()
    family = rows["true_family"].to_numpy()
    desil = rows["desil"].to_numpy()
    in_reg = rows["in_register"].to_numpy()
    n_fam = len(t.families)

    def covered(programme_file: str) -> np.ndarray:
        has = np.zeros(n_fam, dtype=bool)
        has[family[period & (file == programme_file)]] = True
        return has

    ranked = in_reg & (desil >= 1)
    pkh = period & (file == PKH_FILE) & ranked
    no_bpnt = pkh & (desil <= params.desil_threshold["BPNT"]) & ~covered(BPNT_FILE)[family]
    no_pbi = pkh & (desil <= params.desil_threshold["PBI"]) & ~covered(PBI_FILE)[family]
    inactive = period & in_reg & ~p["is_register_active"].to_numpy()[rows["pidx"].to_numpy()]
    reasons = [
        np.where(no_bpnt, "PKH without BPNT", ""),
        np.where(no_pbi, "PKH without PBI", ""),
        np.where(inactive, "register NONAKTIF", ""),
    ]
    note = _join_reasons(reasons)
    return _finding(rows, no_bpnt | no_pbi | inactive, "CROSS_PROGRAMME_INCONSISTENCY", note)


def complaint_findings(t: TruthInput) -> list[pd.DataFrame]:
    rows = t.rows
    file = rows["file"].to_numpy()
    period = rows["is_period"].to_numpy()
    complaints = rows[file == COMPLAINTS_FILE]
    out = []
    for programme_file, programme in ((PKH_FILE, "PKH"), (BPNT_FILE, "BPNT"), (PBI_FILE, "PBI")):
        recipients = set(rows.loc[period & (file == programme_file), "pidx"])
        hit = complaints["pidx"].isin(recipients).to_numpy()
        picked = complaints[hit]
        out.append(
            pd.DataFrame(
                {
                    "row_key": picked.index.to_numpy(),
                    "rule_code": "COMPLAINT_LINK",
                    "programme": programme,
                    "note": "complaint " + picked["complaint_type"].astype(str).to_numpy(),
                }
            )
        )
    return out


def exclusion_error_findings(t: TruthInput) -> list[pd.DataFrame]:
    """Usulan baru candidates: (a) families receiving nothing, (b) PKH-eligible without PKH."""
    rows, p, fam, params = t.rows, t.persons, t.families, t.params
    n_fam = len(fam)
    family = p["family_idx"].to_numpy()

    def any_member(flag: np.ndarray) -> np.ndarray:
        return np.bincount(family, weights=flag.astype(float), minlength=n_fam) > 0

    def receives(files: tuple[str, ...]) -> np.ndarray:
        person = np.zeros(len(p), dtype=bool)
        picked = rows["is_period"].to_numpy() & rows["file"].isin(files).to_numpy()
        person[rows.loc[picked, "pidx"].to_numpy()] = True
        return any_member(person)

    blocked = (
        any_member(~p["is_padan"].to_numpy())
        | any_member(~p["is_register_active"].to_numpy())
        | any_member((p["asn_category"] != "").to_numpy())
        | any_member((p["official_position"] != "").to_numpy())
        | any_member(excluded_persons(t))
        | ~any_member(~_dead_before(p, params))
    )
    desil = fam["desil"].to_numpy()
    open_family = fam["in_register"].to_numpy() & (desil >= 1) & ~blocked
    gets_pkh = receives((PKH_FILE,))
    gets_other = receives((BPNT_FILE, PBI_FILE))
    has_component = family_component_counts(p, n_fam, params).to_numpy().sum(axis=1) > 0
    nothing = open_family & (desil <= params.max_threshold) & ~gets_pkh & ~gets_other
    pkh_gap = (
        open_family
        & (desil <= params.desil_threshold["PKH"])
        & has_component
        & ~gets_pkh
        & gets_other
    )

    dtsen = rows[(rows["file"] == DTSEN_FILE).to_numpy()]
    heads = dtsen[p["role"].to_numpy()[dtsen["pidx"].to_numpy()] == "KEPALA KELUARGA"]
    out = []
    for mask, programme, note in (
        (nothing, "ALL", "receives nothing"),
        (pkh_gap, "PKH", "PKH-eligible, receives BPNT or PBI only"),
    ):
        picked = heads[mask[heads["true_family"].to_numpy()]]
        out.append(
            pd.DataFrame(
                {
                    "row_key": picked.index.to_numpy(),
                    "rule_code": "EXCLUSION_ERROR_CANDIDATE",
                    "programme": programme,
                    "note": f"{note}; desil " + picked["desil"].astype(str).to_numpy(),
                }
            )
        )
    return out


def compute_findings(t: TruthInput) -> pd.DataFrame:
    """Evaluate the covered rules: one row per finding, in a stable order."""
    parts = (
        data_quality_findings(t)
        + identity_findings(t)
        + targeting_findings(t)
        + complaint_findings(t)
        + exclusion_error_findings(t)
    )
    found = pd.concat(parts, ignore_index=True)
    rows = t.rows.loc[found["row_key"].to_numpy()]
    p = t.persons
    findings = pd.DataFrame(
        {
            "rule_code": found["rule_code"].to_numpy(),
            "programme": found["programme"].to_numpy(),
            "person_uid": p["person_uid"].to_numpy()[rows["pidx"].to_numpy()],
            "family_uid": t.families["family_uid"].to_numpy()[rows["true_family"].to_numpy()],
            "source_file": rows["file"].to_numpy(),
            "source_sheet": rows["sheet"].to_numpy(),
            "source_row": rows["source_row"].to_numpy(),
            "note": found["note"].to_numpy(),
        }
    )
    findings = findings.sort_values(
        ["rule_code", "source_file", "source_sheet", "source_row", "programme"]
    )
    logger.info("truth findings: rows=%d rules=%d", len(findings), findings["rule_code"].nunique())
    return findings.reset_index(drop=True)
