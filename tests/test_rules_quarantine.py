"""Rules 10 and 23 for a recipient whose NIK is in a quarantined row of the DTSEN register."""

from __future__ import annotations

import json

import pytest
from test_rules_builders import family, found, make_nik, new_connection, rules_config, run

from pipelines.ingest.load import QUARANTINE_DDL
from pipelines.rules import apply_rules, build_marts

# In the register file, on lines that a stray quote joined into one quarantined row.
MASRUROH = make_nik(5, "1946-07-25", "P")
# Not in the register file at all.
STRANGER = make_nik(7, "1990-02-02")
REGISTER_FILE = "dtsen_batang_202611.csv"
# The raw text of a quarantined register row: the stray quote opened a value in the Alamat
# column, which then contains the next lines of the file with MASRUROH's NIK and No KK.
JOINED_ROW = {
    "No": "199",
    "NIK": "3325011911220001",
    "Alamat": f"DK. TEGALREJO\r\n200;KEL0003951;3325010912060001;{MASRUROH};MASRUROH;25/7/1946",
}


@pytest.fixture
def con():
    connection = new_connection()
    connection.execute(QUARANTINE_DDL)
    yield connection
    connection.close()


def quarantine(con, raw_values: str, kind: str = "register", file: str = REGISTER_FILE,
               sheet: str = "", row: int = 200, reason: str = "joined_lines") -> None:
    con.execute(
        "insert into quarantine values ('test-run', ?, ?, ?, ?, ?, 'detail', ?)",
        [kind, file, sheet, row, reason, raw_values],
    )


def severities(con, rule_code: str) -> dict[str, str]:
    """Return the severity of each of the rule's findings by record id."""
    return {record_id: severity for record_id, severity, *_rest in found(con, rule_code)}


def test_not_in_register_warns_for_quarantined_nik(con):
    quarantine(con, json.dumps(JOINED_ROW))
    run(con, register=family(), pkh=[{"nik": MASRUROH}, {"nik": STRANGER}])

    rows = {row[0]: row for row in found(con, "NOT_IN_REGISTER")}

    assert rows["pkh:1::2"][1] == "WARN"
    assert rows["pkh:1::2"][3] == (
        "PKH recipient matches no loaded DTSEN register record, but a quarantined register row "
        f"({REGISTER_FILE} row 200: Several lines joined by a stray double quote) contains this "
        "NIK: check that row"
    )
    assert rows["pkh:1::3"][1] == "FLAG"
    assert "no register record matches this NIK" in rows["pkh:1::3"][3]


def test_not_in_register_quarantine_evidence_id(con):
    quarantine(con, json.dumps(JOINED_ROW))
    run(con, register=family(), bpnt=[{"nik": MASRUROH}])

    (evidence_id,) = con.execute(
        "select evidence_id from fct_findings where rule_code = 'NOT_IN_REGISTER'"
    ).fetchone()

    assert evidence_id == (
        "Penerima BPNT tidak cocok dengan data DTSEN yang dimuat, tetapi baris DTSEN yang "
        f"dikarantina ({REGISTER_FILE} baris 200: Beberapa baris teks tergabung karena tanda kutip "
        "ganda yang tersasar) memuat NIK ini: periksa baris itu"
    )


def test_pbi_not_eligible_warns_for_quarantined_nik(con):
    # HEAD is in the register with desil 7, so HEAD's finding is about the desil and stays
    # FLAG though the quarantined row repeats HEAD's NIK.
    head = family()[0]["nik"]
    quarantine(con, json.dumps({**JOINED_ROW, "NIK": head}))
    run(con, register=family(desil=7), pbi=[{"nik": MASRUROH}, {"nik": STRANGER}, {"nik": head}])

    rows = {row[0]: row for row in found(con, "PBI_NOT_ELIGIBLE")}

    assert rows["pbi:1::2"][1] == "WARN"
    assert rows["pbi:1::2"][3] == (
        "PBI APBN member matches no loaded DTSEN register record, but a quarantined register row "
        f"({REGISTER_FILE} row 200: Several lines joined by a stray double quote) contains this "
        "NIK: check that row; "
        "contribution Rp 42,000 per month"
    )
    assert rows["pbi:1::3"][1] == "FLAG"
    assert "not in the DTSEN register" in rows["pbi:1::3"][3]
    assert rows["pbi:1::4"][1] == "FLAG"
    assert "in DTSEN desil 7" in rows["pbi:1::4"][3]
    assert severities(con, "NOT_IN_REGISTER") == {"pbi:1::2": "WARN", "pbi:1::3": "FLAG"}


