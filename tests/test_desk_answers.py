"""Desk lookups on an audit database that the publish step wrote from a run of the real rules.

The cases: KTP spellings of a name, several people matching one search, a death-register record,
and a programme whose roster was not in the run.
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from test_desk_lookup import _text as rendered_text
from test_rules_builders import make_kk, make_nik, make_world, new_connection, rules_config

from pipelines.desk import lookup_nik, lookup_person, render_answer, render_answers
from pipelines.publish.columns import MART_TABLES
from pipelines.publish.formatting import using_language
from pipelines.publish.marts import existing_columns
from pipelines.publish.publish import write_audit_db
from pipelines.rules import apply_rules, build_marts

HAKIM = make_nik(1, "1999-01-13")
DJOKO = make_nik(2, "1975-08-04")
# Two people with one name, birth date and desa, on different KK: the first receives PKH, the
# second BPNT.
SUPRIHATIN_1 = make_nik(3, "1954-12-31", "P")
SUPRIHATIN_2 = make_nik(4, "1954-12-31", "P")
KARSIH = make_nik(5, "1976-04-12", "P")
DEATHS_FILE = "kematian_dukcapil_2026.xlsx"


def _run_and_publish(con: duckdb.DuckDBPyConnection, run_id: str, path) -> None:
    """Run the rules and marts, then write audit.duckdb as publish does, leaving out the marts
    a hand-made run lacks."""
    apply_rules(con, rules_config(), run_id)
    build_marts(con, rules_config(), run_id, None)
    absent = [table for table in MART_TABLES if not existing_columns(con, table)]
    write_audit_db(con, path, exclude=absent)
    con.close()


@pytest.fixture(scope="module")
def audit_db(tmp_path_factory):
    """A run without the PBI roster, with a death-register record for KARSIH."""
    path = tmp_path_factory.mktemp("desk_answers") / "audit.duckdb"
    con = new_connection()
    make_world(
        con,
        register=[
            {"nik": HAKIM, "no_kk": make_kk(1), "name": "MUHAMMAD HAKIM", "desil": 10},
            {"nik": DJOKO, "no_kk": make_kk(2), "name": "JOKO CAHYONO", "desil": 10},
            {"nik": SUPRIHATIN_1, "no_kk": make_kk(3), "name": "SUPRIHATIN"},
            {"nik": SUPRIHATIN_2, "no_kk": make_kk(4), "name": "SUPRIHATIN"},
            {"nik": KARSIH, "no_kk": make_kk(5), "name": "KARSIH"},
        ],
        pkh=[{"nik": SUPRIHATIN_1, "no_kk": make_kk(3)}],
        bpnt=[{"nik": SUPRIHATIN_2, "no_kk": make_kk(4)}],
        deaths=[
            {
                "nik": KARSIH,
                "name": "KARSIH",
                "death_date": dt.date(2026, 7, 13),
                "source_file": DEATHS_FILE,
                "source_row": 163,
            }
        ],
    )

    # The linker's int_person_records carries each record's file, which the builders leave out.
    con.execute("alter table int_person_records add column source_file varchar")
    con.execute(
        "update int_person_records r set source_file = d.source_file "
        "from stg_deaths d where r.record_id = d.record_id"
    )

    _run_and_publish(con, "run-no-pbi", path)
    return path


@pytest.fixture(scope="module")
def all_rosters_db(tmp_path_factory):
    """A run with all three rosters, in which HAKIM receives none."""
    path = tmp_path_factory.mktemp("desk_all_rosters") / "audit.duckdb"
    con = new_connection()
    make_world(
        con,
        register=[
            {"nik": HAKIM, "no_kk": make_kk(1), "name": "MUHAMMAD HAKIM", "desil": 10},
            {"nik": SUPRIHATIN_1, "no_kk": make_kk(3), "name": "SUPRIHATIN"},
        ],
        pkh=[{"nik": SUPRIHATIN_1, "no_kk": make_kk(3)}],
        bpnt=[{"nik": SUPRIHATIN_1, "no_kk": make_kk(3)}],
        pbi=[{"nik": SUPRIHATIN_1}],
    )
    _run_and_publish(con, "run-all", path)
    return path


def _render(renderable) -> str:
    return rendered_text(renderable, width=1000)


@pytest.mark.parametrize(
    ("name", "birth_date", "nik"),
    [
        ("MOCH HAKIM", "13-01-1999", HAKIM),
        ("M. HAKIM", "13-01-1999", HAKIM),
        ("Moch. Hakim", "1999-01-13", HAKIM),
        ("MUHAMAD HAKIM", "13-01-1999", HAKIM),
        ("DJOKO TJAHJONO", "04-08-1975", DJOKO),
    ],
)
def test_name_lookup_spelling_variants(audit_db, name, birth_date, nik):
    answers = lookup_person(audit_db, name, birth_date, "Silurah")

    assert [a.nik for a in answers] == [nik]


def test_name_lookup_other_name_not_found(audit_db):
    assert lookup_person(audit_db, "ABDUL HAKIM", "13-01-1999", "Silurah") == []
    assert lookup_person(audit_db, "MOCH HAKIM", "14-01-1999", "Silurah") == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_name_variant_not_told_to_propose(audit_db, language):
    answers = lookup_person(audit_db, "MOCH HAKIM", "13-01-1999", "Silurah")
    text = _render(render_answers(answers, "MOCH HAKIM / 13-01-1999 / Silurah", language))

    assert HAKIM in text
    assert "usulan" not in text


@pytest.mark.parametrize(
    ("language", "notice", "title", "person"),
    [
        ("id", "2 orang cocok; pastikan dengan NIK.",
         "Cek data: SUPRIHATIN / 31 Des 1954 / Silurah", "Orang ke-{} dari 2"),
        ("en", "2 people match; confirm with the NIK.",
         "Desk lookup: SUPRIHATIN / 31 Dec 1954 / Silurah", "Person {} of 2"),
    ],
)
def test_several_matches_notice(audit_db, language, notice, title, person):
    answers = lookup_person(audit_db, "SUPRIHATIN", "31-12-1954", "Silurah")
    text = _render(render_answers(answers, "SUPRIHATIN / 31-12-1954 / Silurah", language))

    assert sorted(a.nik for a in answers) == sorted([SUPRIHATIN_1, SUPRIHATIN_2])
    assert text.splitlines()[0] == notice
    assert text.count(notice) == 1
    assert text.count(title) == 2
    assert "1954-12-31" not in text
    # Each answer starts after a rule that numbers it.
    first, second = text.index(person.format(1)), text.index(person.format(2))
    assert first < text.index(title) < second < text.rindex(title)


def test_single_match_has_no_notice(audit_db):
    answers = lookup_person(audit_db, "MOCH HAKIM", "13-01-1999", "Silurah")
    text = _render(render_answers(answers, "MOCH HAKIM / 13-01-1999 / Silurah", "en"))

    assert "people match" not in text
    assert "Person 1" not in text
    assert "Desk lookup: MOCH HAKIM / 13 Jan 1999 / Silurah" in text


def test_death_record_has_date(audit_db):
    deaths = [r for r in lookup_nik(audit_db, KARSIH).records if r.source_kind == "deaths"]

    assert len(deaths) == 1
    assert deaths[0].death_date == dt.date(2026, 7, 13)
    assert deaths[0].source_file == DEATHS_FILE
    assert deaths[0].source_row == 163


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("id", f"Tercatat meninggal 13 Jul 2026 ({DEATHS_FILE}, baris 163)."),
        ("en", f"Recorded as deceased on 13 Jul 2026 ({DEATHS_FILE}, row 163)."),
    ],
)
def test_render_death_record(audit_db, language, line):
    with using_language(language):
        answer = lookup_nik(audit_db, KARSIH)
    text = _render(render_answer(answer, language))

    assert line in text.splitlines()


def test_render_without_death_register_has_no_death_line(audit_db):
    text = _render(render_answer(lookup_nik(audit_db, HAKIM), "en"))

    assert "deceased" not in text


def test_render_death_record_without_published_date(audit_db, tmp_path):
    database = tmp_path / "audit.duckdb"
    shutil.copy(audit_db, database)
    with duckdb.connect(str(database)) as con:
        con.execute("drop table stg_deaths")

    text = _render(render_answer(lookup_nik(database, KARSIH), "en"))

    assert f"Recorded as deceased ({DEATHS_FILE}, row 163)." in text.splitlines()


def test_render_death_record_with_unreadable_date(audit_db, tmp_path):
    database = tmp_path / "audit.duckdb"
    shutil.copy(audit_db, database)
    with duckdb.connect(str(database)) as con:
        con.execute("update stg_deaths set death_date = null")

    text = " ".join(_render(render_answer(lookup_nik(database, KARSIH), "en")).split())

    assert (
        f"Recorded as deceased without a readable date of death ({DEATHS_FILE}, row 163): check "
        "the death with Disdukcapil or the desa before any proposal."
    ) in text


def test_lookup_lists_programme_not_in_run(audit_db):
    assert lookup_nik(audit_db, HAKIM).programmes_not_in_run == ["PBI"]
    assert lookup_nik(audit_db, SUPRIHATIN_1).programmes_not_in_run == ["PBI"]


def test_programmes_not_in_run_from_files(audit_db, tmp_path):
    # The run's files: a BPNT roster with a header and no data rows, and no PBI roster. Without
    # the register no rule records a missing BPNT roster, so only the files can tell.
    database = tmp_path / "audit.duckdb"
    shutil.copy(audit_db, database)
    with duckdb.connect(str(database)) as con:
        con.execute(
            "create table file_reconciliation as select * from (values "
            "('register', 'dtsen.csv', 5, 5, 0), ('pkh', 'pkh.xlsx', 1, 1, 0), "
            "('bpnt', 'bpnt.csv', 0, 0, 0)) "
            "as t(source_kind, source_file, rows_read, rows_loaded, rows_quarantined)"
        )
        con.execute("delete from rule_status")

    assert lookup_nik(database, HAKIM).programmes_not_in_run == ["BPNT", "PBI"]


@pytest.mark.parametrize(
    ("language", "none_received", "unknown"),
    [
        ("id", "Tidak menerima PKH maupun BPNT pada 2026-T4.",
         "status tidak diketahui: run ini tanpa daftar peserta PBI JKN"),
        ("en", "Receives no PKH or BPNT in 2026-T4.",
         "status unknown: this run had no PBI JKN roster"),
    ],
)
def test_render_programme_not_in_run(audit_db, language, none_received, unknown):
    text = _render(render_answer(lookup_nik(audit_db, HAKIM), language))

    assert none_received in text
    assert unknown in text
    assert "PBI" not in none_received
    assert "None of PKH, BPNT or PBI" not in text
    assert "Tidak menerima PKH, BPNT maupun PBI" not in text


def test_render_recipient_shows_programme_not_in_run(audit_db):
    text = _render(render_answer(lookup_nik(audit_db, SUPRIHATIN_1), "en"))

    assert "status unknown: this run had no PBI JKN roster" in text
    assert "Receives no" not in text


def test_render_all_rosters_in_run(all_rosters_db):
    answer = lookup_nik(all_rosters_db, HAKIM)
    text = _render(render_answer(answer, "en"))

    assert answer.programmes_not_in_run == []
    assert "None of PKH, BPNT or PBI in 2026-T4." in text
    assert "status unknown" not in text


@pytest.mark.parametrize(
    ("language", "register"),
    [("id", "tidak diketahui: run ini tanpa register DTSEN"),
     ("en", "unknown: this run had no DTSEN register")],
)
def test_render_register_unknown_without_register(audit_db, tmp_path, language, register):
    with using_language(language):
        text = _render(render_answer(lookup_nik(audit_db, HAKIM), language))
    assert register not in text

    database = tmp_path / "audit.duckdb"
    shutil.copy(audit_db, database)
    with duckdb.connect(str(database)) as con:
        con.execute("drop table stg_register")
    with using_language(language):
        text = _render(render_answer(lookup_nik(database, HAKIM), language))

    assert register in text


# A NIK that no file of the hand-made runs contains.
UNKNOWN_NIK = make_nik(99, "1990-09-09")


@pytest.mark.parametrize(
    ("language", "missing"),
    [
        ("id", "Run ini tanpa daftar peserta PBI JKN, jadi orang ini mungkin ada di daftar itu: "
               "minta analis menjalankan audit lagi dengan daftar tersebut."),
        ("en", "This run had no PBI JKN roster, so the person may be on that list: ask the "
               "analyst to run the audit again with it."),
    ],
)
def test_render_not_found_names_missing_roster(audit_db, language, missing):
    text = " ".join(_render(render_answer(lookup_nik(audit_db, UNKNOWN_NIK), language)).split())

    assert missing in text


def test_render_name_not_found_names_missing_rosters(audit_db):
    answers = lookup_person(audit_db, "SUDARMI", "01-01-1990", "3325012001")

    rendered = render_answers(answers, "SUDARMI", "en", None, ["BPNT", "PBI"])
    text = " ".join(_render(rendered).split())

    assert answers == []
    assert (
        "This run had no BPNT/Sembako roster or PBI JKN roster, so the person may be on one of "
        "those lists: ask the analyst to run the audit again with them."
    ) in text


def test_render_not_found_all_rosters_in_run(all_rosters_db):
    text = _render(render_answer(lookup_nik(all_rosters_db, UNKNOWN_NIK), "en"))

    assert "No person found for" in text
    assert "This run had no" not in text


@pytest.mark.parametrize("typed", ["HAKIM MUHAMMAD", "HAKIM MOCH"])
def test_name_in_other_word_order_found(audit_db, typed):
    answers = lookup_person(audit_db, typed, "13-01-1999", "Silurah")

    assert [a.nik for a in answers] == [HAKIM]
