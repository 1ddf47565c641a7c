"""Fellegi-Sunter parameters without labels: u from random record pairs, m and the match
share by expectation maximisation over the candidate pairs' gamma patterns."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.er import sql_gen
from pipelines.er.comparing import compute_gammas
from pipelines.er.dependencies import rule_uses_comparison
from pipelines.er.specs import ComparisonSpec, ModelSpec
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

U_PAIRS = "__er_u_pairs"
U_GAMMAS = "__er_u_gammas"
PROBABILITY_FLOOR = 1e-6
PRIOR_START = 0.1
EM_SESSION_SHARE_START = 0.5
MIN_SESSION_PAIRS = 20
EM_SAMPLE = "__er_em_sample"
FORBIDDEN_SAMPLE = "__er_forbidden_sample"
FORBIDDEN_GAMMAS = "__er_forbidden_gammas"
# The EM sample keeps a pair when hash(rid_l, rid_r, seed) modulo this is below a cut-off.
EM_SAMPLE_BUCKETS = 1_000_000


@dataclass
class Parameters:
    """m and u per comparison and gamma value, the probability that two random records match,
    and how EM ended."""

    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    match_share: float
    em_iterations: int
    em_converged: bool

    def weights(self) -> dict[str, dict[int, float]]:
        """Return log2(m / u) per comparison and gamma value."""
        return {
            name: {
                gamma: float(np.log2(self.m[name][gamma] / self.u[name][gamma])) for gamma in levels
            }
            for name, levels in self.m.items()
        }


def sample_u_pairs(con: duckdb.DuckDBPyConnection, model: ModelSpec) -> int:
    """Draw random record pairs that no blocking rule produced into `__er_u_pairs`."""
    record_count = query_rows(con, f"select count(*) from {sql_gen.RECORDS}")[0][0]
    source_codes = None
    if model.link_type in ("link_only", "dedupe_only"):
        # Only these link types keep or orient a pair by its sources. Reading the sources of
        # 1.4 million records into Python took about 1 s.
        source_codes = _source_codes(con, model)
    rng = np.random.default_rng(model.seed)
    requested = model.u_sample_pairs
    # Twice the request, because the link type rejects some draws (same record, same source).
    left = rng.integers(0, record_count, size=2 * requested + 1000)
    right = rng.integers(0, record_count, size=2 * requested + 1000)
    keep = _keep_by_link_type(model.link_type, left, right, source_codes)
    left, right = left[keep][:requested], right[keep][:requested]
    swap = _needs_swap(model.link_type, left, right, source_codes)
    rid_l = np.where(swap, right, left) + 1
    rid_r = np.where(swap, left, right) + 1
    sample = pa.table({"rid_l": rid_l.astype(np.int32), "rid_r": rid_r.astype(np.int32)})
    # Pairs blocking found but the cluster constraints forbid are candidate pairs too.
    forbidden = (
        f"\n    anti join {sql_gen.FORBIDDEN} as f on f.rid_l = s.rid_l and f.rid_r = s.rid_r"
        if _table_exists(con, sql_gen.FORBIDDEN)
        else ""
    )
    con.register("__er_u_sample", sample)
    try:
        run_sql(
            con,
            f"""with
sample as (select distinct rid_l, rid_r from __er_u_sample),
unblocked as (
    select s.rid_l, s.rid_r, (-1)::smallint as match_key
    from sample as s
    anti join {sql_gen.PAIRS} as p on p.rid_l = s.rid_l and p.rid_r = s.rid_r{forbidden}
)
select * from unblocked""",
            U_PAIRS,
        )
    finally:
        con.unregister("__er_u_sample")
    return query_rows(con, f"select count(*) from {U_PAIRS}")[0][0]


def _source_codes(con: duckdb.DuckDBPyConnection, model: ModelSpec) -> np.ndarray:
    """Return an integer code of each record's source, in `__rid` order."""
    codes = query_rows(
        con,
        f"select dense_rank() over (order by coalesce({model.source_column}, '')) "
        f"from {sql_gen.RECORDS} order by __rid",
    )
    return np.array([code for (code,) in codes], dtype=np.int64)


def _keep_by_link_type(link_type: str, left, right, codes) -> np.ndarray:
    if link_type == "link_only":
        return codes[left] != codes[right]
    if link_type == "dedupe_only":
        return (codes[left] == codes[right]) & (left != right)
    return left != right


