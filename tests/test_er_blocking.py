"""Blocking rules: which pairs each rule finds, exclusion of earlier rules, counts."""

from __future__ import annotations

import duckdb
import pytest
from helpers import indonesian_model, make_people, write_settings

from pipelines.er.blocking import generate_pairs
from pipelines.er.engine import prepare_records
from pipelines.er.settings import load_model


def pairs_by_rule(rows: list[dict], model=None) -> tuple[dict[tuple[str, str], str], object]:
    con = duckdb.connect()
    make_people(con, rows)
    model = model or indonesian_model()
    prepare_records(con, model)
    result = generate_pairs(con, model)
    found = con.execute(
        """select l.record_id, r.record_id, p.match_key from __er_pairs p
        join __er_records l on l.__rid = p.rid_l join __er_records r on r.__rid = p.rid_r"""
    ).fetchall()
    names = [rule.name for rule in model.blocking_rules]
    return {(a, b): names[key] for a, b, key in found}, result


BASE = {
    "name": "SITI AMINAH",
    "birth_date": "1985-05-07",
    "sex": "P",
    "desa_code": "3325012001",
    "no_kk": "3325010101100001",
}

CASES = [
    {
        "description": "same NIK",
        "l": {"nik": "3325014705850001"},
        "r": {"nik": "3325014705850001"},
        "rule": "nik_exact",
    },
    {
        "description": "NIK one substitution",
        "l": {"nik": "3325014705850001"},
        "r": {"nik": "3325014705850009"},
        "rule": "nik_one_edit",
    },
    {
        "description": "NIK adjacent transposition",
        "l": {"nik": "3325014705850001"},
        "r": {"nik": "3325014750850001"},
        "rule": "nik_one_edit",
    },
    {
        "description": "NIK first digit substituted",
        "l": {"nik": "3325014705850001"},
        "r": {"nik": "4325014705850001"},
        "rule": "nik_one_edit",
    },
    {
        "description": "NIK two substitutions",
        "l": {"nik": "3325014705850001", "name": "A"},
        "r": {"nik": "3325014705859901", "name": "B"},
        "rule": None,
    },
    {
        "description": "same name key, year and desa",
        "l": {"name": "M. FAIZIN", "birth_date": "1985-05-07"},
        "r": {"name": "MUHAMMAD FAIZIN", "birth_date": "1985-05-19"},
        "rule": "name_birth_year_desa",
    },
    {
        "description": "same name and date, other desa",
        "l": {"desa_code": "3325012001"},
        "r": {"desa_code": "3325022001"},
        "rule": "name_birth_date",
    },
    {
        "description": "phonetic name in one desa",
        "l": {"name": "ROKHAYAH", "birth_date": "1950-07-01"},
        "r": {"name": "ROKHYAH", "birth_date": None},
        "rule": "phonetic_desa",
    },
    {
        "description": "same KK and first word",
        "l": {"name": "SITI AMINAH", "birth_date": None},
        "r": {"name": "SITI ROMLAH", "birth_date": None},
        "rule": "no_kk_first_name",
    },
    {
        "description": "same date, desa, initial",
        "l": {"name": "SITI AMINAH", "no_kk": None},
        "r": {"name": "SRI ASIH", "no_kk": None},
        "rule": "birth_date_desa_initial",
    },
    {
        "description": "nothing shared",
        "l": {"name": "SITI AMINAH", "no_kk": None},
        "r": {"name": "KASMURI", "no_kk": None, "birth_date": "1950-07-01"},
        "rule": None,
    },
    {
        "description": "same name in one desa, birth dates of two people",
        "l": {"name": "ROKHAYAH", "birth_date": "1950-07-01"},
        "r": {"name": "ROKHAYAH", "birth_date": "1960-01-01"},
        "rule": None,
    },
    {
        "description": "same name and date, other sex",
        "l": {"sex": "P"},
        "r": {"sex": "L"},
        "rule": None,
    },
    {
        "description": "same name and date, one sex missing",
        "l": {"sex": "P"},
        "r": {"sex": None},
        "rule": "name_birth_year_desa",
    },
    {
        "description": "same year, one birth date a default",
        "l": {"name": "KASMURI", "birth_date": "1950-07-01", "is_birth_date_default": True},
        "r": {"name": "KASMURI", "birth_date": "1950-03-12"},
        "rule": "name_birth_year_desa",
    },
    {
        "description": "same year, other month, no default date",
        "l": {"name": "KASMURI", "birth_date": "1950-07-01"},
        "r": {"name": "KASMURI", "birth_date": "1950-03-12"},
        "rule": None,
    },
    {
        "description": "NIK one edit from a register NIK",
        "l": {"nik": "3325014705850001", "source_kind": "register"},
        "r": {"nik": "3325014705850009", "source_kind": "pkh"},
        "rule": "nik_one_edit",
    },
    {
        "description": "two register NIKs one edit apart",
        "l": {"nik": "3325014705850001", "source_kind": "register", "name": "SITI A"},
        "r": {"nik": "3325014705850009", "source_kind": "register", "name": "SITI B"},
        "rule": None,
    },
    {
        "description": "birth years one digit apart",
        "l": {"name": "KASMURI", "birth_date": "1950-03-12"},
        "r": {"name": "KASMURI", "birth_date": "1959-03-12"},
        "rule": "phonetic_desa",
    },
    {
        "description": "all keys NULL",
        "l": {"name": None, "birth_date": None, "desa_code": None, "no_kk": None},
        "r": {"name": None, "birth_date": None, "desa_code": None, "no_kk": None},
        "rule": None,
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["description"] for c in CASES])
def test_blocking_rule_finds_pair(case):
    found, _ = pairs_by_rule([{**BASE, **case["l"]}, {**BASE, **case["r"]}])
    assert found.get(("r1", "r2")) == case["rule"]


