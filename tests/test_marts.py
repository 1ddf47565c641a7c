"""Marts built from findings: inclusion and exclusion errors, complaints, rates and the diff."""

from __future__ import annotations

import copy

import pytest
from test_rules_builders import make_kk, make_nik, make_world, new_connection, rules_config

from pipelines.errors import ConfigError, SourceFileError
from pipelines.rules import apply_rules, build_marts


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


KK = make_kk(1)
HEAD = make_nik(1, "1980-04-10")
CHILD = make_nik(2, "2016-06-20", "P")
RICH = make_nik(3, "1975-09-09")
DESA = "3325012001"


# A desil-1 person without a PKH component who receives BPNT and PBI, so that every roster is
# in the run without adding findings or exclusion error candidates.
COVERED = make_nik(5, "1975-02-02")


def world(con, rosters=("pkh", "bpnt", "pbi")):
    """A desil-2 family with a school child that receives nothing, a desil-8 PKH KPM, and
    complaints about both, with the `rosters` named (BPNT and PBI list COVERED only)."""
    covered_rows = [{"nik": COVERED, "no_kk": make_kk(5)}]
    roster_rows = {
        "pkh": [{"nik": RICH, "no_kk": make_kk(3)}],
        "bpnt": covered_rows,
        "pbi": covered_rows,
    }
    make_world(
        con,
        register=[
            {"nik": HEAD, "no_kk": KK, "desil": 2},
            {
                "nik": CHILD,
                "no_kk": KK,
                "relationship": "ANAK",
                "is_in_school": True,
                "school_level": "SD",
                "desil": 2,
            },
            {"nik": RICH, "no_kk": make_kk(3), "desil": 8},
            {
                "nik": make_nik(4, "2015-01-08"),
                "no_kk": make_kk(3),
                "relationship": "ANAK",
                "is_in_school": True,
                "school_level": "SD",
                "desil": 8,
            },
            {"nik": COVERED, "no_kk": make_kk(5), "desil": 1},
        ],
        **{kind: roster_rows[kind] for kind in rosters},
        complaints=[
            {"nik": HEAD, "complaint_type": "usulan", "programme_requested": "PKH"},
            {"nik": RICH, "complaint_type": "sanggahan", "complaint_status": "selesai"},
        ],
    )


def build(con, previous=None, config=None):
    config = config or rules_config()
    apply_rules(con, config, "run-1")
    return build_marts(con, config, "run-1", previous)


def test_build_marts_returns_counts(con):
    world(con)

    counts = build(con)

    assert counts == {
        "inclusion_errors": 1,
        "exclusion_errors": 3,
        "roster_records": 3,
        "complaint_results": 2,
        "summary_rates": 3,
        "findings_diff": con.execute("select count(*) from fct_findings").fetchall()[0][0],
    }


def test_inclusion_errors_prices_flagged_recipient(con):
    world(con)
    build(con)

    row = con.execute(
        "select programme, nik, flag_rule_codes, warn_rule_codes, is_likely_inclusion_error, "
        "months_at_risk, rupiah_at_risk_idr from inclusion_errors"
    ).fetchall()

    assert row == [("PKH", RICH, ["DESIL_OUT_OF_RANGE"], ["COMPLAINT_LINK"], True, 3, 750_000)]


def test_inclusion_errors_carries_evidence_per_code(con):
    world(con)
    build(con)

    row = con.execute(
        "select evidence_items, evidence_items_id from inclusion_errors"
    ).fetchall()[0]

    # FLAG codes come first. The complaint is another record than the roster row, so its
    # entry names the complaint file and row.
    assert row[0] == [
        "DESIL_OUT_OF_RANGE: DTSEN desil 8 is above the PKH threshold of desil 4",
        "COMPLAINT_LINK: Complaint C-2 (sanggahan, 20-11-2026) concerns a PKH recipient; "
        "the person has FLAG findings DESIL_OUT_OF_RANGE (complaints.csv, row 3)",
    ]
    assert row[1] == [
        "DESIL_OUT_OF_RANGE: Desil DTSEN 8 di atas batas PKH, yaitu desil 4",
        "COMPLAINT_LINK: Pengaduan C-2 (sanggahan, 20-11-2026) mengenai penerima PKH; "
        "orang ini memiliki temuan FLAG DESIL_OUT_OF_RANGE (complaints.csv, baris 3)",
    ]