def _needs_swap(link_type: str, left, right, codes) -> np.ndarray:
    # Orient each pair like the blocking SQL does, so the anti-join finds blocked pairs.
    if link_type == "link_only":
        return codes[left] > codes[right]
    return left > right


def level_frequencies(
    con: duckdb.DuckDBPyConnection, model: ModelSpec, table: str
) -> dict[str, dict[int, float]]:
    """Return the share of each non-NULL gamma value per comparison in `table`."""
    shares: dict[str, dict[int, float]] = {}
    for comparison in model.comparisons:
        column = comparison.gamma_column
        rows = dict(
            query_rows(
                con, f"select {column}, count(*) from {table} where {column} >= 0 group by all"
            )
        )
        total = sum(rows.values())
        gammas = [gamma for gamma, _ in comparison.non_null_levels]
        counts = np.array([rows.get(gamma, 0) for gamma in gammas], dtype=float)
        probabilities = _floored(
            counts / total if total else np.full(len(gammas), 1.0 / len(gammas))
        )
        shares[comparison.name] = dict(zip(gammas, probabilities.tolist(), strict=True))
    return shares


def _floored(probabilities: np.ndarray) -> np.ndarray:
    clipped = np.maximum(probabilities, PROBABILITY_FLOOR)
    return clipped / clipped.sum()


def estimate_u(
    con: duckdb.DuckDBPyConnection, model: ModelSpec, encoded: dict
) -> dict[str, dict[int, float]]:
    """Estimate u from random unblocked pairs."""
    sampled = sample_u_pairs(con, model)
    logger.info("u estimation: %d random pairs", sampled)
    compute_gammas(con, model, U_PAIRS, U_GAMMAS, encoded)
    return level_frequencies(con, model, U_GAMMAS)


def _start_m(comparison: ComparisonSpec) -> dict[int, float]:
    levels = comparison.non_null_levels
    raw = np.array([lv.m_start if lv.m_start is not None else 2.0**gamma for gamma, lv in levels])
    raw = raw / raw.sum()
    return {gamma: float(p) for (gamma, _), p in zip(levels, raw, strict=True)}


