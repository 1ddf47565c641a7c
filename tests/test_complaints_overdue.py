"""Overdue complaints are counted to the complaints reference date: `[complaints]
reference_date` when set, else the earlier of the period end (31-12-2026 in the tests' rules)
and the date the run started."""

from __future__ import annotations

import datetime as dt
import time
from datetime import datetime, timezone

import duckdb
import pytest
from test_publish_handmade_marts import make_marts
from test_desk_lookup import _text as rendered_text
from test_publish_report import _render
from test_rules_builders import CHILD, family, make_world, new_connection, rules_config

from pipelines.desk.models import Complaint, DeskAnswer
from pipelines.desk.render import render_answer
from pipelines.errors import ConfigError
from pipelines.flows.audit import warn_reference_date_after_run
from pipelines.rules import apply_rules, build_marts
from pipelines.rules.params import parse_params
from pipelines.runs import RunRecord, write_run_record

PERIOD_END = dt.date(2026, 12, 31)


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


def _config(reference_date: str | None = None) -> dict:
    config = rules_config()
    if reference_date is not None:
        config["complaints"]["reference_date"] = reference_date
    return config


def test_reference_date_before_period_end():
    params = parse_params(_config(), run_date=dt.date(2026, 12, 5))

    assert params.complaints_reference_date == dt.date(2026, 12, 5)


def test_reference_date_after_period_end():
    params = parse_params(_config(), run_date=dt.date(2027, 1, 10))

    assert params.complaints_reference_date == PERIOD_END


def test_reference_date_explicit_beats_run_date():
    params = parse_params(_config("2026-12-20"), run_date=dt.date(2026, 12, 5))

    assert params.complaints_reference_date == dt.date(2026, 12, 20)


def test_reference_date_without_run_date():
    assert parse_params(_config()).complaints_reference_date == PERIOD_END


def test_reference_date_quoted_with_time():
    params = parse_params(_config("2026-12-20T10:00:00"), run_date=dt.date(2026, 12, 5))

    assert params.complaints_reference_date == dt.date(2026, 12, 20)


def test_reference_date_with_time_of_day():
    # TOML reads 2026-12-20T10:00:00 as a datetime.
    params = parse_params(_config(datetime(2026, 12, 20, 10, 0)), run_date=dt.date(2026, 12, 5))

    assert params.complaints_reference_date == dt.date(2026, 12, 20)
    assert type(params.complaints_reference_date) is dt.date


def test_time_of_day_error_names_value():
    # TOML reads reference_date = 10:00:00 as a time of day, which is no date.
    with pytest.raises(ConfigError) as raised:
        parse_params(_config(dt.time(10, 0)), run_date=dt.date(2026, 12, 5))

    assert "[complaints] reference_date = 10:00:00 " in str(raised.value)
    assert "datetime" not in str(raised.value)


def test_reference_date_after_run_warns(caplog):
    started = datetime(2026, 12, 5, 3, 0, tzinfo=timezone.utc)
    later = RunRecord(run_id="r1", config_version="v", region_code="3325", started_at=started,
                      complaints_reference_date=dt.date(2026, 12, 31))
    earlier = RunRecord(run_id="r2", config_version="v", region_code="3325", started_at=started,
                        complaints_reference_date=dt.date(2026, 11, 30))

    with caplog.at_level("WARNING", logger="pipelines.flows.audit"):
        warn_reference_date_after_run(earlier)
        warn_reference_date_after_run(later)

    assert [record.getMessage() for record in caplog.records] == [
        f"[complaints] reference_date 2026-12-31 lies after the date of this run, "
        f"{later.run_date.isoformat()}, so open complaints are counted overdue as if it were "
        "2026-12-31. Remove reference_date from the rules file to count them to the run date."
    ]


