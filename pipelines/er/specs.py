"""Dialect-free specifications of a linkage model: features, blocking rules, comparisons.

A model reads one input table of person records. Features are derived columns computed once per
record. Blocking rules are ordered SQL predicates over the aliases `l` and `r`. A comparison
contains ordered levels: the NULL level first, the else level last, each with a label. Scores
are pair columns that a rapidfuzz scorer fills before the levels are evaluated, so a level
condition may refer to `<column>_l`, `<column>_r` and any score name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FeatureSpec:
    """A derived record column: `function` from the feature registry applied to `columns`,
    or a raw DuckDB expression `sql` over the input columns."""

    name: str
    function: str | None = None
    columns: tuple[str, ...] = ()
    sql: str | None = None


@dataclass(frozen=True)
class BlockingRuleSpec:
    """An equi-join or predicate over `l` and `r` that generates candidate pairs.

    `array_column` names a list feature: the two records form a pair when the lists share an
    element (for example NIK deletion keys). `condition` is an extra predicate on the pair.
    `em_train` sets whether an EM session runs on the rule's pairs. `em_exclude` names
    comparisons that session must not estimate besides those reading the rule's columns,
    for example birth date under a NIK rule, because the NIK embeds the birth date.
    `key_join_exclusive` (array rules only) names the column of an `exclusive` cluster
    constraint. The rule then pairs only records of which at least one has no value in that
    column: two different values can never share a cluster, and an earlier rule should find
    the pairs with equal values.
    """

    name: str
    sql: str | None = None
    array_column: str | None = None
    condition: str | None = None
    em_train: bool = True
    em_exclude: tuple[str, ...] = ()
    key_join_exclusive: str | None = None


@dataclass(frozen=True)
class ScoreSpec:
    """A pair column filled by `scorer` from the registry on `column_l` and `column_r`.

    With `right_column` set, the scorer compares `column` of the left record with
    `right_column` of the right record, for example the given name against the surname to
    catch swapped name fields with typos.
    """

    name: str
    scorer: str
    column: str
    right_column: str | None = None

    @property
    def columns(self) -> tuple[str, str]:
        """The column read on the left record and the one read on the right record."""
        return self.column, self.right_column or self.column


@dataclass(frozen=True)
class LevelSpec:
    """One comparison level. `sql` is the condition; the else level has none."""

    label: str
    sql: str | None = None
    is_null_level: bool = False
    is_else_level: bool = False
    tf_column: str | None = None
    m_start: float | None = None


@dataclass(frozen=True)
class ComparisonSpec:
    """An ordered list of levels. The gamma value of a level is its position counted from
    the else level: else = 0, then 1, 2, ... upwards; the NULL level is -1."""

    name: str
    levels: tuple[LevelSpec, ...]
    scores: tuple[ScoreSpec, ...] = ()

    @property
    def gamma_column(self) -> str:
        return f"gamma_{self.name}"

    def gamma_of(self, position: int) -> int:
        """Return the gamma value of the level at `position` in `levels`."""
        level = self.levels[position]
        if level.is_null_level:
            return -1
        return len(self.levels) - 1 - position

    @property
    def non_null_levels(self) -> list[tuple[int, LevelSpec]]:
        return [(self.gamma_of(i), lv) for i, lv in enumerate(self.levels) if not lv.is_null_level]


@dataclass(frozen=True)
class ClusterConstraintSpec:
    """A rule a cluster must keep whatever path joins it.

    kind `exclusive`: the cluster contains at most one distinct non-NULL value of `column`.
    kind `dates_compatible`: every two non-NULL dates of `column` are compatible (equal, a
    default date in the same year, or day and month swapped).
    """

    kind: str
    column: str
    default_flag_column: str | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A whole linkage model as read from a settings file.

    With `block_within_constraints`, blocking drops the pairs a cluster constraint forbids
    (two values of an exclusive column, incompatible birth dates): clustering could never
    join them, and scoring them is most of the work in a regency-size run.

    `valid_nik_sql` is a DuckDB expression over a record's columns that gives its NIK when the
    NIK is valid and NULL otherwise. With it, the linker warns about "different people" review
    decisions on two records with the same valid NIK.
    """

    name: str
    unique_id_column: str
    source_column: str
    link_type: str
    features: tuple[FeatureSpec, ...]
    blocking_rules: tuple[BlockingRuleSpec, ...]
    comparisons: tuple[ComparisonSpec, ...]
    cluster_constraints: tuple[ClusterConstraintSpec, ...] = ()
    review_columns: tuple[str, ...] = ()
    fingerprint_columns: tuple[str, ...] = ()
    u_sample_pairs: int = 1_000_000
    seed: int = 42
    em_max_iterations: int = 50
    em_tolerance: float = 1e-5
    tf_minimum_u: float = 1e-6
    em_sample_pairs: int = 1_000_000
    keep_pairs_min_probability: float = 0.0
    block_within_constraints: bool = False
    valid_nik_sql: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def scores(self) -> list[ScoreSpec]:
        return [score for comparison in self.comparisons for score in comparison.scores]