def test_inclusion_errors_confidence_is_lowest(con):
    world(con)
    build(con)
    con.execute(
        "update fct_findings set confidence = 0.75 where rule_code = 'COMPLAINT_LINK'"
    )
    build_marts(con, rules_config(), "run-1", None)

    row = con.execute("select confidence, flag_confidence from inclusion_errors").fetchall()

    assert row == [(0.75, 0.99)]


def test_inclusion_errors_names_other_records_once(con):
    world(con)
    build(con)
    # The same finding on a second roster row of the recipient, as for a duplicate row.
    con.execute(
        "insert into fct_findings select * replace ('F-copy' as finding_id, "
        "'pkh:1::9' as record_id, 9 as source_row) "
        "from fct_findings where rule_code = 'DESIL_OUT_OF_RANGE'"
    )
    build_marts(con, rules_config(), "run-1", None)

    items = con.execute("select evidence_items, evidence_items_id from inclusion_errors")

    english, indonesian = items.fetchall()[0]
    assert english[0] == (
        "DESIL_OUT_OF_RANGE: DTSEN desil 8 is above the PKH threshold of desil 4 "
        "(pkh.csv, row 9)"
    )
    assert indonesian[0] == (
        "DESIL_OUT_OF_RANGE: Desil DTSEN 8 di atas batas PKH, yaitu desil 4 (pkh.csv, baris 9)"
    )


def invalid_nik_world(con):
    """RICH in the register and on the PKH roster with the last digit of the NIK missing."""
    make_world(
        con,
        register=[{"nik": RICH, "no_kk": make_kk(3), "desil": 8, "_person": "P-RICH"}],
        pkh=[
            {
                "nik": None,
                "nik_raw": RICH[:15],
                "nik_status": "malformed",
                "no_kk": make_kk(3),
                "_person": "P-RICH",
            }
        ],
    )


def test_inclusion_errors_keep_invalid_nik_as_read(con):
    invalid_nik_world(con)
    build(con)

    nik, nik_raw, flag_codes, other_codes = con.execute(
        "select nik, nik_raw, flag_rule_codes, other_rule_codes from inclusion_errors"
    ).fetchall()[0]

    assert nik is None
    assert nik_raw == RICH[:15]
    assert "DESIL_OUT_OF_RANGE" in flag_codes
    assert other_codes == ["NIK_FORMAT"]


def test_inclusion_errors_carry_data_quality_evidence(con):
    invalid_nik_world(con)
    build(con)

    english, indonesian = con.execute(
        "select evidence_items, evidence_items_id from inclusion_errors"
    ).fetchall()[0]

    # ERROR codes follow the FLAG and WARN codes.
    assert english[0].startswith("DESIL_OUT_OF_RANGE: ")
    assert english[-1] == (
        "NIK_FORMAT: NIK has 15 digits after removing separators; 16 are required"
    )
    assert indonesian[-1] == (
        "NIK_FORMAT: NIK berisi 15 digit setelah pemisah dihapus; seharusnya 16 digit"
    )


def test_inclusion_errors_confidence_skips_error_codes(con):
    invalid_nik_world(con)
    build(con)
    con.execute("update fct_findings set confidence = 0.25 where rule_code = 'NIK_FORMAT'")
    build_marts(con, rules_config(), "run-1", None)

    row = con.execute("select confidence, flag_confidence from inclusion_errors").fetchall()

    assert row == [(0.99, 0.99)]


def test_exclusion_errors_keep_head_nik_as_read(con):
    world(con)
    con.execute(
        "update stg_register set nik = null, nik_raw = ?, nik_status = 'malformed' "
        "where nik = ?",
        [HEAD[:15], HEAD],
    )
    build(con)

    rows = con.execute("select distinct head_nik, head_nik_raw from exclusion_errors")

    assert rows.fetchall() == [(None, HEAD[:15])]


def test_exclusion_errors_lists_eligible_family(con):
    world(con)
    build(con)

    rows = con.execute(
        "select programme, head_nik, desil, in_school from exclusion_errors order by programme"
    ).fetchall()

    assert rows == [("BPNT", HEAD, 2, 1), ("PBI", HEAD, 2, 1), ("PKH", HEAD, 2, 1)]


