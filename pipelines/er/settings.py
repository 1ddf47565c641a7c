"""Read a linkage settings file (TOML) into a `ModelSpec`, checking it completely first.

Every problem found is collected and raised together in one `ConfigError`, so a user fixes a
settings file in one pass.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pipelines.er.features import FEATURE_FUNCTIONS
from pipelines.er.scorers import SCORERS
from pipelines.er.specs import (
    BlockingRuleSpec,
    ClusterConstraintSpec,
    ComparisonSpec,
    FeatureSpec,
    LevelSpec,
    ModelSpec,
    ScoreSpec,
)
from pipelines.errors import ConfigError

DEFAULT_SETTINGS_PATH = Path(__file__).resolve().parent / "settings" / "indonesia_person.toml"
LINK_TYPES = ("dedupe_and_link", "link_only", "dedupe_only")
CONSTRAINT_KINDS = ("exclusive", "dates_compatible")


def load_model(path: Path | None = None) -> ModelSpec:
    """Read and check the settings file at `path` (the Indonesian person model when None)."""
    settings_path = path or DEFAULT_SETTINGS_PATH
    try:
        raw = tomllib.loads(settings_path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(
            f"linkage settings file {settings_path} not found; pass an existing TOML file"
        ) from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"linkage settings file {settings_path} is not valid TOML: {e}") from e
    errors: list[str] = []
    model = _build_model(raw, errors)
    if errors:
        listed = "\n  - ".join(errors)
        raise ConfigError(
            f"linkage settings file {settings_path} has {len(errors)} problem(s):\n  - {listed}"
        )
    return model


def _build_model(raw: dict, errors: list[str]) -> ModelSpec:
    model_section = raw.get("model", {})
    link_type = model_section.get("link_type", "dedupe_and_link")
    keep = model_section.get("keep_pairs_min_probability", 0.0)
    if not isinstance(keep, (int, float)) or not 0.0 <= keep < 1.0:
        errors.append(f"[model] keep_pairs_min_probability is {keep!r}; use a number in [0, 1)")
    valid_nik_sql = model_section.get("valid_nik_sql")
    if valid_nik_sql is not None and not (isinstance(valid_nik_sql, str) and valid_nik_sql.strip()):
        errors.append(f"[model] valid_nik_sql is {valid_nik_sql!r}; use a SQL expression as text")
    if link_type not in LINK_TYPES:
        errors.append(f"[model] link_type is {link_type!r}; use one of {LINK_TYPES}")
    features = tuple(_feature(item, i, errors) for i, item in enumerate(raw.get("features", [])))
    rules = tuple(
        _blocking_rule(item, i, errors) for i, item in enumerate(raw.get("blocking_rules", []))
    )
    comparisons = tuple(
        _comparison(item, i, errors) for i, item in enumerate(raw.get("comparisons", []))
    )
    constraints = tuple(
        _constraint(item, i, errors) for i, item in enumerate(raw.get("cluster_constraints", []))
    )
    if not rules:
        errors.append("no [[blocking_rules]] given; add at least one")
    if not comparisons:
        errors.append("no [[comparisons]] given; add at least one")
    _check_unique([f.name for f in features], "feature", errors)
    _check_unique([r.name for r in rules], "blocking rule", errors)
    _check_unique([c.name for c in comparisons], "comparison", errors)
    known = {c.name for c in comparisons}
    exclusive = {c.column for c in constraints if c.kind == "exclusive"}
    blocks_within = bool(model_section.get("block_within_constraints", False))
    for rule in rules:
        if blocks_within and rule.array_column is not None and rule.em_train:
            errors.append(
                f"blocking rule {rule.name!r}: with block_within_constraints, a rule with "
                "'array_column' cannot train EM; set em_train = false"
            )
        if rule.key_join_exclusive is not None and (
            rule.array_column is None or rule.key_join_exclusive not in exclusive or rule.em_train
        ):
            # Such a rule never produces the pairs the constraint forbids, so the EM sample
            # could not contain them.
            errors.append(
                f"blocking rule {rule.name!r}: key_join_exclusive needs 'array_column', "
                "em_train = false and the column of an exclusive cluster constraint"
            )
        for name in rule.em_exclude:
            if name not in known:
                errors.append(
                    f"blocking rule {rule.name!r}: em_exclude names unknown comparison {name!r}"
                )
    return ModelSpec(
        name=model_section.get("name", "unnamed"),
        unique_id_column=model_section.get("unique_id_column", "record_id"),
        source_column=model_section.get("source_column", "source_kind"),
        link_type=link_type,
        features=features,
        blocking_rules=rules,
        comparisons=comparisons,
        cluster_constraints=constraints,
        review_columns=tuple(model_section.get("review_columns", [])),
        fingerprint_columns=tuple(model_section.get("fingerprint_columns", [])),
        u_sample_pairs=int(model_section.get("u_sample_pairs", 1_000_000)),
        seed=int(model_section.get("seed", 42)),
        em_max_iterations=int(model_section.get("em_max_iterations", 50)),
        em_tolerance=float(model_section.get("em_tolerance", 1e-5)),
        tf_minimum_u=float(model_section.get("tf_minimum_u", 1e-6)),
        em_sample_pairs=int(model_section.get("em_sample_pairs", 1_000_000)),
        keep_pairs_min_probability=float(model_section.get("keep_pairs_min_probability", 0.0)),
        block_within_constraints=blocks_within,
        valid_nik_sql=valid_nik_sql,
        extra={k: v for k, v in raw.items() if k not in _KNOWN_SECTIONS},
    )


_KNOWN_SECTIONS = {"model", "features", "blocking_rules", "comparisons", "cluster_constraints"}


def _check_unique(names: list[str], what: str, errors: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(f"{what} name {name!r} is used twice; give each a unique name")
        seen.add(name)


def _feature(item: dict, index: int, errors: list[str]) -> FeatureSpec:
    name = item.get("name", f"feature_{index}")
    function = item.get("function")
    sql = item.get("sql")
    if (function is None) == (sql is None):
        errors.append(f"feature {name!r}: give exactly one of 'function' or 'sql'")
    if function is not None and function not in FEATURE_FUNCTIONS:
        errors.append(
            f"feature {name!r}: unknown function {function!r}; "
            f"use one of {sorted(FEATURE_FUNCTIONS)}"
        )
    return FeatureSpec(
        name=name, function=function, columns=tuple(item.get("columns", [])), sql=sql
    )


def _blocking_rule(item: dict, index: int, errors: list[str]) -> BlockingRuleSpec:
    name = item.get("name", f"rule_{index}")
    if item.get("sql") is None and item.get("array_column") is None:
        errors.append(f"blocking rule {name!r}: give 'sql' or 'array_column'")
    return BlockingRuleSpec(
        name=name,
        sql=item.get("sql"),
        array_column=item.get("array_column"),
        condition=item.get("condition"),
        em_train=bool(item.get("em_train", True)),
        em_exclude=tuple(item.get("em_exclude", [])),
        key_join_exclusive=item.get("key_join_exclusive"),
    )


def _comparison(item: dict, index: int, errors: list[str]) -> ComparisonSpec:
    name = item.get("name", f"comparison_{index}")
    scores = tuple(_score(score, name, errors) for score in item.get("scores", []))
    levels = tuple(_level(level, name, errors) for level in item.get("levels", []))
    if len(levels) < 3:
        errors.append(
            f"comparison {name!r}: needs a null level, at least one level and an else level"
        )
        return ComparisonSpec(name=name, levels=levels, scores=scores)
    if not levels[0].is_null_level:
        errors.append(f"comparison {name!r}: the first level must be the null level (null = true)")
    if not levels[-1].is_else_level:
        errors.append(f"comparison {name!r}: the last level must be the else level (else = true)")
    for level in levels[1:-1]:
        if level.is_null_level or level.is_else_level:
            errors.append(
                f"comparison {name!r}: level {level.label!r} is null/else but not first/last"
            )
        if level.sql is None:
            errors.append(f"comparison {name!r}: level {level.label!r} has no 'sql' condition")
    return ComparisonSpec(name=name, levels=levels, scores=scores)


def _score(item: dict, comparison: str, errors: list[str]) -> ScoreSpec:
    scorer = item.get("scorer", "")
    if scorer not in SCORERS:
        errors.append(
            f"comparison {comparison!r}: unknown scorer {scorer!r}; use one of {sorted(SCORERS)}"
        )
    if "name" not in item or "column" not in item:
        errors.append(f"comparison {comparison!r}: every score needs 'name' and 'column'")
    return ScoreSpec(
        name=item.get("name", ""),
        scorer=scorer,
        column=item.get("column", ""),
        right_column=item.get("right_column"),
    )


def _level(item: dict, comparison: str, errors: list[str]) -> LevelSpec:
    label = item.get("label")
    if not label:
        errors.append(f"comparison {comparison!r}: every level needs a 'label'")
    return LevelSpec(
        label=label or "",
        sql=item.get("sql"),
        is_null_level=bool(item.get("null", False)),
        is_else_level=bool(item.get("else", False)),
        tf_column=item.get("tf_column"),
        m_start=item.get("m_start"),
    )


def _constraint(item: dict, index: int, errors: list[str]) -> ClusterConstraintSpec:
    kind = item.get("kind", "")
    if kind not in CONSTRAINT_KINDS:
        errors.append(
            f"cluster constraint {index}: kind is {kind!r}; use one of {CONSTRAINT_KINDS}"
        )
    if "column" not in item:
        errors.append(f"cluster constraint {index}: 'column' is missing")
    return ClusterConstraintSpec(
        kind=kind,
        column=item.get("column", ""),
        default_flag_column=item.get("default_flag_column"),
    )
