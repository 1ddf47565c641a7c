"""The tables and columns that publishing and the desk lookup read.

Every column name the publish and desk code relies on is listed here, so a change in a mart
contract is one edit. Readers select columns by name and ignore any extra column. A column listed
as optional may be absent. A missing required column stops the publish with an error that
names the table and the column.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class TableColumns:
    """Columns of one input table: `required` must exist, `optional` are used when present.

    `derived` maps a column name that publishing reads to a SQL expression over the mart's own
    columns. `{language}` in an expression becomes the publish language (`id` or `en`), and
    `{text[words]}` the translation of `words`.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    derived: tuple[tuple[str, str], ...] = ()

    def expression(self, column: str) -> str | None:
        return dict(self.derived).get(column)


# Mart tables copied into audit.duckdb and written as one Parquet file each.
MART_TABLES: dict[str, TableColumns] = {
    "fct_findings": TableColumns(
        required=("finding_id", "rule_code", "severity", "programme", "person_id"),
        optional=(
            "run_id",
            "period",
            "family_id",
            "record_id",
            "nik",
            "no_kk",
            "name",
            "kecamatan_code",
            "desa_code",
            "evidence",
            "evidence_id",
            "evidence_json",
            "source_file",
            "source_sheet",
            "source_row",
            "match_probability",
            "confidence",
        ),
    ),
    "rule_status": TableColumns(
        required=("rule_code", "is_evaluated", "findings"),
        optional=("status", "not_evaluated_reason", "limitation_reason", "missing_inputs"),
        # Runs before the limitation state existed recorded only is_evaluated.
        derived=(
            ("status", "case when is_evaluated then 'evaluated' else 'not_evaluated' end"),
        ),
    ),
    "inclusion_errors": TableColumns(
        required=("programme", "nik", "name", "kecamatan_code", "desa_code", "rule_codes"),
        derived=(
            # FLAG codes make a likely inclusion error; WARN codes ask for a field check. The
            # workbooks list only rows with one of them, and show other_rule_codes (ERROR and
            # INFO, such as NIK_FORMAT) after them.
            ("rule_codes", "list_concat(flag_rule_codes, warn_rule_codes)"),
            ("severity", "case when len(flag_rule_codes) > 0 then 'FLAG' else 'WARN' end"),
            ("idr_at_risk_month", "monthly_idr_at_risk"),
            ("idr_at_risk_year", "monthly_idr_at_risk * 12"),
        ),
        optional=(
            "nik_raw",
            "other_rule_codes",
            "address",
            "rt",
            "rw",
            "person_id",
            "family_id",
            "no_kk",
            "severity",
            "months_at_risk",
            "idr_at_risk_month",
            "idr_at_risk_year",
            "source_file",
            "source_sheet",
            "source_row",
            "evidence_items",
            "evidence_items_id",
            "confidence",
        ),
    ),
    "exclusion_errors": TableColumns(
        required=("family_id", "no_kk", "kecamatan_code", "desa_code"),
        optional=("head_nik", "head_nik_raw", "head_name", "desil", "programme", "reason"),
        derived=(
            (
                "reason",
                "concat_ws(', ', 'desil ' || desil || ' ({text[programme limit]} '"
                " || desil_threshold || ')',"
                " case when pkh_components > 0 then '{text[PKH components]}: ' || pkh_components"
                " end,"
                " '{text[receives]}: ' || coalesce(nullif(array_to_string(programmes_received,"
                " '+'), ''), '{text[no programme]}'))",
            ),
        ),
    ),
    "complaint_results": TableColumns(
        required=("complaint_id",),
        optional=(
            "person_id",
            "family_id",
            "nik",
            "no_kk",
            "name",
            "complaint_date",
            "channel",
            "complaint_type",
            "programme_requested",
            "complaint_status",
            "is_overdue",
            "overdue_reference_date",
            "pre_verified_status",
            "next_step",
            "kecamatan_code",
            "desa_code",
        ),
        derived=(
            ("pre_verified_status", "status_text_{language}"),
            ("next_step", "next_step_{language}"),
        ),
    ),
    "summary_rates": TableColumns(
        required=("programme", "kecamatan_code", "desa_code", "recipients", "flagged"),
        derived=(
            ("flagged", "flagged_recipients"),
            ("idr_at_risk_month", "rupiah_at_risk_month_idr"),
            ("idr_at_risk_year", "rupiah_at_risk_year_idr"),
        ),
        optional=(
            "inclusion_error_rate",
            "exclusion_candidates",
            "idr_at_risk_month",
            "idr_at_risk_year",
        ),
    ),
    "findings_diff": TableColumns(
        required=(), optional=("rule_code", "change"), derived=(("change", "diff_status"),)
    ),
    "file_reconciliation": TableColumns(
        required=("source_kind", "source_file", "rows_read", "rows_loaded", "rows_quarantined"),
        optional=("run_id", "source_sheet", "lines_joined"),
    ),
    "quarantine": TableColumns(
        required=("source_kind", "source_file", "reason_code"),
        optional=("run_id", "source_sheet", "source_row", "reason_detail", "raw_values"),
    ),
    "runs": TableColumns(
        required=("run_id",),
        optional=(
            "started_at",
            "finished_at",
            "config_version",
            "input_checksums",
            "stage_seconds",
            "rules_checksum",
            "run_config_checksum",
            "rules_compared_with_run_id",
            "rules_changed_without_new_version",
            "complaints_reference_date",
        ),
    ),
}

