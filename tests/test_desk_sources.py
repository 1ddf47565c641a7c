"""Sources in a desk lookup: file, sheet and row for a workbook row, file and row for a CSV row,
as the verification workbooks write them."""

from __future__ import annotations

import datetime as dt

import pytest
from test_desk_answers import _run_and_publish
from test_desk_lookup import _text as rendered_text
from test_rules_builders import make_kk, make_nik, make_world, new_connection

from pipelines.desk import lookup_nik, render_answer

PKH_FILE = "pkh_tahap4_2026.xlsx"
BPNT_FILE = "bpnt_bnba_tahap4_2026.csv"
DEATHS_FILE = "kematian_dukcapil_2026.xlsx"
# Desil 10 puts a PKH and BPNT recipient out of the programmes' desil range, so each of her
# roster rows gets a finding.
RUMINAH = make_nik(1, "1970-02-03", "P")
# Listed in the death register and receiving nothing.
WAGIMAN = make_nik(2, "1950-09-09")


def _workbook_row(kind: str, file: str, sheet: str, row: int, **values) -> dict:
    return {
        "record_id": f"{kind}:1:{sheet}:{row}",
        "source_file": file,
        "source_sheet": sheet,
        "source_row": row,
        **values,
    }


@pytest.fixture(scope="module")
def audit_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk_sources") / "audit.duckdb"

    con = new_connection()
    make_world(
        con,
        register=[
            {"nik": RUMINAH, "no_kk": make_kk(1), "name": "RUMINAH", "desil": 10},
            {"nik": WAGIMAN, "no_kk": make_kk(2), "name": "WAGIMAN"},
        ],
        pkh=[
            _workbook_row(
                "pkh", PKH_FILE, "Kec. Bandar", 82, nik=RUMINAH, name="RUMINAH", no_kk=make_kk(1)
            ),
            _workbook_row(
                "pkh", PKH_FILE, "Kec. Bandar", 83, nik=RUMINAH, name="RUMINAH",
                no_kk=make_kk(1), is_active=False,
            ),
        ],
        bpnt=[
            {
                "nik": RUMINAH,
                "name": "RUMINAH",
                "no_kk": make_kk(1),
                "source_file": BPNT_FILE,
                "source_row": 7,
            }
        ],
        deaths=[
            _workbook_row(
                "deaths", DEATHS_FILE, "Kematian", 163, nik=WAGIMAN, name="WAGIMAN",
                death_date=dt.date(2026, 7, 13),
            )
        ],
    )
    # The linker's int_person_records carries each record's file and sheet, which the builders
    # leave out.
    con.execute("alter table int_person_records add column source_file varchar")
    con.execute("alter table int_person_records add column source_sheet varchar")
    for kind in ("pkh", "bpnt", "deaths"):
        con.execute(
            "update int_person_records r set source_file = s.source_file, "
            f"source_sheet = s.source_sheet from stg_{kind} s where r.record_id = s.record_id"
        )

    _run_and_publish(con, "run-sources", path)
    return path


def _lines(db, nik: str, language: str) -> list[str]:
    text = rendered_text(render_answer(lookup_nik(db, nik), language), width=1000)
    return [" ".join(line.replace("│", " ").split()) for line in text.splitlines()]


@pytest.mark.parametrize(
    ("language", "row_word", "inactive"),
    [("id", "baris", "nonaktif"), ("en", "row", "inactive")],
)
def test_programme_rows_show_sheet(audit_db, language, row_word, inactive):
    lines = _lines(audit_db, RUMINAH, language)
    pkh = [line for line in lines if line.startswith("PKH ") and "2026-T4" in line]
    received = [line for line in pkh if inactive not in line]
    not_received = [line for line in pkh if inactive in line]
    bpnt = [line for line in lines if line.startswith("BPNT ")]

    assert len(received) == 1
    assert received[0].endswith(f"{PKH_FILE}, Kec. Bandar, {row_word} 82")
    assert len(not_received) == 1
    assert not_received[0].endswith(f"{PKH_FILE}, Kec. Bandar, {row_word} 83")
    assert len(bpnt) == 1
    assert bpnt[0].endswith(f"{BPNT_FILE}, {row_word} 7")


@pytest.mark.parametrize(("language", "row_word"), [("id", "baris"), ("en", "row")])
def test_finding_rows_show_sheet(audit_db, language, row_word):
    lines = _lines(audit_db, RUMINAH, language)
    desil = [line for line in lines if "(DESIL_OUT_OF_RANGE)" in line]
    pkh = [line for line in desil if " PKH " in line]
    bpnt = [line for line in desil if " BPNT " in line]

    assert len(pkh) == 1
    assert pkh[0].endswith(f"{PKH_FILE}, Kec. Bandar, {row_word} 82")
    assert len(bpnt) == 1
    assert bpnt[0].endswith(f"{BPNT_FILE}, {row_word} 7")


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("id", f"Tercatat meninggal 13 Jul 2026 ({DEATHS_FILE}, Kematian, baris 163)."),
        ("en", f"Recorded as deceased on 13 Jul 2026 ({DEATHS_FILE}, Kematian, row 163)."),
    ],
)
def test_death_line_shows_sheet(audit_db, language, line):
    assert line in _lines(audit_db, WAGIMAN, language)


def test_programme_carries_sheet(audit_db):
    programmes = lookup_nik(audit_db, RUMINAH).programmes
    pkh = next(p for p in programmes if p.programme == "PKH")
    bpnt = next(p for p in programmes if p.programme == "BPNT")

    assert (pkh.source_file, pkh.source_sheet, pkh.source_row) == (PKH_FILE, "Kec. Bandar", 82)
    assert (bpnt.source_file, bpnt.source_sheet, bpnt.source_row) == (BPNT_FILE, None, 7)


