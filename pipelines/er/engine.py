"""`link_persons`: probabilistic record linkage of `int_person_records` into persons."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.er import sql_gen
from pipelines.er.blocking import generate_pairs
from pipelines.er.clustering import cluster_pairs
from pipelines.er.comparing import compute_gammas, encode_score_columns, record_columns
from pipelines.er.estimation import (
    Parameters,
    estimate_m,
    estimate_match_share,
    estimate_u,
    gamma_patterns,
)
from pipelines.er.families import build_families
from pipelines.er.features import name_macros_sql
from pipelines.er.review import PENDING_WORKBOOK, load_review_decisions, write_review_workbook
from pipelines.er.settings import load_model
from pipelines.er.specs import ModelSpec
from pipelines.errors import ConfigError
from pipelines.progress import SUMMARY_WARNING
from pipelines.publish.masking import mask_nik
from pipelines.rulesconfig import linking_thresholds
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

INPUT_TABLE = "int_person_records"
SCORED = "__er_scored"


@dataclass(frozen=True)
class NikSplit:
    """A "different people" review decision on two records with the same valid NIK."""

    record_id_l: str
    record_id_r: str
    nik: str


@dataclass
class LinkSummary:
    """Counts and parameters of one linkage run."""

    records: int
    candidate_pairs: int
    pairs_per_rule: dict[str, int]
    reduction_ratio: float
    u_sample_pairs: int
    em_iterations: int
    em_converged: bool
    match_share: float
    decisions: dict[str, int]
    clusters: int
    cluster_size_distribution: dict[int, int]
    rejected_merges: int
    persons_with_family: int
    review_workbook: Path | None
    # Pairs listed in the review workbook: one per pair of record contents, at most
    # MAX_REVIEW_PAIRS.
    review_pairs: int = 0
    # Review decisions kept from earlier runs, and those that decided a pair of this run. A
    # decision on records that this run lacks waits for them.
    review_decisions_stored: int = 0
    review_decisions_applied: int = 0
    # Applied "different people" decisions on two records with the same valid NIK, one record
    # pair per decision.
    review_nik_splits: list[NikSplit] = field(default_factory=list)
    weights: dict[str, dict[int, float]] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    match: float
    possible: float


def read_thresholds(linking_config: dict) -> Thresholds:
    """Read `match_threshold` and `possible_threshold` (match probabilities) from the
    [linking] section of rules.toml. load_rules_config checks them before any file is read."""
    match, possible = linking_thresholds(linking_config)
    return Thresholds(match=match, possible=possible)


def link_persons(
    con: duckdb.DuckDBPyConnection,
    settings_path: Path | None,
    linking_config: dict,
    review_state_dir: Path | None,
) -> LinkSummary:
    """Link the records of `int_person_records` and write link_pairs, int_person_links,
    int_families and int_family_kk_aliases.

    Args:
        con: DuckDB connection holding int_person_records (and stg_register for families).
        settings_path: linkage settings TOML; None uses the Indonesian person model.
        linking_config: the [linking] section of rules.toml (match and possible thresholds).
        review_state_dir: folder with review_decisions.parquet from earlier runs; the pending
            clerical-review workbook is written there. None skips both.
    """
    model = load_model(settings_path)
    thresholds = read_thresholds(linking_config)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    records = prepare_records(con, model)
    blocking = generate_pairs(con, model)
    seconds["blocking"] = _lap(clock)

    parameters = estimate_parameters(con, model, blocking.comparable_pairs)
    seconds["estimation"] = _lap(clock) - seconds["blocking"]

    stored_decisions = load_review_decisions(con, review_state_dir)
    decisions = score_pairs(con, model, parameters, thresholds)
    applied_decisions = _applied_decisions(con)
    workbook = None
    review_pairs = 0
    if review_state_dir is not None:
        workbook = review_state_dir / PENDING_WORKBOOK
        review_pairs = write_review_workbook(con, model, workbook, SCORED)
    seconds["scoring"] = _lap(clock) - sum(seconds.values())

    clustering = cluster_records(con, model)
    nik_splits = find_nik_splits(con, model)
    _warn_nik_splits(nik_splits)
    persons_with_family = build_families(con)
    seconds["clustering"] = _lap(clock) - sum(seconds.values())
    drop_scratch_tables(con)

    _, sizes = np.unique(clustering.roots[1:], return_counts=True)
    size_values, size_counts = np.unique(sizes, return_counts=True)
    distribution = dict(zip(size_values.tolist(), size_counts.tolist(), strict=True))
    logger.info("cluster sizes (size: clusters): %s", distribution)
    return LinkSummary(
        records=records,
        candidate_pairs=blocking.candidate_pairs,
        pairs_per_rule=blocking.pairs_per_rule,
        reduction_ratio=blocking.reduction_ratio,
        u_sample_pairs=model.u_sample_pairs,
        em_iterations=parameters.em_iterations,
        em_converged=parameters.em_converged,
        match_share=parameters.match_share,
        decisions=decisions,
        clusters=len(sizes),
        cluster_size_distribution=distribution,
        rejected_merges=clustering.rejected,
        persons_with_family=persons_with_family,
        review_workbook=workbook,
        review_pairs=review_pairs,
        review_decisions_stored=stored_decisions,
        review_decisions_applied=applied_decisions,
        review_nik_splits=nik_splits,
        weights=parameters.weights(),
        stage_seconds=seconds,
    )


def _lap(start: float) -> float:
    return time.perf_counter() - start


def prepare_records(con: duckdb.DuckDBPyConnection, model: ModelSpec) -> int:
    """Create the name macros and `__er_records` (input records with their features)."""
    for statement in name_macros_sql():
        run_sql(con, statement)
    run_sql(con, sql_gen.records_sql(model, INPUT_TABLE), sql_gen.RECORDS)
    uid = model.unique_id_column
    total, distinct = query_rows(
        con, f"select count(*), count(distinct {uid}) from {sql_gen.RECORDS}"
    )[0]
    if total != distinct:
        raise ConfigError(
            f"{INPUT_TABLE}.{uid} is not unique ({total} rows, {distinct} distinct values)"
        )
    return total


def estimate_parameters(
    con: duckdb.DuckDBPyConnection, model: ModelSpec, comparable_pairs: int
) -> Parameters:
    """Estimate u on random pairs, compare the candidate pairs, then estimate m by EM and the
    probability that two random records match."""
    encoded = encode_score_columns(con, model)
    u = estimate_u(con, model, encoded)
    compute_gammas(con, model, sql_gen.PAIRS, sql_gen.GAMMAS, encoded)
    m, iterations, converged = estimate_m(con, model, u, record_columns(con), encoded)
    patterns, counts = gamma_patterns(con, model)
    share = estimate_match_share(model, patterns, counts, m, u, comparable_pairs)
    return Parameters(m=m, u=u, match_share=share, em_iterations=iterations, em_converged=converged)


def score_pairs(
    con: duckdb.DuckDBPyConnection, model: ModelSpec, parameters: Parameters, thresholds: Thresholds
) -> dict[str, int]:
    """Write `link_pairs` with weights, explanations and decisions; return decision counts.

    `link_pairs` is a view over the table `link_pair_weights`, which stores the weight of each
    comparison instead of the explanation JSON. Building that JSON for the million pairs of a
    batang run took about 2 s, and only the review workbook reads it, for the few pairs to
    review.
    """
    prior = sql_gen.prior_weight(parameters.match_share)
    run_sql(
        con,
        sql_gen.scored_pairs_sql(
            model, parameters.weights(), parameters.u, prior, _decision_sql(thresholds)
        ),
        SCORED,
    )
    gammas = ", ".join(c.gamma_column for c in model.comparisons)
    weights = ", ".join(sql_gen.weight_column(c) for c in model.comparisons)
    run_sql(
        con,
        f"""select record_id_l, record_id_r, match_key, match_weight, match_probability,
            {gammas}, {weights}, decision
        from {SCORED}""",
        "link_pair_weights",
    )
    run_sql(
        con,
        f"""create or replace view link_pairs as
        select record_id_l, record_id_r, match_key, match_weight, match_probability, {gammas},
            {sql_gen.explanation_sql(model, prior)} as explanation, decision
        from link_pair_weights""",
    )
    counts = dict(query_rows(con, f"select decision, count(*) from {SCORED} group by all"))
    logger.info("pair decisions: %s", counts)
    return counts


def _applied_decisions(con: duckdb.DuckDBPyConnection) -> int:
    """Return how many stored review decisions decided a scored pair of this run."""
    return query_rows(
        con,
        f"""select count(distinct (least(fingerprint_l, fingerprint_r),
                                   greatest(fingerprint_l, fingerprint_r)))
        from {SCORED}
        where decision in ('reviewed_match', 'reviewed_non_match')""",
    )[0][0]


def _decision_sql(thresholds: Thresholds) -> str:
    return f"""case
            when d.reviewed = 'match' then 'reviewed_match'
            when d.reviewed = 'non_match' then 'reviewed_non_match'
            when k.match_probability >= {thresholds.match!r} then 'match'
            when k.match_probability >= {thresholds.possible!r} then 'possible'
            else 'non_match'
        end"""


def cluster_records(con: duckdb.DuckDBPyConnection, model: ModelSpec):
    """Cluster matched pairs under the model's constraints and write `int_person_links`."""
    records, hashes = _record_columns(con, model)
    merges = con.sql(
        f"""select rid_l, rid_r from {SCORED}
        where decision in ('match', 'reviewed_match')
        order by decision = 'reviewed_match' desc, match_probability desc, rid_l, rid_r"""
    ).fetchnumpy()
    cannot_link = query_rows(
        con, f"select rid_l, rid_r from {SCORED} where decision = 'reviewed_non_match'"
    )
    result = cluster_pairs(
        records.num_rows,
        np.column_stack((merges["rid_l"], merges["rid_r"])),
        model.cluster_constraints,
        {name: records.column(name) for name in records.column_names[1:]},
        cannot_link,
        hashes,
    )
    con.register("__er_persons", _person_table(records.column(0), result.roots))
    try:
        run_sql(con, PERSON_LINKS_SQL, "int_person_links")
    finally:
        con.unregister("__er_persons")
    _warn_unapplied_matches(con, records.column(0), result.roots)
    return result


