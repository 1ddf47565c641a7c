"""Rules 21, 22 and 25 to 31, and rule status for absent inputs."""

from __future__ import annotations

import pytest
from test_rules_builders import (
    CHILD,
    HEAD,
    KK,
    family,
    found,
    make_kk,
    make_nik,
    make_world,
    new_connection,
    rules_config,
    run,
)

from pipelines.i18n import set_language
from pipelines.rules import apply_rules
from pipelines.rules.registry import RULES


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


def test_age_implausible_young_pengurus(con):
    young = make_nik(3, "2011-02-02", "P")
    run(
        con,
        pkh=[{"nik": young}],
        register=[{"nik": make_nik(4, "1990-01-02"), "birth_date": "2027-03-01"}],
    )

    rows = found(con, "AGE_IMPLAUSIBLE")

    assert [r[0] for r in rows] == ["pkh:1::2", "register:1::2"]
    assert "PKH pengurus aged 15 is younger than 17" in rows[0][3]
    assert "after the period start" in rows[1][3]


def test_age_implausible_fires_on_pregnant_man(con):
    run(con, register=[{"nik": HEAD, "relationship": "SUAMI", "is_pregnant": True}])

    assert "pregnancy recorded for a man" in found(con, "AGE_IMPLAUSIBLE")[0][3]


