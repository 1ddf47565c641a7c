"""EM sanity: recover known m and match share from gamma vectors drawn from them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from helpers import comparison, indonesian_model

from pipelines.er import sql_gen
from pipelines.er.dependencies import rule_uses_comparison
from pipelines.er.estimation import (
    EM_SAMPLE,
    _em_sample,
    estimate_match_share,
    gamma_patterns,
    run_em,
)
from pipelines.er.specs import ComparisonSpec, LevelSpec, ModelSpec

TRUE_M = {"a": [0.05, 0.15, 0.80], "b": [0.10, 0.90], "c": [0.02, 0.18, 0.80]}
TRUE_U = {"a": [0.90, 0.08, 0.02], "b": [0.70, 0.30], "c": [0.95, 0.04, 0.01]}


def _comparison(name: str, levels: int) -> ComparisonSpec:
    middle = tuple(LevelSpec(label=f"{name}{g}", sql="true") for g in range(levels - 1, 0, -1))
    return ComparisonSpec(
        name=name,
        levels=(
            LevelSpec(label="null", sql="false", is_null_level=True),
            *middle,
            LevelSpec(label="else", is_else_level=True),
        ),
    )


def _model() -> ModelSpec:
    comparisons = tuple(_comparison(name, len(levels)) for name, levels in TRUE_M.items())
    return ModelSpec(
        name="em",
        unique_id_column="record_id",
        source_column="source_kind",
        link_type="dedupe_and_link",
        features=(),
        blocking_rules=(),
        comparisons=comparisons,
        em_max_iterations=500,
        em_tolerance=1e-8,
    )


def _draw(share: float, pairs: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    is_match = rng.random(pairs) < share
    columns = []
    for name in TRUE_M:
        m, u = np.array(TRUE_M[name]), np.array(TRUE_U[name])
        gammas = np.where(is_match, rng.choice(len(m), pairs, p=m), rng.choice(len(u), pairs, p=u))
        gammas[rng.random(pairs) < 0.05] = -1  # 5% NULL levels
        columns.append(gammas)
    patterns, counts = np.unique(np.stack(columns, axis=1), axis=0, return_counts=True)
    return patterns, counts.astype(float)


def _u() -> dict[str, dict[int, float]]:
    return {name: dict(enumerate(values)) for name, values in TRUE_U.items()}


def test_em_recovers_m_and_share():
    patterns, counts = _draw(share=0.3, pairs=40_000)
    result = run_em(_model(), patterns, counts, _u(), [True, True, True])
    assert result.converged
    assert result.match_share == pytest.approx(0.3, abs=0.02)
    for name, values in TRUE_M.items():
        for gamma, expected in enumerate(values):
            assert result.m[name][gamma] == pytest.approx(expected, abs=0.03), (name, gamma)


def test_em_leaves_inactive_comparison_out():
    patterns, counts = _draw(share=0.3, pairs=5_000)
    result = run_em(_model(), patterns, counts, _u(), [True, False, True])
    assert set(result.m) == {"a", "c"}


def test_em_from_a_low_start_share():
    patterns, counts = _draw(share=0.05, pairs=40_000, seed=11)
    result = run_em(_model(), patterns, counts, _u(), [True, True, True], match_share_start=0.5)
    assert result.match_share == pytest.approx(0.05, abs=0.01)


def test_match_share_counts_only_likely_matches():
    model = _model()
    # Two patterns: 100 pairs agreeing everywhere, 900 disagreeing everywhere.
    patterns = np.array([[2, 1, 2], [0, 0, 0]])
    counts = np.array([100.0, 900.0])
    m = {name: dict(enumerate(values)) for name, values in TRUE_M.items()}
    # Bayes factor of the agreeing pattern: 40 * 3 * 80 = 9600. The fixed point of
    # share = 100 / 10_000 * p(share) is 95 / 9600, close to 100 / 10_000.
    share = estimate_match_share(model, patterns, counts, m, _u(), comparable_pairs=10_000)
    assert share == pytest.approx(95 / 9600, rel=0.01)


def test_em_sessions_skip_comparisons_of_the_rule():
    model = indonesian_model()
    columns = {
        "nik",
        "name",
        "name_raw",
        "name_tokens",
        "name_key",
        "name_sorted",
        "name_first",
        "name_initials",
        "name_has_initial",
        "name_phonetic",
        "birth_date",
        "birth_year",
        "birth_ddmmyy",
        "birth_ymd",
        "desa_code",
        "nik_ddmmyy",
        "nik_sex",
        "nik_region_serial",
        "nik_deletion_keys",
        "sex",
        "no_kk",
        "rt",
        "rw",
        "kecamatan_code",
        "is_birth_date_default",
    }
    rules = {rule.name: rule for rule in model.blocking_rules}
    uses = rule_uses_comparison
    assert uses(model, rules["nik_exact"], comparison(model, "nik"), columns)
    assert not uses(model, rules["nik_exact"], comparison(model, "name"), columns)
    assert uses(model, rules["name_birth_year_desa"], comparison(model, "name"), columns)
    assert uses(model, rules["name_birth_year_desa"], comparison(model, "birth_date"), columns)
    assert uses(model, rules["name_birth_year_desa"], comparison(model, "household"), columns)
    assert not uses(model, rules["name_birth_year_desa"], comparison(model, "sex"), columns)
    assert uses(model, rules["no_kk_first_name"], comparison(model, "name"), columns)


# --- determinism of the EM inputs ---------------------------------------------------------


def _candidate_gammas(con, pairs: int, order: str = "i") -> None:
    """Write `pairs` candidate pairs with pseudo-random gammas, in row order `order`, and
    their records. A parallel CTAS writes the real table in an order that varies by run."""
    con.execute(
        f"create or replace table {sql_gen.GAMMAS} as "
        f"select (i // 7 + 1)::integer as rid_l, (i % 7000 + 1)::integer as rid_r, "
        f"(hash(i, 1) % 3)::smallint as gamma_a, (hash(i, 2) % 2)::smallint as gamma_b, "
        f"((hash(i, 3) % 4)::smallint - 1)::smallint as gamma_c "
        f"from range({pairs}) as t(i) order by {order}"
    )
    records = max(pairs // 7 + 1, 7000)
    con.execute(
        f"create or replace table {sql_gen.RECORDS} as "
        f"select (i + 1)::integer as __rid from range({records}) as t(i)"
    )


def _sampled_pairs(con, model: ModelSpec) -> list[tuple[int, int]]:
    table = _em_sample(con, model)
    rows = con.execute(f"select rid_l, rid_r from {table} order by all").fetchall()
    con.execute(f"drop table if exists {EM_SAMPLE}")
    return rows


def test_em_sample_ignores_row_order(con):
    model = replace(_model(), em_sample_pairs=20_000, seed=7)
    _candidate_gammas(con, 200_000)
    in_order = _sampled_pairs(con, model)

    _candidate_gammas(con, 200_000, order="hash(i, 99)")
    shuffled = _sampled_pairs(con, model)

    assert len(in_order) == pytest.approx(20_000, rel=0.05)
    assert shuffled == in_order


def test_em_sample_ignores_threads(con):
    model = replace(_model(), em_sample_pairs=100_000, seed=7)
    _candidate_gammas(con, 1_000_000)

    con.execute("set threads = 1")
    single = _sampled_pairs(con, model)
    con.execute("set threads = 4")
    parallel = _sampled_pairs(con, model)

    assert parallel == single


def test_em_sample_depends_on_seed(con):
    _candidate_gammas(con, 200_000)
    model = replace(_model(), em_sample_pairs=20_000)

    first = _sampled_pairs(con, replace(model, seed=1))
    second = _sampled_pairs(con, replace(model, seed=2))

    assert first != second
    assert len(second) == pytest.approx(20_000, rel=0.05)


def test_em_sample_whole_table_when_small(con):
    _candidate_gammas(con, 1_000)
    assert _em_sample(con, replace(_model(), em_sample_pairs=5_000)) == sql_gen.GAMMAS


def test_gamma_patterns_ignore_row_order(con):
    # Six comparisons give too many groups for DuckDB's perfect hash aggregate, which returns
    # groups sorted. The general hash aggregate returns them in input order.
    names = "abcdef"
    model = replace(_model(), comparisons=tuple(_comparison(name, 4) for name in names))
    gammas = ", ".join(
        f"((hash(i * {k + 3} + {k}) % 5)::smallint - 1)::smallint as gamma_{name}"
        for k, name in enumerate(names)
    )
    results = []
    for order in ("i", "hash(i, 99)"):
        con.execute(
            f"create or replace table {sql_gen.GAMMAS} as "
            f"select (i // 7 + 1)::integer as rid_l, (i % 7000 + 1)::integer as rid_r, {gammas} "
            f"from range(200000) as t(i) order by {order}"
        )
        con.execute(
            f"create or replace table {sql_gen.RECORDS} as "
            f"select (i + 1)::integer as __rid from range(28572) as t(i)"
        )
        results.append(gamma_patterns(con, model))

    (patterns, counts), (shuffled_patterns, shuffled_counts) = results
    assert shuffled_patterns.tolist() == patterns.tolist()
    assert shuffled_counts.tolist() == counts.tolist()
    assert counts.sum() == 200_000