# Record id pairs named in the warning about "same person" decisions that were not applied.
MAX_UNAPPLIED_LISTED = 10


def _warn_unapplied_matches(
    con: duckdb.DuckDBPyConnection, record_ids: pa.Array, roots: np.ndarray
) -> None:
    """Warn about "same person" review decisions whose two records ended up apart.

    Clustering keeps records apart when a "different people" decision or a constraint (two
    register NIKs, two sexes, incompatible birth dates) forbids the merge, so two decisions of a
    clerk can contradict each other without anything failing.
    """
    rows = query_rows(
        con, f"select rid_l, rid_r from {SCORED} where decision = 'reviewed_match' order by all"
    )
    apart = [(a, b) for a, b in rows if roots[a] != roots[b]]
    if not apart:
        return
    listed = "; ".join(
        f"{record_ids[a].as_py()} / {record_ids[b].as_py()}"
        for a, b in apart[:MAX_UNAPPLIED_LISTED]
    )
    logger.warning(
        "\"same person\" review decisions not applied: %d, because another decision or a rule "
        "of the linker (two NIKs of the register, two sexes, birth dates that cannot be one "
        "person's) keeps the records apart (%s). Check these pairs and their other decisions in "
        "the review workbook.",
        len(apart),
        listed + ("; ..." if len(apart) > MAX_UNAPPLIED_LISTED else ""),
    )


