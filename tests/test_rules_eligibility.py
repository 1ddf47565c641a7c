"""Rules 10 to 24: register membership, desil, deaths, exclusion lists, PKH components, PBI."""

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
    make_staging,
    new_connection,
    run,
)


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


def test_not_in_register_fires(con):
    run(con, register=family(), pkh=[{"nik": make_nik(7)}])

    assert [(r[0], r[1]) for r in found(con, "NOT_IN_REGISTER")] == [("pkh:1::2", "FLAG")]


def test_not_in_register_follows_link(con):
    typo = HEAD[:-1] + "9"
    run(con, register=family(), pkh=[{"nik": typo, "no_kk": KK, "_person": "P" + HEAD}])

    assert found(con, "NOT_IN_REGISTER") == []


def test_not_in_register_falls_back_to_kk_and_name(con):
    typo = "3325991004800001"
    run(
        con,
        register=family(desil=6),
        pkh=[{"nik": typo, "no_kk": KK, "name": "WARGA BAAAAB"}],
    )

    rows = found(con, "DESIL_OUT_OF_RANGE")

    assert found(con, "NOT_IN_REGISTER") == []
    assert [r[0] for r in rows] == ["pkh:1::2"]


def test_not_in_register_fallback_needs_similar_name(con):
    run(con, register=family(), pkh=[{"nik": "3325991004800001", "no_kk": KK, "name": "PAIMO"}])

    assert [r[0] for r in found(con, "NOT_IN_REGISTER")] == ["pkh:1::2"]


def test_not_in_register_nik_name_fallback(con):
    # The linker keeps this PBI row apart because its birth date is one year off. It has the
    # register NIK and name, so the member is in the register and within the PBI desil.
    run(
        con,
        register=family(),
        pbi=[{"nik": HEAD, "birth_date": "1981-04-11", "_person": "P-pbi"}],
    )

    assert found(con, "NOT_IN_REGISTER") == []
    assert found(con, "PBI_NOT_ELIGIBLE") == []


def test_nik_fallback_needs_similar_name(con):
    run(con, register=family(), pbi=[{"nik": HEAD, "name": "PAIMO", "_person": "P-pbi"}])

    assert [r[0] for r in found(con, "NOT_IN_REGISTER")] == ["pbi:1::2"]
    assert [r[0] for r in found(con, "PBI_NOT_ELIGIBLE")] == ["pbi:1::2"]


def test_not_in_register_cut_nik_fallback(con):
    # The PKH roster lost the last NIK digit and gives no No KK, but the name matches.
    run(con, register=family(name="NURHAYATI"), pkh=[{"nik": HEAD[:15], "name": "NURHAYATI"}])

    assert found(con, "NOT_IN_REGISTER") == []


def test_cut_nik_fallback_needs_similar_name(con):
    run(con, register=family(name="NURHAYATI"), pkh=[{"nik": HEAD[:15], "name": "PAIMO"}])

    assert [r[0] for r in found(con, "NOT_IN_REGISTER")] == ["pkh:1::2"]


def test_not_padan_dukcapil_fires(con):
    run(con, register=family(is_padan_dukcapil=False), pkh=[{"nik": HEAD, "no_kk": KK}])

    assert [r[0] for r in found(con, "NOT_PADAN_DUKCAPIL")] == ["pkh:1::2"]


