"""Audit rules and marts: findings per rule, then the tables users read."""

from pipelines.rules.apply import RulesSummary, apply_rules
from pipelines.rules.marts import build_marts

__all__ = ["RulesSummary", "apply_rules", "build_marts"]
