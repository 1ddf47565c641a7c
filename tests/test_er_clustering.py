"""Constrained clustering: no chaining across register NIKs, sexes, birth dates or reviews."""

from __future__ import annotations

import datetime as dt
import random
import zlib

import numpy as np
import pytest

from pipelines.er.clustering import (
    ConstrainedUnionFind,
    _date_values,
    cluster_pairs,
    dates_compatible,
    is_default_date,
)
from pipelines.er.specs import ClusterConstraintSpec

D = dt.date
CONSTRAINTS = (
    ClusterConstraintSpec(kind="exclusive", column="nik_register_key"),
    ClusterConstraintSpec(kind="exclusive", column="sex"),
    ClusterConstraintSpec(
        kind="dates_compatible", column="birth_date", default_flag_column="is_default"
    ),
)


def _columns(records: list[dict]) -> dict[str, list]:
    names = ("nik_register_key", "sex", "birth_date", "is_default")
    return {name: [record.get(name) for record in records] for name in names}


def _clusters(records: list[dict], pairs, cannot_link=(), hashes=None) -> list[set[int]]:
    result = cluster_pairs(
        len(records), pairs, CONSTRAINTS, _columns(records), cannot_link, hashes
    )
    groups: dict[int, set[int]] = {}
    for node, root in enumerate(result.roots):
        groups.setdefault(root, set()).add(node)
    return sorted(groups.values(), key=min)


def test_chain_never_joins_two_register_niks():
    records = [{"nik_register_key": "A"}, {}, {"nik_register_key": "B"}]
    # 0-1 is the strongest pair, then 1-2: the second merge would join NIK A and NIK B.
    assert _clusters(records, [(0, 1), (1, 2)]) == [{0, 1}, {2}]


def test_order_decides_which_side_wins():
    records = [{"nik_register_key": "A"}, {}, {"nik_register_key": "B"}]
    assert _clusters(records, [(1, 2), (0, 1)]) == [{0}, {1, 2}]


def test_same_register_nik_joins():
    records = [{"nik_register_key": "A"}, {}, {"nik_register_key": "A"}]
    assert _clusters(records, [(0, 1), (1, 2)]) == [{0, 1, 2}]


def test_long_chain_blocks_sex_conflict():
    records = [{"sex": "L"}, {}, {}, {"sex": "P"}]
    assert _clusters(records, [(0, 1), (1, 2), (2, 3)]) == [{0, 1, 2}, {3}]


def test_null_sex_joins_anything():
    records = [{"sex": "L"}, {"sex": None}, {"sex": "L"}]
    assert _clusters(records, [(0, 1), (1, 2)]) == [{0, 1, 2}]


def test_incompatible_birth_dates_through_a_dateless_record():
    records = [{"birth_date": D(1950, 3, 3)}, {}, {"birth_date": D(1962, 8, 20)}]
    assert _clusters(records, [(0, 1), (1, 2)]) == [{0, 1}, {2}]


def test_reviewed_non_match_blocks_an_indirect_path():
    records = [{}, {}, {}]
    assert _clusters(records, [(0, 1), (1, 2)], cannot_link=[(0, 2)]) == [{0, 1}, {2}]


def test_every_record_gets_one_root():
    records = [{}, {}, {}, {}]
    result = cluster_pairs(4, [(0, 1)], CONSTRAINTS, _columns(records))
    assert len(result.roots) == 4
    assert result.merges == 1
    assert result.rejected == 0


