"""Rules that run without an input of their `degrades_without` are recorded as evaluated with a
limitation, with the reason, in rule_status and the rules summary."""

from __future__ import annotations

import pytest
from test_rules_builders import CHILD, HEAD, KK, family, found, new_connection, run

from pipelines.i18n import set_language
from pipelines.ingest.sources import KIND_LABELS
from pipelines.rules.registry import RULES, RULES_BY_CODE, Limitation

# The PKH family of HEAD, whose only member qualifying for a component (CHILD, in SD) died
# before the period.
DEAD_CHILD = [{"nik": CHILD, "death_date": "2026-01-05"}]


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


def _status(con, code):
    return con.execute(
        "select status, is_evaluated, limitation_reason, missing_inputs, findings "
        "from rule_status where rule_code = ?",
        [code],
    ).fetchone()


def test_limitation_inputs_are_staging_tables():
    for rule in RULES:
        for limitation in rule.degrades_without:
            table = limitation.input.partition(".")[0]
            assert isinstance(limitation, Limitation)
            assert table.removeprefix("stg_") in KIND_LABELS, (rule.code, limitation.input)
            assert limitation.input not in rule.requires, rule.code


def test_death_register_limits_family_rules():
    codes = {
        rule.code
        for rule in RULES
        if any(limitation.input == "stg_deaths" for limitation in rule.degrades_without)
    }

    assert {"PKH_NO_COMPONENT", "PKH_COMPONENT_LIMITS", "EXCLUSION_ERROR_CANDIDATE"} <= codes
    assert "DECEASED_RECIPIENT" not in codes
    assert "stg_deaths.death_date" in RULES_BY_CODE["DECEASED_RECIPIENT"].requires


def test_without_deaths_rule_limited(con):
    summary = run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    status, is_evaluated, reason, inputs, findings = _status(con, "PKH_NO_COMPONENT")

    assert status == "evaluated_with_limitation"
    assert is_evaluated is True
    assert reason == (
        "tanpa data kematian, anggota keluarga yang sudah meninggal dihitung "
        "masih hidup"
    )
    assert inputs == "stg_deaths"
    assert findings == 0
    assert summary.limited["PKH_NO_COMPONENT"] == reason
    assert "PKH_NO_COMPONENT" in summary.findings_by_rule
    assert "PKH_NO_COMPONENT" not in summary.not_evaluated


def test_with_deaths_rule_evaluated(con):
    summary = run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}], deaths=DEAD_CHILD)

    status, is_evaluated, reason, inputs, findings = _status(con, "PKH_NO_COMPONENT")

    assert (status, is_evaluated, reason, inputs) == ("evaluated", True, None, None)
    assert findings == 1
    assert len(found(con, "PKH_NO_COMPONENT")) == 1
    assert "PKH_NO_COMPONENT" not in summary.limited


def test_header_only_deaths_limit_rule(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}], deaths=[])

    status, _evaluated, reason, inputs, _findings = _status(con, "EXCLUSION_ERROR_CANDIDATE")

    assert status == "evaluated_with_limitation"
    assert "tanpa data kematian" in reason
    assert inputs.split(", ")[0] == "stg_deaths"


def test_not_evaluated_rule_records_inputs(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    status, is_evaluated, reason, inputs, findings = _status(con, "DECEASED_RECIPIENT")

    assert (status, is_evaluated, reason, findings) == ("not_evaluated", False, None, None)
    assert inputs == "stg_deaths"


def test_limitation_reason_in_english(con):
    set_language("en")
    try:
        summary = run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])
    finally:
        set_language("id")

    assert summary.limited["PKH_NO_COMPONENT"] == (
        "without the death register, family members who died count as living"
    )
    assert summary.limited["CROSS_PROGRAMME_INCONSISTENCY"] == (
        "without the BPNT/Sembako roster, PBI JKN roster, PKH families are "
        "not checked for that programme"
    )
    assert summary.limited["EXCLUSION_ERROR_CANDIDATE"].endswith(
        "without the BPNT/Sembako roster, PBI JKN roster, no family is "
        "checked for that programme, so a candidate may already receive it"
    )


def test_limitation_logged_english(con, caplog):
    with caplog.at_level("WARNING", logger="pipelines.rules.apply"):
        run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    assert (
        "rule 19 PKH_NO_COMPONENT evaluated with a limitation: without the death register, "
        "family members who died count as living"
    ) in caplog.text