def find_nik_splits(con: duckdb.DuckDBPyConnection, model: ModelSpec) -> list[NikSplit]:
    """Return the applied "different people" decisions whose two records have the same valid
    NIK, in record id order. A decision is stored per pair of record fingerprints, so one
    record pair represents it. Returns an empty list when the model sets no `valid_nik_sql`.
    """
    if model.valid_nik_sql is None:
        return []
    uid = model.unique_id_column
    rows = query_rows(
        con,
        f"""with decided as (
            select rid_l, rid_r, fingerprint_l, fingerprint_r
            from {SCORED}
            where decision = 'reviewed_non_match'
        ),
        niks as (
            select __rid, {uid} as record_id, ({model.valid_nik_sql}) as nik
            from {sql_gen.RECORDS}
            where __rid in (select rid_l from decided union select rid_r from decided)
        )
        select
            least(d.fingerprint_l, d.fingerprint_r) as fingerprint_a,
            greatest(d.fingerprint_l, d.fingerprint_r) as fingerprint_b,
            l.record_id, r.record_id, l.nik
        from decided as d
        inner join niks as l on l.__rid = d.rid_l
        inner join niks as r on r.__rid = d.rid_r
        where l.nik = r.nik
        order by l.record_id, r.record_id""",
    )
    splits: dict[tuple[str, str], NikSplit] = {}
    for fingerprint_a, fingerprint_b, record_id_l, record_id_r, nik in rows:
        splits.setdefault((fingerprint_a, fingerprint_b), NikSplit(record_id_l, record_id_r, nik))
    return list(splits.values())


