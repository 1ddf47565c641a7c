"""link_persons end to end on hand-made records: contracts, constraints, review round trip."""

from __future__ import annotations

import json
import logging

import duckdb
import openpyxl
import pytest
from helpers import make_people, write_settings

from pipelines.er import import_review, link_persons
from pipelines.er.review import SHEET_NAME
from pipelines.errors import ConfigError, SourceFileError
from pipelines.i18n import gettext_for, set_language

LINKING = {"match_threshold": 0.92, "possible_threshold": 0.50}
DESA = {"desa_code": "3325012001", "kecamatan_code": "332501", "rt": "003", "rw": "005"}

PEOPLE = [
    {
        "record_id": "register:1::2",
        "source_kind": "register",
        "nik": "3325014705850001",
        "no_kk": "3325010101100001",
        "name": "SITI AMINAH",
        "name_raw": "SITI AMINAH",
        "birth_date": "1985-05-07",
        "sex": "P",
        **DESA,
    },
    {
        "record_id": "pkh:1:Kec. A:5",
        "source_kind": "pkh",
        "nik": "3325014705850001",
        "no_kk": "3325010101090007",
        "name": "SITI AMINAH",
        "name_raw": "Hj. Siti Aminah",
        "birth_date": "1985-05-07",
        "sex": "P",
        **DESA,
    },
    {
        "record_id": "pbi:1:PBI:2",
        "source_kind": "pbi",
        "nik": "3325014705850061",
        "no_kk": None,
        "name": "S. AMINAH",
        "name_raw": "S. AMINAH",
        "birth_date": "1985-05-07",
        "sex": "P",
        **DESA,
    },
    {
        "record_id": "register:1::3",
        "source_kind": "register",
        "nik": "3325010107500001",
        "no_kk": "3325010101100001",
        "name": "KASMURI",
        "name_raw": "KASMURI",
        "birth_date": "1950-07-01",
        "is_birth_date_default": True,
        "sex": "L",
        **DESA,
    },
    {
        "record_id": "register:1::4",
        "source_kind": "register",
        "nik": "3325010107500002",
        "no_kk": "3325010101100002",
        "name": "KASMURI",
        "name_raw": "KASMURI",
        "birth_date": "1950-07-01",
        "is_birth_date_default": True,
        "sex": "L",
        **DESA,
        "rt": "009",
    },
    {
        "record_id": "complaints:1::2",
        "source_kind": "complaints",
        "nik": None,
        "name": "KASMURI",
        "name_raw": "MBAH KASMURI",
        "birth_date": "1950-07-01",
        "is_birth_date_default": True,
        "sex": "L",
        **DESA,
    },
    {
        "record_id": "register:1::5",
        "source_kind": "register",
        "nik": "3325011203800003",
        "no_kk": "3325010101100003",
        "name": "MUHAMMAD FAIZIN",
        "name_raw": "MUHAMMAD FAIZIN",
        "birth_date": "1980-03-12",
        "sex": "L",
        **DESA,
    },
    {
        "record_id": "bpnt:1::2",
        "source_kind": "bpnt",
        "nik": "3325011203800003",
        "no_kk": "3325010101100003",
        "name": "M FAIZIN",
        "name_raw": "M. FAIZIN",
        "birth_date": "1980-03-12",
        "sex": "L",
        **DESA,
    },
    {
        "record_id": "register:1::6",
        "source_kind": "register",
        "nik": "3325015306900004",
        "no_kk": "3325010101100004",
        "name": "SUJONO",
        "name_raw": "SUJONO",
        "birth_date": "1990-06-13",
        "sex": "L",
        **DESA,
    },
    {
        "record_id": "deaths:1:Kematian:2",
        "source_kind": "deaths",
        "nik": None,
        "name": "SOEDJONO",
        "name_raw": "SOEDJONO",
        "birth_date": "1990-06-13",
        "sex": "L",
        **DESA,
    },
    {
        "record_id": "asn:1::2",
        "source_kind": "asn",
        "nik": "3325016608700009",
        "name": "RATNA DEWI",
        "name_raw": "RATNA DEWI",
        "birth_date": "1970-08-26",
        "sex": "P",
        "desa_code": "3325022001",
        "kecamatan_code": "332502",
    },
]
REGISTER = [
    ("register:1::2", "F1", "3325010101100001", "ISTRI"),
    ("register:1::3", "F1", "3325010101100001", "KEPALA KELUARGA"),
    ("register:1::4", "F2", "3325010101100002", "KEPALA KELUARGA"),
    ("register:1::5", "F3", "3325010101100003", "KEPALA KELUARGA"),
    ("register:1::6", "F4", "3325010101100004", "KEPALA KELUARGA"),
]


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    make_people(con, PEOPLE)
    con.execute(
        "create table stg_register (record_id varchar, family_id varchar, no_kk varchar, relationship varchar, snapshot_date date)"
    )
    con.executemany("insert into stg_register values (?, ?, ?, ?, date '2026-11-18')", REGISTER)
    return con


