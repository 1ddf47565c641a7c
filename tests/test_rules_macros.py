"""Scalar macros shared by the rule models (sql/marts/rules/base/macros.sql)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.rules.registry import RULES_SQL_DIR


@pytest.fixture
def macros():
    con = duckdb.connect()
    con.execute((RULES_SQL_DIR / "base" / "macros.sql").read_text(encoding="utf-8"))
    return con


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("[4, 4, 1]", 4),
        ("[3, 5, 5, 3, 2]", 3),
        ("[5, 3]", 3),
        ("[null, 7]", 7),
        ("[null::integer]", None),
    ],
)
def test_mode_lowest_breaks_ties_low(macros, values, expected):
    assert macros.execute(f"select __rules_mode_lowest({values})").fetchone()[0] == expected


def test_mode_lowest_same_in_any_order(macros):
    orders = ["[3, 5]", "[5, 3]", "[5, 3, 5, 3]", "[3, 3, 5, 5]"]

    results = {macros.execute(f"select __rules_mode_lowest({o})").fetchone()[0] for o in orders}

    assert results == {3}