def test_not_padan_dukcapil_ignores_padan_records(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    assert found(con, "NOT_PADAN_DUKCAPIL") == []


def test_desil_out_of_range_flags_above_threshold(con):
    run(
        con,
        register=family(desil=5),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpnt=[{"nik": HEAD, "no_kk": KK}],
    )

    rows = found(con, "DESIL_OUT_OF_RANGE")

    assert [(r[1], r[2]) for r in rows] == [("FLAG", "PKH")]
    assert "desil 5 is above the PKH threshold of desil 4" in rows[0][3]


def test_desil_out_of_range_warns_on_missing_desil(con):
    # Another family's desil shows that the register has the column.
    neighbour = {"nik": make_nik(7), "no_kk": make_kk(7), "desil": 2}
    run(con, register=[*family(desil=None), neighbour], bpnt=[{"nik": HEAD, "no_kk": KK}])

    assert [(r[1], r[2]) for r in found(con, "DESIL_OUT_OF_RANGE")] == [("WARN", "BPNT")]


def test_register_without_desil_not_evaluated(con):
    # A register whose desil header the alias table did not know has no desil in any row.
    summary = run(
        con,
        register=family(desil=None),
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        pbi=[{"nik": CHILD}],
    )

    for code in ("DESIL_OUT_OF_RANGE", "PBI_NOT_ELIGIBLE", "EXCLUSION_ERROR_CANDIDATE"):
        status, inputs = con.execute(
            "select status, missing_inputs from rule_status where rule_code = ?", [code]
        ).fetchone()
        assert status == "not_evaluated", code
        assert "stg_register.desil" in inputs.split(", "), code
        assert found(con, code) == [], code
    assert "kosong di semua baris" in summary.not_evaluated["DESIL_OUT_OF_RANGE"]


def test_deceased_recipient_fires_on_death_before_period(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        pbi=[{"nik": CHILD, "name": "ALM. ANAK", "has_deceased_marker": True}],
        deaths=[{"nik": HEAD, "death_date": "2026-08-30"}],
    )

    rows = found(con, "DECEASED_RECIPIENT")

    assert [r[0] for r in rows] == ["pbi:1::2", "pkh:1::2"]
    assert "Alm." in rows[0][3]
    assert "30-08-2026" in rows[1][3]


def test_deceased_recipient_ignores_later_death_and_replaced_pengurus(con):
    spouse = make_nik(3, "1982-01-09", "P")
    run(
        con,
        register=family() + [{"nik": spouse, "no_kk": KK, "relationship": "ISTRI"}],
        pkh=[{"nik": HEAD, "no_kk": KK}, {"nik": spouse, "no_kk": KK}],
        bpnt=[{"nik": CHILD, "no_kk": KK}],
        deaths=[
            {"nik": HEAD, "death_date": "2026-03-01"},
            {"nik": CHILD, "death_date": "2026-11-02"},
        ],
    )

    assert found(con, "DECEASED_RECIPIENT") == []


def test_deceased_recipient_undated_death(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpnt=[{"nik": CHILD, "no_kk": KK}],
        # The child's second row has a date after the period start, and that date decides.
        deaths=[
            {"nik": HEAD, "death_date": None},
            {"nik": CHILD, "death_date": None},
            {"nik": CHILD, "death_date": "2026-11-02"},
        ],
    )

    rows = con.execute(
        "select record_id, evidence, confidence from fct_findings "
        "where rule_code = 'DECEASED_RECIPIENT'"
    ).fetchall()

    assert [(r[0], r[2]) for r in rows] == [("pkh:1::2", 0.5)]
    assert "without a readable death date" in rows[0][1]


def test_undated_death_is_no_replacement_pengurus(con):
    spouse = make_nik(3, "1982-01-09", "P")
    run(
        con,
        register=family() + [{"nik": spouse, "no_kk": KK, "relationship": "ISTRI"}],
        pkh=[{"nik": HEAD, "no_kk": KK}, {"nik": spouse, "no_kk": KK}],
        deaths=[{"nik": HEAD, "death_date": "2026-03-01"}, {"nik": spouse, "death_date": None}],
    )

    rows = found(con, "DECEASED_RECIPIENT")

    assert [r[0] for r in rows] == ["pkh:1::2", "pkh:1::3"]


def test_asn_tni_polri_fires_on_kk_member(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        asn=[{"nik": CHILD, "category": "POLRI", "agency": "Polres Batang"}],
    )

    rows = found(con, "ASN_TNI_POLRI")

    assert [r[0] for r in rows] == ["pkh:1::2"]
    assert "child" in rows[0][3]
    assert "POLRI" in rows[0][3]


def test_list_evidence_relationship_per_language(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": CHILD, "no_kk": KK}],
        pln=[{"nik": HEAD, "power_va": 2200, "tariff": "R1"}],
    )

    english, indonesian = con.execute(
        "select evidence, evidence_id from fct_findings where rule_code = 'PROXY_AFFLUENCE'"
    ).fetchone()

    assert "family head" in english
    assert "kepala keluarga" not in english
    assert "kepala keluarga" in indonesian


def test_asn_tni_polri_ignores_other_families(con):
    other = make_nik(5, "1975-01-02")
    run(
        con,
        register=family() + [{"nik": other, "no_kk": make_kk(5)}],
        pkh=[{"nik": HEAD, "no_kk": KK}],
        asn=[{"nik": other}],
    )

    assert found(con, "ASN_TNI_POLRI") == []


def test_occupational_exclusion_fires_on_lists(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        village_officials=[{"nik": HEAD, "position": "Sekretaris Desa"}],
        exclusion=[{"nik": CHILD, "category": "TENAGA KESEHATAN"}],
    )

    rows = found(con, "OCCUPATIONAL_EXCLUSION")

    assert len(rows) == 1
    assert "PERANGKAT DESA" in rows[0][3]
    assert "TENAGA KESEHATAN" in rows[0][3]


def test_occupational_exclusion_leaves_business_rows_to_rule_16(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        exclusion=[{"nik": CHILD, "category": "AHU"}],
    )

    assert found(con, "OCCUPATIONAL_EXCLUSION") == []
    assert [r[0] for r in found(con, "BUSINESS_OWNER")] == ["pkh:1::2"]


def test_business_owner_not_evaluated_without_ahu_rows(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}], exclusion=[{"nik": make_nik(8)}])

    status = con.execute(
        "select is_evaluated, not_evaluated_reason from rule_status "
        "where rule_code = 'BUSINESS_OWNER'"
    ).fetchall()

    # The reason is in the run's language, Indonesian by default.
    assert status == [
        (False, "tidak ada baris pengurus atau pemilik perusahaan AHU/OSS di stg_exclusion")
    ]


