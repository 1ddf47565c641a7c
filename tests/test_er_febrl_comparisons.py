"""Every level of every comparison in the FEBRL person model, table-driven, and the
cross-column scores behind its swapped-name levels.

Cases set `_l`/`_r` values and score values, so a case can sit exactly at a threshold, and
name the expected level label.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from helpers import (
    FEBRL_SETTINGS,
    comparison,
    febrl_model,
    label_of,
    level_from_values,
    make_febrl_records,
    write_settings,
)
from rapidfuzz.distance import JaroWinkler

from pipelines.er.comparing import compute_gammas, encode_score_columns, record_columns
from pipelines.er.dependencies import comparison_columns
from pipelines.er.engine import prepare_records
from pipelines.er.scorers import EncodedColumn, score_pairs
from pipelines.er.settings import load_model

MODEL = febrl_model()

NAMES = {
    "given_name_l": "maria",
    "given_name_r": "maria",
    "surname_l": "kowalski",
    "surname_r": "kowalski",
    "given_jw": 1.0,
    "surname_jw": 1.0,
    "given_surname_jw": 0.4,
    "surname_given_jw": 0.4,
}
SWAPPED = {
    **NAMES,
    "given_name_r": "kowalski",
    "surname_r": "maria",
    "given_jw": 0.4,
    "surname_jw": 0.4,
    "given_surname_jw": 1.0,
    "surname_given_jw": 1.0,
}
SWAPPED_TYPO = {
    **SWAPPED,
    "given_name_r": "kowalsky",
    "surname_r": "marla",
    "given_surname_jw": 0.92,
    "surname_given_jw": 0.92,
}
OTHER_NAMES = {**NAMES, "given_name_r": "jodie", "surname_r": "brennan", "given_jw": 0.5}
OTHER_NAMES["surname_jw"] = 0.5


def _given_names_at(jw: float) -> dict:
    return {**OTHER_NAMES, "given_name_r": "marla", "given_jw": jw}


def _surnames_at(jw: float) -> dict:
    return {**OTHER_NAMES, "given_name_r": "maria", "surname_r": "kowalsky", "surname_jw": jw}


CASES = [
    # given_name
    {
        "description": "given name NULL left",
        "comparison": "given_name",
        "values": {**NAMES, "given_name_l": None, "given_jw": None, "given_surname_jw": None},
        "label": "given name missing",
    },
    {
        "description": "given name NULL right",
        "comparison": "given_name",
        "values": {**NAMES, "given_name_r": None, "given_jw": None, "surname_given_jw": None},
        "label": "given name missing",
    },
    {
        "description": "given names equal",
        "comparison": "given_name",
        "values": NAMES,
        "label": "same given name",
    },
    {
        "description": "names swapped exactly",
        "comparison": "given_name",
        "values": SWAPPED,
        "label": "given name and surname swapped",
    },
    {
        "description": "names swapped, both cross scores at 0.92",
        "comparison": "given_name",
        "values": SWAPPED_TYPO,
        "label": "given name and surname swapped, nearly equal (Jaro-Winkler >= 0.92)",
    },
    {
        "description": "names swapped, cross scores just above 0.92",
        "comparison": "given_name",
        "values": {**SWAPPED_TYPO, "given_surname_jw": 0.9201, "surname_given_jw": 0.95},
        "label": "given name and surname swapped, nearly equal (Jaro-Winkler >= 0.92)",
    },
    {
        "description": "names swapped, one cross score just below 0.92",
        "comparison": "given_name",
        "values": {**SWAPPED_TYPO, "given_surname_jw": 0.9199, "surname_given_jw": 1.0},
        "label": "given names differ",
    },
    {
        "description": "names swapped, right surname NULL",
        "comparison": "given_name",
        "values": {**SWAPPED_TYPO, "surname_r": None, "given_surname_jw": None},
        "label": "given names differ",
    },
    {
        "description": "given names at 0.92",
        "comparison": "given_name",
        "values": _given_names_at(0.92),
        "label": "given names nearly equal (Jaro-Winkler >= 0.92)",
    },
    {
        "description": "given names just above 0.92",
        "comparison": "given_name",
        "values": _given_names_at(0.9201),
        "label": "given names nearly equal (Jaro-Winkler >= 0.92)",
    },
    {
        "description": "given names just below 0.92",
        "comparison": "given_name",
        "values": _given_names_at(0.9199),
        "label": "given names similar (Jaro-Winkler >= 0.80)",
    },
    {
        "description": "given names at 0.80",
        "comparison": "given_name",
        "values": _given_names_at(0.80),
        "label": "given names similar (Jaro-Winkler >= 0.80)",
    },
    {
        "description": "given names just above 0.80",
        "comparison": "given_name",
        "values": _given_names_at(0.8001),
        "label": "given names similar (Jaro-Winkler >= 0.80)",
    },
    {
        "description": "given names just below 0.80",
        "comparison": "given_name",
        "values": _given_names_at(0.7999),
        "label": "given names differ",
    },
    # surname
    {
        "description": "surname NULL left",
        "comparison": "surname",
        "values": {**NAMES, "surname_l": None, "surname_jw": None, "surname_given_jw": None},
        "label": "surname missing, or names swapped (weighed in given_name)",
    },
    {
        "description": "surname NULL right",
        "comparison": "surname",
        "values": {**NAMES, "surname_r": None, "surname_jw": None, "given_surname_jw": None},
        "label": "surname missing, or names swapped (weighed in given_name)",
    },
    {
        "description": "surname, names swapped exactly",
        "comparison": "surname",
        "values": SWAPPED,
        "label": "surname missing, or names swapped (weighed in given_name)",
    },
    {
        "description": "surname, swapped at 0.92",
        "comparison": "surname",
        "values": SWAPPED_TYPO,
        "label": "surname missing, or names swapped (weighed in given_name)",
    },
    {
        "description": "surname, swapped just below 0.92",
        "comparison": "surname",
        "values": {**SWAPPED_TYPO, "surname_given_jw": 0.9199},
        "label": "surnames differ",
    },
    {
        "description": "surname, given names equal and cross scores high",
        "comparison": "surname",
        "values": {
            **NAMES,
            "given_name_l": "lee",
            "given_name_r": "lee",
            "surname_l": "lee",
            "surname_r": "lee",
            "given_surname_jw": 1.0,
            "surname_given_jw": 1.0,
        },
        "label": "same surname",
    },
    {
        "description": "surname, given name NULL",
        "comparison": "surname",
        "values": {**NAMES, "given_name_l": None, "given_surname_jw": None},
        "label": "same surname",
    },
    {
        "description": "surnames equal",
        "comparison": "surname",
        "values": NAMES,
        "label": "same surname",
    },
    {
        "description": "surnames at 0.92",
        "comparison": "surname",
        "values": _surnames_at(0.92),
        "label": "surnames nearly equal (Jaro-Winkler >= 0.92)",
    },
    {
        "description": "surnames just above 0.92",
        "comparison": "surname",
        "values": _surnames_at(0.9201),
        "label": "surnames nearly equal (Jaro-Winkler >= 0.92)",
    },
    {
        "description": "surnames just below 0.92",
        "comparison": "surname",
        "values": _surnames_at(0.9199),
        "label": "surnames similar (Jaro-Winkler >= 0.80)",
    },
    {
        "description": "surnames at 0.80",
        "comparison": "surname",
        "values": _surnames_at(0.80),
        "label": "surnames similar (Jaro-Winkler >= 0.80)",
    },
    {
        "description": "surnames just below 0.80",
        "comparison": "surname",
        "values": _surnames_at(0.7999),
        "label": "surnames differ",
    },
]


def _edit_cases(name: str, column: str, score: str, labels: list[str]) -> list[dict]:
    """Cases for a comparison with a NULL level, equality, then edit-distance levels at
    1, 2, ... edits (one label each) and an else level (the last label)."""
    equal = {f"{column}_l": "4121", f"{column}_r": "4121", score: 0.0}
    cases = [
        {
            "description": f"{name} NULL",
            "comparison": name,
            "values": {**equal, f"{column}_l": None, score: None},
            "label": labels[0],
        },
        {"description": f"{name} equal", "comparison": name, "values": equal, "label": labels[1]},
    ]
    for edits, label in enumerate(labels[2:], start=1):
        cases.append(
            {
                "description": f"{name} {edits} edits",
                "comparison": name,
                "values": {**equal, f"{column}_r": "9999", score: float(edits)},
                "label": label,
            }
        )
    return cases


CASES += _edit_cases(
    "date_of_birth",
    "date_of_birth",
    "dob_edits",
    [
        "birth date missing",
        "same birth date",
        "birth dates one edit apart",
        "birth dates two edits apart",
        "birth dates differ",
    ],
)
CASES += _edit_cases(
    "soc_sec_id",
    "soc_sec_id",
    "soc_sec_edits",
    [
        "social security id missing",
        "same social security id",
        "social security ids one edit apart",
        "social security ids two edits apart",
        "social security ids differ",
    ],
)
CASES += _edit_cases(
    "postcode",
    "postcode",
    "postcode_edits",
    ["postcode missing", "same postcode", "postcodes one edit apart", "postcodes differ"],
)


def _similarity_cases(name: str, column: str, score: str, labels: list[str]) -> list[dict]:
    """Cases for NULL, equality and a Jaro-Winkler >= 0.90 level, around its threshold."""
    equal = {f"{column}_l": "eight mile plains", f"{column}_r": "eight mile plains", score: 1.0}
    other = {**equal, f"{column}_r": "eight mile plain"}
    return [
        {
            "description": f"{name} NULL",
            "comparison": name,
            "values": {**equal, f"{column}_r": None, score: None},
            "label": labels[0],
        },
        {"description": f"{name} equal", "comparison": name, "values": equal, "label": labels[1]},
        {
            "description": f"{name} at 0.90",
            "comparison": name,
            "values": {**other, score: 0.90},
            "label": labels[2],
        },
        {
            "description": f"{name} just above 0.90",
            "comparison": name,
            "values": {**other, score: 0.9001},
            "label": labels[2],
        },
        {
            "description": f"{name} just below 0.90",
            "comparison": name,
            "values": {**other, score: 0.8999},
            "label": labels[3],
        },
    ]


CASES += _similarity_cases(
    "address_1",
    "address_1",
    "address_jw",
    [
        "street missing",
        "same street",
        "streets nearly equal (Jaro-Winkler >= 0.90)",
        "streets differ",
    ],
)
CASES += _similarity_cases(
    "suburb",
    "suburb",
    "suburb_jw",
    [
        "suburb missing",
        "same suburb",
        "suburbs nearly equal (Jaro-Winkler >= 0.90)",
        "suburbs differ",
    ],
)


def _exact_cases(name: str, labels: list[str], equal: str, other: str) -> list[dict]:
    return [
        {
            "description": f"{name} NULL",
            "comparison": name,
            "values": {f"{name}_l": equal, f"{name}_r": None},
            "label": labels[0],
        },
        {
            "description": f"{name} equal",
            "comparison": name,
            "values": {f"{name}_l": equal, f"{name}_r": equal},
            "label": labels[1],
        },
        {
            "description": f"{name} different",
            "comparison": name,
            "values": {f"{name}_l": equal, f"{name}_r": other},
            "label": labels[2],
        },
    ]


CASES += _exact_cases(
    "street_number",
    ["street number missing", "same street number", "street numbers differ"],
    "25",
    "52",
)
CASES += _exact_cases("state", ["state missing", "same state", "states differ"], "vic", "vif")


@pytest.mark.parametrize("case", CASES, ids=[case["description"] for case in CASES])
def test_febrl_comparison_level(case):
    spec = comparison(MODEL, case["comparison"])
    gamma = level_from_values(spec, case["values"])
    assert label_of(spec, gamma) == case["label"]


def test_every_febrl_level_has_a_case():
    covered = {(case["comparison"], case["label"]) for case in CASES}
    for spec in MODEL.comparisons:
        for level in spec.levels:
            assert (spec.name, level.label) in covered, f"no case for {spec.name}: {level.label}"


def test_febrl_levels_null_first_else_last():
    for spec in MODEL.comparisons:
        assert spec.levels[0].is_null_level
        assert spec.levels[-1].is_else_level


def _encoded(values: list[str | None]) -> EncodedColumn:
    return EncodedColumn.from_arrow(pa.array([None, *values], pa.string()))


def test_cross_column_score_reads_right_column():
    given = _encoded(["maria", "kowalsky", None])
    surname = _encoded(["kowalski", "marla", "ng", "brennan"])
    left, right = np.array([1, 2, 3, 1]), np.array([2, 1, 1, 3])

    scores = score_pairs("jaro_winkler", given, left, right, surname).to_pylist()

    assert scores[0] == pytest.approx(JaroWinkler.normalized_similarity("maria", "marla"))
    assert scores[1] == pytest.approx(JaroWinkler.normalized_similarity("kowalsky", "kowalski"))
    assert scores[2] is None
    assert scores[3] == pytest.approx(JaroWinkler.normalized_similarity("maria", "ng"))


def test_score_without_right_column_compares_one_column():
    given = _encoded(["maria", "marla"])

    scores = score_pairs("jaro_winkler", given, np.array([1]), np.array([2])).to_pylist()

    assert scores[0] == pytest.approx(JaroWinkler.normalized_similarity("maria", "marla"))


def _febrl_labels(left: tuple, right: tuple) -> dict[str, str]:
    """Run two FEBRL-shaped records through features, scorers and levels of the FEBRL model;
    return the label per comparison."""
    con = duckdb.connect()
    make_febrl_records(con, [left, right])
    prepare_records(con, MODEL)
    con.execute(
        "create table __test_pairs as select 1::integer as rid_l, 2::integer as rid_r, "
        "0::smallint as match_key"
    )
    compute_gammas(con, MODEL, "__test_pairs", "__test_gammas", encode_score_columns(con, MODEL))
    gammas = con.execute(
        f"select {', '.join(c.gamma_column for c in MODEL.comparisons)} from __test_gammas"
    ).fetchall()[0]
    return {c.name: label_of(c, g) for c, g in zip(MODEL.comparisons, gammas, strict=True)}


def test_swapped_names_with_typos_weighed_once():
    left = (
        "a1",
        "febrl",
        "maria",
        "kowalski",
        "25",
        "roope close",
        "dapto",
        "4121",
        "vic",
        "19450603",
        "2754299",
    )
    right = (
        "a2",
        "febrl",
        "kowalsky",
        "maria",
        None,
        "roope close",
        "dapto",
        "4121",
        "vic",
        "19450603",
        "2754299",
    )

    labels = _febrl_labels(left, right)

    assert (
        labels["given_name"]
        == "given name and surname swapped, nearly equal (Jaro-Winkler >= 0.92)"
    )
    assert labels["surname"] == "surname missing, or names swapped (weighed in given_name)"
    assert labels["street_number"] == "street number missing"
    assert labels["suburb"] == "same suburb"


def test_unswapped_names_keep_both_comparisons():
    left = (
        "a1",
        "febrl",
        "maria",
        "kowalski",
        "25",
        "roope close",
        "dapto",
        "4121",
        "vic",
        "19450603",
        "2754299",
    )
    right = (
        "a2",
        "febrl",
        "mariah",
        "kowalsky",
        "25",
        "roope clsoe",
        "daptp",
        "4112",
        "vif",
        "19450630",
        "2754290",
    )

    labels = _febrl_labels(left, right)

    assert labels["given_name"] == "given names nearly equal (Jaro-Winkler >= 0.92)"
    assert labels["surname"] == "surnames nearly equal (Jaro-Winkler >= 0.92)"
    assert labels["address_1"] == "streets nearly equal (Jaro-Winkler >= 0.90)"
    assert labels["suburb"] == "suburbs nearly equal (Jaro-Winkler >= 0.90)"
    assert labels["postcode"] == "postcodes one edit apart"
    assert labels["state"] == "states differ"
    assert labels["date_of_birth"] == "birth dates one edit apart"


def test_right_column_setting_is_read(tmp_path):
    text = FEBRL_SETTINGS.read_text(encoding="utf-8")
    model = load_model(write_settings(tmp_path / "febrl.toml", text))
    given = comparison(model, "given_name")

    cross = {score.name: score.columns for score in given.scores}

    assert cross["given_surname_jw"] == ("given_name", "surname")
    assert cross["surname_given_jw"] == ("surname", "given_name")
    assert cross["given_jw"] == ("given_name", "given_name")


def test_comparison_columns_include_right_column():
    con = duckdb.connect()
    make_febrl_records(con, [])
    prepare_records(con, MODEL)

    read = comparison_columns(MODEL, comparison(MODEL, "given_name"), record_columns(con))

    assert read == {"given_name", "surname"}