def _run_sanggahan(con, complaint_date: dt.date, run_date: dt.date, config: dict) -> tuple:
    """Run the rules and marts over one open sanggahan about a PBI recipient.

    Return rule 29's severity, evidence and evidence_id, then complaint_results' is_overdue,
    overdue_reference_date, status_text_en and status_text_id.
    """
    make_world(
        con,
        register=family(),
        pbi=[{"nik": CHILD}],
        complaints=[
            {"nik": CHILD, "complaint_type": "sanggahan", "complaint_date": complaint_date}
        ],
    )
    apply_rules(con, config, "run-1", run_date=run_date)
    build_marts(con, config, "run-1", None, run_date=run_date)
    finding = con.execute(
        "select severity, evidence, evidence_id from fct_findings "
        "where rule_code = 'COMPLAINT_LINK'"
    ).fetchall()
    result = con.execute(
        "select is_overdue, overdue_reference_date, status_text_en, status_text_id "
        "from complaint_results"
    ).fetchall()
    assert len(finding) == 1
    assert len(result) == 1
    return finding[0] + result[0]


def test_sanggahan_within_standard_before_period_end(con):
    run_date = dt.date(2026, 12, 5)

    severity, evidence, _evidence_id, is_overdue, reference, text_en, _text_id = _run_sanggahan(
        con, run_date - dt.timedelta(days=10), run_date, _config()
    )

    assert severity == "INFO"
    assert "response standard" not in evidence
    assert is_overdue is False
    assert reference == run_date
    assert "overdue" not in text_en


def test_sanggahan_judged_after_period_end(con):
    # 21 days old on the run date, but 11 days old at the period end.
    run_date = dt.date(2027, 1, 10)

    severity, _evidence, _evidence_id, is_overdue, reference, _text_en, _text_id = (
        _run_sanggahan(con, dt.date(2026, 12, 20), run_date, _config())
    )

    assert severity == "INFO"
    assert is_overdue is False
    assert reference == PERIOD_END


def test_sanggahan_overdue_names_date(con):
    severity, evidence, evidence_id, is_overdue, reference, text_en, text_id = _run_sanggahan(
        con, dt.date(2026, 11, 25), dt.date(2027, 1, 10), _config()
    )

    assert severity == "WARN"
    assert "still open on 31-12-2026, after the 14-day response standard" in evidence
    assert "masih terbuka pada 31-12-2026, melewati standar tanggapan 14 hari" in evidence_id
    assert is_overdue is True
    assert reference == PERIOD_END
    assert text_en.endswith("(response overdue on 31-12-2026: open for more than 14 days)")
    assert text_id.endswith(
        "(melewati batas waktu tanggapan pada 31-12-2026: terbuka lebih dari 14 hari)"
    )


def test_sanggahan_explicit_reference_date_wins(con):
    # 10 days old on the run date, but 36 days old on the configured reference date.
    run_date = dt.date(2026, 12, 5)

    severity, evidence, _evidence_id, is_overdue, reference, _text_en, _text_id = (
        _run_sanggahan(con, dt.date(2026, 11, 25), run_date, _config("2026-12-31"))
    )

    assert severity == "WARN"
    assert "still open on 31-12-2026" in evidence
    assert is_overdue is True
    assert reference == dt.date(2026, 12, 31)


def test_finding_id_stable_across_dates(con):
    # Overdue on the second run date only, so severity and evidence differ but the id does not.
    config = _config()
    make_world(
        con,
        register=family(),
        pbi=[{"nik": CHILD}],
        complaints=[
            {"nik": CHILD, "complaint_type": "sanggahan", "complaint_date": dt.date(2026, 11, 25)}
        ],
    )
    query = "select finding_id, severity from fct_findings where rule_code = 'COMPLAINT_LINK'"

    apply_rules(con, config, "run-1", run_date=dt.date(2026, 12, 1))
    first = con.execute(query).fetchall()
    apply_rules(con, config, "run-2", run_date=dt.date(2026, 12, 20))
    second = con.execute(query).fetchall()

    assert [severity for _id, severity in first] == ["INFO"]
    assert [severity for _id, severity in second] == ["WARN"]
    assert [finding_id for finding_id, _severity in first] == [
        finding_id for finding_id, _severity in second
    ]


@pytest.fixture
def jakarta_time(monkeypatch):
    """Set this process's local time zone to Asia/Jakarta (UTC+7) for the test."""
    monkeypatch.setenv("TZ", "Asia/Jakarta")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_run_date_is_local_start_date(jakarta_time):
    # 20:00 UTC on 4 December is 03:00 on 5 December in Batang.
    record = RunRecord(run_id="r1", config_version="v", region_code="3325",
                       started_at=datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc))

    assert record.run_date == dt.date(2026, 12, 5)


