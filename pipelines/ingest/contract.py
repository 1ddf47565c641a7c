"""Column contract of the staging tables, as listed in docs/tables.md."""

from __future__ import annotations

PERSON_COLUMNS = (
    "record_id", "source_kind", "source_file", "source_sheet", "source_row",
    "nik_raw", "nik", "nik_status",
    "no_kk_raw", "no_kk", "no_kk_status",
    "name_raw", "name", "name_titles", "name_patronym", "has_deceased_marker",
    "birth_date_raw", "birth_date", "is_birth_date_default", "is_birth_date_ambiguous",
    "sex", "kecamatan_code", "desa_code", "wilayah_status",
    "address", "rt", "rw", "dusun",
)

KIND_COLUMNS = {
    "register": (
        "family_id", "register_person_id", "desil", "desil_raw", "relationship",
        "is_padan_dukcapil", "is_pregnant", "has_severe_disability", "is_in_school",
        "school_level", "is_register_active", "occupation", "snapshot_date",
    ),
    "pkh": ("kpm_id", "period", "components", "amount_idr", "bank", "is_active"),
    "bpnt": ("kpm_id", "period", "amount_idr", "bank", "is_active"),
    "pbi": ("noka", "segment", "is_active", "start_date"),
    "complaints": (
        "complaint_id", "complaint_date", "channel", "complaint_type", "programme_requested",
        "reason", "complaint_status",
    ),
    "deaths": ("death_date",),
    "asn": ("category", "agency"),
    "village_officials": ("position",),
    "exclusion": ("category", "as_of_date"),
    "bpjs_tk": ("kpj", "employer", "wage_idr", "wage_month_date"),
    "pln": ("customer_id", "tariff", "power_va"),
    "vehicles": ("plate", "vehicle_type", "wheels"),
}

ID_STATUSES = ("valid", "empty", "placeholder", "malformed", "excel_damaged", "structure_invalid")
WILAYAH_STATUSES = ("ok", "unknown", "ambiguous", "code_invalid", "mismatch")
RELATIONSHIPS = (
    "KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK", "CUCU", "ORANG TUA", "MERTUA", "FAMILI LAIN",
    "LAINNYA",
)


def staging_columns(kind: str) -> tuple[str, ...]:
    return PERSON_COLUMNS + KIND_COLUMNS[kind]