DATE_CASES = [
    {"description": "exact tie", "a": D(1985, 5, 7), "b": D(1985, 5, 7), "compatible": True},
    {
        "description": "default in same year",
        "a": D(1985, 7, 1),
        "b": D(1985, 3, 22),
        "compatible": True,
    },
    {
        "description": "default in another year",
        "a": D(1985, 7, 1),
        "b": D(1987, 3, 22),
        "compatible": False,
    },
    {
        "description": "day and month swapped",
        "a": D(1985, 5, 7),
        "b": D(1985, 7, 5),
        "compatible": True,
    },
    {
        "description": "same year and month",
        "a": D(1985, 5, 7),
        "b": D(1985, 5, 29),
        "compatible": True,
    },
    {
        "description": "one digit in the year",
        "a": D(1985, 5, 7),
        "b": D(1986, 5, 7),
        "compatible": True,
    },
    {
        "description": "two digits in the year",
        "a": D(1985, 5, 7),
        "b": D(1991, 5, 7),
        "compatible": False,
    },
    {
        "description": "other month and day",
        "a": D(1985, 5, 7),
        "b": D(1985, 9, 28),
        "compatible": False,
    },
]


@pytest.mark.parametrize("case", DATE_CASES, ids=[c["description"] for c in DATE_CASES])
def test_dates_compatible(case):
    a, b = case["a"], case["b"]
    assert dates_compatible(a, is_default_date(a), b, is_default_date(b)) is case["compatible"]
    assert dates_compatible(b, is_default_date(b), a, is_default_date(a)) is case["compatible"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(1950, 1, 1), True),
        (D(1950, 7, 1), True),
        (D(1950, 12, 31), True),
        (D(1950, 4, 15), True),
        (D(1950, 1, 2), False),
        (D(1950, 6, 30), False),
        (D(1950, 12, 30), False),
        (D(1950, 4, 14), False),
    ],
)
def test_default_dates(value, expected):
    assert is_default_date(value) is expected


def _reference_clusters(records: list[dict], pairs, cannot_link) -> list[set[int]]:
    # Every pair through the constrained union-find, without the whole-component shortcut.
    columns = _columns(records)
    dates = _date_values(columns, CONSTRAINTS[2])
    finder = ConstrainedUnionFind(
        len(records), [columns["nik_register_key"], columns["sex"]], [dates]
    )
    for a, b in cannot_link:
        finder.forbid(a, b)
    for a, b in pairs:
        finder.union(a, b)
    groups: dict[int, set[int]] = {}
    for node in range(len(records)):
        groups.setdefault(finder.find(node), set()).add(node)
    return sorted(groups.values(), key=min)


@pytest.mark.parametrize("seed", range(20))
def test_component_shortcut_matches_pair_by_pair(seed):
    rng = random.Random(seed)
    records = [
        {
            "nik_register_key": rng.choice([None, None, None, "A", "B"]),
            "sex": rng.choice([None, "L", "L", "P"]),
            "birth_date": rng.choice([None, D(1980, 5, 7), D(1980, 5, 7), D(1981, 5, 7)]),
        }
        for _ in range(40)
    ]
    pairs = [tuple(rng.sample(range(40), 2)) for _ in range(30)]
    cannot_link = [tuple(rng.sample(range(40), 2)) for _ in range(3)]
    assert _clusters(records, pairs, cannot_link) == _reference_clusters(
        records, pairs, cannot_link
    )


def _hashes(records: list[dict], column: str) -> np.ndarray:
    # What the engine passes: a 64-bit hash per value, any number where the value is NULL.
    values = [record.get(column) for record in records]
    return np.array([zlib.crc32(str(v).encode()) if v else 7 for v in values], dtype=np.uint64)


@pytest.mark.parametrize("seed", range(10))
def test_hashed_columns_same_clusters(seed):
    rng = random.Random(seed)
    records = [
        {
            "nik_register_key": rng.choice([None, None, "A", "B", "C"]),
            "sex": rng.choice([None, "L", "P"]),
        }
        for _ in range(40)
    ]
    pairs = [tuple(rng.sample(range(40), 2)) for _ in range(40)]
    hashes = {name: _hashes(records, name) for name in ("nik_register_key", "sex")}
    assert _clusters(records, pairs, hashes=hashes) == _reference_clusters(records, pairs, ())