def _person_of(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select record_id, person_id from int_person_links").fetchall())


@pytest.fixture(scope="module")
def linked():
    con = _connection()
    summary = link_persons(con, None, LINKING, None)
    return con, summary


def test_every_record_once(linked):
    con, summary = linked
    rows = con.execute("select record_id, count(*) from int_person_links group by all").fetchall()
    assert sorted(r for r, _ in rows) == sorted(p["record_id"] for p in PEOPLE)
    assert {count for _, count in rows} == {1}
    assert summary.records == len(PEOPLE)
    assert sum(size * n for size, n in summary.cluster_size_distribution.items()) == len(PEOPLE)


def test_cluster_size_matches_members(linked):
    con, _ = linked
    rows = con.execute(
        "select person_id, max(cluster_size), count(*) from int_person_links group by all"
    ).fetchall()
    assert all(size == count for _, size, count in rows)


def test_obvious_matches_are_linked(linked):
    con, _ = linked
    person = _person_of(con)
    assert person["register:1::2"] == person["pkh:1:Kec. A:5"] == person["pbi:1:PBI:2"]
    assert person["register:1::5"] == person["bpnt:1::2"]
    assert person["register:1::6"] == person["deaths:1:Kematian:2"]
    assert person["asn:1::2"] not in {
        person[r] for r in ("register:1::2", "register:1::3", "register:1::5")
    }


def test_namesakes_with_two_register_niks_stay_apart(linked):
    con, _ = linked
    person = _person_of(con)
    assert person["register:1::3"] != person["register:1::4"]


def test_link_pairs_contract(linked):
    con, _ = linked
    columns = [
        row[0] for row in con.execute("select column_name from (describe link_pairs)").fetchall()
    ]
    assert columns[:5] == [
        "record_id_l",
        "record_id_r",
        "match_key",
        "match_weight",
        "match_probability",
    ]
    assert columns[-2:] == ["explanation", "decision"]
    assert {c for c in columns if c.startswith("gamma_")} == {
        "gamma_name",
        "gamma_birth_date",
        "gamma_sex",
        "gamma_nik_embedded",
        "gamma_nik",
        "gamma_household",
    }
    rows = con.execute("select match_probability, decision, explanation from link_pairs").fetchall()
    assert rows
    for probability, decision, explanation in rows:
        assert 0.0 <= probability <= 1.0
        assert decision in {"match", "possible", "non_match"}
        items = json.loads(explanation)
        assert [item["comparison"] for item in items][:2] == ["prior", "name"]
        assert all({"comparison", "level", "weight"} <= set(item) for item in items)


def test_match_weight_is_sum_of_explanation(linked):
    con, _ = linked
    for weight, explanation in con.execute(
        "select match_weight, explanation from link_pairs"
    ).fetchall():
        assert weight == pytest.approx(
            sum(item["weight"] for item in json.loads(explanation)), abs=0.01
        )


def test_families_from_register(linked):
    con, _ = linked
    person = _person_of(con)
    families = {row[0]: row[1:] for row in con.execute("select * from int_families").fetchall()}
    assert families[person["register:1::2"]] == ("F1", "3325010101100001", "ISTRI")
    assert person["asn:1::2"] not in families
    assert len(families) == len(REGISTER)


def test_changed_kk_is_an_alias(linked):
    con, _ = linked
    rows = con.execute("select no_kk, family_id, record_id from int_family_kk_aliases").fetchall()
    assert ("3325010101090007", "F1", "pkh:1:Kec. A:5") in rows


def test_scratch_tables_dropped(linked):
    con, _ = linked
    names = [
        row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()
    ]
    assert not [name for name in names if name.startswith("__er_")]


def test_same_result_twice():
    first, second = _connection(), _connection()
    link_persons(first, None, LINKING, None)
    link_persons(second, None, LINKING, None)
    query = "select record_id_l, record_id_r, round(match_weight, 9), decision from link_pairs order by all"
    assert first.execute(query).fetchall() == second.execute(query).fetchall()


def test_invalid_thresholds_rejected():
    with pytest.raises(ConfigError, match="possible_threshold"):
        link_persons(_connection(), None, {"match_threshold": 0.5, "possible_threshold": 0.9}, None)
    with pytest.raises(ConfigError, match="match_threshold"):
        link_persons(_connection(), None, {"possible_threshold": 0.9}, None)


def test_invalid_thresholds_in_indonesian():
    with pytest.raises(ConfigError) as raised:
        link_persons(_connection(), None, {"match_threshold": 0.5, "possible_threshold": 0.9}, None)

    assert str(raised.value) == (
        "Konfigurasi aturan [linking] possible_threshold = 0.9 lebih besar dari "
        "match_threshold = 0.5. Tulis possible_threshold paling besar 0.5, atau naikkan "
        "match_threshold."
    )


def _fill_workbook(path, decision_text: str) -> int:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET_NAME]
    decision_column = sheet.max_column
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=decision_column, value=decision_text)
    workbook.save(path)
    return sheet.max_row - 1