def test_complaint_results_text_in_both_languages(con):
    world(con)
    build(con)

    rows = con.execute(
        "select status_code, status_text_id, status_text_en, next_step_code "
        "from complaint_results order by complaint_id"
    ).fetchall()

    assert rows[0] == (
        "ELIGIBLE_NOT_RECEIVING",
        "Terdaftar di DTSEN desil 2, tidak menerima PKH padahal memiliki 1 anak usia sekolah: "
        "usulkan melalui SIKS-NG setelah musdes/muskel",
        "Registered in DTSEN desil 2, not receiving PKH although the family has "
        "1 school-age children: propose through SIKS-NG after the musdes/muskel",
        "PROPOSE_SIKS",
    )
    assert rows[1][0] == "SANGGAHAN_SUPPORTED"
    assert "DESIL_OUT_OF_RANGE" in rows[1][1]


def test_complaint_results_unknown_person(con):
    make_world(con, register=[{"nik": HEAD}], complaints=[{"nik": None, "name": "SAINAH"}])
    build(con)

    rows = con.execute(
        "select status_code, is_in_register, next_step_id from complaint_results"
    ).fetchall()

    assert rows == [
        (
            "NOT_LINKED",
            False,
            "daftarkan melalui operator desa/kelurahan (SIKS-NG) dengan membawa KK dan KTP",
        )
    ]


def test_summary_rates_per_desa(con):
    world(con)
    build(con)

    rows = con.execute(
        "select programme, desa_code, recipients, flagged_recipients, inclusion_error_rate, "
        "exclusion_candidates, rupiah_at_risk_month_idr, rupiah_at_risk_year_idr "
        "from summary_rates order by programme"
    ).fetchall()

    assert rows == [
        ("BPNT", DESA, 1, 0, 0.0, 1, 0, 0),
        ("PBI", DESA, 1, 0, 0.0, 1, 0, 0),
        ("PKH", DESA, 1, 1, 1.0, 1, 250_000, 3_000_000),
    ]


def test_exclusion_errors_received_in_report_order(con):
    # The family receives PKH and BPNT but not PBI, so its PBI row lists what it receives.
    make_world(
        con,
        register=[
            {"nik": HEAD, "no_kk": KK, "desil": 2},
            {"nik": CHILD, "no_kk": KK, "relationship": "ANAK", "is_in_school": True,
             "school_level": "SD", "desil": 2},
        ],
        pkh=[{"nik": HEAD, "no_kk": KK}],
        bpnt=[{"nik": HEAD, "no_kk": KK}],
        pbi=[{"nik": COVERED, "no_kk": make_kk(5)}],
    )
    build(con)

    rows = con.execute(
        "select programme, programmes_received from exclusion_errors where head_nik = ?", [HEAD]
    ).fetchall()

    assert rows == [("PBI", ["PKH", "BPNT"])]


def test_exclusion_errors_skip_absent_rosters(con):
    world(con, rosters=("pkh",))
    build(con)

    rows = con.execute("select programme, head_nik from exclusion_errors").fetchall()

    assert rows == [("PKH", HEAD)]


def test_summary_rates_skip_absent_rosters(con):
    world(con, rosters=("pkh",))
    build(con)

    rows = con.execute(
        "select programme, exclusion_candidates from summary_rates order by programme"
    ).fetchall()

    assert rows == [("PKH", 1)]


def test_thresholds_come_from_config(con):
    world(con)
    config = copy.deepcopy(rules_config())
    config["desil_threshold"]["PKH"] = 8

    build(con, config=config)

    rows = con.execute(
        "select flag_rule_codes, is_likely_inclusion_error, rupiah_at_risk_idr "
        "from inclusion_errors"
    ).fetchall()

    assert rows == [([], False, 0)]


def test_missing_config_key_is_reported(con):
    world(con)
    config = copy.deepcopy(rules_config())
    del config["pkh"]["max_components"]
    del config["wage"]

    with pytest.raises(ConfigError, match=r"\[pkh\] max_components, \[wage\] umk_idr"):
        apply_rules(con, config, "run-1")