def test_wage_above_umk_fires_only_above_umk(con):
    make_staging(con, "bpjs_tk", [])
    con.execute("drop table stg_bpjs_tk")
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        bpjs_tk=[{"nik": CHILD, "wage_idr": 3_100_000}, {"nik": HEAD, "wage_idr": 2_000_000}],
    )

    rows = found(con, "WAGE_ABOVE_UMK")

    assert [r[2] for r in rows] == ["BPNT", "PKH"]
    assert "3,100,000" in rows[0][3]
    assert "2,000,000" not in rows[0][3]


def test_wage_above_umk_evidence_in_indonesian(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpjs_tk=[{"nik": CHILD, "wage_idr": 3_100_000}],
    )

    english, indonesian = con.execute(
        "select evidence, evidence_id from fct_findings where rule_code = 'WAGE_ABOVE_UMK'"
    ).fetchone()

    assert english.startswith("Wage above UMK: ")
    assert "BPJS-TK wage Rp 3,100,000 above the UMK Rp " in english
    assert indonesian.startswith("Upah di atas UMK: ")
    assert "upah BPJS-TK Rp 3.100.000 di atas UMK Rp " in indonesian
    assert "baris" in indonesian


def test_proxy_affluence_warns_on_large_connection(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        pln=[
            {"nik": HEAD, "power_va": 2200, "tariff": "R1"},
            {"nik": CHILD, "power_va": 900, "tariff": "R1"},
        ],
    )

    rows = found(con, "PROXY_AFFLUENCE")

    assert [(r[1], r[2]) for r in rows] == [("WARN", "PKH")]
    assert "2200 VA" in rows[0][3]
    assert " 900 VA" not in rows[0][3]


def test_proxy_affluence_ignores_two_wheelers(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK}],
        vehicles=[{"nik": HEAD, "wheels": 2}],
    )

    assert found(con, "PROXY_AFFLUENCE") == []


def test_pkh_no_component_fires_without_qualifying_member(con):
    run(con, register=[{"nik": HEAD, "no_kk": KK}], pkh=[{"nik": HEAD, "no_kk": KK}])

    assert [(r[0], r[1]) for r in found(con, "PKH_NO_COMPONENT")] == [("pkh:1::2", "FLAG")]


