"""Desk lookup by NIK and by name, birth date and desa, on a published hand-made audit."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import sys

import duckdb
import pytest
from rich.console import Console
from test_publish_handmade_marts import (
    ANAK,
    BUDI,
    FORMULA_NAME,
    KK_1,
    RUN_ID,
    SITI,
    ZERO_NIK,
    make_marts,
)
from test_rules_builders import make_kk, make_nik, make_world, rules_config

from pipelines.desk import (
    DeskLookupError,
    PublishedRun,
    lookup_near_matches,
    lookup_nik,
    lookup_person,
    programmes_not_in_run,
    published_run,
    register_lines_not_loaded,
    render_answer,
    render_answers,
    search_person,
)
from pipelines.desk.lookup import (
    desa_label,
    normalise_name,
    normalise_nik,
    parse_birth_date,
    resolve_desa,
)
from pipelines.desk.models import (
    DAY_MONTH_SWAPPED,
    DAYS_OFF,
    OTHER_YEAR,
    NearMatch,
    RuleCaveat,
)
from pipelines.desk.render import NEAR_MATCHES_SHOWN, caveat_lines
from pipelines.i18n import set_language
from pipelines.publish import formatting, publish_marts
from pipelines.publish.formatting import using_language
from pipelines.publish.regions import load_regions
from pipelines.rules import apply_rules, build_marts


@pytest.fixture(scope="module")
def audit_db(tmp_path_factory):
    marts_dir = tmp_path_factory.mktemp("desk") / "marts"
    con = duckdb.connect()
    make_marts(con)
    publish_marts(con, marts_dir, "id", RUN_ID)
    con.close()
    return marts_dir / "audit.duckdb"


def _text(renderable, width=160):
    # Warning lines stay whole in output that is not a terminal, so they are not cropped here,
    # as the CLI's print_complete does not crop them.
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(renderable, crop=False)
    return console.export_text()


def test_lookup_nik_identity(audit_db):
    answer = lookup_nik(audit_db, BUDI)

    assert answer.found
    assert answer.person_ids == ["P-" + BUDI]
    assert answer.name == "BUDI SANTOSO"
    assert answer.is_in_register
    assert answer.no_kk == KK_1
    assert answer.desil == 7
    assert answer.desa_code == "3325012001"
    assert answer.run_id == RUN_ID


def test_nik_check_typed_identity_matches(audit_db):
    answer = lookup_nik(audit_db, BUDI, name="H. Budi Santoso", birth_date="12-03-1980",
                        desa="Silurah")

    check = answer.identity_check
    assert check.name_matches is True
    assert check.birth_date_matches is True
    assert check.desa_matches is True
    assert "cocok" not in _text(render_answer(answer, "id"))


@pytest.mark.parametrize(
    ("language", "warnings"),
    [("id", ["Nama tidak cocok dengan NIK ini: yang diketik Sainem, yang tercatat BUDI SANTOSO.",
             "Tanggal lahir tidak cocok dengan NIK ini: yang diketik 1 Jul 1950, yang tercatat "
             "12 Mar 1980.",
             "Desa tidak cocok dengan NIK ini: yang diketik Sodong, yang tercatat Silurah, "
             "Wonotunggal."]),
     ("en", ["The name does not match this NIK: typed Sainem, recorded BUDI SANTOSO.",
             "The birth date does not match this NIK: typed 1 Jul 1950, recorded 12 Mar 1980.",
             "The desa does not match this NIK: typed Sodong, recorded Silurah, Wonotunggal."])],
)
def test_nik_check_typed_identity_differs(audit_db, language, warnings):
    answer = lookup_nik(audit_db, BUDI, name="Sainem", birth_date="01-07-1950", desa="Sodong")
    text = " ".join(_text(render_answer(answer, language)).split())

    check = answer.identity_check
    assert check.name_matches is False
    assert check.birth_date_matches is False
    assert check.desa_matches is False
    for warning in warnings:
        assert warning in text


def test_nik_check_name_nearly_matches(audit_db):
    answer = lookup_nik(audit_db, BUDI, name="Budi Santosa")
    text = " ".join(_text(render_answer(answer, "en")).split())

    assert answer.identity_check.name_matches is True
    assert answer.identity_check.birth_date_matches is None
    assert "The name only nearly matches: typed Budi Santosa, recorded BUDI SANTOSO." in text
    assert "does not match this NIK" not in text


def test_nik_check_rejects_invalid_birth_date(audit_db):
    with pytest.raises(DeskLookupError, match="'99-99-9999' bukan tanggal"):
        lookup_nik(audit_db, BUDI, birth_date="99-99-9999")


@pytest.mark.parametrize(
    ("language", "typed", "warning"),
    [("id", "Silrah", "Desa yang diketik tidak dapat dicocokkan dengan NIK ini. Desa 'Silrah' "
                      "tidak ada di tabel wilayah Batang."),
     ("id", "Silrah", "Mungkin maksudnya: Silurah, Wonotunggal?"),
     ("en", "Silrah", "The typed desa cannot be checked against this NIK. Desa 'Silrah' is not "
                      "in the Batang region table."),
     ("en", "Silrah", "Did you mean: Silurah, Wonotunggal?"),
     ("en", "Atlantis", "Desa 'Atlantis' is not in the Batang region table."),
     ("id", "Silurah, Bandar", "Desa Silurah ada di Kecamatan Wonotunggal, bukan di Bandar. "
                               "Mungkin maksudnya: Silurah, Wonotunggal?"),
     ("en", "Silurah, Bandar", "Desa Silurah is in kecamatan Wonotunggal, not in Bandar. "
                               "Did you mean: Silurah, Wonotunggal?")],
)
def test_nik_unknown_desa_warns(audit_db, language, typed, warning):
    answer = lookup_nik(audit_db, BUDI, desa=typed)
    text = " ".join(_text(render_answer(answer, language)).split())

    assert answer.found
    assert answer.identity_check.desa_matches is None
    assert answer.identity_check.unknown_desa.typed == typed
    assert "BUDI SANTOSO" in text
    assert warning in text


def test_nik_without_typed_identity_unchecked(audit_db):
    assert lookup_nik(audit_db, BUDI).identity_check is None


def test_lookup_nik_household(audit_db):
    answer = lookup_nik(audit_db, BUDI)

    assert [m.nik for m in answer.members] == [BUDI, SITI, ANAK]
    assert [m.is_subject for m in answer.members] == [True, False, False]


def test_lookup_nik_programmes_and_findings(audit_db):
    answer = lookup_nik(audit_db, BUDI)

    assert sorted(p.programme for p in answer.programmes) == ["BPNT", "PKH"]
    assert all(p.is_own for p in answer.programmes)
    assert [(f.rule_code, f.programme) for f in answer.findings] == [
        ("DESIL_OUT_OF_RANGE", "BPNT"),
        ("DESIL_OUT_OF_RANGE", "PKH"),
    ]
    assert answer.findings[1].evidence == "DTSEN desil 7 is above the PKH threshold of desil 4"
    assert answer.findings[1].evidence_id == "Desil DTSEN 7 di atas batas PKH, yaitu desil 4"


def test_lookup_nik_complaint_next_step(audit_db):
    complaints = lookup_nik(audit_db, BUDI).complaints

    assert [c.complaint_id for c in complaints] == ["CMP-1"]
    assert complaints[0].is_overdue
    assert complaints[0].pre_verified_status == (
        "tidak layak: Verifikasi lapangan oleh pendamping PKH"
    )
    assert complaints[0].next_step == "Verifikasi lapangan oleh pendamping PKH"


def test_lookup_family_member_sees_kpm(audit_db):
    answer = lookup_nik(audit_db, SITI)

    assert answer.found
    assert answer.findings == []
    assert sorted(p.programme for p in answer.programmes) == ["BPNT", "PKH"]
    assert not any(p.is_own for p in answer.programmes)
    assert {p.received_by for p in answer.programmes} == {"BUDI SANTOSO"}


def test_lookup_nik_typed_with_separators(audit_db):
    answer = lookup_nik(audit_db, "'3325.0112 0380-0002")

    assert answer.found
    assert answer.nik == BUDI


def test_lookup_nik_leading_zeros(audit_db):
    answer = lookup_nik(audit_db, ZERO_NIK)

    assert answer.name == FORMULA_NAME
    assert [p.programme for p in answer.programmes] == ["PBI"]
    assert answer.findings[0].rule_code == "PBI_NOT_ELIGIBLE"


def test_lookup_unknown_nik(audit_db):
    answer = lookup_nik(audit_db, "3325019999990001")

    assert not answer.found
    assert answer.members == []
    assert answer.run_id == RUN_ID
    assert answer.run.finished_at == dt.datetime(2026, 12, 4, 20, 10)


UNKNOWN_NIK = "3325019999990001"


@pytest.mark.parametrize(
    ("language", "notice"),
    [("id", f"Tidak ada orang dengan NIK {UNKNOWN_NIK}, tetapi nama, tanggal lahir dan desa yang "
            "diketik bersamanya cocok dengan 1 orang di bawah."),
     ("en", f"No one has NIK {UNKNOWN_NIK}, but the name, birth date and desa typed beside it "
            "match the person below.")],
)
def test_unknown_nik_found_by_typed_details(audit_db, language, notice):
    answer = lookup_nik(audit_db, UNKNOWN_NIK, name="Budi Santoso", birth_date="12-03-1980",
                        desa="Silurah")
    text = " ".join(_text(render_answer(answer, language)).split())

    assert not answer.found
    assert [found.person_ids for found in answer.found_by_details] == [["P-" + BUDI]]
    assert notice in text
    assert "BUDI SANTOSO" in text
    assert BUDI in text


@pytest.mark.parametrize(
    ("typed", "line"),
    [({"name": "Sainem", "birth_date": "01-07-1950", "desa": "Silurah"},
      "No person found for Sainem / 1 Jul 1950 / Silurah, Wonotunggal either."),
     ({"desa": "Silurah"}, "To search without the NIK, type the name, birth date and desa "
                           "together (--nama, --tgl-lahir and --desa)."),
     ({"name": "Budi Santoso", "birth_date": "12-03-1980", "desa": "Silrah"},
      "Desa 'Silrah' is not in the Batang region table.")],
)
def test_unknown_nik_typed_details_explained(audit_db, typed, line):
    answer = lookup_nik(audit_db, UNKNOWN_NIK, **typed)
    text = " ".join(_text(render_answer(answer, "en")).split())

    assert answer.found_by_details == []
    assert f"No person found for {UNKNOWN_NIK}." in text
    assert line in text


def test_published_run_of_database(audit_db):
    assert published_run(audit_db) == PublishedRun(RUN_ID, dt.datetime(2026, 12, 4, 20, 10))


def test_published_run_none_recorded(tmp_path):
    duckdb.connect(str(tmp_path / "audit.duckdb")).close()

    assert published_run(tmp_path / "audit.duckdb") is None


def test_lookup_missing_database(tmp_path):
    with pytest.raises(DeskLookupError, match="tidak ditemukan"):
        lookup_nik(tmp_path / "audit.duckdb", BUDI)


@pytest.mark.parametrize(
    ("name", "birth_date", "desa"),
    [
        ("Budi Santoso", "12-03-1980", "Silurah"),
        ("H. BUDI SANTOSO", "1980-03-12", "3325012001"),
        ("Budi Santosa", "12/03/1980", "33.25.01.2001"),
        ("budi santoso bin karto", "12-03-1980", "silurah"),
    ],
)
def test_lookup_person_matches(audit_db, name, birth_date, desa):
    answers = lookup_person(audit_db, name, birth_date, desa)

    assert [a.nik for a in answers] == [BUDI]
    assert answers[0].desil == 7


@pytest.mark.parametrize(
    ("name", "birth_date", "desa"),
    [
        ("Budi Santoso", "13-03-1980", "Silurah"),
        ("Budi Santoso", "12-03-1980", "Sodong"),
        ("Sainem", "12-03-1980", "Silurah"),
    ],
)
def test_lookup_person_no_match(audit_db, name, birth_date, desa):
    assert lookup_person(audit_db, name, birth_date, desa) == []


def test_lookup_person_invalid_input(audit_db):
    with pytest.raises(DeskLookupError, match="'12 Marz 1980' bukan tanggal"):
        lookup_person(audit_db, "Budi", "12 Marz 1980", "Silurah")
    with pytest.raises(DeskLookupError, match="'Atlantis' tidak ada di tabel wilayah Batang"):
        lookup_person(audit_db, "Budi", "12-03-1980", "Atlantis")
    with pytest.raises(DeskLookupError, match="Silurah ada di Kecamatan Wonotunggal"):
        lookup_person(audit_db, "Budi", "12-03-1980", "Silurah, Bandar")


def test_lookup_errors_in_english(audit_db):
    set_language("en")
    try:
        with pytest.raises(DeskLookupError, match="'12 Marz 1980' is not a date") as raised:
            lookup_person(audit_db, "Budi", "12 Marz 1980", "Silurah")
    finally:
        set_language("id")

    assert "or as 7 May 1985." in str(raised.value)
    assert "Mei" not in str(raised.value)


def test_birth_date_error_indonesian_months(audit_db):
    with pytest.raises(DeskLookupError, match="atau seperti 7 Mei 1985"):
        lookup_person(audit_db, "Budi", "12 Marz 1980", "Silurah")


def test_render_indonesian_shows_full_nik(audit_db):
    text = _text(render_answer(lookup_nik(audit_db, BUDI), "id"))

    assert BUDI in text
    assert SITI in text
    assert "Anggota keluarga (DTSEN)" in text
    assert "Desil di atas batas program" in text
    assert "Verifikasi lapangan oleh pendamping PKH" in text
    assert "lewat batas waktu" in text


def test_render_complaint_next_step_once(audit_db):
    text = " ".join(_text(render_answer(lookup_nik(audit_db, BUDI), "id"), width=400).split())

    assert text.count("Verifikasi lapangan oleh pendamping PKH") == 1


def test_render_english(audit_db):
    text = _text(render_answer(lookup_nik(audit_db, SITI), "en"))

    assert "Household members (register)" in text
    assert "family member BUDI SANTOSO" in text
    assert "No findings for this person." in text
    # The KTP code stays, with the word in the desk's language.
    assert "P (female)" in text
    assert "L (male)" in text


def test_render_indonesian_sex_words(audit_db):
    text = _text(render_answer(lookup_nik(audit_db, SITI), "id"))

    assert "P (perempuan)" in text
    assert "L (laki-laki)" in text


def test_render_not_found(audit_db):
    text = _text(render_answer(lookup_nik(audit_db, "3325019999990001"), "id"))

    assert "Tidak ditemukan orang untuk 3325019999990001" in text
    assert "Periksa nomor di KTP atau KK" in text
    assert f"Sumber pencarian: hasil run audit {RUN_ID} tanggal 4 Des 2026 20:10." in text


def test_render_not_found_names_run_english(audit_db):
    text = _text(render_answer(lookup_nik(audit_db, "3325019999990001"), "en"))

    assert f"Searched audit run {RUN_ID} of 4 Dec 2026 20:10." in text
    assert "Run: -" not in text


def test_render_name_not_found_names_run(audit_db):
    missing = lookup_person(audit_db, "Budi Santoso", "13-03-1980", "Silurah")
    query = "Budi Santoso / 13-03-1980 / Silurah"

    text = _text(render_answers(missing, query, "en", published_run(audit_db)))

    assert f"Searched audit run {RUN_ID} of 4 Dec 2026 20:10." in text


def test_search_person_gathers_not_found_answer(audit_db):
    found = search_person(audit_db, "Budi Santoso", "13-03-1980", "Silurah")

    assert found.answers == []
    assert found.run == published_run(audit_db)
    assert found.programmes_not_in_run == programmes_not_in_run(audit_db)
    assert found.register_lines_not_loaded == register_lines_not_loaded(audit_db)
    assert found.near_matches == lookup_near_matches(
        audit_db, "Budi Santoso", "13-03-1980", "Silurah"
    )
    assert [near.nik for near in found.near_matches] == [BUDI]


def test_search_person_found_skips_not_found_parts(audit_db):
    found = search_person(audit_db, "Budi Santoso", "12-03-1980", "Silurah")

    assert [answer.person_ids for answer in found.answers] == [["P-" + BUDI]]
    assert found.run is None
    assert found.near_matches == []


def test_render_without_recorded_run(tmp_path):
    duckdb.connect(str(tmp_path / "audit.duckdb")).close()
    answer = lookup_nik(tmp_path / "audit.duckdb", "3325019999990001")

    text = _text(render_answer(answer, "en"))

    assert "No person found for 3325019999990001" in text
    assert "No audit run is recorded in this audit database." in text


def test_logs_mask_nik(audit_db, caplog):
    with caplog.at_level(logging.DEBUG):
        lookup_nik(audit_db, BUDI)
        lookup_person(audit_db, "Budi Santoso", "12-03-1980", "Silurah")

    assert "3325********0002" in caplog.text
    assert BUDI not in caplog.text


def test_normalisers():
    assert normalise_nik(" '3325.0112-0380 0002\u200b") == BUDI
    assert normalise_nik("\uff13\uff13\uff12\uff15" + BUDI[4:]) == BUDI
    assert normalise_name("Hj. Siti Aminah binti Kasmuri") == "SITI AMINAH"
    assert normalise_name("NUR'AINI") == "NURAINI"
    assert normalise_name("H. MOCH. SOLICHIN, S.Pd.I") == "MOCH SOLICHIN"
    assert normalise_name("Alm. Kastari") == "KASTARI"
    # Titles the linker drops too: a desk name matches the way linking matched it.
    assert normalise_name("KH. Ahmad Dahlan") == "AHMAD DAHLAN"
    assert normalise_name("Pak Slamet") == "SLAMET"


def test_lookup_without_person_records(tmp_path):
    con = duckdb.connect()
    make_marts(con)
    con.execute("drop table int_person_records")
    publish_marts(con, tmp_path / "marts", "id", RUN_ID)
    con.close()

    answer = lookup_nik(tmp_path / "marts" / "audit.duckdb", BUDI)

    assert answer.name == "BUDI SANTOSO"
    assert sorted(p.programme for p in answer.programmes) == ["BPNT", "PKH"]
    pkh = next(p for p in answer.programmes if p.programme == "PKH")
    assert pkh.source_sheet == "Kec. Wonotunggal"
    assert pkh.source_row == 5


def test_render_answers_for_name_lookup(audit_db):
    found = lookup_person(audit_db, "Budi Santoso", "12-03-1980", "Silurah")
    missing = lookup_person(audit_db, "Budi Santoso", "13-03-1980", "Silurah")
    near = lookup_person(audit_db, "Budi Santosa", "12-03-1980", "Silurah")

    found_text = _text(render_answers(found, "Budi Santoso / 12-03-1980 / Silurah", "en"))
    missing_text = _text(render_answers(missing, "Budi Santoso / 13-03-1980 / Silurah", "en"))
    near_text = _text(render_answers(near, "Budi Santosa / 12-03-1980 / Silurah", "en"))

    assert BUDI in found_text
    assert "nearly matches" not in found_text
    assert BUDI in near_text
    assert "The name only nearly matches: typed Budi Santosa, recorded BUDI SANTOSO" in near_text
    assert "No person found for Budi Santoso / 13-03-1980 / Silurah" in missing_text
    assert "Check the name, birth date and desa" in missing_text
    assert "Check the number" not in missing_text


@pytest.mark.parametrize(
    ("name", "birth_date", "nik", "difference", "days_apart"),
    [
        # SITI AMINAH is recorded born 5 Jul 1985; 07-05-1985 reads as 7 May.
        ("Siti Aminah", "07-05-1985", SITI, DAY_MONTH_SWAPPED, 59),
        # BUDI SANTOSO is recorded born 12 Mar 1980.
        ("Budi Santoso", "03-12-1980", BUDI, DAY_MONTH_SWAPPED, -266),
        ("Budi Santoso", "13-03-1980", BUDI, DAYS_OFF, -1),
        ("Budi Santosa", "09-03-1980", BUDI, DAYS_OFF, 3),
        ("Budi Santoso", "12-03-1988", BUDI, OTHER_YEAR, -2922),
    ],
)
def test_near_matches_found(audit_db, name, birth_date, nik, difference, days_apart):
    matches = lookup_near_matches(audit_db, name, birth_date, "Silurah")

    assert [match.nik for match in matches] == [nik]
    assert matches[0].date_difference == difference
    assert matches[0].days_apart == days_apart
    assert matches[0].is_in_register


@pytest.mark.parametrize(
    ("name", "birth_date", "desa"),
    [
        ("Budi Santoso", "16-03-1980", "Silurah"),
        ("Budi Santoso", "12-04-1980", "Silurah"),
        ("Sainem", "13-03-1980", "Silurah"),
        ("Budi Santoso", "13-03-1980", "Sodong"),
        # The exact birth date is no near match; lookup_person finds it.
        ("Budi Santoso", "12-03-1980", "Silurah"),
    ],
)
def test_near_matches_none(audit_db, name, birth_date, desa):
    assert lookup_near_matches(audit_db, name, birth_date, desa) == []


def test_near_matches_ranked(tmp_path):
    con = duckdb.connect()
    make_marts(con)
    # Near matches of BUDI SANTOSO typed born 11-03-1980: BUDI himself is 1 day later.
    extra = [
        ("register:1::7", "3325010311800007", "BUDI SANTOSO", "1980-11-03"),
        ("register:1::8", "3325010903800008", "BUDI SANTOSA", "1980-03-09"),
        ("register:1::9", "3325011103750009", "BUDI SANTOSO", "1975-03-11"),
        ("register:1::10", "3325011303800010", "BUDI SANTOSO", "1980-03-13"),
    ]
    for record_id, nik, name, born in extra:
        con.execute(
            "insert into int_person_records (record_id, source_kind, nik, name, birth_date, "
            "desa_code, kecamatan_code) values (?, 'pkh', ?, ?, ?, '3325012001', '332501')",
            [record_id, nik, name, born],
        )
        con.execute("insert into int_person_links values (?, ?, 1)", [record_id, "P-" + nik])
    publish_marts(con, tmp_path / "marts", "id", RUN_ID)
    con.close()

    matches = lookup_near_matches(
        tmp_path / "marts" / "audit.duckdb", "Budi Santoso", "11-03-1980", "Silurah"
    )

    # Swapped first, then by days apart, then the closer name (SANTOSO before SANTOSA), then
    # another year.
    assert [match.nik for match in matches] == [
        "3325010311800007", BUDI, "3325011303800010", "3325010903800008", "3325011103750009"
    ]
    assert [match.is_in_register for match in matches] == [False, True, False, False, False]


def publish_with_records(tmp_path, records, desa_code="3325012001"):
    """Publish the hand-made marts plus PBI `records` of (record_id, nik, name, birth date,
    person id) in desa `desa_code` (Silurah), and return the audit database."""
    con = duckdb.connect()
    make_marts(con)
    for record_id, nik, name, born, person_id in records:
        con.execute(
            "insert into int_person_records (record_id, source_kind, nik, name, birth_date, "
            "desa_code, kecamatan_code) values (?, 'pbi', ?, ?, ?, ?, ?)",
            [record_id, nik, name, born, desa_code, desa_code[:6]],
        )
        con.execute("insert into int_person_links values (?, ?, 1)", [record_id, person_id])
    publish_marts(con, tmp_path / "marts", "id", RUN_ID)
    con.close()
    return tmp_path / "marts" / "audit.duckdb"


@pytest.mark.parametrize("roster_nik", [None, "", "3,32501E+15", "3325011111111111",
                                        "3325011203800099"])
def test_near_match_shows_register_nik(tmp_path, roster_nik):
    # BUDI's PBI row, born 11 Mar 1980, is closer to the typed 10-03-1980 than his register
    # row (12 Mar 1980), but the register row's NIK is the one to show.
    db = publish_with_records(
        tmp_path, [("pbi:4:PBI:9", roster_nik, "BUDI SANTOSO", "1980-03-11", "P-" + BUDI)]
    )

    matches = lookup_near_matches(db, "Budi Santoso", "10-03-1980", "Silurah")

    assert [match.nik for match in matches] == [BUDI]
    assert matches[0].birth_date == dt.date(1980, 3, 11)
    assert matches[0].is_in_register


def test_near_match_nik_from_other_record(tmp_path):
    # SUPARMI is on two rosters only: the row that matches has no NIK, the other one has.
    suparmi = "3325014106700005"
    db = publish_with_records(tmp_path, [
        ("pbi:4:PBI:10", None, "SUPARMI", "1970-06-02", "P-SUPARMI"),
        ("pbi:4:PBI:11", suparmi, "SUPARMI", "1970-09-20", "P-SUPARMI"),
        ("pbi:4:PBI:12", "3,32501E+15", "KASMIRAH", "1970-06-02", "P-KASMIRAH"),
    ])

    matches = lookup_near_matches(db, "Suparmi", "01-06-1970", "Silurah")
    without_nik = lookup_near_matches(db, "Kasmirah", "01-06-1970", "Silurah")

    assert [match.nik for match in matches] == [suparmi]
    assert not matches[0].is_in_register
    assert [match.nik for match in without_nik] == [None]


@pytest.mark.parametrize(
    ("language", "notice", "difference", "advice"),
    [("id", "Bukan kecocokan persis: periksa KTP. Ada 1 orang di desa ini dengan nama yang mirip",
      "tanggal dan bulan tertukar", "Jangan usulkan orang ini lewat SIKS-NG"),
     ("en", "Not an exact match: check the KTP. 1 person in this desa has a close name",
      "day and month swapped", "Do not propose the person through SIKS-NG")],
)
def test_render_name_not_found_lists_near_matches(audit_db, language, notice, difference,
                                                  advice):
    near = lookup_near_matches(audit_db, "Siti Aminah", "07-05-1985", "Silurah")
    text = " ".join(_text(render_answers([], "Siti Aminah / 07-05-1985 / Silurah", language,
                                         near_matches=near)).split())

    assert notice in text
    assert SITI in text
    assert difference in text
    assert advice in text
    assert text.index(notice) < text.index(advice)
    assert "(usulan) lewat SIKS-NG setelah musdes" not in text
    assert "(usulan) through SIKS-NG after musdes" not in text


def test_unknown_nik_lists_near_matches(audit_db):
    answer = lookup_nik(audit_db, UNKNOWN_NIK, name="Budi Santoso", birth_date="13-03-1980",
                        desa="Silurah")
    text = " ".join(_text(render_answer(answer, "en")).split())

    assert answer.found_by_details == []
    assert [match.nik for match in answer.near_matches] == [BUDI]
    assert "No person found for Budi Santoso / 13 Mar 1980 / Silurah, Wonotunggal either." in text
    assert "Not an exact match: check the KTP." in text
    assert "1 day earlier" in text
    assert "Check the number on the KTP or KK" not in text
    assert "can propose them (usulan)" not in text


def test_unknown_nik_found_by_details_skips_near_matches(audit_db):
    answer = lookup_nik(audit_db, UNKNOWN_NIK, name="Budi Santoso", birth_date="12-03-1980",
                        desa="Silurah")

    assert [found.nik for found in answer.found_by_details] == [BUDI]
    assert answer.near_matches == []


def test_render_near_matches_capped(audit_db):
    near = [
        NearMatch(f"P-{number}", f"33250112038000{number:02d}", "BUDI SANTOSO",
                  dt.date(1980, 3, 12), "3325012001", DAYS_OFF, 1, True)
        for number in range(NEAR_MATCHES_SHOWN + 2)
    ]
    text = " ".join(_text(render_answers([], "Budi Santoso / 11-03-1980 / Silurah", "en",
                                         near_matches=near)).split())

    assert "7 people in this desa have a close name" in text
    assert "33250112038000" + f"{NEAR_MATCHES_SHOWN - 1:02d}" in text
    assert "33250112038000" + f"{NEAR_MATCHES_SHOWN:02d}" not in text
    assert "2 more people with a near match are not shown." in text


# A desil-8 PKH KPM born on a default date (1 January) with a complaint: the rules give
# DESIL_OUT_OF_RANGE, DEFAULT_DOB and COMPLAINT_LINK findings, among others.
RULES_KPM = make_nik(3, "1975-01-01")
RULES_EVIDENCE = {
    "id": [
        "Desil DTSEN 8 di atas batas PKH, yaitu desil 4",
        "Tanggal lahir 01-01-1975 adalah tanggal bawaan",
        "mengenai penerima PKH",
    ],
    "en": [
        "DTSEN desil 8 is above the PKH threshold of desil 4",
        "Birth date 01-01-1975 is a default date",
        "concerns a PKH recipient",
    ],
}


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory):
    """An audit database whose fct_findings and marts come from the real rules."""
    path = tmp_path_factory.mktemp("desk_rules") / "audit.duckdb"
    con = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})
    make_world(
        con,
        register=[{"nik": RULES_KPM, "no_kk": make_kk(3), "desil": 8}],
        pkh=[{"nik": RULES_KPM, "no_kk": make_kk(3)}],
        complaints=[{"nik": RULES_KPM, "complaint_type": "sanggahan"}],
    )
    apply_rules(con, rules_config(), "run-1")
    build_marts(con, rules_config(), "run-1", None)
    con.close()
    return path


@pytest.mark.parametrize("language", ["id", "en"])
def test_complaint_status_from_marts(rules_db, language):
    with duckdb.connect(str(rules_db), read_only=True) as con:
        expected = con.execute(
            f"select status_text_{language}, next_step_{language} from complaint_results"
        ).fetchall()

    with using_language(language):
        complaints = lookup_nik(rules_db, RULES_KPM).complaints

    assert len(complaints) == 1
    assert expected[0][0] and expected[0][1]
    assert (complaints[0].pre_verified_status, complaints[0].next_step) == expected[0]


def _rules_findings_text(rules_db, language):
    answer = lookup_nik(rules_db, RULES_KPM)
    rules = {f.rule_code for f in answer.findings}
    assert {"DESIL_OUT_OF_RANGE", "DEFAULT_DOB", "COMPLAINT_LINK"} <= rules
    return _text(render_answer(answer, language), width=400)


def test_render_rule_evidence_indonesian(rules_db):
    text = _rules_findings_text(rules_db, "id")

    for sentence in RULES_EVIDENCE["id"]:
        assert sentence in text
    for sentence in RULES_EVIDENCE["en"]:
        assert sentence not in text


def test_render_rule_evidence_english(rules_db):
    text = _rules_findings_text(rules_db, "en")

    for sentence in RULES_EVIDENCE["en"]:
        assert sentence in text
    for sentence in RULES_EVIDENCE["id"]:
        assert sentence not in text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1985-05-07", dt.date(1985, 5, 7)),
        ("07-05-1985", dt.date(1985, 5, 7)),
        ("7 Mei 1985", dt.date(1985, 5, 7)),
        ("7 May 1985", dt.date(1985, 5, 7)),
        ("4 Maret 1992", dt.date(1992, 3, 4)),
        ("04-Agt-1990", dt.date(1990, 8, 4)),
        ("12 des. 1960", dt.date(1960, 12, 12)),
        # A two-digit year is the latest such year that is not in the future.
        ("04-03-92", dt.date(1992, 3, 4)),
        ("4/3/05", dt.date(2005, 3, 4)),
        # Eight digits, day first or year first, whichever is a date.
        ("04031992", dt.date(1992, 3, 4)),
        ("19920304", dt.date(1992, 3, 4)),
    ],
)
def test_birth_date_forms(typed, expected):
    assert parse_birth_date(typed) == expected


@pytest.mark.parametrize("typed", ["31 Februari 1990", "4 Marz 1992", "12345678", "4-3-1992x"])
def test_birth_date_rejected(typed):
    with pytest.raises(DeskLookupError, match="7 Mei 1985"):
        parse_birth_date(typed)


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [("id", "29-02-2023", "Tanggal lahir '29-02-2023' bukan tanggal: Februari 2023 hanya punya "
                          "28 hari."),
     ("en", "29-02-2023", "Birth date '29-02-2023' is not a date: February 2023 has 28 days."),
     ("en", "2023-02-29", "February 2023 has 28 days."),
     ("en", "30 Februari 2024", "February 2024 has 29 days."),
     ("id", "31-04-1990", "April 1990 hanya punya 30 hari."),
     ("en", "31/06/1990", "June 1990 has 30 days."),
     ("en", "31 Nopember 1990", "November 1990 has 30 days.")],
)
def test_birth_date_names_month_length(language, typed, message):
    with using_language(language), pytest.raises(DeskLookupError) as raised:
        parse_birth_date(typed)

    assert message in str(raised.value)
    assert "07-05-1985" in str(raised.value)


def test_birth_date_leap_day_accepted():
    assert parse_birth_date("29-02-2024") == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("language", "message"),
    [("id", "lebih lambat dari hari ini, {today}. Periksa tahunnya di KTP atau KK."),
     ("en", "is after today, {today}. Check the year on the KTP or KK.")],
)
def test_birth_date_in_future_rejected(language, message):
    today = dt.date.today()
    tomorrow = (today + dt.timedelta(days=1)).strftime("%d-%m-%Y")

    with using_language(language), pytest.raises(DeskLookupError) as raised:
        parse_birth_date(tomorrow)
    with using_language(language):
        expected = message.format(today=formatting.date(today))

    assert expected in str(raised.value)
    assert parse_birth_date(today.isoformat()) == today


def test_desa_with_prefix():
    regions = load_regions()
    code = resolve_desa("Silurah", regions)

    assert resolve_desa("Desa Silurah", regions) == code
    assert resolve_desa("desa silurah", regions) == code


@pytest.mark.parametrize("typed", ["Sawah Joho", "sawah-joho", "Sawahjoho, Warungasem",
                                   "Desa Sawahjoho, Kec. Warungasem"])
def test_desa_spelling_variants(typed):
    assert resolve_desa(typed, load_regions()) == ["3325122013"]


def test_desa_shared_name_narrowed_by_kecamatan():
    regions = load_regions()

    assert resolve_desa("Lebo", regions) == ["3325072015", "3325122015"]
    assert resolve_desa("Lebo, Warungasem", regions) == ["3325122015"]
    assert desa_label("Lebo", regions) == "Lebo, Gringsing; Lebo, Warungasem"


@pytest.mark.parametrize(
    "typed", ["Lebo Warungasem", "Desa Lebo Kec. Warungasem", "lebo  warungasem"]
)
def test_desa_with_kecamatan_without_comma(typed):
    assert resolve_desa(typed, load_regions()) == ["3325122015"]


def test_unknown_desa_suggests_closest(english):
    with pytest.raises(DeskLookupError) as raised:
        resolve_desa("Sawajoho", load_regions())

    assert str(raised.value).endswith("Did you mean: Sawahjoho, Warungasem?")


@pytest.mark.parametrize(
    ("typed", "message"),
    [("Silurah, Bandar", "Desa Silurah is in kecamatan Wonotunggal, not in Bandar. "
                         "Did you mean: Silurah, Wonotunggal?"),
     ("Lebo, Bandar", "Desa Lebo is in kecamatan Gringsing, Warungasem, not in Bandar. "
                      "Did you mean: Lebo, Gringsing; Lebo, Warungasem?")],
)
def test_desa_in_other_kecamatan_named(english, typed, message):
    with pytest.raises(DeskLookupError) as raised:
        resolve_desa(typed, load_regions())

    assert str(raised.value) == message


# A run without the death register: a PKH KPM, and a register neighbour on another KK who
# receives nothing.
NO_DEATHS_KPM = make_nik(11, "1950-02-03")
NO_DEATHS_NEIGHBOUR = make_nik(12, "1960-02-03")


@pytest.fixture(scope="module")
def no_deaths_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("desk_no_deaths") / "audit.duckdb"
    con = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})
    make_world(
        con,
        register=[
            {"nik": NO_DEATHS_KPM, "no_kk": make_kk(11), "desil": 1},
            {"nik": NO_DEATHS_NEIGHBOUR, "no_kk": make_kk(12), "desil": 1},
        ],
        pkh=[{"nik": NO_DEATHS_KPM, "no_kk": make_kk(11)}],
    )
    apply_rules(con, rules_config(), "run-no-deaths")
    build_marts(con, rules_config(), "run-no-deaths", None)
    con.close()
    return path


def test_lookup_recipient_lists_death_caveats(no_deaths_db):
    caveats = {c.rule_code: c for c in lookup_nik(no_deaths_db, NO_DEATHS_KPM).caveats}

    assert caveats["DECEASED_RECIPIENT"].is_evaluated is False
    assert caveats["DECEASED_RECIPIENT"].missing_inputs == ("stg_deaths",)
    assert caveats["PKH_NO_COMPONENT"].is_evaluated is True
    assert caveats["PKH_NO_COMPONENT"].missing_inputs == ("stg_deaths",)


def test_lookup_non_recipient_skips_recipient_rules(no_deaths_db):
    codes = {c.rule_code for c in lookup_nik(no_deaths_db, NO_DEATHS_NEIGHBOUR).caveats}

    assert "DECEASED_RECIPIENT" not in codes
    assert "PKH_NO_COMPONENT" not in codes
    assert "EXCLUSION_ERROR_CANDIDATE" in codes


@pytest.mark.parametrize(
    ("language", "start", "not_run", "limited"),
    [
        ("id", "Run ini tanpa data kematian, jadi pemeriksaan ini tidak dijalankan: ",
         "Penerima tercatat meninggal (DECEASED_RECIPIENT)",
         "; dan pemeriksaan ini dijalankan dengan keterbatasan: "),
        ("en", "This run had no death register, so these checks did not run: ",
         "Recipient recorded as deceased (DECEASED_RECIPIENT)",
         "; and these ran with a limitation: "),
    ],
)
def test_render_names_missing_death_register(no_deaths_db, language, start, not_run, limited):
    with using_language(language):
        answer = lookup_nik(no_deaths_db, NO_DEATHS_KPM)
    text = _text(render_answer(answer, language), width=1000)

    line = next(line for line in text.splitlines() if line.startswith(start))
    assert not_run in line
    assert limited in line
    assert line.index("(DECEASED_RECIPIENT)") < line.index(limited)
    assert line.index(limited) < line.index("(PKH_NO_COMPONENT)")
    assert sum(line.startswith(start) for line in text.splitlines()) == 1


def test_caveats_share_line_per_checks(english):
    caveats = [
        RuleCaveat("EXCLUSION_ERROR_CANDIDATE", True, ("stg_deaths", "stg_asn", "stg_pkh"), None),
        RuleCaveat("DECEASED_RECIPIENT", False, ("stg_deaths",), None),
        RuleCaveat("ASN_TNI_POLRI", False, ("stg_asn",), None),
    ]
    lines = caveat_lines(caveats)

    # The death register and the ASN list each stop a rule of their own, so no two inputs share.
    assert len(lines) == 3
    assert lines[2] == (
        "This run had no PKH roster, so these checks ran with a limitation: Eligible family "
        "receives no programme (EXCLUSION_ERROR_CANDIDATE)."
    )
    merged = caveat_lines([
        RuleCaveat("EXCLUSION_ERROR_CANDIDATE", True, ("stg_deaths", "stg_asn", "stg_pkh"), None),
    ])
    assert merged == [
        "This run had no death register, ASN/TNI/Polri and pensioner list or PKH roster, so "
        "these checks ran with a limitation: Eligible family receives no programme "
        "(EXCLUSION_ERROR_CANDIDATE)."
    ]


def test_render_without_missing_input_has_no_caveat(rules_db, tmp_path):
    database = tmp_path / "audit.duckdb"
    shutil.copy(rules_db, database)
    with duckdb.connect(str(database)) as con:
        con.execute(
            "update rule_status set status = 'evaluated', is_evaluated = true, "
            "not_evaluated_reason = null, limitation_reason = null, missing_inputs = null"
        )

    text = _text(render_answer(lookup_nik(database, RULES_KPM), "en"), width=1000)

    assert "This run had no" not in text
    assert "did not run" not in text


def test_desk_import_leaves_out_linker_engine():
    # A desk lookup pays for every import of the CLI process: the linker's engine brings
    # pandas and scipy, which the desk never uses.
    code = (
        "import sys, pipelines.desk\n"
        "print(sorted(m for m in ('pipelines.er.engine', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


LEBO_GRINGSING, LEBO_WARUNGASEM = "3325072015", "3325122015"


@pytest.mark.parametrize(
    ("language", "notice"),
    [("id", "Ada 1 orang di desa yang dicari (Lebo, Gringsing; Lebo, Warungasem) dengan nama "
            "yang mirip"),
     ("en", "1 person in the searched desa (Lebo, Gringsing; Lebo, Warungasem) has a close "
            "name")],
)
def test_near_match_shared_desa_named(tmp_path, language, notice):
    # Lebo is a desa of Gringsing and of Warungasem; the one near match is in Warungasem.
    db = publish_with_records(
        tmp_path, [("pbi:4:PBI:13", "3325125108930001", "AMINAH", "1993-08-11", "P-AMINAH")],
        desa_code=LEBO_WARUNGASEM,
    )

    found = search_person(db, "Aminah", "08-11-1993", "Lebo")
    by_nik = lookup_nik(db, UNKNOWN_NIK, name="Aminah", birth_date="08-11-1993", desa="Lebo")
    texts = [
        " ".join(_text(render_answers([], "Aminah / 8 Nov 1993 / Lebo", language,
                                      near_matches=found.near_matches,
                                      desa_codes=found.desa_codes)).split()),
        " ".join(_text(render_answer(by_nik, language)).split()),
    ]

    assert found.desa_codes == [LEBO_GRINGSING, LEBO_WARUNGASEM]
    assert by_nik.near_matches_desa_codes == [LEBO_GRINGSING, LEBO_WARUNGASEM]
    for text in texts:
        assert notice in text
        assert "Desa/Kelurahan" in text
        assert "Lebo, Warungasem" in text
        assert "desa ini" not in text
        assert "this desa" not in text


def test_render_near_matches_name_desa():
    # A desa name shared by two kecamatan (Lebo) searches both, so each match names its desa.
    near = [
        NearMatch("P-1", "3325150505600001", "SAINEM", dt.date(1960, 5, 5), code, DAYS_OFF, 1,
                  True)
        for code in load_regions().desa_codes_named("Lebo")
    ]
    text = " ".join(_text(render_answers([], "Sainem / 4 May 1960 / Lebo", "en",
                                         near_matches=near)).split())

    assert "Desa/Kelurahan" in text
    assert "Lebo, Gringsing" in text
    assert "Lebo, Warungasem" in text