def test_linked_record_carries_quarantined_nik(con):
    # The BPNT row lost a digit of MASRUROH's NIK, but linking joined it by name and birth date
    # to her PKH row, whose NIK the quarantined register row contains. A STRANGER row with a
    # damaged NIK stays FLAG.
    quarantine(con, json.dumps(JOINED_ROW))
    masruroh = "P" + MASRUROH
    run(
        con,
        register=family(),
        pkh=[{"nik": MASRUROH}],
        bpnt=[{"nik": MASRUROH[:15], "_person": masruroh}, {"nik": STRANGER[:15]}],
        pbi=[{"nik": MASRUROH[:15], "_person": masruroh}],
    )

    rows = {row[0]: row for row in found(con, "NOT_IN_REGISTER")}
    (pbi_evidence,) = con.execute(
        "select evidence_id from fct_findings where rule_code = 'PBI_NOT_ELIGIBLE'"
    ).fetchone()

    assert {record_id: row[1] for record_id, row in rows.items()} == {
        "pkh:1::2": "WARN",
        "bpnt:1::2": "WARN",
        "bpnt:1::3": "FLAG",
        "pbi:1::2": "WARN",
    }
    assert "contains this NIK: check that row" in rows["pkh:1::2"][3]
    assert (
        "contains the NIK of a record linked to this recipient: check that row"
        in rows["bpnt:1::2"][3]
    )
    assert severities(con, "PBI_NOT_ELIGIBLE") == {"pbi:1::2": "WARN"}
    assert "memuat NIK dari data lain yang tertaut dengan peserta ini" in pbi_evidence
    assert pbi_evidence.endswith("; iuran Rp 42.000 per bulan")


def test_quarantine_counts_register_niks_only(con):
    # A quarantined PKH row is no evidence about the register, and a NIK inside a longer number
    # is not that NIK.
    other = make_nik(8, "1977-03-03")
    quarantine(con, json.dumps(JOINED_ROW))
    quarantine(con, json.dumps({"NIK": STRANGER}), kind="pkh", file="pkh_tahap4_2026.xlsx")
    quarantine(con, json.dumps({"Keterangan": f"{other}9", "No": f"1{other}"}), row=300)
    run(con, register=family(), pkh=[{"nik": MASRUROH}, {"nik": STRANGER}, {"nik": other}])

    assert severities(con, "NOT_IN_REGISTER") == {
        "pkh:1::2": "WARN",
        "pkh:1::3": "FLAG",
        "pkh:1::4": "FLAG",
    }


def test_quarantine_reads_text_and_sheet(con):
    # A row whose raw text is not JSON is searched as it is. A workbook row names its sheet.
    quarantine(con, f"199;DK. TEGALREJO;{MASRUROH};MASRUROH", file="dtsen.xlsx",
               sheet="Kec. Bandar", row=41, reason="unparseable_row")
    run(con, register=family(), pkh=[{"nik": MASRUROH}])

    rows = found(con, "NOT_IN_REGISTER")

    assert [(row[0], row[1]) for row in rows] == [("pkh:1::2", "WARN")]
    assert "(dtsen.xlsx, Kec. Bandar row 41: CSV row with the wrong number of fields)" in rows[0][3]


def complaint_statuses(con) -> list[tuple]:
    """Build the marts and return (NIK, status code, next step in Indonesian) per complaint."""
    build_marts(con, rules_config(), "test-run", None)
    return con.execute(
        "select nik, status_code, next_step_id from complaint_results order by nik"
    ).fetchall()