def test_age_implausible_accepts_adult_pengurus(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    assert found(con, "AGE_IMPLAUSIBLE") == []


def test_default_dob_reports_every_file(con):
    run(
        con,
        register=[{"nik": make_nik(1, "1950-12-31")}, {"nik": make_nik(3, "1950-12-30")}],
        bpnt=[{"nik": make_nik(2, "1950-07-01")}],
    )

    rows = found(con, "DEFAULT_DOB")

    assert [(r[0], r[1]) for r in rows] == [("bpnt:1::2", "INFO"), ("register:1::2", "INFO")]


def test_default_dob_ignores_other_dates(con):
    run(
        con, register=[{"nik": make_nik(1, "1950-07-02")}], pkh=[{"nik": make_nik(2, "1966-03-14")}]
    )

    assert found(con, "DEFAULT_DOB") == []


def test_wilayah_invalid_errors_on_unknown_code(con):
    run(
        con,
        register=[
            {"nik": make_nik(1), "desa_code": "3325019999"},
            {"nik": make_nik(2), "desa_code": "3325022001", "kecamatan_code": "332501"},
            {
                "nik": make_nik(3),
                "desa_code": None,
                "kecamatan_code": None,
                "wilayah_status": "ambiguous",
            },
        ],
    )

    rows = found(con, "WILAYAH_INVALID")

    assert [r[1] for r in rows] == ["ERROR", "WARN", "WARN"]
    assert "3325019999 is not in the region table" in rows[0][3]
    assert "not in kecamatan 332501" in rows[1][3]


def test_wilayah_invalid_skips_files_without_region(con):
    run(
        con,
        register=[{"nik": make_nik(1)}],
        asn=[{"nik": make_nik(2), "desa_code": None, "wilayah_status": "unknown"}],
    )

    assert found(con, "WILAYAH_INVALID") == []


def test_wilayah_invalid_accepts_known_codes(con):
    run(con, register=[{"nik": make_nik(1), "desa_code": "3325152011"}])

    assert found(con, "WILAYAH_INVALID") == []


def test_name_mismatch_same_nik_fires(con):
    run(con, register=[{"nik": HEAD, "name": "SUTRISNO"}], pkh=[{"nik": HEAD, "name": "BUDIYANTO"}])

    rows = found(con, "NAME_MISMATCH_SAME_NIK")

    assert [r[0] for r in rows] == ["pkh:1::2"]
    assert '"BUDIYANTO" differs from register name "SUTRISNO"' in rows[0][3]


def test_name_mismatch_same_nik_accepts_swapped_letters(con):
    run(con, register=[{"nik": HEAD, "name": "TASMINAH"}], bpnt=[{"nik": HEAD, "name": "TASIMNAH"}])

    assert found(con, "NAME_MISMATCH_SAME_NIK") == []


def test_name_mismatch_same_nik_typo_with_oe(con):
    run(con, register=[{"nik": HEAD, "name": "PRIYONO"}], pbi=[{"nik": HEAD, "name": "PRIYOEO"}])

    assert found(con, "NAME_MISMATCH_SAME_NIK") == []


def test_name_mismatch_same_nik_maps_spelling_variants(con):
    run(
        con,
        register=[{"nik": HEAD, "name": "MUHAMMAD FAIZIN"}],
        pkh=[{"nik": HEAD, "name": "MOCH FAIZIN"}],
    )

    assert found(con, "NAME_MISMATCH_SAME_NIK") == []


# One recipient, outside the family under test, in each roster, so that every roster is in the run.
OTHER_RECIPIENT = [{"nik": make_nik(9)}]


def test_exclusion_error_candidate_without_any_aid(con):
    run(
        con,
        register=family(desil=5),
        pkh=OTHER_RECIPIENT,
        bpnt=OTHER_RECIPIENT,
        pbi=OTHER_RECIPIENT,
    )

    rows = found(con, "EXCLUSION_ERROR_CANDIDATE")

    assert [(r[0], r[1], r[2]) for r in rows] == [("register:1::2", "INFO", "ALL")]
    assert "receives no PKH, BPNT or PBI: usulan baru candidate" in rows[0][3]
    assert "not checked" not in rows[0][3]


def test_exclusion_error_candidate_names_absent_rosters(con):
    run(con, register=family(desil=2), pkh=OTHER_RECIPIENT)

    rows = found(con, "EXCLUSION_ERROR_CANDIDATE")

    assert [(r[0], r[2]) for r in rows] == [("register:1::2", "ALL")]
    assert rows[0][3] == (
        "Family in DTSEN desil 2 receives no PKH: usulan baru candidate "
        "(BPNT, PBI not checked: roster not in this run)"
    )


def test_exclusion_error_candidate_threshold_of_read_rosters(con):
    # Desil 5 is within the BPNT and PBI thresholds only, and neither roster is in the run.
    run(con, register=family(desil=5), pkh=OTHER_RECIPIENT)

    assert found(con, "EXCLUSION_ERROR_CANDIDATE") == []


def test_exclusion_error_candidate_without_rosters(con):
    set_language("en")
    try:
        summary = run(con, register=family(desil=2))
    finally:
        set_language("id")

    # Without any roster no family can be seen to receive nothing, so the rule does not run.
    assert found(con, "EXCLUSION_ERROR_CANDIDATE") == []
    assert summary.not_evaluated["EXCLUSION_ERROR_CANDIDATE"] == (
        "none of these is in this run: PKH roster, BPNT/Sembako roster, PBI JKN roster"
    )
    assert "EXCLUSION_ERROR_CANDIDATE" not in summary.limited


def test_exclusion_error_candidate_missing_pkh(con):
    run(con, register=family(desil=2), pkh=OTHER_RECIPIENT, bpnt=[{"nik": HEAD, "no_kk": KK}])

    rows = found(con, "EXCLUSION_ERROR_CANDIDATE")

    assert [(r[0], r[2]) for r in rows] == [("register:1::2", "PKH")]
    assert "1 members qualify" in rows[0][3]


def test_exclusion_error_candidate_missing_pkh_needs_roster(con):
    run(con, register=family(desil=2), bpnt=[{"nik": HEAD, "no_kk": KK}])

    assert found(con, "EXCLUSION_ERROR_CANDIDATE") == []


def test_exclusion_error_candidate_missing_pkh_switch(con):
    make_world(
        con, register=family(desil=2), pkh=OTHER_RECIPIENT, bpnt=[{"nik": HEAD, "no_kk": KK}]
    )
    config = rules_config()
    config["exclusion"] = {"include_missing_pkh_candidates": False}

    apply_rules(con, config, "test-run")

    assert found(con, "EXCLUSION_ERROR_CANDIDATE") == []


def test_exclusion_error_candidate_skips_excluded_and_rich(con):
    other = make_nik(5, "1970-05-05")
    third = make_nik(6, "1972-05-05")
    run(
        con,
        register=family(desil=2)
        + [{"nik": other, "no_kk": make_kk(5), "desil": 8}]
        + [{"nik": third, "no_kk": make_kk(6), "desil": 3, "is_padan_dukcapil": False}],
        asn=[{"nik": CHILD}],
    )

    assert found(con, "EXCLUSION_ERROR_CANDIDATE") == []


def test_cross_programme_inconsistency_fires_on_gap_and_inactive(con):
    run(
        con,
        register=family(desil=2, is_register_active=False)
        + [
            {"nik": make_nik(5), "no_kk": make_kk(5), "desil": 3},
        ],
        pkh=[{"nik": make_nik(5), "no_kk": make_kk(5), "components": ""}],
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        pbi=OTHER_RECIPIENT,
    )

    rows = found(con, "CROSS_PROGRAMME_INCONSISTENCY")

    assert [(r[0], r[2]) for r in rows] == [("bpnt:1::2", "BPNT"), ("pkh:1::2", "PKH")]
    assert "inactive" in rows[0][3]
    assert "within the BPNT and PBI desil threshold" in rows[1][3]


def test_cross_programme_inconsistency_skips_absent_roster(con):
    # The PKH family is within the PBI threshold, but the PBI roster is not in the run.
    run(
        con,
        register=family(desil=2),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpnt=[{"nik": HEAD, "no_kk": KK}],
    )

    assert found(con, "CROSS_PROGRAMME_INCONSISTENCY") == []


def test_cross_programme_inconsistency_names_read_rosters(con):
    run(con, register=family(desil=2), pkh=[{"nik": HEAD, "no_kk": KK}], bpnt=OTHER_RECIPIENT)

    rows = found(con, "CROSS_PROGRAMME_INCONSISTENCY")

    assert [(r[0], r[2]) for r in rows] == [("pkh:1::2", "PKH")]
    assert "within the BPNT desil threshold but does not receive it" in rows[0][3]


def test_cross_programme_inconsistency_accepts_full_coverage(con):
    run(
        con,
        register=family(desil=2),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        pbi=[{"nik": CHILD}],
    )

    assert found(con, "CROSS_PROGRAMME_INCONSISTENCY") == []


def test_complaint_link_warns_when_person_is_flagged(con):
    run(
        con,
        register=family(desil=5),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        pbi=[{"nik": CHILD}],
        complaints=[
            {"nik": HEAD, "complaint_type": "sanggahan", "complaint_status": "selesai"},
            {"nik": CHILD, "complaint_type": "usulan"},
            {"nik": make_nik(8), "complaint_type": "usulan"},
        ],
    )

    rows = found(con, "COMPLAINT_LINK")

    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("complaints:1::2", "WARN", "PKH"),
        ("complaints:1::3", "INFO", "PBI"),
    ]
    assert "DESIL_OUT_OF_RANGE" in rows[0][3]


