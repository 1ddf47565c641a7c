"""Which record columns a blocking rule or a comparison reads, through feature definitions."""

from __future__ import annotations

import re

from pipelines.er.specs import BlockingRuleSpec, ComparisonSpec, ModelSpec

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SIDE_COLUMN = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)_(?:l|r)\b")
_ALIASED_COLUMN = re.compile(r"\b[lr]\.([A-Za-z_][A-Za-z0-9_]*)")


def _feature_inputs(model: ModelSpec) -> dict[str, set[str]]:
    inputs: dict[str, set[str]] = {}
    for feature in model.features:
        text = " ".join([*feature.columns, feature.sql or ""])
        inputs[feature.name] = set(_WORD.findall(text))
    return inputs


def closure(model: ModelSpec, names: set[str], record_columns: set[str]) -> set[str]:
    """Return `names` plus every column the named features are computed from."""
    inputs = _feature_inputs(model)
    found: set[str] = set()
    pending = [name for name in names if name in record_columns]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        pending.extend(
            word for word in inputs.get(name, ()) if word in record_columns and word not in found
        )
    return found


def rule_columns(model: ModelSpec, rule: BlockingRuleSpec, record_columns: set[str]) -> set[str]:
    names = set(_ALIASED_COLUMN.findall(" ".join(filter(None, [rule.sql, rule.condition]))))
    if rule.array_column:
        names.add(rule.array_column)
    return closure(model, names, record_columns)


def comparison_columns(
    model: ModelSpec, comparison: ComparisonSpec, record_columns: set[str]
) -> set[str]:
    names = {score.column for score in comparison.scores}
    for level in comparison.levels:
        names |= set(_SIDE_COLUMN.findall(level.sql or ""))
    return closure(model, names, record_columns)


def rule_uses_comparison(
    model: ModelSpec, rule: BlockingRuleSpec, comparison: ComparisonSpec, record_columns: set[str]
) -> bool:
    """Return True when the rule and the comparison read a common column."""
    shared = rule_columns(model, rule, record_columns) & comparison_columns(
        model, comparison, record_columns
    )
    return bool(shared)
