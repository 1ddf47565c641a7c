"""Audit rules and marts: findings per rule, then the tables users read."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# The module of each name of __all__. They load on first use: the desk imports the rule registry
# of this package and must not pay for pyarrow and the rule runner.
_MODULES = {
    "RulesSummary": "pipelines.rules.apply",
    "apply_rules": "pipelines.rules.apply",
    "build_marts": "pipelines.rules.marts",
}

__all__ = ["RulesSummary", "apply_rules", "build_marts"]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(import_module(_MODULES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