def gamma_patterns(
    con: duckdb.DuckDBPyConnection,
    model: ModelSpec,
    where: str = "true",
    table: str = sql_gen.GAMMAS,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct gamma vectors of the pairs in `table` for which `where` (a predicate
    over the records `l` and `r`) holds, and how often each occurs.

    The vectors are sorted, because EM sums floats over them and a different order changes
    the last bits of m, and with them the match weights, from one run to the next."""
    columns = ", ".join(f"g.{c.gamma_column}" for c in model.comparisons)
    rows = query_rows(
        con,
        f"""select {columns}, count(*)
        from {table} as g
        inner join {sql_gen.RECORDS} as l on l.__rid = g.rid_l
        inner join {sql_gen.RECORDS} as r on r.__rid = g.rid_r
        where {where}
        group by all
        order by all""",
    )
    if not rows:
        return np.zeros((0, len(model.comparisons)), dtype=np.int64), np.zeros(0)
    table = np.array(rows, dtype=np.int64)
    return table[:, :-1], table[:, -1].astype(float)


@dataclass
class EmResult:
    """m of the comparisons EM was allowed to change, the match share, and how EM ended."""

    m: dict[str, dict[int, float]]
    match_share: float
    iterations: int
    converged: bool


def run_em(
    model: ModelSpec,
    patterns: np.ndarray,
    counts: np.ndarray,
    u: dict[str, dict[int, float]],
    active: list[bool],
    match_share_start: float = PRIOR_START,
) -> EmResult:
    """Estimate m of the active comparisons and the match share with u held fixed.

    An inactive comparison is left out of the likelihood: its m and u count as 1.
    """
    m = {
        c.name: _start_m(c)
        for c, is_active in zip(model.comparisons, active, strict=True)
        if is_active
    }
    share = match_share_start
    u_factor = _pattern_factor(model, patterns, u, active)
    converged = False
    iterations = 0
    while iterations < model.em_max_iterations:
        iterations += 1
        m_factor = _pattern_factor(model, patterns, m, active)
        numerator = share * m_factor
        posterior = numerator / (numerator + (1.0 - share) * u_factor)
        new_share = float((posterior * counts).sum() / counts.sum())
        new_m = _maximise_m(model, patterns, counts * posterior, active)
        change = max(abs(new_share - share), _max_change(m, new_m))
        m, share = new_m, new_share
        if change < model.em_tolerance:
            converged = True
            break
    return EmResult(m=m, match_share=share, iterations=iterations, converged=converged)


def _pattern_factor(
    model: ModelSpec, patterns: np.ndarray, probabilities: dict, active: list[bool]
) -> np.ndarray:
    factor = np.ones(len(patterns))
    for k, comparison in enumerate(model.comparisons):
        if not active[k]:
            continue
        lookup = probabilities[comparison.name]
        column = patterns[:, k]
        values = np.array([lookup.get(g, 1.0) for g in range(column.max(initial=0) + 1)])
        factor *= np.where(column >= 0, values[np.clip(column, 0, None)], 1.0)
    return factor


def _maximise_m(
    model: ModelSpec, patterns: np.ndarray, weights: np.ndarray, active: list[bool]
) -> dict:
    new_m: dict[str, dict[int, float]] = {}
    for k, comparison in enumerate(model.comparisons):
        if not active[k]:
            continue
        gammas = [gamma for gamma, _ in comparison.non_null_levels]
        sums = np.array([weights[patterns[:, k] == gamma].sum() for gamma in gammas])
        total = sums.sum()
        shares = sums / total if total > 0 else np.full(len(gammas), 1.0 / len(gammas))
        new_m[comparison.name] = dict(zip(gammas, _floored(shares).tolist(), strict=True))
    return new_m


def _max_change(old: dict, new: dict) -> float:
    return max(
        (abs(old[name][gamma] - new[name][gamma]) for name in old for gamma in old[name]),
        default=0.0,
    )


def estimate_m(
    con: duckdb.DuckDBPyConnection,
    model: ModelSpec,
    u: dict[str, dict[int, float]],
    record_columns: set[str],
    encoded: dict | None = None,
) -> tuple[dict[str, dict[int, float]], int, bool]:
    """Estimate m with one EM session per training blocking rule, as splink does.

    A session uses every sampled candidate pair for which the rule's predicate is true, also
    those an earlier rule found. It leaves out the comparisons that read the rule's columns,
    because those pairs agree on them by construction. m of a comparison is the mean over its
    sessions.
    Return m, the total EM iterations, and whether every session converged."""
    estimates: dict[str, list[dict[int, float]]] = {c.name: [] for c in model.comparisons}
    iterations, converged = 0, True
    sample = _em_sample(con, model, encoded)
    for rule in model.blocking_rules:
        if not rule.em_train:
            continue
        patterns, counts = gamma_patterns(con, model, sql_gen.rule_predicate_sql(rule), sample)
        active = [
            c.name not in rule.em_exclude
            and not rule_uses_comparison(model, rule, c, record_columns)
            for c in model.comparisons
        ]
        if counts.sum() < MIN_SESSION_PAIRS or not any(active):
            logger.info("EM session %s skipped: %d pairs", rule.name, int(counts.sum()))
            continue
        result = run_em(model, patterns, counts, u, active, EM_SESSION_SHARE_START)
        iterations += result.iterations
        converged = converged and result.converged
        logger.info(
            "EM session %s: %d pairs, %d iterations, match share %.4f, estimated %s",
            rule.name,
            int(counts.sum()),
            result.iterations,
            result.match_share,
            sorted(result.m),
        )
        for name, levels in result.m.items():
            estimates[name].append(levels)
    return _mean_m(model, estimates), iterations, converged


def _em_sample(
    con: duckdb.DuckDBPyConnection, model: ModelSpec, encoded: dict | None = None
) -> str:
    """Create `__er_em_sample`: about `em_sample_pairs` candidate pairs with their gammas, on
    which the EM sessions evaluate their rule predicates.

    A pair is drawn when a hash of its record keys and the seed falls under the sampling
    rate, so the same records and seed give the same sample whatever order the threads wrote
    the pairs in. When blocking kept the pairs a cluster constraint forbids apart
    (`block_within_constraints`), they are drawn at the same rate and compared here, so EM
    trains on the same mix of pairs as it would without the constraints.
    """
    scored = query_rows(con, f"select count(*) from {sql_gen.GAMMAS}")[0][0]
    forbidden = _row_count(con, sql_gen.FORBIDDEN)
    total = scored + forbidden
    if total <= model.em_sample_pairs and forbidden == 0:
        return sql_gen.GAMMAS
    drawn = _hash_sample_sql(model, min(1.0, model.em_sample_pairs / total))
    run_sql(con, f"select * from {sql_gen.GAMMAS} where {drawn}", EM_SAMPLE)
    if forbidden:
        if encoded is None:
            raise ValueError("encoded is missing: pass the encoded score columns to estimate_m")
        run_sql(con, f"select * from {sql_gen.FORBIDDEN} where {drawn}", FORBIDDEN_SAMPLE)
        compute_gammas(con, model, FORBIDDEN_SAMPLE, FORBIDDEN_GAMMAS, encoded)
        run_sql(con, f"insert into {EM_SAMPLE} by name select * from {FORBIDDEN_GAMMAS}")
        for table in (FORBIDDEN_SAMPLE, FORBIDDEN_GAMMAS):
            run_sql(con, f"drop table if exists {table}")
    logger.info(
        "EM sample: %d of %d candidate pairs (%d of them forbidden by constraints)",
        query_rows(con, f"select count(*) from {EM_SAMPLE}")[0][0],
        total,
        forbidden,
    )
    return EM_SAMPLE


def _hash_sample_sql(model: ModelSpec, rate: float) -> str:
    cutoff = round(rate * EM_SAMPLE_BUCKETS)
    return f"hash(rid_l, rid_r, {int(model.seed)}) % {EM_SAMPLE_BUCKETS} < {cutoff}"


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        query_rows(
            con,
            "select count(*) from information_schema.tables "
            "where table_name = ? and table_schema = current_schema()",
            [table],
        )[0][0]
    )


def _row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    if not _table_exists(con, table):
        return 0
    return query_rows(con, f"select count(*) from {table}")[0][0]


def _mean_m(
    model: ModelSpec, estimates: dict[str, list[dict[int, float]]]
) -> dict[str, dict[int, float]]:
    m: dict[str, dict[int, float]] = {}
    for comparison in model.comparisons:
        sessions = estimates[comparison.name]
        if not sessions:
            # Logged, not shown on the console: an analyst cannot act on it, and small runs
            # (one roster, few pairs per rule) meet it often.
            logger.info("no EM session estimated m of %s; using its start values", comparison.name)
            m[comparison.name] = _start_m(comparison)
            continue
        gammas = [gamma for gamma, _ in comparison.non_null_levels]
        mean = np.array([np.mean([s[g] for s in sessions]) for g in gammas])
        m[comparison.name] = dict(zip(gammas, _floored(mean / mean.sum()).tolist(), strict=True))
    return m


def estimate_match_share(
    model: ModelSpec,
    patterns: np.ndarray,
    counts: np.ndarray,
    m: dict[str, dict[int, float]],
    u: dict[str, dict[int, float]],
    comparable_pairs: int,
) -> float:
    """Return the probability that two random records match: the fixed point of
    share = (expected matches among candidate pairs) / comparable pairs, with m and u fixed.
    Pairs no blocking rule found count as non-matches."""
    if comparable_pairs == 0 or counts.size == 0:
        return PROBABILITY_FLOOR
    active = [True] * len(model.comparisons)
    bayes_factor = _pattern_factor(model, patterns, m, active) / _pattern_factor(
        model, patterns, u, active
    )
    # When blocking found every comparable pair (a handful of records), the share starts at 1.
    share = min(float(counts.sum()) / comparable_pairs, 1.0 - 1e-9)
    for _ in range(200):
        odds = share / (1.0 - share) * bayes_factor
        expected = float((counts * odds / (1.0 + odds)).sum())
        new_share = min(max(expected / comparable_pairs, 1e-15), 1.0 - 1e-9)
        if abs(new_share - share) <= 1e-6 * share:
            share = new_share
            break
        share = new_share
    logger.info(
        "match share of random record pairs: %.3e (%.1f expected matches)",
        share,
        share * comparable_pairs,
    )
    return share