def test_complaint_link_warns_when_overdue(con):
    run(
        con,
        register=family(),
        pbi=[{"nik": CHILD}],
        complaints=[{"nik": CHILD, "complaint_type": "sanggahan", "complaint_date": "2026-12-01"}],
    )

    rows = found(con, "COMPLAINT_LINK")

    assert rows[0][1] == "WARN"
    assert "14-day response standard" in rows[0][3]


def test_stale_record_fires_on_old_snapshot(con):
    run(con, register=family(snapshot_date="2025-06-01"), pkh=[{"nik": HEAD, "no_kk": KK}])

    rows = found(con, "STALE_RECORD")

    assert [(r[0], r[1]) for r in rows] == [("pkh:1::2", "INFO")]
    assert "more than 365" in rows[0][3]


def test_stale_record_ignores_current_snapshot(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    assert found(con, "STALE_RECORD") == []


def test_household_dissolved_fires_when_all_died(con):
    run(
        con,
        register=family(),
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        deaths=[
            {"nik": HEAD, "death_date": "2026-01-05"},
            {"nik": CHILD, "death_date": "2026-02-05"},
        ],
    )

    rows = found(con, "HOUSEHOLD_DISSOLVED")

    assert [(r[0], r[1]) for r in rows] == [("bpnt:1::2", "FLAG")]
    assert "All 2 register members" in rows[0][3]


def test_household_dissolved_ignores_living_member(con):
    run(
        con,
        register=family(),
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        deaths=[{"nik": HEAD, "death_date": "2026-01-05"}],
    )

    assert found(con, "HOUSEHOLD_DISSOLVED") == []


def test_rule_status_marks_absent_inputs(con):
    set_language("en")
    try:
        summary = run(con, pkh=[{"nik": HEAD}])
    finally:
        set_language("id")

    status = dict(
        con.execute(
            "select rule_code, not_evaluated_reason from rule_status where not is_evaluated"
        ).fetchall()
    )
    counts = con.execute(
        "select count(*) from fct_findings where rule_code in "
        "('DECEASED_RECIPIENT', 'NOT_IN_REGISTER', 'WAGE_ABOVE_UMK')"
    ).fetchall()

    assert status["DECEASED_RECIPIENT"] == "no death register in this run"
    assert status["NOT_IN_REGISTER"] == "no DTSEN (or DTKS) register in this run"
    assert "BPJS Ketenagakerjaan wage extract" in status["WAGE_ABOVE_UMK"]
    assert counts == [(0,)]
    assert set(summary.not_evaluated) == set(status)


def test_rule_status_reasons_in_indonesian(con):
    summary = run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        exclusion=[{"nik": make_nik(6), "category": "PNS"}],
    )

    status = dict(
        con.execute(
            "select rule_code, not_evaluated_reason from rule_status where not is_evaluated"
        ).fetchall()
    )

    assert status["DECEASED_RECIPIENT"] == "tidak ada data kematian di run ini"
    assert status["BUSINESS_OWNER"] == (
        "tidak ada baris pengurus atau pemilik perusahaan AHU/OSS di stg_exclusion"
    )
    assert summary.not_evaluated["DECEASED_RECIPIENT"] == "tidak ada data kematian di run ini"


