"""Blocking rules of the FEBRL person model: the first rule that finds each kind of pair."""

from __future__ import annotations

import duckdb
import pytest
from helpers import febrl_model, make_febrl_records

from pipelines.er.blocking import generate_pairs
from pipelines.er.engine import prepare_records

MODEL = febrl_model()
LEFT = {
    "given_name": "maria",
    "surname": "kowalski",
    "street_number": "25",
    "address_1": "roope close",
    "suburb": "dapto",
    "postcode": "4121",
    "state": "vic",
    "date_of_birth": "19450603",
    "soc_sec_id": "2754299",
}
# Shares no value and no initial with LEFT.
OTHER = {
    "given_name": "jodie",
    "surname": "brennan",
    "street_number": "7",
    "address_1": "hallen close",
    "suburb": "young",
    "postcode": "3859",
    "state": "nsw",
    "date_of_birth": "19700106",
    "soc_sec_id": "9438862",
}
NO_NAMES = {"given_name": None, "surname": None}
SAME_BIRTH_DATE = {**NO_NAMES, "date_of_birth": "19450603"}

CASES = [
    (
        "same given name and surname",
        {"given_name": "maria", "surname": "kowalski"},
        "given_surname",
    ),
    ("names swapped", {"given_name": "kowalski", "surname": "maria"}, "names_swapped"),
    (
        "same birth date and initial",
        {"given_name": "mary", "date_of_birth": "19450603"},
        "date_of_birth_initial",
    ),
    ("same social security id", {"soc_sec_id": "2754299"}, "soc_sec_id"),
    (
        "same postcode and street",
        {"postcode": "4121", "address_1": "roope close"},
        "postcode_address",
    ),
    (
        "same street number and street",
        {"street_number": "25", "address_1": "roope close"},
        "street_address",
    ),
    (
        "same postcode and initials",
        {"postcode": "4121", "given_name": "mary", "surname": "kowal"},
        "postcode_initials",
    ),
    (
        "given name missing, same postcode and surname",
        {"given_name": None, "surname": "kowalski", "postcode": "4121"},
        "postcode_surname",
    ),
    (
        "given name missing, same suburb and surname",
        {"given_name": None, "surname": "kowalski", "suburb": "dapto"},
        "suburb_surname",
    ),
    (
        "surname missing, same suburb and given name",
        {"given_name": "maria", "surname": None, "suburb": "dapto"},
        "suburb_given_name",
    ),
    (
        "same surname, street number, street initial",
        {
            "given_name": None,
            "surname": "kowalski",
            "street_number": "25",
            "address_1": "rope close",
        },
        "surname_street_number",
    ),
    (
        "same given name, street number, street initial",
        {"given_name": "maria", "surname": None, "street_number": "25", "address_1": "rope close"},
        "given_name_street_number",
    ),
    (
        "names missing, same birth date, postcode",
        {**SAME_BIRTH_DATE, "postcode": "4121"},
        "date_of_birth_postcode",
    ),
    (
        "names missing, same birth date, suburb",
        {**SAME_BIRTH_DATE, "suburb": "dapto"},
        "date_of_birth_suburb",
    ),
    (
        "names missing, same birth date, street number",
        {**SAME_BIRTH_DATE, "street_number": "25"},
        "date_of_birth_street_number",
    ),
    ("social security id one edit", {"soc_sec_id": "2754290"}, "soc_sec_one_edit"),
]


def _first_rule(left: dict, right: dict) -> str | None:
    con = duckdb.connect()
    make_febrl_records(con, [("a", "febrl", *left.values()), ("b", "febrl", *right.values())])
    prepare_records(con, MODEL)
    generate_pairs(con, MODEL)
    keys = con.execute("select match_key from __er_pairs").fetchall()
    assert len(keys) <= 1
    return MODEL.blocking_rules[keys[0][0]].name if keys else None


@pytest.mark.parametrize(("description", "changes", "rule"), CASES, ids=[c[0] for c in CASES])
def test_febrl_rule_finds_pair(description, changes, rule):
    assert _first_rule(LEFT, {**OTHER, **changes}) == rule


def test_every_febrl_rule_has_a_case():
    covered = {rule for _, _, rule in CASES}

    assert covered == {rule.name for rule in MODEL.blocking_rules}


def test_febrl_unrelated_records_not_paired():
    assert _first_rule(LEFT, OTHER) is None


def test_street_number_rules_need_street_initial():
    changes = {"given_name": None, "surname": "kowalski", "street_number": "25"}

    assert _first_rule(LEFT, {**OTHER, **changes}) is None