def test_review_round_trip(tmp_path):
    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}
    con = _connection()
    first = link_persons(con, None, everything_possible, tmp_path)
    pending = first.decisions.get("possible", 0)
    assert pending > 0
    assert first.review_workbook.exists()

    filled = _fill_workbook(first.review_workbook, gettext_for("id", "different people"))
    assert filled == pending
    assert import_review(first.review_workbook, tmp_path) == pending

    second = link_persons(_connection(), None, everything_possible, tmp_path)
    assert second.decisions.get("possible", 0) == 0
    assert second.decisions["reviewed_non_match"] == pending
    assert _fill_workbook(second.review_workbook, "") == 0


def test_review_command_stores_beside_workbook(tmp_path, monkeypatch):
    """Without --state, the decisions go where the run that wrote the workbook reads them."""
    from pipelines import cli

    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}
    review_folder = tmp_path / "audit" / "review"
    first = link_persons(_connection(), None, everything_possible, review_folder)
    pending = _fill_workbook(first.review_workbook, gettext_for("id", "different people"))
    monkeypatch.chdir(tmp_path)

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["review", str(first.review_workbook)])
        raise SystemExit(0)

    assert exit_info.value.code == 0
    assert (review_folder / "review_decisions.parquet").exists()
    second = link_persons(_connection(), None, everything_possible, review_folder)
    assert second.decisions["reviewed_non_match"] == pending


def test_pending_workbook_filled_in_place_stored(tmp_path):
    """A workbook filled where the run wrote it is stored before the next run replaces it."""
    from pipelines.er.review import import_pending_review

    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}
    first = link_persons(_connection(), None, everything_possible, tmp_path)
    assert first.review_pairs > 0
    assert import_pending_review(tmp_path) == 0
    assert not (tmp_path / "review_decisions.parquet").exists()
    pending = _fill_workbook(first.review_workbook, gettext_for("id", "different people"))

    assert import_pending_review(tmp_path) == pending
    second = link_persons(_connection(), None, everything_possible, tmp_path)

    assert second.decisions["reviewed_non_match"] == pending
    assert second.review_pairs == 0
    assert second.review_decisions_stored == pending
    assert second.review_decisions_applied == pending
    assert first.review_decisions_stored == 0


def _relink_with_every_pair_decided(tmp_path, caplog, decision: str) -> list[str]:
    """Link, decide every pair of the review workbook as `decision`, link again; return the
    warnings of the second link."""
    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}
    first = link_persons(_connection(), None, everything_possible, tmp_path)
    _fill_workbook(first.review_workbook, gettext_for("id", decision))
    import_review(first.review_workbook, tmp_path)

    with caplog.at_level(logging.WARNING, logger="pipelines.er"):
        link_persons(_connection(), None, everything_possible, tmp_path)
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_unapplied_same_person_decision_warned(tmp_path, caplog):
    warnings = _relink_with_every_pair_decided(tmp_path, caplog, "same person")

    # A complaint and a register record of two different register NIKs stay apart.
    assert len(warnings) == 1
    assert warnings[0].startswith('"same person" review decisions not applied: 1, because ')
    assert "(complaints:1::2 / register:1::4)" in warnings[0]


