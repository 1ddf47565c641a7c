"""Formula escaping, NIK masking and sheet names."""

from __future__ import annotations

import csv
import io

import pytest

from pipelines.publish.cells import csv_text, sheet_names, starts_like_formula
from pipelines.publish.masking import mask_ids_in_text, mask_nik

RISKY = ["=1+1", "+62 812", "-5", "@SUM(A1)", '=HYPERLINK("http://x","y")', "\t=1", "\r=1"]
SAFE = ["SITI AMINAH", "1+1", "a=b", "", "3325014507850001"]


@pytest.mark.parametrize("text", RISKY)
def test_formula_prefixes_detected(text):
    assert starts_like_formula(text)


@pytest.mark.parametrize("text", SAFE)
def test_plain_text_not_flagged(text):
    assert not starts_like_formula(text)


@pytest.mark.parametrize("text", RISKY)
def test_csv_text_prefixes_quote(text):
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_csv_text_keeps_plain_text(text):
    assert csv_text(text) == text


def test_csv_text_round_trip_through_csv_module():
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow([csv_text(t) for t in RISKY])

    cells = next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))

    assert all(cell.startswith("'") for cell in cells)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3325014507850001", "3325********0001"),
        ("0000123456789012", "0000********9012"),
        (" 3325014507850001 ", "3325********0001"),
        ("33250145078500011", "3325*********0011"),
        ("332501450785", "3325****0785"),
        ("3,32502E+15", "***********"),
        ("-", "*"),
        ("", ""),
        (None, ""),
        (3325014507850001, "3325********0001"),
    ],
)
def test_mask_nik(value, expected):
    assert mask_nik(value) == expected


def test_mask_nik_hides_birth_date_digits():
    masked = mask_nik("3325014507850001")

    assert "450785" not in masked
    assert len(masked) == 16


def test_sheet_names_truncate_and_dedupe():
    names = sheet_names(
        [
            "Kalisalak",
            "KALISALAK",
            "A" * 40,
            "A" * 40,
            "Tri/Mulyo: [1]*?",
            "'Kutosari'",
            "",
            "History",
            "kalisalak",
        ]
    )

    assert names[0] == "Kalisalak"
    assert names[1] == "KALISALAK (2)"
    assert names[2] == "A" * 31
    assert names[3] == "A" * 27 + " (2)"
    assert names[4] == "Tri Mulyo 1"
    assert names[5] == "Kutosari"
    assert names[6] == "Sheet"
    assert names[7] == "History 1"
    assert names[8] == "kalisalak (3)"
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_mask_ids_in_text():
    text = "NIK 3325014507850001 dan KK 3325010101050001; 15 digit 332501450785000 tetap"

    masked = mask_ids_in_text(text)

    assert masked == "NIK 3325********0001 dan KK 3325********0001; 15 digit 332501450785000 tetap"