def test_findings_diff_against_previous_parquet(con, tmp_path):
    world(con)
    build(con)
    previous = tmp_path / "fct_findings.parquet"
    con.execute(f"copy (select * from fct_findings) to '{previous}' (format parquet)")
    con.execute("update stg_register set desil = 3 where nik = ?", [RICH])
    con.execute("update stg_pkh set components = 'BALITA, BALITA, BALITA'")

    build(con, previous=previous)

    statuses = dict(con.execute("select rule_code, diff_status from findings_diff").fetchall())
    assert statuses["DESIL_OUT_OF_RANGE"] == "resolved"
    assert statuses["PKH_COMPONENT_LIMITS"] == "new"
    assert statuses["EXCLUSION_ERROR_CANDIDATE"] == "persisting"


def test_findings_diff_reads_previous_without_evidence_id(con, tmp_path):
    world(con)
    build(con)
    previous = tmp_path / "fct_findings.parquet"
    con.execute(
        f"copy (select * exclude (evidence_id) from fct_findings) to '{previous}' (format parquet)"
    )
    con.execute("update stg_register set desil = 3 where nik = ?", [RICH])

    build(con, previous=previous)

    rows = con.execute(
        "select diff_status, evidence, evidence_id from findings_diff where rule_code = ?",
        ["DESIL_OUT_OF_RANGE"],
    ).fetchall()
    persisting = con.execute(
        "select count(*) from findings_diff where diff_status = 'persisting' "
        "and evidence_id is null"
    ).fetchone()[0]
    assert [row[0] for row in rows] == ["resolved"]
    assert rows[0][1].startswith("DTSEN desil 8 is above the PKH threshold")
    assert rows[0][2] is None
    assert persisting == 0


def test_findings_diff_reads_previous_duckdb(con, tmp_path):
    world(con)
    build(con)
    database = tmp_path / "audit.duckdb"
    con.execute(f"attach '{database}' as previous")
    con.execute("create table previous.fct_findings as select * from fct_findings")
    con.execute("detach previous")

    build(con, previous=tmp_path)

    statuses = con.execute("select distinct diff_status from findings_diff").fetchall()
    assert statuses == [("persisting",)]


def test_findings_diff_rejects_missing_path(con, tmp_path):
    world(con)
    apply_rules(con, rules_config(), "run-1")

    with pytest.raises(SourceFileError, match="nothing.parquet tidak ditemukan"):
        build_marts(con, rules_config(), "run-1", tmp_path / "nothing.parquet")


def test_finding_ids_stable_across_runs(con):
    world(con)
    apply_rules(con, rules_config(), "run-1")
    first = con.execute("select finding_id from fct_findings order by 1").fetchall()

    apply_rules(con, rules_config(), "run-2")
    second = con.execute("select finding_id from fct_findings order by 1").fetchall()

    assert first == second
    assert len(set(first)) == len(first)


def test_every_finding_has_evidence(con):
    world(con)
    build(con)

    missing = con.execute(
        "select rule_code from fct_findings where evidence is null or evidence = '' "
        "or evidence_id is null or evidence_id = '' or evidence_id = evidence "
        "or source_file is null or record_id is null"
    ).fetchall()

    assert missing == []


# BPNT rows in file order: a KPM with desil 8, then two KPM whose NIK cell is not usable, so
# staging leaves their `nik` empty.
SHIFTED_ROWS = [
    {"nik": RICH, "no_kk": make_kk(3)},
    {
        "nik": None,
        "nik_raw": "3.32506E+15",
        "nik_status": "excel_damaged",
        "name": "SUNARDI",
        "no_kk": make_kk(5),
        "birth_date": "1970-02-03",
    },
    {
        "nik": None,
        "nik_raw": "33250612",
        "nik_status": "malformed",
        "name": "TASMINAH",
        "no_kk": make_kk(6),
        "birth_date": "1968-07-21",
    },
]


def bpnt_world(con, bpnt_rows):
    """Build a register of two families and a BPNT roster of `bpnt_rows` from file row 2."""
    rows = [{**row, "source_row": number} for number, row in enumerate(bpnt_rows, start=2)]
    make_world(
        con,
        register=[
            {"nik": HEAD, "no_kk": KK, "desil": 2},
            {"nik": RICH, "no_kk": make_kk(3), "desil": 8},
        ],
        bpnt=rows,
    )