def test_different_people_on_one_nik_warned(tmp_path, caplog):
    warnings = _relink_with_every_pair_decided(tmp_path, caplog, "different people")

    # Two pairs of records share a NIK: Siti Aminah's and Muhammad Faizin's.
    assert len(warnings) == 1
    assert warnings[0].startswith(
        '"different people" review decisions that split records with one NIK: 2 ('
    )
    assert "pkh:1:Kec. A:5 / register:1::2, NIK 3325********0001" in warnings[0]
    assert "bpnt:1::2 / register:1::5, NIK 3325********0003" in warnings[0]
    assert "3325014705850001" not in warnings[0]
    assert "3325011203800003" not in warnings[0]
    assert "check the NIK at Dukcapil" in warnings[0]


def _relink_two_records_decided_apart(tmp_path, caplog, people: list[dict]):
    """Link `people`, decide their one possible pair as different people, link again; return
    the second summary and the warning records of the second link."""
    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}
    con = duckdb.connect()
    make_people(con, people)
    first = link_persons(con, None, everything_possible, tmp_path)
    assert _fill_workbook(first.review_workbook, gettext_for("id", "different people")) == 1
    import_review(first.review_workbook, tmp_path)

    con = duckdb.connect()
    make_people(con, people)
    with caplog.at_level(logging.WARNING, logger="pipelines.er"):
        second = link_persons(con, None, everything_possible, tmp_path)
    assert _person_of(con)[people[0]["record_id"]] != _person_of(con)[people[1]["record_id"]]
    return second, [r for r in caplog.records if r.levelno == logging.WARNING]


def test_nik_split_summary_and_record(tmp_path, caplog):
    from pipelines.er.engine import NikSplit
    from pipelines.progress import SUMMARY_WARNING

    summary, warnings = _relink_two_records_decided_apart(tmp_path, caplog, PEOPLE[:2])

    assert summary.review_nik_splits == [
        NikSplit("pkh:1:Kec. A:5", "register:1::2", "3325014705850001")
    ]
    assert len(warnings) == 1
    assert "NIK: 1 (pkh:1:Kec. A:5 / register:1::2, NIK 3325********0001)" in (
        warnings[0].getMessage()
    )
    assert getattr(warnings[0], SUMMARY_WARNING) is True


def test_different_people_on_two_niks_not_warned(tmp_path, caplog):
    # The PBI record's NIK is one digit away from the register record's NIK.
    people = [PEOPLE[0], PEOPLE[2]]
    assert people[0]["nik"] != people[1]["nik"]

    summary, warnings = _relink_two_records_decided_apart(tmp_path, caplog, people)

    assert summary.decisions["reviewed_non_match"] == 1
    assert summary.review_nik_splits == []
    assert warnings == []


def test_different_people_on_invalid_nik_not_warned(tmp_path, caplog):
    people = [{**person, "nik_status": "structure_invalid"} for person in PEOPLE[:2]]

    summary, warnings = _relink_two_records_decided_apart(tmp_path, caplog, people)

    assert summary.decisions["reviewed_non_match"] == 1
    assert summary.review_nik_splits == []
    assert warnings == []


def test_decision_on_absent_records_waits(tmp_path):
    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}
    first = link_persons(_connection(), None, everything_possible, tmp_path)
    pending = _fill_workbook(first.review_workbook, gettext_for("id", "different people"))
    import_review(first.review_workbook, tmp_path)
    sheet = openpyxl.load_workbook(first.review_workbook)[SHEET_NAME]
    left_record = sheet.cell(row=2, column=3).value
    con = _connection()
    con.execute("delete from int_person_records where record_id = ?", [left_record])

    second = link_persons(con, None, everything_possible, tmp_path)

    assert second.review_decisions_stored == pending
    assert 0 < second.review_decisions_applied < pending


def test_pending_review_without_workbook(tmp_path):
    from pipelines.er.review import import_pending_review

    assert import_pending_review(tmp_path / "review") == 0


def test_review_lists_a_fingerprint_pair_once(tmp_path):
    # One person in two tahap of a roster: two records with the same content.
    person = {"source_kind": "bpnt", "nik": "3325014705850001", "name": "SITI AMINAH",
              "birth_date": "1985-05-07", "sex": "P", "desa_code": "3325012001"}
    con = duckdb.connect()
    make_people(con, [{**person, "record_id": "bpnt:3::2"}, {**person, "record_id": "bpnt:4::2"},
                      {**person, "record_id": "register:1::2", "source_kind": "register",
                       "name": "SITI AMINAH BINTI KARTO"}])
    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}

    summary = link_persons(con, None, everything_possible, tmp_path)

    assert summary.decisions["possible"] == 3
    rows = _fill_workbook(summary.review_workbook, "")
    assert rows == 2