# Record id pairs named in the warning about "different people" decisions on one NIK.
MAX_NIK_SPLITS_LISTED = 10


def _warn_nik_splits(splits: list[NikSplit]) -> None:
    """Warn about "different people" decisions that keep apart two records with one NIK.

    The warning masks the NIK, because log files leave the desk. Its record carries
    SUMMARY_WARNING, so the CLI repeats it in the run summary.
    """
    if not splits:
        return
    listed = "; ".join(
        f"{split.record_id_l} / {split.record_id_r}, NIK {mask_nik(split.nik)}"
        for split in splits[:MAX_NIK_SPLITS_LISTED]
    )
    logger.warning(
        "\"different people\" review decisions that split records with one NIK: %d (%s). "
        "Either the decision is wrong or two people use the NIK. Check the decision in the "
        "review workbook, or check the NIK at Dukcapil.",
        len(splits),
        listed + ("; ..." if len(splits) > MAX_NIK_SPLITS_LISTED else ""),
        extra={SUMMARY_WARNING: True},
    )


def _record_columns(
    con: duckdb.DuckDBPyConnection, model: ModelSpec
) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """Read the record id and each constraint column in one scan, indexed by `__rid`.

    Row 0 is all NULL, so that row i is the record whose `__rid` is i. Each exclusive column
    also comes as DuckDB's 64-bit hash of its values, with a 0 for row 0.
    """
    names = [model.unique_id_column]
    for constraint in model.cluster_constraints:
        for column in (constraint.column, constraint.default_flag_column):
            if column and column not in names:
                names.append(column)
    exclusive = [c.column for c in model.cluster_constraints if c.kind == "exclusive"]
    hash_items = [f"hash({name}) as __hash_{name}" for name in exclusive]
    table = con.sql(
        f"select {', '.join(names + hash_items)} from {sql_gen.RECORDS} order by __rid"
    ).to_arrow_table()

    columns = []
    for name in names:
        column = table.column(name).combine_chunks()
        columns.append(pa.concat_arrays([pa.nulls(1, column.type), column]))
    hashes = {
        name: np.concatenate(([0], table.column(f"__hash_{name}").to_numpy())).astype(np.uint64)
        for name in exclusive
    }
    return pa.table(columns, names=names), hashes


def _person_table(record_ids: pa.ChunkedArray, roots: np.ndarray) -> pa.Table:
    """Give every record (rows 1.. of `record_ids`) the smallest record id of its cluster and
    the cluster's size. Record ids are in `__rid` order, so the smallest `__rid` of a cluster
    is also its smallest record id."""
    positions = np.arange(len(roots))
    smallest = np.full(len(roots), len(roots), dtype=np.int64)
    np.minimum.at(smallest, roots[1:], positions[1:])
    sizes = np.bincount(roots[1:], minlength=len(roots))
    return pa.table(
        {
            "record_id": record_ids[1:],
            "first_record_id": record_ids.take(pa.array(smallest[roots[1:]])),
            "cluster_size": sizes[roots[1:]],
        }
    )


# A person's id is derived from the smallest record id in its cluster, so it stays the same
# across runs as long as that record is linked the same way.
PERSON_LINKS_SQL = """select
    record_id,
    'P' || substr(md5(first_record_id), 1, 16) as person_id,
    cluster_size
from __er_persons"""


def drop_scratch_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every `__er_` table this run created."""
    rows = query_rows(
        con,
        "select table_name from information_schema.tables "
        "where table_name like '\\_\\_er\\_%' escape '\\'",
    )
    for (name,) in rows:
        run_sql(con, f"drop table if exists {name}")