def test_quarantined_complaint_cannot_be_checked(con):
    # MASRUROH's register row was not loaded, so proposing her through SIKS-NG, the next step
    # for a person outside DTSEN, could register her twice.
    quarantine(con, json.dumps(JOINED_ROW))
    run(
        con,
        register=family(),
        pkh=[{"nik": MASRUROH}],
        complaints=[{"nik": MASRUROH, "complaint_type": "usulan"}, {"nik": STRANGER}],
    )

    assert complaint_statuses(con) == sorted([
        (
            MASRUROH,
            "REGISTER_ROW_QUARANTINED",
            "minta analis memperbaiki baris itu di berkas DTSEN dan menjalankan audit lagi",
        ),
        (
            STRANGER,
            "NOT_LINKED",
            "daftarkan melalui operator desa/kelurahan (SIKS-NG) dengan membawa KK dan KTP",
        ),
    ])


def test_complaint_linked_to_quarantined_nik(con):
    # The complaint form lost a digit of MASRUROH's NIK; linking joined it to her PKH row.
    quarantine(con, json.dumps(JOINED_ROW))
    run(
        con,
        register=family(),
        pkh=[{"nik": MASRUROH}],
        complaints=[
            {"nik": MASRUROH[:15], "_person": "P" + MASRUROH, "complaint_type": "usulan"},
        ],
    )

    assert [status for _nik, status, _step in complaint_statuses(con)] == [
        "REGISTER_ROW_QUARANTINED"
    ]


def test_quarantined_sanggahan_cannot_be_checked(con):
    # The complainant gave MASRUROH's NIK, so asking them for it again would not help.
    quarantine(con, json.dumps(JOINED_ROW))
    unknown = make_nik(8, "1985-05-05")
    run(
        con,
        register=family(),
        pkh=[{"nik": STRANGER}],
        complaints=[
            {"nik": MASRUROH, "complaint_type": "sanggahan", "programme_requested": "PKH"},
            {"nik": unknown, "complaint_type": "sanggahan", "programme_requested": "PKH"},
        ],
    )

    statuses = {nik: status for nik, status, _next_step in complaint_statuses(con)}

    assert statuses[MASRUROH] == "REGISTER_ROW_QUARANTINED"
    assert statuses[unknown] == "NOT_LINKED_SANGGAHAN"


def test_quarantined_recipient_sanggahan_cannot_be_checked(con):
    # MASRUROH receives PKH with no FLAG finding, but her register row was not loaded, so the
    # data cannot show whether the objection is right. A FLAG finding still supports it.
    quarantine(con, json.dumps(JOINED_ROW))
    run(
        con,
        register=family(),
        pkh=[{"nik": MASRUROH}],
        deaths=[{"nik": MASRUROH, "death_date": "2026-03-01"}],
        complaints=[{"nik": MASRUROH, "complaint_type": "sanggahan", "programme_requested": "PKH"}],
    )
    supported = complaint_statuses(con)

    con.execute("delete from stg_deaths")
    apply_rules(con, rules_config(), "test-run")
    unsupported = complaint_statuses(con)

    assert [status for _nik, status, _step in supported] == ["SANGGAHAN_SUPPORTED"]
    assert [status for _nik, status, _step in unsupported] == ["REGISTER_ROW_QUARANTINED"]


def test_complaint_status_text_in_both_languages(con):
    quarantine(con, json.dumps(JOINED_ROW))
    run(con, register=family(), complaints=[{"nik": MASRUROH, "complaint_type": "usulan"}])
    build_marts(con, rules_config(), "test-run", None)

    texts = con.execute("select status_text_en, status_text_id from complaint_results").fetchone()

    assert texts == (
        "Cannot be checked: the DTSEN register file has a row with this NIK that the audit "
        "could not load: ask the analyst to correct that row of the register file and run the "
        "audit again",
        "Tidak dapat diperiksa: berkas DTSEN memuat baris dengan NIK ini yang tidak dapat dimuat "
        "oleh audit: minta analis memperbaiki baris itu di berkas DTSEN dan menjalankan audit "
        "lagi",
    )
