"""Every level of every comparison in the Indonesian person model, table-driven.

Cases set `_l`/`_r` values (and score values, so a case can sit exactly at a threshold) and
name the expected level label; the gamma value is derived from the label's position.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import comparison, indonesian_model, label_of, level_from_values

MODEL = indonesian_model()
D = dt.date

NAME = {
    "name_key_l": "SITI AMINAH",
    "name_key_r": "SITI AMINAH",
    "name_sorted_l": "AMINAH SITI",
    "name_sorted_r": "AMINAH SITI",
    "name_initials_l": "SA",
    "name_initials_r": "SA",
    "name_has_initial_l": False,
    "name_has_initial_r": False,
    "name_jw": 1.0,
    "name_token_set": 1.0,
}
DIFFERENT_NAME = {
    **NAME,
    "name_key_r": "KASMURI",
    "name_sorted_r": "KASMURI",
    "name_initials_r": "K",
    "name_jw": 0.5,
    "name_token_set": 0.4,
}
BIRTH = {
    "birth_date_l": D(1985, 5, 7),
    "birth_date_r": D(1985, 5, 7),
    "is_birth_date_default_l": False,
    "is_birth_date_default_r": False,
    "birth_year_l": 1985,
    "birth_year_r": 1985,
    "birth_date_edits": 0.0,
}
NIK_EMBEDDED = {
    "nik_l": "3325014705850001",
    "nik_r": None,
    "nik_ddmmyy_l": "070585",
    "nik_ddmmyy_r": None,
    "nik_sex_l": "P",
    "nik_sex_r": None,
    "birth_ddmmyy_l": "070585",
    "birth_ddmmyy_r": "070585",
    "sex_l": "P",
    "sex_r": "P",
}
NIK = {
    "nik_l": "3325014705850001",
    "nik_r": "3325014705850001",
    "nik_region_serial_l": "3325010001",
    "nik_region_serial_r": "3325010001",
    "nik_region_serial_edits": 0.0,
}
HOUSEHOLD = {
    "no_kk_l": "3325010101100001",
    "no_kk_r": "3325010101100001",
    "no_kk_edits": 0.0,
    "desa_code_l": "3325012001",
    "desa_code_r": "3325012001",
    "rt_l": "003",
    "rt_r": "003",
    "rw_l": "005",
    "rw_r": "005",
    "kecamatan_code_l": "332501",
    "kecamatan_code_r": "332501",
}
OTHER_KK = {**HOUSEHOLD, "no_kk_r": "3325019999990009", "no_kk_edits": 9.0}

CASES = [
    # name
    {
        "description": "name NULL on the left",
        "comparison": "name",
        "values": {**NAME, "name_key_l": None},
        "label": "name missing",
    },
    {
        "description": "name NULL on both sides",
        "comparison": "name",
        "values": {**NAME, "name_key_l": None, "name_key_r": None},
        "label": "name missing",
    },
    {
        "description": "exact tie of names",
        "comparison": "name",
        "values": NAME,
        "label": "same name",
    },
    {
        "description": "words swapped",
        "comparison": "name",
        "values": {**NAME, "name_key_r": "AMINAH SITI", "name_jw": 1.0},
        "label": "same words in another order",
    },
    {
        "description": "Jaro-Winkler at 0.95",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": 0.95},
        "label": "names nearly equal (Jaro-Winkler >= 0.95)",
    },
    {
        "description": "Jaro-Winkler just above 0.95",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": 0.9501},
        "label": "names nearly equal (Jaro-Winkler >= 0.95)",
    },
    {
        "description": "Jaro-Winkler just below 0.95",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": 0.9499},
        "label": "names similar (Jaro-Winkler >= 0.88)",
    },
    {
        "description": "initial against full word",
        "comparison": "name",
        "values": {
            **DIFFERENT_NAME,
            "name_key_r": "S AMINAH",
            "name_initials_r": "SA",
            "name_has_initial_r": True,
            "name_jw": 0.7,
        },
        "label": "same initials, one name abbreviated",
    },
    {
        "description": "same initials without an abbreviation",
        "comparison": "name",
        "values": {
            **DIFFERENT_NAME,
            "name_key_r": "SRI ASIH",
            "name_initials_r": "SA",
            "name_jw": 0.7,
        },
        "label": "names differ",
    },
    {
        "description": "Jaro-Winkler at 0.88",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": 0.88},
        "label": "names similar (Jaro-Winkler >= 0.88)",
    },
    {
        "description": "Jaro-Winkler just below 0.88",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": 0.8799},
        "label": "names differ",
    },
    {
        "description": "token set at 0.99",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": 0.7, "name_token_set": 0.99},
        "label": "one name contains the other",
    },
    {
        "description": "token set just below 0.99",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": 0.7, "name_token_set": 0.9899},
        "label": "names differ",
    },
    {
        "description": "scores NULL, names differ",
        "comparison": "name",
        "values": {**DIFFERENT_NAME, "name_jw": None, "name_token_set": None},
        "label": "names differ",
    },
    # birth date
    {
        "description": "birth date NULL on the right",
        "comparison": "birth_date",
        "values": {**BIRTH, "birth_date_r": None},
        "label": "birth date missing",
    },
    {
        "description": "exact tie, not a default",
        "comparison": "birth_date",
        "values": BIRTH,
        "label": "same birth date",
    },
    {
        "description": "exact tie on a default date",
        "comparison": "birth_date",
        "values": {
            **BIRTH,
            "birth_date_l": D(1950, 7, 1),
            "birth_date_r": D(1950, 7, 1),
            "is_birth_date_default_l": True,
            "is_birth_date_default_r": True,
        },
        "label": "same default birth date",
    },
    {
        "description": "default flag NULL counts as not default",
        "comparison": "birth_date",
        "values": {**BIRTH, "is_birth_date_default_l": None},
        "label": "same birth date",
    },
    {
        "description": "day and month swapped",
        "comparison": "birth_date",
        "values": {**BIRTH, "birth_date_r": D(1985, 7, 5), "birth_date_edits": 2.0},
        "label": "day and month swapped",
    },
    {
        "description": "one digit apart (edits at 1)",
        "comparison": "birth_date",
        "values": {**BIRTH, "birth_date_r": D(1985, 5, 8), "birth_date_edits": 1.0},
        "label": "birth dates one digit apart",
    },
    {
        "description": "two digits apart, same month",
        "comparison": "birth_date",
        "values": {**BIRTH, "birth_date_r": D(1985, 5, 19), "birth_date_edits": 2.0},
        "label": "same birth year and month",
    },
    {
        "description": "same year, one default",
        "comparison": "birth_date",
        "values": {
            **BIRTH,
            "birth_date_r": D(1985, 12, 31),
            "is_birth_date_default_r": True,
            "birth_date_edits": 3.0,
        },
        "label": "same birth year, one date is a default",
    },
    {
        "description": "same year, no default",
        "comparison": "birth_date",
        "values": {**BIRTH, "birth_date_r": D(1985, 11, 30), "birth_date_edits": 3.0},
        "label": "birth dates differ",
    },
    {
        "description": "other year",
        "comparison": "birth_date",
        "values": {
            **BIRTH,
            "birth_date_r": D(1979, 11, 30),
            "birth_year_r": 1979,
            "birth_date_edits": 5.0,
        },
        "label": "birth dates differ",
    },
    # sex
    {
        "description": "sex NULL",
        "comparison": "sex",
        "values": {"sex_l": None, "sex_r": "L"},
        "label": "sex missing",
    },
    {
        "description": "same sex",
        "comparison": "sex",
        "values": {"sex_l": "P", "sex_r": "P"},
        "label": "same sex",
    },
    {
        "description": "different sex",
        "comparison": "sex",
        "values": {"sex_l": "P", "sex_r": "L"},
        "label": "different sex",
    },
    # date and sex embedded in the NIK
    {
        "description": "both records have a NIK",
        "comparison": "nik_embedded",
        "values": {**NIK_EMBEDDED, "nik_r": "3325014705850002", "nik_ddmmyy_r": "070585"},
        "label": "no single NIK to check against a birth date",
    },
    {
        "description": "neither record has a NIK",
        "comparison": "nik_embedded",
        "values": {**NIK_EMBEDDED, "nik_l": None, "nik_ddmmyy_l": None, "nik_sex_l": None},
        "label": "no single NIK to check against a birth date",
    },
    {
        "description": "other record has no birth date",
        "comparison": "nik_embedded",
        "values": {**NIK_EMBEDDED, "birth_ddmmyy_r": None},
        "label": "no single NIK to check against a birth date",
    },
    {
        "description": "NIK date and sex fit",
        "comparison": "nik_embedded",
        "values": NIK_EMBEDDED,
        "label": "NIK date and sex fit the other record",
    },
    {
        "description": "NIK on the right fits the left",
        "comparison": "nik_embedded",
        "values": {
            **NIK_EMBEDDED,
            "nik_l": None,
            "nik_ddmmyy_l": None,
            "nik_sex_l": None,
            "nik_r": "3325014705850001",
            "nik_ddmmyy_r": "070585",
            "nik_sex_r": "P",
        },
        "label": "NIK date and sex fit the other record",
    },
    {
        "description": "NIK date fits, sex does not",
        "comparison": "nik_embedded",
        "values": {**NIK_EMBEDDED, "sex_r": "L"},
        "label": "NIK date fits the other record",
    },
    {
        "description": "NIK date fits, other sex NULL",
        "comparison": "nik_embedded",
        "values": {**NIK_EMBEDDED, "sex_r": None},
        "label": "NIK date fits the other record",
    },
    {
        "description": "NIK date does not fit",
        "comparison": "nik_embedded",
        "values": {**NIK_EMBEDDED, "birth_ddmmyy_r": "080585"},
        "label": "NIK date does not fit",
    },
    # NIK
    {
        "description": "NIK NULL",
        "comparison": "nik",
        "values": {**NIK, "nik_r": None},
        "label": "NIK missing",
    },
    {"description": "exact tie of NIKs", "comparison": "nik", "values": NIK, "label": "same NIK"},
    {
        "description": "date digits differ",
        "comparison": "nik",
        "values": {**NIK, "nik_r": "3325014805850001"},
        "label": "same NIK region and serial, date digits differ",
    },
    {
        "description": "region or serial one edit (at 1)",
        "comparison": "nik",
        "values": {
            **NIK,
            "nik_r": "3325014705850002",
            "nik_region_serial_r": "3325010002",
            "nik_region_serial_edits": 1.0,
        },
        "label": "NIK region and serial one edit apart",
    },
    {
        "description": "region or serial two edits",
        "comparison": "nik",
        "values": {
            **NIK,
            "nik_r": "3325014705850012",
            "nik_region_serial_r": "3325010012",
            "nik_region_serial_edits": 2.0,
        },
        "label": "NIK differs",
    },
    # household: No KK and address
    {
        "description": "No KK and desa NULL",
        "comparison": "household",
        "values": {**HOUSEHOLD, "no_kk_l": None, "desa_code_r": None},
        "label": "No KK and desa missing",
    },
    {
        "description": "same KK and address",
        "comparison": "household",
        "values": HOUSEHOLD,
        "label": "same No KK, desa, RT and RW",
    },
    {
        "description": "same KK, RW differs",
        "comparison": "household",
        "values": {**HOUSEHOLD, "rw_r": "006"},
        "label": "same No KK",
    },
    {
        "description": "same KK, desa NULL",
        "comparison": "household",
        "values": {**HOUSEHOLD, "desa_code_r": None},
        "label": "same No KK",
    },
    {
        "description": "No KK one edit (at 1)",
        "comparison": "household",
        "values": {**HOUSEHOLD, "no_kk_r": "3325010101100002", "no_kk_edits": 1.0},
        "label": "No KK one edit apart",
    },
    {
        "description": "No KK two edits, same address",
        "comparison": "household",
        "values": {**HOUSEHOLD, "no_kk_r": "3325010101100022", "no_kk_edits": 2.0},
        "label": "same desa, RT and RW",
    },
    {
        "description": "No KK NULL, same address",
        "comparison": "household",
        "values": {**HOUSEHOLD, "no_kk_l": None, "no_kk_edits": None},
        "label": "same desa, RT and RW",
    },
    {
        "description": "RW differs",
        "comparison": "household",
        "values": {**OTHER_KK, "rw_r": "006"},
        "label": "same desa and RT",
    },
    {
        "description": "RT NULL",
        "comparison": "household",
        "values": {**OTHER_KK, "rt_r": None},
        "label": "same desa",
    },
    {
        "description": "other desa, same kecamatan",
        "comparison": "household",
        "values": {**OTHER_KK, "desa_code_r": "3325012002"},
        "label": "same kecamatan",
    },
    {
        "description": "desa NULL, other KK",
        "comparison": "household",
        "values": {**OTHER_KK, "desa_code_r": None, "kecamatan_code_r": None},
        "label": "desa missing, No KK differs",
    },
    {
        "description": "other kecamatan",
        "comparison": "household",
        "values": {**OTHER_KK, "desa_code_r": "3325022002", "kecamatan_code_r": "332502"},
        "label": "different kecamatan",
    },
]


@pytest.mark.parametrize("case", CASES, ids=[case["description"] for case in CASES])
def test_comparison_level(case):
    spec = comparison(MODEL, case["comparison"])
    gamma = level_from_values(spec, case["values"])
    assert label_of(spec, gamma) == case["label"]


def test_every_level_has_a_case():
    covered = {(case["comparison"], case["label"]) for case in CASES}
    for spec in MODEL.comparisons:
        for level in spec.levels:
            assert (spec.name, level.label) in covered, f"no case for {spec.name}: {level.label}"


def test_levels_are_ordered_null_first_else_last():
    for spec in MODEL.comparisons:
        assert spec.levels[0].is_null_level
        assert spec.levels[-1].is_else_level
        assert spec.gamma_of(0) == -1
        assert spec.gamma_of(len(spec.levels) - 1) == 0