def test_pkh_no_component_ignores_dead_members(con):
    elder = make_nik(4, "1950-03-03", "P")
    run(
        con,
        register=[
            {"nik": HEAD, "no_kk": KK},
            {"nik": elder, "no_kk": KK, "relationship": "ORANG TUA"},
        ],
        pkh=[{"nik": HEAD, "no_kk": KK, "components": "LANSIA"}],
        deaths=[{"nik": elder, "death_date": "2026-05-05"}],
    )

    assert [r[0] for r in found(con, "PKH_NO_COMPONENT")] == ["pkh:1::2"]


def test_pkh_no_component_accepts_school_child(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK}])

    assert found(con, "PKH_NO_COMPONENT") == []


def test_pkh_no_component_ignores_child_out_of_school(con):
    run(
        con,
        register=[family()[0], {**family()[1], "is_in_school": False}],
        pkh=[{"nik": HEAD, "no_kk": KK}],
    )

    assert len(found(con, "PKH_NO_COMPONENT")) == 1


def test_pkh_component_limits_fires_on_three_balita(con):
    run(
        con,
        register=family(),
        pkh=[{"nik": HEAD, "no_kk": KK, "components": "BALITA, BALITA, BALITA"}],
    )

    rows = found(con, "PKH_COMPONENT_LIMITS")

    assert len(rows) == 1
    assert "3 early-childhood components (at most 2)" in rows[0][3]
    assert "BALITA claimed 3 times but 0 family members qualify" in rows[0][3]


def test_pkh_component_limits_accepts_matching_claim(con):
    run(con, register=family(), pkh=[{"nik": HEAD, "no_kk": KK, "components": "SD"}])

    assert found(con, "PKH_COMPONENT_LIMITS") == []


def test_pbi_not_eligible_fires_above_threshold(con):
    run(
        con,
        register=family(desil=7),
        pbi=[{"nik": HEAD, "segment": "PBI APBD"}, {"nik": make_nik(9)}],
    )

    rows = found(con, "PBI_NOT_ELIGIBLE")

    assert len(rows) == 2
    assert "PBI APBD member in DTSEN desil 7" in rows[0][3]
    assert "not in the DTSEN register" in rows[1][3]


def test_pbi_not_eligible_rupiah_per_language(con):
    run(con, register=family(desil=7), pbi=[{"nik": HEAD, "segment": "PBI APBD"}])

    english, indonesian = con.execute(
        "select evidence, evidence_id from fct_findings where rule_code = 'PBI_NOT_ELIGIBLE'"
    ).fetchone()

    assert english.endswith("deactivation candidate costing Rp 42,000 per month")
    assert indonesian == (
        "Peserta PBI APBD berada di desil 7 DTSEN, di atas batas PBI desil 5; "
        "calon penonaktifan dengan iuran Rp 42.000 per bulan"
    )


def test_pbi_not_eligible_accepts_desil_within_threshold(con):
    run(con, register=family(desil=5), pbi=[{"nik": HEAD}])

    assert found(con, "PBI_NOT_ELIGIBLE") == []


def test_pbi_double_coverage_fires(con):
    run(
        con,
        register=family(),
        pbi=[
            {"nik": HEAD, "segment": "PBI APBN", "noka": "0000000000001"},
            {"nik": HEAD, "segment": "PBI APBD", "noka": "0000000000002"},
            {"nik": CHILD},
        ],
        asn=[{"nik": CHILD, "category": "TNI"}],
    )

    rows = found(con, "PBI_DOUBLE_COVERAGE")

    assert len(rows) == 3
    assert "both PBI APBN and PBI APBD" in rows[0][3]
    assert "also PPU as TNI" in rows[2][3]


def test_pbi_double_coverage_same_noka_twice(con):
    run(
        con,
        register=family(),
        pbi=[{"nik": HEAD, "noka": "0000000000007"}, {"nik": HEAD, "noka": "0000000000007"}],
    )

    rows = found(con, "PBI_DOUBLE_COVERAGE")

    assert len(rows) == 2
    assert "listed 2 times with the same noka" in rows[0][3]


def test_pbi_double_coverage_ignores_single_membership(con):
    run(con, register=family(), pbi=[{"nik": HEAD}, {"nik": CHILD, "segment": "PBI APBD"}])

    assert found(con, "PBI_DOUBLE_COVERAGE") == []
