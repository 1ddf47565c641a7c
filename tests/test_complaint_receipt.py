"""Which programmes a complaint result counts as received: PBI per person, and roster rows not
received listed only for programmes that the result does not count as received."""

from __future__ import annotations

import pytest
from test_rules_builders import make_kk, make_nik, new_connection, rules_config, run

from pipelines.rules import build_marts

KK = make_kk(1)
HEAD = make_nik(1, "1980-04-10")
# HEAD's wife, whose own PBI JK membership was deactivated while HEAD's stayed active.
WIFE = make_nik(2, "1983-09-14", "P")
OTHER_KK = make_kk(2)
# A register person whose only BPNT row is of tahap 3.
LAPSED = make_nik(3, "1975-01-20")


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


def results(con) -> dict[str, tuple]:
    """Build the marts and return (status code, next step code, English status) by NIK."""
    build_marts(con, rules_config(), "test-run", None)
    rows = con.execute(
        "select nik, status_code, next_step_code, status_text_en, status_text_id "
        "from complaint_results"
    ).fetchall()
    return {nik: tuple(rest) for nik, *rest in rows}


def register(desil: int = 2) -> list[dict]:
    return [
        {"nik": HEAD, "no_kk": KK, "desil": desil},
        {"nik": WIFE, "no_kk": KK, "relationship": "ISTRI", "desil": desil},
        {"nik": LAPSED, "no_kk": OTHER_KK, "desil": desil},
    ]


def test_inactive_pbi_member_is_not_receiving(con):
    run(
        con,
        register=register(),
        pbi=[{"nik": HEAD}, {"nik": WIFE, "is_active": False}],
        complaints=[{"nik": WIFE, "complaint_type": "usulan", "programme_requested": "PBI"}],
    )

    status, next_step, text_en, text_id = results(con)[WIFE]

    assert (status, next_step) == ("PBI_INACTIVE", "REACTIVATE_PBI")
    assert text_en.startswith(
        "Registered in DTSEN desil 2, eligible for PBI, but this person's PBI JK membership is "
        "inactive (listed but not received in 2026-T4: PBI inactive): propose reactivation of "
        "the PBI JK membership through SIKS-NG after verification by the Dinas Sosial"
    )
    assert "kepesertaan PBI JK orang ini nonaktif" in text_id


def test_inactive_pbi_member_above_threshold(con):
    # Deactivated for a desil above the PBI limit: the desil decides, not reactivation.
    run(
        con,
        register=register(desil=8),
        pbi=[{"nik": HEAD}, {"nik": WIFE, "is_active": False}],
        complaints=[{"nik": WIFE, "complaint_type": "usulan", "programme_requested": "PBI"}],
    )

    assert results(con)[WIFE][:2] == ("DESIL_ABOVE_THRESHOLD", "UPDATE_DTSEN")


def test_active_pbi_member_already_receives(con):
    run(
        con,
        register=register(),
        pbi=[{"nik": HEAD}, {"nik": WIFE, "is_active": False}],
        complaints=[{"nik": HEAD, "complaint_type": "usulan", "programme_requested": "PBI"}],
    )

    assert results(con)[HEAD][:2] == ("ALREADY_RECEIVING", "CHECK_DISBURSEMENT")


def test_other_tahap_named_unless_received(con):
    # HEAD receives BPNT in the audited tahap and was listed in tahap 3 too; LAPSED only in
    # tahap 3.
    run(
        con,
        register=register(),
        bpnt=[
            {"nik": HEAD, "no_kk": KK, "period": "2026-T3"},
            {"nik": HEAD, "no_kk": KK},
            {"nik": LAPSED, "no_kk": OTHER_KK, "period": "2026-T3"},
        ],
        complaints=[
            {"nik": HEAD, "complaint_type": "usulan", "programme_requested": "BPNT"},
            {"nik": LAPSED, "complaint_type": "usulan", "programme_requested": "BPNT"},
        ],
    )

    found = results(con)

    assert found[HEAD][0] == "ALREADY_RECEIVING"
    assert "listed but not received" not in found[HEAD][2]
    assert "(listed but not received in 2026-T4: BPNT period 2026-T3)" in found[LAPSED][2]