def test_earlier_rule_excludes_pair_from_later_rules():
    found, result = pairs_by_rule(
        [{**BASE, "nik": "3325014705850001"}, {**BASE, "nik": "3325014705850001"}]
    )
    assert found == {("r1", "r2"): "nik_exact"}
    assert result.pairs_per_rule["nik_exact"] == 1
    assert sum(result.pairs_per_rule.values()) == 1


def test_null_earlier_key_keeps_pair():
    # nik_exact finds no pair when one NIK is NULL, so a later rule must still find it.
    found, _ = pairs_by_rule([{**BASE, "nik": None}, {**BASE, "nik": "3325014705850001"}])
    assert found == {("r1", "r2"): "name_birth_year_desa"}


def test_array_rule_pair_excluded_from_later_rules():
    found, result = pairs_by_rule(
        [{**BASE, "nik": "3325014705850001"}, {**BASE, "nik": "3325014705850009"}]
    )
    assert found == {("r1", "r2"): "nik_one_edit"}
    assert sum(result.pairs_per_rule.values()) == 1


def test_counts_and_reduction_ratio():
    rows = [
        {**BASE, "nik": f"33250147058500{i:02d}", "name": n}
        for i, n in enumerate(["A", "B", "C", "D"], start=1)
    ]
    rows.append({"name": "KASMURI", "nik": None})
    _, result = pairs_by_rule(rows)
    assert result.comparable_pairs == 10
    assert result.candidate_pairs == sum(result.pairs_per_rule.values())
    assert result.reduction_ratio == pytest.approx(1 - result.candidate_pairs / 10)


LINK_ONLY = """
[model]
link_type = "link_only"
source_column = "source_kind"
[[features]]
name = "surname"
sql = "upper(name)"
[[blocking_rules]]
name = "same_name"
sql = "l.surname = r.surname"
[[comparisons]]
name = "name"
levels = [
    { label = "missing", null = true, sql = "surname_l is null or surname_r is null" },
    { label = "same", sql = "surname_l = surname_r" },
    { label = "different", else = true },
]
"""


def test_link_only_pairs_cross_sources(tmp_path):
    model = load_model(write_settings(tmp_path / "link.toml", LINK_ONLY))
    rows = [
        {"record_id": "a1", "source_kind": "a", "name": "x"},
        {"record_id": "a2", "source_kind": "a", "name": "x"},
        {"record_id": "b1", "source_kind": "b", "name": "X"},
    ]
    found, result = pairs_by_rule(rows, model)
    assert set(found) == {("a1", "b1"), ("a2", "b1")}
    assert result.comparable_pairs == 2