def test_run_record_stores_reference_date(tmp_path):
    record = RunRecord(run_id="r1", config_version="v", region_code="3325",
                       started_at=datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc),
                       complaints_reference_date=dt.date(2026, 12, 5))
    with duckdb.connect(str(tmp_path / "audit.duckdb")) as db:
        write_run_record(db, record)
        rows = db.execute("select complaints_reference_date from runs").fetchall()

    assert rows == [(dt.date(2026, 12, 5),)]


REPORT_REFERENCE = {
    "id": "terbuka setelah standar tanggapannya (14 hari untuk sanggahan, 60 hari untuk "
          "pengaduan lain) pada 5 Des 2026.",
    "en": "still open after its response standard (14 days for a sanggahan, 60 days for other "
          "complaints) on 5 Dec 2026.",
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_method_names_reference_date(language):
    marts = duckdb.connect()
    make_marts(marts)
    marts.execute("alter table runs add column complaints_reference_date date "
                  "default date '2026-12-05'")

    html = _render(marts, language, rules_config=rules_config())

    method = html[html.index('<section id="method">'):html.index("<footer>")]
    assert REPORT_REFERENCE[language] in method


DESK_OVERDUE = {"id": "BARU (lewat batas waktu per 5 Des 2026)",
                "en": "BARU (overdue on 5 Dec 2026)"}


@pytest.mark.parametrize("language", ["id", "en"])
def test_desk_names_reference_date(language):
    complaint = Complaint(
        complaint_id="CMP-1", complaint_date=dt.date(2026, 11, 1), channel="Rumah Curhat",
        complaint_type="sanggahan", programme_requested="PKH", complaint_status="BARU",
        is_overdue=True, overdue_reference_date=dt.date(2026, 12, 5),
        pre_verified_status=None, next_step=None,
    )
    answer = DeskAnswer(query="3325", found=True, complaints=[complaint])

    text = rendered_text(render_answer(answer, language), width=200)

    assert DESK_OVERDUE[language] in text


def test_desk_gives_overdue_date_once():
    # complaint_results appends the overdue note after the next step; the desk shows the date in
    # the status column only.
    complaint = Complaint(
        complaint_id="CMP-1", complaint_date=dt.date(2026, 11, 1), channel="Rumah Curhat",
        complaint_type="sanggahan", programme_requested="PKH", complaint_status="BARU",
        is_overdue=True, overdue_reference_date=dt.date(2026, 12, 5),
        pre_verified_status=(
            "The data show no reason why the recipient is ineligible: reply to the complainant "
            "(response overdue on 05-12-2026: open for more than 14 days)"
        ),
        next_step="reply to the complainant",
    )
    answer = DeskAnswer(query="3325", found=True, complaints=[complaint])

    text = " ".join(rendered_text(render_answer(answer, "en"), width=400).split())

    assert "BARU (overdue on 5 Dec 2026)" in text
    assert "05-12-2026" not in text
    assert "The data show no reason why the recipient is ineligible" in text


def test_complaint_after_run_date_warns(caplog):
    # 12-01-2026 typed day and month the other way round reads 01-12-2026, after the run.
    con = new_connection()
    make_world(
        con,
        register=family(),
        complaints=[
            {"nik": CHILD, "complaint_date": dt.date(2026, 12, 1), "source_row": 7},
            {"nik": CHILD, "complaint_date": dt.date(2026, 11, 2), "source_row": 8},
        ],
    )
    run_date = dt.date(2026, 11, 20)
    apply_rules(con, rules_config(), "r1", run_date=run_date)

    with caplog.at_level("WARNING", logger="pipelines.rules.marts"):
        build_marts(con, rules_config(), "r1", None, run_date=run_date)

    assert [r.getMessage() for r in caplog.records if r.name == "pipelines.rules.marts"] == [
        "1 complaints are dated after the date of this run, 2026-11-20 (complaints.csv row 7). "
        "Check those dates in the complaint export: a day and month typed the other way round "
        "give such a date."
    ]