def test_review_match_overrides_score(tmp_path):
    con = _connection()
    summary = link_persons(con, None, {"match_threshold": 1.0, "possible_threshold": 0.0}, tmp_path)
    _fill_workbook(summary.review_workbook, "same person")
    import_review(summary.review_workbook, tmp_path)
    again = _connection()
    link_persons(again, None, LINKING, tmp_path)
    decisions = {row[0] for row in again.execute("select decision from link_pairs").fetchall()}
    assert decisions <= {"reviewed_match", "match", "non_match"}
    person = _person_of(again)
    assert person["register:1::3"] != person["register:1::4"]


def test_review_rejects_unknown_decision(tmp_path):
    summary = link_persons(
        _connection(), None, {"match_threshold": 1.0, "possible_threshold": 0.0}, tmp_path
    )
    _fill_workbook(summary.review_workbook, "maybe")
    with pytest.raises(Exception, match=r"baris 2, kolom .*'maybe' tidak dikenal"):
        import_review(summary.review_workbook, tmp_path)


def test_review_errors_in_indonesian(tmp_path):
    set_language("id")
    not_a_workbook = tmp_path / "catatan.xlsx"
    not_a_workbook.write_text("bukan buku kerja", encoding="utf-8")

    with pytest.raises(SourceFileError) as raised:
        import_review(not_a_workbook, tmp_path / "state")

    assert "buku kerja tidak bisa dibuka" in str(raised.value)
    assert "review_pending.xlsx" in str(raised.value)


def test_review_of_other_workbook_names_its_sheets(tmp_path):
    roster = tmp_path / "pkh_tahap4_2026.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Kec. Bandar"
    workbook.create_sheet("Kec. Blado")
    workbook.save(roster)
    set_language("en")
    try:
        with pytest.raises(SourceFileError) as raised:
            import_review(roster, tmp_path / "state")
    finally:
        set_language("id")

    message = str(raised.value)
    assert "has no sheet 'review' (its sheets: Kec. Bandar, Kec. Blado)" in message
    assert "(review)" not in message


def _drop_decision_column(path) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET_NAME]
    sheet.delete_cols(sheet.max_column)
    workbook.save(path)


def test_review_missing_decision_named_as_written(tmp_path):
    # The linker writes the workbook in Indonesian by default, and the clerk imports it in English.
    summary = link_persons(
        _connection(), None, {"match_threshold": 1.0, "possible_threshold": 0.0}, tmp_path
    )
    _drop_decision_column(summary.review_workbook)
    set_language("en")
    try:
        with pytest.raises(SourceFileError) as raised:
            import_review(summary.review_workbook, tmp_path / "state")
    finally:
        set_language("id")

    message = str(raised.value)
    assert "sheet 'review': column 'Keputusan' not found in row 1" in message
    assert "'Decision'" not in message


def test_review_missing_decision_both_names(tmp_path):
    # Only the fingerprint headers of a workbook written before they were translated, which
    # name no language.
    workbook = openpyxl.Workbook()
    workbook.active.title = SHEET_NAME
    workbook.active.append(["fingerprint_l", "fingerprint_r", "a", "b"])
    workbook.save(tmp_path / "review_pending.xlsx")
    set_language("en")
    try:
        with pytest.raises(SourceFileError) as raised:
            import_review(tmp_path / "review_pending.xlsx", tmp_path / "state")
    finally:
        set_language("id")

    message = str(raised.value)
    assert "neither column 'Decision' nor 'Keputusan' was found in row 1" in message


OTHER_DATA = """
[model]
name = "plain_people"
unique_id_column = "rec"
source_column = "src"
link_type = "link_only"
u_sample_pairs = 1000
[[features]]
name = "surname_key"
function = "upper_trim"
columns = ["surname"]
[[blocking_rules]]
name = "surname"
sql = "l.surname_key = r.surname_key"
[[blocking_rules]]
name = "dob"
sql = "l.dob = r.dob"
[[comparisons]]
name = "given"
scores = [{ name = "given_jw", scorer = "jaro_winkler", column = "given" }]
levels = [
    { label = "missing", null = true, sql = "given_l is null or given_r is null" },
    { label = "same", sql = "given_l = given_r", tf_column = "given" },
    { label = "close", sql = "given_jw >= 0.9" },
    { label = "different", else = true },
]
[[comparisons]]
name = "dob"
scores = [{ name = "dob_edits", scorer = "levenshtein", column = "dob" }]
levels = [
    { label = "missing", null = true, sql = "dob_l is null or dob_r is null" },
    { label = "same", sql = "dob_l = dob_r" },
    { label = "one edit", sql = "dob_edits <= 1" },
    { label = "different", else = true },
]
[[cluster_constraints]]
kind = "exclusive"
column = "src"
"""


