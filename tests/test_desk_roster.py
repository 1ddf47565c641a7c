"""Desk lookup of roster rows that are not received in the audited period: inactive rows and
rows of another tahap are listed apart from the programmes received, and complaints name them.
A row of another tahap of a programme received in the audited tahap is left out."""

from __future__ import annotations

import duckdb
import pytest
from rich.console import Console
from test_rules_builders import PERIOD, make_kk, make_nik, make_world, rules_config

from pipelines.desk import lookup_nik, render_answer
from pipelines.publish.formatting import using_language
from pipelines.rules import apply_rules, build_marts

KK = make_kk(1)
HEAD = make_nik(1, "1980-04-10")
CHILD = make_nik(2, "2016-06-20", "P")
# Not in the register, and on the PBI roster only with status NONAKTIF.
INACTIVE = make_nik(11, "1982-07-01")
# Not in the register, but an active PBI member.
PBI_MEMBER = make_nik(12, "1990-03-05", "P")
# In the register, on the BPNT list of tahap 3 and not of the audited tahap.
DROPPED = make_nik(13, "1975-09-14", "P")
# A family whose head receives BPNT and whose member receives PBI.
BPNT_HEAD = make_nik(14, "1970-01-20")
PBI_WIFE = make_nik(15, "1972-03-08", "P")


@pytest.fixture(scope="module")
def roster_db(tmp_path_factory):
    """An audit database built by the rules from a family that receives BPNT in the audited
    tahap and was listed in tahap 3 too, a person listed in tahap 3 only, and a person whose
    only roster row is inactive."""
    path = tmp_path_factory.mktemp("desk_roster") / "audit.duckdb"
    con = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})
    make_world(
        con,
        register=[
            {"nik": HEAD, "no_kk": KK, "desil": 2},
            {"nik": CHILD, "no_kk": KK, "relationship": "ANAK", "desil": 2},
            {"nik": DROPPED, "no_kk": make_kk(2), "desil": 1},
            {"nik": BPNT_HEAD, "no_kk": make_kk(3), "desil": 2},
            {"nik": PBI_WIFE, "no_kk": make_kk(3), "relationship": "ISTRI", "desil": 2},
        ],
        bpnt=[
            {"nik": HEAD, "no_kk": KK, "period": "2026-T3", "source_row": 2},
            {"nik": HEAD, "no_kk": KK, "source_row": 3},
            {"nik": DROPPED, "no_kk": make_kk(2), "period": "2026-T3", "source_row": 4},
            {"nik": BPNT_HEAD, "no_kk": make_kk(3), "source_row": 5},
        ],
        pbi=[
            {"nik": INACTIVE, "is_active": False, "source_row": 6004},
            {"nik": PBI_MEMBER, "source_row": 6005},
            {"nik": PBI_WIFE, "source_row": 6006},
        ],
        complaints=[
            {"nik": INACTIVE, "programme_requested": "BPNT"},
            {"nik": PBI_MEMBER, "programme_requested": "BPNT"},
            {"nik": HEAD, "programme_requested": "PKH"},
        ],
    )
    apply_rules(con, rules_config(), "run-1")
    build_marts(con, rules_config(), "run-1", None)
    con.close()
    return path


def _text(renderable) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def _rows(programmes) -> list[tuple]:
    return [(p.programme, p.period, p.is_active, p.is_own, p.source_row) for p in programmes]


def test_inactive_pbi_not_received(roster_db):
    answer = lookup_nik(roster_db, INACTIVE)

    assert answer.programmes == []
    assert _rows(answer.programmes_not_received) == [("PBI", None, False, True, 6004)]
    assert answer.audit_period == PERIOD


def test_other_tahap_listed_apart(roster_db):
    answer = lookup_nik(roster_db, DROPPED)

    assert answer.programmes == []
    assert _rows(answer.programmes_not_received) == [("BPNT", "2026-T3", True, True, 4)]


def test_earlier_tahap_of_received_programme_omitted(roster_db):
    answer = lookup_nik(roster_db, HEAD)

    assert _rows(answer.programmes) == [("BPNT", PERIOD, True, True, 3)]
    assert answer.programmes_not_received == []


def test_family_member_sees_current_kpm(roster_db):
    answer = lookup_nik(roster_db, CHILD)

    assert _rows(answer.programmes) == [("BPNT", PERIOD, True, False, 3)]
    assert answer.programmes_not_received == []


def _complaint_columns(roster_db, nik: str, columns: str) -> list[tuple]:
    with duckdb.connect(str(roster_db), read_only=True) as con:
        return con.execute(
            f"select {columns} from complaint_results where nik = ?", [nik]
        ).fetchall()


def test_complaint_inactive_roster_status(roster_db):
    status = _complaint_columns(roster_db, INACTIVE, "status_code, next_step_code")

    assert status == [("ROSTER_NOT_RECEIVED_NOT_REGISTER", "REGISTER_DTSEN")]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "id",
            "Tidak terdaftar di DTSEN dan tidak menerima program apa pun pada 2026-T4 "
            "(tercatat di daftar sebagai: PBI nonaktif)",
        ),
        (
            "en",
            "Not registered in DTSEN and receives no programme in 2026-T4 "
            "(on the list as: PBI inactive)",
        ),
    ],
)
def test_complaint_inactive_roster_text(roster_db, language, expected):
    with using_language(language):
        complaints = lookup_nik(roster_db, INACTIVE).complaints

    assert len(complaints) == 1
    assert complaints[0].pre_verified_status.startswith(expected)


def test_complaint_names_programme_received(roster_db):
    status = _complaint_columns(roster_db, PBI_MEMBER, "status_code, status_text_en")

    assert status[0][0] == "IN_ROSTER_NOT_REGISTER"
    assert status[0][1].startswith("Receives PBI but is not registered in DTSEN")


@pytest.mark.parametrize("language", ["id", "en"])
def test_complaint_omits_received_tahap(roster_db, language):
    # HEAD receives BPNT in 2026-T4, so the BPNT row of 2026-T3 is no news to the complainant.
    with using_language(language):
        complaints = lookup_nik(roster_db, HEAD).complaints

    assert len(complaints) == 1
    assert "2026-T3" not in complaints[0].pre_verified_status


def test_render_not_received_indonesian(roster_db):
    text = _text(render_answer(lookup_nik(roster_db, DROPPED), "id"))

    assert "Tidak menerima BPNT maupun PBI pada 2026-T4." in text
    assert "Tercatat di daftar program tetapi tidak menerima pada 2026-T4" in text
    assert "aktif, periode lain" in text


def test_render_not_received_english(roster_db):
    inactive_text = _text(render_answer(lookup_nik(roster_db, INACTIVE), "en"))
    head_text = _text(render_answer(lookup_nik(roster_db, HEAD), "en"))
    dropped_text = _text(render_answer(lookup_nik(roster_db, DROPPED), "en"))

    # The run had no PKH roster.
    assert "Receives no BPNT or PBI in 2026-T4." in inactive_text
    assert "None of PKH, BPNT or PBI" not in inactive_text
    assert "On a programme list but not received in 2026-T4" in inactive_text
    assert "inactive" in inactive_text
    assert "Programmes received in 2026-T4" in head_text
    assert "On a programme list but not received" not in head_text
    assert "active, another period" in dropped_text


def test_programmes_in_report_order(roster_db):
    # Her own PBI row came first; the programmes now run PKH, BPNT, PBI as in the report.
    answer = lookup_nik(roster_db, PBI_WIFE)

    assert _rows(answer.programmes) == [
        ("BPNT", PERIOD, True, False, 5),
        ("PBI", None, True, True, 6006),
    ]