def diff_after(con, tmp_path, first_rows, second_rows):
    """Run the rules on `first_rows`, then on `second_rows` against the first run's findings;
    return (diff_status, rule_code, name) of the findings that changed."""
    bpnt_world(con, first_rows)
    build(con)
    previous = tmp_path / "fct_findings.parquet"
    con.execute(f"copy (select * from fct_findings) to '{previous}' (format parquet)")

    bpnt_world(con, second_rows)
    build(con, previous=previous)
    return con.execute(
        "select diff_status, rule_code, name from findings_diff "
        "where diff_status <> 'persisting' order by all"
    ).fetchall()


def test_findings_diff_deleted_row_shifts_others(con, tmp_path):
    changed = diff_after(con, tmp_path, SHIFTED_ROWS, SHIFTED_ROWS[1:])

    rich_name = con.execute(
        "select name from stg_register where nik = ?", [RICH]
    ).fetchone()[0]
    assert changed == [("resolved", "DESIL_OUT_OF_RANGE", rich_name)]


def test_findings_diff_nik_less_findings_persist(con, tmp_path):
    diff_after(con, tmp_path, SHIFTED_ROWS, SHIFTED_ROWS[1:])

    persisting = con.execute(
        "select rule_code, name from findings_diff where diff_status = 'persisting' "
        "and name in ('SUNARDI', 'TASMINAH') order by all"
    ).fetchall()
    assert persisting == [
        ("NIK_EXCEL_DAMAGE", "SUNARDI"),
        ("NIK_FORMAT", "TASMINAH"),
        ("NOT_IN_REGISTER", "SUNARDI"),
        ("NOT_IN_REGISTER", "TASMINAH"),
    ]


def test_findings_diff_duplicate_row_deleted(con, tmp_path):
    duplicate = SHIFTED_ROWS[2]
    first = [SHIFTED_ROWS[0], duplicate, duplicate]
    second = [SHIFTED_ROWS[0], duplicate]

    changed = diff_after(con, tmp_path, first, second)
    persisting = con.execute(
        "select rule_code from findings_diff where diff_status = 'persisting' "
        "and name = 'TASMINAH' order by all"
    ).fetchall()

    # The two identical rows were two KPM on one No KK, so both MULTI_KPM_PER_KK findings
    # go. One finding of each other rule remains.
    assert changed == [
        ("resolved", "MULTI_KPM_PER_KK", "TASMINAH"),
        ("resolved", "MULTI_KPM_PER_KK", "TASMINAH"),
        ("resolved", "NIK_FORMAT", "TASMINAH"),
        ("resolved", "NOT_IN_REGISTER", "TASMINAH"),
    ]
    assert persisting == [("NIK_FORMAT",), ("NOT_IN_REGISTER",)]


def test_findings_diff_rows_without_kpm_id(con, tmp_path):
    # Two pengurus on one No KK, in a file without a KPM id column.
    shared_kk = make_kk(7)
    pair = [
        {"nik": make_nik(8, "1971-03-04"), "no_kk": shared_kk, "kpm_id": None},
        {"nik": make_nik(9, "1973-05-06", "P"), "no_kk": shared_kk, "kpm_id": None},
    ]

    changed = diff_after(con, tmp_path, [SHIFTED_ROWS[0], *pair], pair)
    persisting = con.execute(
        "select count(*) from findings_diff where diff_status = 'persisting' "
        "and rule_code = 'MULTI_KPM_PER_KK'"
    ).fetchone()[0]

    assert [row[:2] for row in changed] == [("resolved", "DESIL_OUT_OF_RANGE")]
    assert persisting == 2


def test_findings_diff_locates_resolved_nik_less_finding(con, tmp_path):
    # SUNARDI's row (file row 3) is deleted in the second run.
    diff_after(con, tmp_path, SHIFTED_ROWS, [SHIFTED_ROWS[0], SHIFTED_ROWS[2]])

    resolved = con.execute(
        "select nik, no_kk, source_row from findings_diff "
        "where diff_status = 'resolved' and name = 'SUNARDI'"
    ).fetchall()
    assert resolved
    assert {row[0] for row in resolved} == {None}
    assert {row[1] for row in resolved} == {make_kk(5)}
    assert {row[2] for row in resolved} == {3}


