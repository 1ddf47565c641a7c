"""The desk names a quarantined DTSEN register row that contains the searched NIK, instead of
saying that the person is not in DTSEN and should be proposed through SIKS-NG."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from test_desk_answers import _run_and_publish
from test_desk_lookup import _text as rendered_text
from test_rules_builders import family, make_nik, make_world, new_connection
from test_rules_quarantine import JOINED_ROW, MASRUROH, REGISTER_FILE, quarantine

from pipelines.desk import (
    lookup_nik,
    lookup_person,
    register_lines_not_loaded,
    render_answer,
    render_answers,
)
from pipelines.ingest.load import QUARANTINE_DDL, RECONCILIATION_DDL

# On the same joined lines as MASRUROH, and on no programme list.
SUWARTI = make_nik(8, "1961-03-14", "P")
# In no file at all.
STRANGER = make_nik(7, "1990-02-02")


@pytest.fixture(scope="module")
def audit_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk_quarantine") / "audit.duckdb"
    con = new_connection()
    con.execute(QUARANTINE_DDL)
    joined = dict(JOINED_ROW, Alamat=f"{JOINED_ROW['Alamat']}\r\n201;KEL0003952;{SUWARTI};SUWARTI")
    quarantine(con, json.dumps(joined))
    # The quarantined row spans lines 200 to 202 of the file: MASRUROH and SUWARTI were lost.
    con.execute(RECONCILIATION_DDL)
    con.execute(
        "insert into file_reconciliation values "
        f"('run-quarantine', 'register', '{REGISTER_FILE}', '', 202, 201, 1, 2)"
    )
    make_world(con, register=family(), pkh=[{"nik": MASRUROH, "name": "MASRUROH"}])
    _run_and_publish(con, "run-quarantine", path)
    return path


def _text(db, nik: str, language: str) -> str:
    text = rendered_text(render_answer(lookup_nik(db, nik), language), width=1000)
    return " ".join(text.replace("│", " ").split())


def test_answer_carries_quarantined_row(audit_db):
    (row,) = lookup_nik(audit_db, MASRUROH).quarantined_register_rows

    assert (row.source_file, row.source_row, row.reason_code) == (
        REGISTER_FILE, 200, "joined_lines"
    )


@pytest.mark.parametrize(
    ("language", "register", "notice"),
    [
        (
            "en",
            "In DTSEN register unknown: a register row with this NIK was not loaded",
            f"could not load: {REGISTER_FILE}, row 200 (Several lines joined by a stray "
            "double quote). Ask the analyst to correct that row",
        ),
        (
            "id",
            "Terdaftar di DTSEN tidak diketahui: baris DTSEN dengan NIK ini tidak dimuat",
            f"dimuat oleh audit: {REGISTER_FILE}, baris 200 (Beberapa baris teks tergabung karena "
            "tanda kutip ganda yang tersasar). Minta analis memperbaiki baris itu",
        ),
    ],
)
def test_recipient_outside_loaded_register(audit_db, language, register, notice):
    text = _text(audit_db, MASRUROH, language)

    assert register in text
    assert notice in text


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        ("en", "so do not propose them through SIKS-NG yet"),
        ("id", "jadi jangan diusulkan lewat SIKS-NG dulu"),
    ],
)
def test_not_found_names_quarantined_row(audit_db, language, advice):
    text = _text(audit_db, SUWARTI, language)

    assert f"{REGISTER_FILE}, " in text
    assert advice in text
    assert "SIKS-NG after musdes" not in text


def test_not_found_keeps_usulan_advice(audit_db):
    answer = lookup_nik(audit_db, STRANGER)
    text = _text(audit_db, STRANGER, "en")

    assert answer.quarantined_register_rows == []
    assert "propose them (usulan) through SIKS-NG after musdes" in text


def _published_with_quarantined_cells(tmp_path, cells: dict) -> Path:
    """Publish a run whose only quarantined row is a register row with `cells`."""
    path = tmp_path / "audit.duckdb"
    con = new_connection()
    con.execute(QUARANTINE_DDL)
    quarantine(con, json.dumps(cells))
    make_world(con, register=family())
    _run_and_publish(con, "run-cells", path)
    return path


def test_longer_number_is_not_the_nik(tmp_path):
    # A 17-digit number that contains the NIK is another number.
    path = _published_with_quarantined_cells(tmp_path, {"No": "1", "NIK": f"9{STRANGER}"})

    assert lookup_nik(path, STRANGER).quarantined_register_rows == []


def test_nik_after_control_character(tmp_path):
    # The quarantine keeps a row as a JSON object, which writes a control character as \u0001.
    # Its digits must not join the NIK's.
    cells = {"No": "1", "Alamat": f"DK. KRAJAN\x01{STRANGER}"}
    path = _published_with_quarantined_cells(tmp_path, cells)

    assert len(lookup_nik(path, STRANGER).quarantined_register_rows) == 1


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        ("en", "could not load 3 lines of this run's DTSEN register files, and the person may"),
        ("id", "tidak dapat memuat 3 baris teks berkas DTSEN run ini, dan orang ini mungkin ada"),
    ],
)
def test_name_search_not_found_names_unloaded_rows(audit_db, language, advice):
    count = register_lines_not_loaded(audit_db)
    answers = lookup_person(audit_db, "SUWARTI", "1961-03-14", "3325012001")
    text = rendered_text(
        render_answers(answers, "SUWARTI", language, register_lines_not_loaded=count), width=1000
    )
    text = " ".join(text.replace("│", " ").split())

    assert answers == []
    assert advice in text
    assert "SIKS-NG after musdes" not in text
    assert "SIKS-NG setelah musdes" not in text


def test_fields_from_several_records(tmp_path):
    # MASRUROH's register row was not loaded. Her PKH row has no birth date, but her PBI row
    # has one, and the desk shows it.
    path = tmp_path / "audit.duckdb"
    con = new_connection()
    con.execute(QUARANTINE_DDL)
    quarantine(con, json.dumps(JOINED_ROW))
    make_world(
        con,
        register=family(),
        pkh=[{"nik": MASRUROH, "name": "MASRUROH", "birth_date": None, "source_row": 2,
              "desa_code": None, "kecamatan_code": "332502"}],
        pbi=[{"nik": MASRUROH, "name": "MASRUROH", "source_row": 3, "desa_code": "3325012002"}],
    )
    _run_and_publish(con, "run-fields", path)

    answer = lookup_nik(path, MASRUROH)

    assert answer.is_in_register is False
    assert answer.birth_date == dt.date(1946, 7, 25)
    assert answer.name == "MASRUROH"
    # The PKH row names a kecamatan but no desa, so kecamatan and desa both come from the PBI
    # row: a desa of Kecamatan 332501 is never shown in Kecamatan 332502.
    assert (answer.kecamatan_code, answer.desa_code) == ("332501", "3325012002")