def test_engine_runs_on_other_person_data(tmp_path):
    con = duckdb.connect()
    con.execute(
        "create table int_person_records (rec varchar, src varchar, given varchar, surname varchar, dob varchar)"
    )
    rows = [
        ("a1", "a", "michaela", "neumann", "19151111"),
        ("a2", "a", "courtney", "painter", "19161214"),
        ("a3", "a", "john", "smith", "19700101"),
        ("b1", "b", "michaela", "neumann", "19151111"),
        ("b2", "b", "courtnee", "painter", "19161214"),
        ("b3", "b", "jon", "smith", "19700102"),
    ]
    con.executemany("insert into int_person_records values (?, ?, ?, ?, ?)", rows)
    summary = link_persons(con, write_settings(tmp_path / "plain.toml", OTHER_DATA), LINKING, None)
    assert summary.records == 6
    assert summary.pairs_per_rule["surname"] == 3
    pairs = con.execute("select record_id_l, record_id_r from link_pairs order by all").fetchall()
    assert pairs == [("a1", "b1"), ("a2", "b2"), ("a3", "b3")]
    assert summary.persons_with_family == 0


def test_review_workbook_in_indonesian_by_default(tmp_path):
    summary = link_persons(
        _connection(), None, {"match_threshold": 1.0, "possible_threshold": 0.0}, tmp_path
    )
    sheet = openpyxl.load_workbook(summary.review_workbook)[SHEET_NAME]
    headers = [cell.value for cell in sheet[1]]
    assert headers[-2:] == ["Penjelasan", "Keputusan"]
    assert "NIK (kiri)" in headers
    assert "NIK (kanan)" in headers
    assert headers[:2] == ["Sidik record (kiri)", "Sidik record (kanan)"]
    explanation = sheet.cell(row=2, column=sheet.max_column - 1).value
    assert "peluang awal" in explanation


def test_review_workbook_headers_in_english(tmp_path):
    set_language("en")
    try:
        summary = link_persons(
            _connection(), None, {"match_threshold": 1.0, "possible_threshold": 0.0}, tmp_path
        )
    finally:
        set_language("id")

    sheet = openpyxl.load_workbook(summary.review_workbook)[SHEET_NAME]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:2] == ["Record fingerprint (left)", "Record fingerprint (right)"]
    assert "fingerprint_l" not in headers
    # The prior is the match probability of two random records, in both languages.
    explanation = sheet.cell(row=2, column=sheet.max_column - 1).value
    assert explanation.startswith("prior: probability that two random records match (")


def test_review_imports_older_fingerprint_headers(tmp_path):
    everything_possible = {"match_threshold": 1.0, "possible_threshold": 0.0}
    first = link_persons(_connection(), None, everything_possible, tmp_path)
    pending = _fill_workbook(first.review_workbook, "different people")
    # A workbook written before the fingerprint headers were translated.
    workbook = openpyxl.load_workbook(first.review_workbook)
    workbook[SHEET_NAME].cell(row=1, column=1, value="fingerprint_l")
    workbook[SHEET_NAME].cell(row=1, column=2, value="fingerprint_r")
    workbook.save(first.review_workbook)

    assert import_review(first.review_workbook, tmp_path) == pending
    second = link_persons(_connection(), None, everything_possible, tmp_path)
    assert second.decisions["reviewed_non_match"] == pending


def _name_weight(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[str, float]:
    [(explanation,)] = con.execute(
        "select explanation from link_pairs where record_id_l = ? and record_id_r = ?", [left, right]
    ).fetchall()
    item = next(i for i in json.loads(explanation) if i["comparison"] == "name")
    return item["level"], item["weight"]


def test_rare_name_weighs_more(linked):
    # KASMURI is on 3 of 11 records, FAIZIN (after Muhammad -> M) on 2.
    con, _ = linked
    common = _name_weight(con, "complaints:1::2", "register:1::3")
    rare = _name_weight(con, "bpnt:1::2", "register:1::5")
    assert common[0] == rare[0] == "same name"
    assert rare[1] > common[1]