# Linked and staging tables the desk lookup reads. They go into audit.duckdb only.
DESK_TABLES: dict[str, TableColumns] = {
    "int_person_links": TableColumns(
        required=("record_id", "person_id"), optional=("cluster_size",)
    ),
    "int_families": TableColumns(
        required=("person_id", "family_id"),
        optional=("no_kk", "relationship"),
    ),
}

# Desk tables used when the run has them: without int_person_records a person who appears only
# in a programme roster is found through fct_findings alone.
DESK_OPTIONAL_TABLES: dict[str, TableColumns] = {
    # A run without a register source has none. The desk then finds people through
    # int_person_records and fct_findings, and has no desil or family for them.
    "stg_register": TableColumns(
        required=("record_id", "nik", "name", "family_id"),
        optional=(
            "no_kk",
            "birth_date",
            "sex",
            "desil",
            "relationship",
            "desa_code",
            "kecamatan_code",
            "address",
            "rt",
            "rw",
            "is_padan_dukcapil",
            "is_register_active",
            "snapshot_date",
        ),
    ),
    "int_person_records": TableColumns(
        required=("record_id", "source_kind", "nik"),
        optional=(
            "name",
            "birth_date",
            "sex",
            "desa_code",
            "kecamatan_code",
            "no_kk",
            # The desk cites each record's source, and `evaluate` matches records to the truth
            # by them.
            "source_file",
            "source_sheet",
            "source_row",
        ),
    ),
    # Without it, the desk counts every roster row of a person as a programme received.
    "roster_records": TableColumns(
        required=("record_id", "person_id", "programme", "is_received"),
        optional=(
            "period",
            "audit_period",
            "is_active",
            "segment",
            "source_file",
            "source_sheet",
            "source_row",
        ),
    ),
    # The date of death of the death-register records of int_person_records. It has no index:
    # the death register is small (187 rows in the demo data against 29,597 register rows).
    "stg_deaths": TableColumns(required=("record_id",), optional=("death_date",)),
}

# Source kinds whose records mean "this person or family receives the programme".
PROGRAMME_SOURCE_KINDS: dict[str, str] = {"pkh": "PKH", "bpnt": "BPNT", "pbi": "PBI"}


def programmes_not_loaded(loaded_kinds: Collection[str]) -> list[str]:
    """Return the programmes, in PKH, BPNT, PBI order, whose roster kind is not in
    `loaded_kinds` (the source kinds with loaded rows in file_reconciliation)."""
    return [
        programme for kind, programme in PROGRAMME_SOURCE_KINDS.items() if kind not in loaded_kinds
    ]


def programmes_of_missing_inputs(missing_tables: Collection[str]) -> list[str]:
    """Return the programmes whose staging table is in `missing_tables` (the entries of
    rule_status.missing_inputs), in PKH, BPNT, PBI order."""
    return [
        programme
        for kind, programme in PROGRAMME_SOURCE_KINDS.items()
        if f"stg_{kind}" in missing_tables
    ]

# Point-lookup indexes built in audit.duckdb for the desk: (table, column). Measured on the
# tables of a batang run (847,082 register rows, 1,431,685 person records, 2 cores shared with
# other jobs), they grow audit.duckdb from 197 MB to 578 MB and take about 5.5 CPU seconds to
# build. They cut the median lookup_nik from 0.76 s to 0.10 s.
# complaint_results has no index: at about 1,500 rows a scan takes about 1 ms.
# NOTE: the roster_records index came after that measurement. Its size and build time at batang
# size are not measured. On the demo data (19,034 roster rows, 2 shared cores) the median
# lookup_nik took 0.05 to 0.17 s.
DESK_INDEXES: tuple[tuple[str, str], ...] = (
    ("stg_register", "nik"),
    ("stg_register", "record_id"),
    ("stg_register", "family_id"),
    ("int_person_links", "record_id"),
    ("int_person_links", "person_id"),
    ("int_families", "person_id"),
    ("int_families", "family_id"),
    ("int_person_records", "nik"),
    ("int_person_records", "record_id"),
    ("fct_findings", "person_id"),
    ("fct_findings", "nik"),
    ("roster_records", "person_id"),
)

# Indexes the desk never reads when another table is present: (table, column) -> that table.
# The desk finds a NIK in int_person_records and looks in stg_register only without it.
DESK_INDEX_UNUSED_WITH: dict[tuple[str, str], str] = {
    ("stg_register", "nik"): "int_person_records",
}