def test_rule_status_reason_logged_english(con, caplog):
    with caplog.at_level("WARNING", logger="pipelines.rules.apply"):
        run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    assert "rule 13 DECEASED_RECIPIENT not evaluated: no death register in this run" in (
        caplog.text
    )


def test_rule_status_lists_every_rule(con):
    run(con, register=family())

    rows = con.execute(
        "select rule_number, rule_code from rule_status order by rule_number"
    ).fetchall()

    assert rows == [(r.number, r.code) for r in RULES]
    assert len(rows) == 31


def test_every_rule_evaluated_with_all_inputs(con):
    summary = run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        pbi=[{"nik": CHILD}],
        complaints=[{"nik": HEAD}],
        deaths=[{"nik": make_nik(9)}],
        asn=[{"nik": make_nik(8)}],
        village_officials=[{"nik": make_nik(7)}],
        exclusion=[{"nik": make_nik(6), "category": "OSS"}, {"nik": make_nik(5)}],
        bpjs_tk=[{"nik": make_nik(4), "wage_idr": 1}],
        pln=[{"nik": make_nik(3), "power_va": 450}],
        vehicles=[{"nik": make_nik(2), "wheels": 2}],
    )

    not_evaluated = con.execute(
        "select rule_code from rule_status where not is_evaluated"
    ).fetchall()
    statuses = con.execute("select distinct status from rule_status").fetchall()

    assert not_evaluated == []
    assert statuses == [("evaluated",)]
    assert summary.limited == {}
    for rule in RULES:
        assert rule.sql_path.exists()