def usulan_of_dead_person(con, death_date):
    """Return (status, next step, Indonesian and English text) of each result of an usulan for
    HEAD, whom the death register lists with `death_date`."""
    make_world(
        con,
        register=[{"nik": HEAD, "no_kk": KK, "desil": 2}],
        deaths=[{"nik": HEAD, "death_date": death_date}],
        complaints=[{"nik": HEAD, "complaint_type": "usulan", "programme_requested": "PKH"}],
    )
    build(con)
    return con.execute(
        "select status_code, next_step_code, status_text_id, status_text_en "
        "from complaint_results"
    ).fetchall()


def test_complaint_results_deceased_person(con):
    rows = usulan_of_dead_person(con, "2026-07-13")

    assert len(rows) == 1
    assert rows[0][0] == "DECEASED"
    assert rows[0][1] == "UPDATE_DTSEN"
    assert rows[0][2].startswith("Tercatat meninggal pada 13-07-2026 di data kematian: ")
    assert rows[0][3].startswith("Recorded as deceased on 13-07-2026 in the death register: ")


def test_complaint_results_undated_death(con):
    rows = usulan_of_dead_person(con, None)

    # Proposing aid for a person on the death register waits until the death is checked.
    assert len(rows) == 1
    assert rows[0][0] == "DECEASED_UNDATED"
    assert rows[0][1] == "CHECK_DEATH_DATE"
    assert rows[0][2].startswith("Tercantum di data kematian, tetapi tanggal meninggalnya tidak ")
    assert rows[0][3].startswith(
        "Listed in the death register, but its death date cannot be read: check the death with "
        "Disdukcapil"
    )


def complaint_status(con, complaint):
    """Return the status of one complaint about HEAD.

    The marts are built for HEAD's desil-2 family, with PKH and BPNT rosters that list COVERED
    only and the rosters of `complaint["rosters"]`.
    """
    make_world(
        con,
        register=[
            {"nik": HEAD, "no_kk": KK, "desil": 2},
            {"nik": COVERED, "no_kk": make_kk(5), "desil": 1},
        ],
        pkh=[{"nik": COVERED, "no_kk": make_kk(5)}],
        bpnt=[{"nik": COVERED, "no_kk": make_kk(5)}],
        **complaint.pop("rosters", {}),
        complaints=[{"nik": HEAD, **complaint}],
    )
    build(con)
    return con.execute(
        "select status_code, next_step_code, status_text_id, status_text_en "
        "from complaint_results"
    ).fetchone()


@pytest.mark.parametrize("complaint_type", ["sanggahan", "usulan"])
def test_complaint_results_roster_not_in_run(con, complaint_type):
    status = complaint_status(
        con, {"complaint_type": complaint_type, "programme_requested": "PBI"}
    )

    assert status[0] == "ROSTER_NOT_IN_RUN"
    assert status[1] == "RUN_WITH_ROSTER"
    # A sanggahan of the default date is overdue, which the text then adds at the end.
    assert status[2].startswith(
        "Tidak dapat diperiksa: daftar PBI tidak ada di run ini: minta analis menjalankan audit "
        "lagi dengan daftar tersebut"
    )
    assert status[3].startswith(
        "Cannot be checked: the PBI roster was not in this run: ask the analyst to run the audit "
        "again with that roster"
    )


def test_complaint_results_sanggahan_not_recipient(con):
    status = complaint_status(
        con,
        {
            "complaint_type": "sanggahan",
            "programme_requested": "BPNT",
            "rosters": {"pbi": [{"nik": HEAD}]},
        },
    )

    assert status[0] == "SANGGAHAN_NOT_RECIPIENT"
    assert status[1] == "FIELD_CHECK"
    assert status[2].startswith("Orang yang disanggah tidak menerima BPNT pada 2026-T4: ")
    assert status[3].startswith("The person objected to does not receive BPNT in 2026-T4: ")


def test_complaint_results_sanggahan_of_recipient(con):
    status = complaint_status(
        con,
        {
            "complaint_type": "sanggahan",
            "programme_requested": "PBI",
            "rosters": {"pbi": [{"nik": HEAD}]},
        },
    )

    assert status[0] == "SANGGAHAN_NOT_SUPPORTED"
