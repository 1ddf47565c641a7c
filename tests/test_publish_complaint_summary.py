"""The report counts complaints by pre-verification outcome, not by their full sentence."""

from __future__ import annotations

from pipelines.i18n import set_language
from pipelines.publish.report_data import complaint_summary


def test_complaints_grouped_by_status_code(con):
    con.execute(
        "create table complaint_results as select * from (values "
        "('1', 'ALREADY_RECEIVING', 'Terdaftar di DTSEN desil 4 dan sudah menerima BPNT'), "
        "('2', 'ALREADY_RECEIVING', 'Terdaftar di DTSEN desil 2 dan sudah menerima PKH'), "
        "('3', 'NOT_LINKED', 'Tidak ditemukan di DTSEN')"
        ") as t(complaint_id, status_code, status_text_id)"
    )
    set_language("id")
    summary = complaint_summary(con)
    assert summary == [
        ("Sudah menerima program", 2),
        ("Tidak ditemukan di DTSEN maupun daftar penerima", 1),
    ]


def test_complaint_titles_in_english(con):
    con.execute(
        "create table complaint_results as select * from (values ('1', 'NOT_LINKED')) "
        "as t(complaint_id, status_code)"
    )
    set_language("en")
    try:
        summary = complaint_summary(con)
    finally:
        set_language("id")
    assert summary == [("Not found in DTSEN or any roster", 1)]


def test_every_complaint_status_has_title():
    from pipelines.publish.rule_texts import COMPLAINT_STATUS_TITLES
    from pipelines.rules.texts import STATUS_TEXTS

    assert sorted(STATUS_TEXTS.keys() - COMPLAINT_STATUS_TITLES.keys()) == []
