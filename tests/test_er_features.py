"""Indonesian name normalisation and NIK features, computed in DuckDB."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest
from helpers import INPUT_TABLE, compare_records, features_of, indonesian_model, make_people

from pipelines.er import sql_gen
from pipelines.er.engine import prepare_records
from pipelines.er.features import FEATURE_FUNCTIONS, name_macros_sql

NAME_KEYS = [
    {
        "description": "title, Moch. and degree",
        "name": "H. MOCH. SOLICHIN, S.Pd.I",
        "key": "M SOLIHIN",
    },
    {"description": "Hj. and lower case", "name": "Hj. siti romlah", "key": "SITI ROMLAH"},
    {"description": "Alm. marker", "name": "Alm. KASTARI", "key": "KASTARI"},
    {"description": "Ny. honorific", "name": "Ny. SUPARDI", "key": "SUPARDI"},
    {"description": "apostrophe", "name": "NUR'AINI", "key": "NURAINI"},
    {
        "description": "binti part removed",
        "name": "SITI AMINAH BINTI KASMURI",
        "key": "SITI AMINAH",
    },
    {"description": "bin part removed", "name": "AHMAD BIN YUSUF", "key": "AHMAD"},
    {"description": "only a title is kept", "name": "MBAH", "key": "MBAH"},
    {"description": "old spelling oe dj", "name": "SOEDJONO", "key": "SUYONO"},
    {"description": "new spelling j", "name": "SUJONO", "key": "SUYONO"},
    {"description": "old spelling tj", "name": "TJAHJONO", "key": "CAHYONO"},
    {"description": "new spelling c y", "name": "CAHYONO", "key": "CAHYONO"},
    {"description": "old spelling dj", "name": "DJUMINAH", "key": "YUMINAH"},
    {"description": "old j is new y", "name": "JANTI", "key": "YANTI"},
    {"description": "old nj", "name": "NJOMAN", "key": "NYOMAN"},
    {"description": "old sj and new sy meet", "name": "SJAMSUDIN", "key": "SAMSUDIN"},
    {"description": "ch and kh meet", "name": "MUKHTAR ACHMAD", "key": "MUHTAR AHMAD"},
    {"description": "Muhammad", "name": "MUHAMMAD FAIZIN", "key": "M FAIZIN"},
    {"description": "Mochamad", "name": "MOCHAMAD FAIZIN", "key": "M FAIZIN"},
    {"description": "M. initial", "name": "M. FAIZIN", "key": "M FAIZIN"},
    {"description": "Moh without dot", "name": "MOH FAIZIN", "key": "M FAIZIN"},
    {"description": "extra spaces and dots", "name": "  SITI   AMINAH. ", "key": "SITI AMINAH"},
    {"description": "NULL name", "name": None, "key": None},
]


@pytest.mark.parametrize("case", NAME_KEYS, ids=[c["description"] for c in NAME_KEYS])
def test_name_key(case):
    [(key,)] = features_of([{"name": case["name"]}], ["name_key"])
    assert key == case["key"]


def test_name_key_falls_back_to_raw_name():
    [(key,)] = features_of([{"name": None, "name_raw": "Hj. Romlah"}], ["name_key"])
    assert key == "ROMLAH"


def test_name_derived_features():
    [row] = features_of(
        [{"name": "SITI AMINAH S"}],
        ["name_sorted", "name_first", "name_initials", "name_has_initial"],
    )
    assert row == ("AMINAH S SITI", "SITI", "SAS", True)


def test_phonetic_key_ignores_vowels_and_order():
    rows = features_of([{"name": "ROKHAYAH SITI"}, {"name": "SITI ROKHYAH"}], ["name_phonetic"])
    assert rows[0] == rows[1]


NIK_FEATURES = [
    {
        "description": "woman: day minus 40",
        "nik": "3325014705850001",
        "ddmmyy": "070585",
        "sex": "P",
        "region_serial": "3325010001",
    },
    {
        "description": "man",
        "nik": "3325010705850002",
        "ddmmyy": "070585",
        "sex": "L",
        "region_serial": "3325010002",
    },
    {
        "description": "day 40 is a man's 40",
        "nik": "3325014005850002",
        "ddmmyy": "000585",
        "sex": "L",
        "region_serial": "3325010002",
    },
    {
        "description": "day 41 is a woman's 1st",
        "nik": "3325014105850002",
        "ddmmyy": "010585",
        "sex": "P",
        "region_serial": "3325010002",
    },
    {
        "description": "15 digits",
        "nik": "332501410585000",
        "ddmmyy": None,
        "sex": None,
        "region_serial": None,
    },
    {"description": "NULL NIK", "nik": None, "ddmmyy": None, "sex": None, "region_serial": None},
]


@pytest.mark.parametrize("case", NIK_FEATURES, ids=[c["description"] for c in NIK_FEATURES])
def test_nik_features(case):
    [row] = features_of([{"nik": case["nik"]}], ["nik_ddmmyy", "nik_sex", "nik_region_serial"])
    assert row == (case["ddmmyy"], case["sex"], case["region_serial"])


def test_deletion_keys_meet_for_substitution_and_transposition():
    niks = ["3325014705850001", "3325014705850007", "3325014750850001", "3325014705859901"]
    keys_of = FEATURE_FUNCTIONS["deletion_keys"]("nik")
    con = duckdb.connect()
    rows = [
        con.execute(f"select {keys_of} from (select ? as nik)", [nik]).fetchone() for nik in niks
    ]
    base = set(rows[0][0])
    assert len(rows[0][0]) == 16
    assert base & set(rows[1][0])
    assert base & set(rows[2][0])
    assert not base & set(rows[3][0])


def test_records_omit_key_only_features():
    model = indonesian_model()
    assert sql_gen.key_only_features(model) == {"nik_deletion_keys": "nik"}
    con = duckdb.connect()
    make_people(con, [{"nik": "3325014705850001"}, {"nik": "3325014705850007"}])
    prepare_records(con, model)
    columns = {row[0] for row in con.execute(f"describe {sql_gen.RECORDS}").fetchall()}
    assert "nik_deletion_keys" not in columns
    assert {"nik", "nik_register_key", "name_key"} <= columns


def test_compared_keys_stay_on_records():
    model = indonesian_model()
    comparison = model.comparisons[0]
    level = comparison.levels[0]
    reading = replace(level, sql="list_has_any(nik_deletion_keys_l, nik_deletion_keys_r)")
    changed = replace(comparison, levels=(reading, *comparison.levels[1:]))
    model = replace(model, comparisons=(changed, *model.comparisons[1:]))
    assert sql_gen.key_only_features(model) == {}


def test_register_key_needs_a_register_row():
    rows = features_of(
        [
            {"nik": "3325014705850001", "source_kind": "register"},
            {"nik": "3325014705850001", "source_kind": "pkh"},
            {"nik": "3325010705850002", "source_kind": "pkh"},
            {
                "nik": "3325010705850003",
                "source_kind": "register",
                "nik_status": "structure_invalid",
            },
        ],
        ["nik_register_key"],
    )
    assert [key for (key,) in rows] == ["3325014705850001", "3325014705850001", None, None]


RECORD_PAIRS = [
    {
        "description": "Muhammad variants",
        "l": {"name": "MUHAMMAD FAIZIN"},
        "r": {"name": "M. FAIZIN"},
        "comparison": "name",
        "label": "same name",
    },
    {
        "description": "old and new spelling",
        "l": {"name": "SOEDJONO"},
        "r": {"name": "SUJONO"},
        "comparison": "name",
        "label": "same name",
    },
    {
        "description": "word order",
        "l": {"name": "AMINAH SITI"},
        "r": {"name": "SITI AMINAH"},
        "comparison": "name",
        "label": "same words in another order",
    },
    {
        "description": "initial",
        "l": {"name": "S. AMINAH"},
        "r": {"name": "SITI AMINAH"},
        "comparison": "name",
        "label": "same initials, one name abbreviated",
    },
    {
        "description": "one letter typo",
        "l": {"name": "SITI AMINAH"},
        "r": {"name": "SITI AMINAK"},
        "comparison": "name",
        "label": "names nearly equal (Jaro-Winkler >= 0.95)",
    },
    {
        "description": "name with extra words",
        "l": {"name": "ZULAIKAH"},
        "r": {"name": "SITI ZULAIKAH NUR"},
        "comparison": "name",
        "label": "one name contains the other",
    },
    {
        "description": "different people",
        "l": {"name": "SITI AMINAH"},
        "r": {"name": "KASMURI"},
        "comparison": "name",
        "label": "names differ",
    },
    {
        "description": "NIK substitution in serial",
        "l": {"nik": "3325014705850001"},
        "r": {"nik": "3325014705850002"},
        "comparison": "nik",
        "label": "NIK region and serial one edit apart",
    },
    {
        "description": "NIK transposition in region",
        "l": {"nik": "3325014705850001"},
        "r": {"nik": "3325104705850001"},
        "comparison": "nik",
        "label": "NIK region and serial one edit apart",
    },
    {
        "description": "NIK date typo",
        "l": {"nik": "3325014705850001"},
        "r": {"nik": "3325014705860001"},
        "comparison": "nik",
        "label": "same NIK region and serial, date digits differ",
    },
    {
        "description": "birth date one digit",
        "l": {"birth_date": "1985-05-07"},
        "r": {"birth_date": "1985-05-08"},
        "comparison": "birth_date",
        "label": "birth dates one digit apart",
    },
    {
        "description": "birth year one digit",
        "l": {"birth_date": "1985-05-07"},
        "r": {"birth_date": "1986-05-07"},
        "comparison": "birth_date",
        "label": "birth dates one digit apart",
    },
    {
        "description": "NIK fits birth date",
        "l": {"nik": "3325014705850001", "sex": "P"},
        "r": {"birth_date": "1985-05-07", "sex": "P"},
        "comparison": "nik_embedded",
        "label": "NIK date and sex fit the other record",
    },
]


@pytest.mark.parametrize("case", RECORD_PAIRS, ids=[c["description"] for c in RECORD_PAIRS])
def test_record_pair_level(case):
    labels = compare_records(case["l"], case["r"])
    assert labels[case["comparison"]] == case["label"]


def test_features_per_distinct_value_match_per_record():
    rows = [
        {"name": "SITI AMINAH", "nik": "3325014705850001", "birth_date": "1985-05-07"},
        {"name": "SITI AMINAH", "nik": "3325014705850001", "birth_date": "1985-05-07"},
        {"name": "Hj. SITI AMINAH", "nik": None, "birth_date": None},
        {"name": None, "name_raw": None, "nik": "3325010705850002", "birth_date": "1990-01-01"},
        {"name": None, "name_raw": "KASMURI", "nik": None, "birth_date": None},
    ]
    model = indonesian_model()
    grouped = [name for group in sql_gen.value_feature_groups(model) for name in group.feature_names]
    assert "name_phonetic" in grouped
    assert "nik_deletion_keys" in grouped
    con = duckdb.connect()
    make_people(con, rows)
    prepare_records(con, model)
    for statement in name_macros_sql():
        con.execute(statement)
    unread = sql_gen.unread_features(model)
    assert unread == ["name_tokens"]
    for feature in model.features:
        if feature.name not in grouped or feature.name in unread:
            continue
        if feature.name in sql_gen.key_only_features(model):
            continue
        # Recompute the feature per record from its registry function, inlining the
        # group's earlier features as their own expressions.
        expression = _inlined_expression(model, feature.name)
        expected = con.execute(
            f"select {expression} from {INPUT_TABLE} order by record_id"
        ).fetchall()
        actual = con.execute(
            f"select {feature.name} from {sql_gen.RECORDS} order by record_id"
        ).fetchall()
        assert actual == expected, feature.name


def _inlined_expression(model, name: str) -> str:
    feature = next(f for f in model.features if f.name == name)
    argument = feature.columns[0]
    if any(f.name == argument for f in model.features):
        argument = f"({_inlined_expression(model, argument)})"
    return FEATURE_FUNCTIONS[feature.function](argument)


def test_term_frequencies_are_shares_of_non_null_values():
    rows = features_of(
        [
            {"name": "SITI AMINAH", "desa_code": "3325012001"},
            {"name": "SITI AMINAH", "desa_code": "3325012001"},
            {"name": "KASMURI", "desa_code": "3325012002"},
            {"name": None, "desa_code": None},
        ],
        ["__tf_name_key", "__tf_desa_code"],
    )
    assert rows == [(2 / 3, 2 / 3), (2 / 3, 2 / 3), (1 / 3, 1 / 3), (None, None)]
