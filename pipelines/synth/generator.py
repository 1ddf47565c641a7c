"""Generate the synthetic Batang input files and their ground truth."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.synth import (
    attributes,
    extract_writers,
    extracts,
    identifiers,
    names,
    noise,
    plants,
    population,
    rosters,
    writers,
)
from pipelines.synth import truth as tr
from pipelines.synth.other_plants import plant_other_files
from pipelines.synth.params import (
    COMPLAINTS_FILE,
    DOB_COLUMNS_FILES,
    PBI_FILE,
    PLN_FILE,
    PROGRAMME_BY_FILE,
    SEX_COLUMNS_FILES,
    load_rule_params,
    load_wilayah,
    resolve_persons,
)
from pipelines.truth_manifest import write_manifest

logger = logging.getLogger(__name__)


DECOY_NOTES = {
    "same_mononym_default_dob": "two people in one desa share a mononym and default DOB 01-07-1950",
    "only_component_school_age_20": "only PKH component is a 20-year-old in SMA",
    "death_after_period_start": "died after the period start",
    "title_added_same_person": "roster name has a HJ./H. title, same person",
    "female_nik_day_plus_40": "female NIK with day 41-71 is valid",
    "repeat_row_other_tahap": "same KPM paid in tahap 3 and tahap 4",
    "bpjs_wage_at_or_below_umk": "a family member's BPJS-TK wage is at or below the UMK",
    "pln_subsidised_r1_900": "the household's PLN connection is subsidised R1/900",
    "motorbike_only": "the household owns a motorbike only",
}
# Every file the generator writes, in a fixed order that also numbers each file's random stream.
WRITERS = {**writers.WRITERS, **extract_writers.WRITERS}


@dataclass
class GenerateSummary:
    """Rows written per file and seconds taken by one `generate` call."""

    persons: int
    families: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    truth_rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


def generate(
    raw_dir: Path,
    truth_dir: Path,
    size: str = "demo",
    persons: int | None = None,
    seed: int = 20261204,
) -> GenerateSummary:
    """Write the twelve synthetic input files into `raw_dir` and the ground truth into `truth_dir`.

    The same `size`/`persons` and `seed` give byte-identical files.
    """
    started = time.perf_counter()
    timer = _StageTimer()
    raw_dir, truth_dir = Path(raw_dir), Path(truth_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    params = load_rule_params()
    n_persons = resolve_persons(size, persons)
    rng = np.random.default_rng(seed)
    logger.info("generate: persons=%d seed=%d raw=%s truth=%s", n_persons, seed, raw_dir, truth_dir)

    pop = _build_population(n_persons, params, rng)
    timer.lap("population")
    book = plants.PlantBook(
        pop.persons, pop.families, params, rng, per_rule=max(2, len(pop.families) // 1200)
    )
    forced = plants.plant_population(book)
    _separate_lookalikes(pop.persons, pop.families)
    pop.persons["nik"] = identifiers.build_niks(pop.persons, pop.families, rng)
    pop.families["no_kk"] = identifiers.build_kks(pop.families, rng)
    timer.lap("identifiers")

    specs = _build_specs(book, pop, forced, params, rng)
    timer.lap("rosters and plants")
    written = _write_files(specs, pop, raw_dir, seed)
    timer.lap("files")

    summary = GenerateSummary(persons=len(pop.persons), families=len(pop.families), seed=seed)
    summary.rows = written.groupby("file").size().to_dict()
    summary.truth_rows = _write_truth(written, book, pop, params, truth_dir)
    write_manifest(truth_dir, [raw_dir / file for file in WRITERS])
    timer.lap("truth")
    summary.seconds = round(time.perf_counter() - started, 2)
    summary.stage_seconds = timer.laps
    logger.info("generate finished: seconds=%.1f rows=%s", summary.seconds, summary.rows)
    return summary


class _StageTimer:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last, 2)
        self._last = now
        logger.info("stage %s: %.2f s", stage, self.laps[stage])


def _build_population(n_persons: int, params, rng: np.random.Generator) -> population.Population:
    wilayah = load_wilayah()
    desa = population.choose_desa(wilayah, n_persons, rng)
    families = population.build_families(desa, n_persons, rng)
    persons = population.build_persons(families, params, rng)
    population.apply_default_dobs(persons, params, rng)
    attributes.assign_occupations(persons, families, params, rng)
    persons["name"] = names.build_names(persons["sex"].to_numpy(), persons["age"].to_numpy(), rng)
    attributes.assign_desil(persons, families, rng)
    attributes.assign_components(persons, params, rng)
    attributes.assign_deaths(persons, rng)
    attributes.assign_register_status(persons, families, rng)
    logger.info(
        "population: persons=%d families=%d desa=%d", len(persons), len(families), len(desa)
    )
    return population.Population(families=families, persons=persons)


def _separate_lookalikes(persons: pd.DataFrame, families: pd.DataFrame) -> None:
    """Move birth dates apart where two people share name, non-default DOB and desa.

    Otherwise an audit would rightly report DUP_PERSON_DIFF_NIK for two different people.
    """
    key_name = persons["name"].map(names.canonical_key).to_numpy()
    desa = families["desa_code"].to_numpy()[persons["family_idx"].to_numpy()]
    for _ in range(20):
        birth = persons["birth_date"].to_numpy()
        frame = pd.DataFrame({"name": key_name, "birth": birth, "desa": desa})
        dup = frame.duplicated(keep="first").to_numpy() & ~population.is_default_dob(birth)
        if not dup.any():
            return
        birth = birth.copy()
        birth[dup] -= np.timedelta64(1, "D")
        persons["birth_date"] = birth
    raise RuntimeError("could not separate people sharing name, birth date and desa")


def _build_specs(book, pop, forced, params, rng) -> pd.DataFrame:
    persons, families = pop.persons, pop.families
    counts = rosters.family_component_counts(persons, len(families), params)
    listed = ((persons["asn_category"] != "") | (persons["official_position"] != "")).to_numpy()
    exclusion_members = np.bincount(
        persons["family_idx"], weights=listed.astype(float), minlength=len(families)
    )
    selected = rosters.select_families(families, counts, exclusion_members, params, rng)
    for programme, fam_idx in forced.items():
        selected[programme][fam_idx] = True
    pengurus = rosters.choose_pengurus(persons)
    nik = persons["nik"].to_numpy()

    roster_spec = pd.concat(
        [
            rosters.pkh_rows(families, pengurus, counts, selected["PKH"], params),
            rosters.bpnt_rows(pengurus, selected["BPNT"], rng),
            rosters.pbi_rows(persons, families, selected["PBI"], rng, params),
        ],
        ignore_index=True,
    )
    roster_spec = plants.plant_rosters(book, roster_spec, pengurus, counts, nik)

    period = tr.period_mask(roster_spec)
    recipients = np.zeros(len(persons), dtype=bool)
    recipients[roster_spec.loc[period, "pidx"].to_numpy()] = True
    recipient_family = np.zeros(len(families), dtype=bool)
    recipient_family[persons["family_idx"].to_numpy()[recipients]] = True

    other = pd.concat(
        [
            rosters.dtsen_rows(persons, families),
            rosters.complaint_rows(persons, families, recipients, rng),
        ],
        ignore_index=True,
    )
    other = plant_other_files(book, other, recipient_family)
    lists = pd.concat(
        [
            rosters.deaths_rows(persons),
            rosters.asn_rows(persons),
            rosters.officials_rows(persons),
        ],
        ignore_index=True,
    )
    recipient_rows = roster_spec.loc[period, ["file", "pidx"]].assign(
        programme=lambda d: d["file"].map(PROGRAMME_BY_FILE)
    )
    extract_spec = extracts.extract_rows(
        book, extracts.Recipients(recipients, recipient_family, recipient_rows)
    )
    specs = pd.concat([roster_spec, other, lists, extract_spec], ignore_index=True)
    specs = noise.apply_noise(specs, recipients, rng)
    extracts.fix_address_links(specs, persons, families)
    return _resolve(specs, persons, families)


def _resolve(specs: pd.DataFrame, persons: pd.DataFrame, families: pd.DataFrame) -> pd.DataFrame:
    """Fill the NIK, No KK, DOB and sex values each row will carry."""
    for column, default in (("noka_offset", 0), ("tahap", 0)):
        specs[column] = specs[column].fillna(default).astype(int)
    for column in ("components", "segment", "status", "wil_text", "complaint_type"):
        specs[column] = specs[column].fillna("").astype(str)
    specs["no_nik"] = specs["no_nik"].fillna(False).astype(bool)
    pidx = specs["pidx"].to_numpy()
    nik = persons["nik"].to_numpy()[pidx]
    kk = families["no_kk"].to_numpy()[persons["family_idx"].to_numpy()[pidx]]
    file = specs["file"].to_numpy()

    preset = specs["nik_kind"].isin(["struct_bad", "other_person", "old_nik"]).to_numpy()
    specs["nik_value"] = np.where(preset, specs["nik_value"].to_numpy(), nik)
    kk_kind = specs["kk_kind"].to_numpy()
    kk_value = np.where(kk_kind == "eq_nik", specs["nik_value"].to_numpy(), kk)
    parts = identifiers.split_digits(kk)
    future = (
        ((parts["prefix"] * 100 + parts["day"]) * 100 + parts["month"]) * 10**6
        + 27 * 10**4
        + parts["serial"]
    )
    kk_value = np.where(kk_kind == "future", future, kk_value)
    kk_value = np.where(kk_kind == "bad_prefix", 332599 * 10**10 + kk % 10**10, kk_value)
    specs["kk_value"] = kk_value
    no_kk_column = ~np.isin(file, tr.KK_FILES)
    specs.loc[no_kk_column, "kk_kind"] = "none"

    birth = persons["birth_date"].to_numpy()[pidx] + specs["dob_shift_days"].to_numpy().astype(
        "timedelta64[D]"
    )
    override = specs["dob_override"].to_numpy()
    dob = np.where(np.isnat(override), birth, override)
    dob[~np.isin(file, DOB_COLUMNS_FILES)] = np.datetime64("NaT")
    specs["dob_value"] = dob
    sex = np.where(
        specs["sex_override"].to_numpy() != "",
        specs["sex_override"].to_numpy(),
        persons["sex"].to_numpy()[pidx],
    )
    specs["sex_value"] = np.where(np.isin(file, SEX_COLUMNS_FILES), sex, "")

    # Complaints may name a person without a NIK, and PLN customers are often listed without one.
    no_nik = np.isin(file, (COMPLAINTS_FILE, PLN_FILE)) & specs["no_nik"].to_numpy()
    specs.loc[no_nik, "nik_kind"] = "empty"
    specs.loc[no_nik, "kk_kind"] = "empty"
    return specs


def _write_files(specs: pd.DataFrame, pop, raw_dir: Path, seed: int) -> pd.DataFrame:
    """Write every file; a large PBI workbook is written by a forked process meanwhile."""
    jobs = {file: specs[specs["file"] == file].reset_index(drop=True) for file in WRITERS}
    ctx = writers.RenderContext(pop.persons, pop.families, np.random.default_rng(seed))
    background = None
    if len(jobs[PBI_FILE]) >= PARALLEL_MIN_ROWS and _can_fork():
        _FORKED.update(ctx=ctx, job=jobs.pop(PBI_FILE), raw_dir=raw_dir, seed=seed)
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        background = pool.submit(_write_forked_pbi)

    parts = [_write_one(file, spec, ctx, raw_dir, seed) for file, spec in jobs.items()]
    if background is not None:
        parts.append(background.result())
        pool.shutdown()
        _FORKED.clear()
    order = {file: i for i, file in enumerate(WRITERS)}
    parts.sort(key=lambda part: order[part["file"].iat[0]] if len(part) else -1)
    return pd.concat(parts, ignore_index=True)


# Large PBI workbooks take most of the writing time; with fork the child inherits the
# population without pickling it. NOTE: fork is skipped where the platform lacks it.
PARALLEL_MIN_ROWS = 50_000
_FORKED: dict = {}


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def _write_forked_pbi() -> pd.DataFrame:
    return _write_one(PBI_FILE, _FORKED["job"], _FORKED["ctx"], _FORKED["raw_dir"], _FORKED["seed"])


def _write_one(file: str, spec: pd.DataFrame, ctx, raw_dir: Path, seed: int) -> pd.DataFrame:
    """Write one file with its own random stream, so the order of writing does not matter."""
    started = time.perf_counter()
    ctx.rng = np.random.default_rng([seed, list(WRITERS).index(file)])
    written = WRITERS[file](spec, ctx, raw_dir)
    logger.info("wrote %s: rows=%d seconds=%.1f", file, len(written), time.perf_counter() - started)
    return written


def _write_truth(written: pd.DataFrame, book, pop, params, truth_dir: Path) -> dict[str, int]:
    persons, families = pop.persons, pop.families
    rows = tr.prepare_rows(written, persons, families)
    findings = tr.compute_findings(tr.TruthInput(rows, persons, families, params))
    decoys = _resolve_decoys(book, rows, findings)

    death = persons["death_date"]
    truth_persons = pd.DataFrame(
        {
            "person_uid": persons["person_uid"],
            "family_uid": families["family_uid"].to_numpy()[persons["family_idx"]],
            "nik": persons["nik"].astype(str),
            "no_kk": families["no_kk"].to_numpy()[persons["family_idx"]].astype(str),
            "name": persons["name"],
            "birth_date": pd.Series(persons["birth_date"]).dt.strftime("%Y-%m-%d"),
            "sex": persons["sex"],
            "desa_code": families["desa_code"].to_numpy()[persons["family_idx"]],
            "desil": families["desil"].to_numpy()[persons["family_idx"]],
            "is_alive": death.isna(),
            "death_date": pd.Series(death).dt.strftime("%Y-%m-%d").fillna(""),
        }
    )
    records = pd.DataFrame(
        {
            "source_file": rows["file"],
            "source_sheet": rows["sheet"],
            "source_row": rows["source_row"],
            "person_uid": persons["person_uid"].to_numpy()[rows["pidx"].to_numpy()],
        }
    ).sort_values(["source_file", "source_sheet", "source_row"])
    covered = pd.DataFrame({"rule_code": sorted(tr.COVERED_RULES)})
    covered["planted_count"] = covered["rule_code"].map(book.planted).fillna(0).astype(int)

    outputs = {
        "persons.csv": truth_persons,
        "records.csv": records,
        "findings.csv": findings,
        "decoys.csv": decoys,
        "rules_covered.csv": covered,
    }
    for name, frame in outputs.items():
        frame.to_csv(truth_dir / name, index=False, lineterminator="\n")
    return {name: len(frame) for name, frame in outputs.items()}


def _resolve_decoys(book, rows: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Turn decoy intents into file rows, dropping any a finding of the same rule points at."""
    persons = book.persons
    intents = pd.DataFrame(
        book.decoys, columns=["pidx", "where", "decoy_kind", "rule_code", "programme"]
    )
    by_person = rows[["file", "pidx"]].reset_index().rename(columns={"index": "row_key"})
    direct = (
        intents[intents["where"] != "pkh_family"]
        .assign(file=lambda d: d["where"].replace({"dtsen": tr.DTSEN_FILE}))
        .merge(by_person, on=["file", "pidx"])
    )
    family_rows = rows.loc[rows["file"] == tr.PKH_FILE, ["true_family"]].reset_index()
    family_rows = family_rows.rename(columns={"index": "row_key"})
    by_family = (
        intents[intents["where"] == "pkh_family"]
        .assign(true_family=lambda d: persons["family_idx"].to_numpy()[d["pidx"].to_numpy()])
        .merge(family_rows, on="true_family")
    )

    matched = pd.concat([direct, by_family], ignore_index=True)
    picked = rows.loc[matched["row_key"].to_numpy()]
    records = pd.DataFrame(
        {
            "decoy_kind": matched["decoy_kind"].to_numpy(),
            "rule_code": matched["rule_code"].to_numpy(),
            "programme": matched["programme"].to_numpy(),
            "person_uid": persons["person_uid"].to_numpy()[picked["pidx"].to_numpy()],
            "source_file": picked["file"].to_numpy(),
            "source_sheet": picked["sheet"].to_numpy(),
            "source_row": picked["source_row"].to_numpy().astype(int),
            "note": matched["decoy_kind"].map(DECOY_NOTES).to_numpy(),
        }
    )

    decoys = pd.DataFrame(
        records,
        columns=[
            "decoy_kind",
            "rule_code",
            "programme",
            "person_uid",
            "source_file",
            "source_sheet",
            "source_row",
            "note",
        ],
    )
    decoys = decoys.drop_duplicates(
        ["decoy_kind", "rule_code", "source_file", "source_sheet", "source_row"]
    )

    keys = set(
        zip(
            findings["rule_code"],
            findings["source_file"],
            findings["source_sheet"],
            findings["source_row"], strict=True,
        )
    )
    clash = np.array(
        [
            (r.rule_code, r.source_file, r.source_sheet, r.source_row) in keys
            for r in decoys.itertuples()
        ],
        dtype=bool,
    )
    if clash.any():
        logger.warning(
            "decoys dropped because a finding of the same rule points at them: %d", int(clash.sum())
        )
    return (
        decoys[~clash]
        .sort_values(["decoy_kind", "source_file", "source_row"])
        .reset_index(drop=True)
    )
