"""Plain-language titles of rule codes, severities and field results, for every output."""

from __future__ import annotations

from pipelines.i18n import N_, _

# English message ids; the Indonesian text is in publish.po.
RULE_TITLES: dict[str, str] = {
    "NIK_FORMAT": "NIK is not 16 digits or is a placeholder",
    "NIK_EXCEL_DAMAGE": "NIK damaged by Excel (numeric cell or scientific notation)",
    "NIK_STRUCTURE": "NIK has an impossible region code or birth date",
    "NIK_ATTR_MISMATCH": "Sex or birth date in the NIK differs from the record",
    "KK_FORMAT": "No KK is invalid or equals the NIK",
    "DUP_NIK_IN_LIST": "Same NIK twice in one programme list (double payment)",
    "DUP_NIK_CONFLICT": "Same NIK with different names or birth dates",
    "DUP_PERSON_DIFF_NIK": "Same person listed with different NIKs",
    "MULTI_KPM_PER_KK": "More than one KPM in one family card",
    "NOT_IN_REGISTER": "Recipient not found in the DTSEN register",
    "NOT_PADAN_DUKCAPIL": "NIK not matched with Dukcapil",
    "DESIL_OUT_OF_RANGE": "Desil above the programme threshold, or desil missing",
    "DECEASED_RECIPIENT": "Recipient recorded as deceased",
    "ASN_TNI_POLRI": "Recipient or family member is ASN, TNI, Polri or pensioner",
    "OCCUPATIONAL_EXCLUSION": "Recipient or family member is on an occupational exclusion list",
    "BUSINESS_OWNER": "Recipient or family member owns or runs a registered company",
    "WAGE_ABOVE_UMK": "A family member earns above the UMK",
    "PROXY_AFFLUENCE": "Household shows signs of affluence (electricity, vehicle)",
    "PKH_NO_COMPONENT": "PKH family has no qualifying component",
    "PKH_COMPONENT_LIMITS": "PKH components exceed the limits or contradict ages",
    "AGE_IMPLAUSIBLE": "Implausible age for the role",
    "DEFAULT_DOB": "Default birth date (1 Jan, 1 Jul, 31 Dec or day 15)",
    "PBI_NOT_ELIGIBLE": "PBI member not in DTSEN or above the desil threshold",
    "PBI_DOUBLE_COVERAGE": "PBI member also covered elsewhere",
    "WILAYAH_INVALID": "Kecamatan or desa not valid for Batang",
    "NAME_MISMATCH_SAME_NIK": "Name differs between roster and register for one NIK",
    "EXCLUSION_ERROR_CANDIDATE": "Eligible family receives no programme",
    "CROSS_PROGRAMME_INCONSISTENCY": "Programmes received are inconsistent",
    "COMPLAINT_LINK": "NIK appears in a complaint",
    "STALE_RECORD": "Record older than the allowed age",
    "HOUSEHOLD_DISSOLVED": "Recipient household dissolved or moved away",
}

# The next step for each data-quality (ERROR) rule, shown on the data-quality sheet of
# inclusion_errors.xlsx. Each text names both SIKS-NG and the programme's operator, because which
# of them corrects a roster row depends on the programme.
DATA_QUALITY_ACTIONS: dict[str, str] = {
    "NIK_FORMAT": N_(
        "Have the NIK corrected on the roster through SIKS-NG or the programme's operator, from "
        "the KTP or KK."
    ),
    "NIK_EXCEL_DAMAGE": N_(
        "Ask the programme's operator for the roster again with the NIK column stored as text, "
        "or correct the NIK from the KTP or KK."
    ),
    "NIK_STRUCTURE": N_(
        "Check the NIK against the KTP or KK, then have it corrected on the roster through "
        "SIKS-NG or the programme's operator."
    ),
    "KK_FORMAT": N_(
        "Have the No KK corrected on the roster through SIKS-NG or the programme's operator, "
        "from the family card (KK)."
    ),
    "WILAYAH_INVALID": N_(
        "Have the kecamatan and desa corrected on the roster through SIKS-NG or the "
        "programme's operator."
    ),
}

SEVERITY_TITLES: dict[str, str] = {
    "ERROR": "Data invalid",
    "FLAG": "Likely ineligible",
    "WARN": "Needs field check",
    "INFO": "Information",
}

# Values of findings_diff.change, by the change of a finding since the previous run.
CHANGE_TITLES: dict[str, str] = {
    "new": "New since the previous run",
    "first_checked": "First checked in this run",
    "new_with_limitation": "New, but its rule lacked an input",
    "resolved": "Gone since the previous run",
    "not_rechecked": "Not re-checked in this run",
    "resolved_with_input": "Gone now that its rule has the input",
    "unchanged": "Unchanged",
    "persisting": "Still present since the previous run",
    "changed": "Changed evidence",
}

# Field officers pick one of these in the verification workbooks. The values stay Indonesian in
# both languages, because desa officers record their results in Indonesian, and the cell's input
# message explains them in the run's language.
FIELD_RESULTS: tuple[str, ...] = (
    "sesuai",
    "tidak sesuai",
    "tidak ditemukan",
    "pindah",
    "meninggal",
)


def rule_title(rule_code: str | None) -> str:
    """Return the translated title of `rule_code`, or the code itself when it has none."""
    if not rule_code:
        return ""
    title = RULE_TITLES.get(rule_code)
    if title is None:
        return rule_code
    return _(title)


def rule_titles(rule_codes: object) -> str:
    """Return translated titles for a list or a comma-separated string of rule codes."""
    codes = split_codes(rule_codes)
    return "; ".join(rule_title(code) for code in codes)


def split_codes(rule_codes: object) -> list[str]:
    """Turn a list, tuple or comma-separated string of codes into a list of codes."""
    if rule_codes is None:
        return []
    if isinstance(rule_codes, (list, tuple)):
        return [str(c).strip() for c in rule_codes if str(c).strip()]
    return [c.strip() for c in str(rule_codes).split(",") if c.strip()]


def change_title(change: str | None) -> str:
    if not change:
        return "-"
    title = CHANGE_TITLES.get(change)
    return _(title) if title else change


def severity_title(severity: str | None) -> str:
    if not severity:
        return ""
    title = SEVERITY_TITLES.get(severity)
    return _(title) if title else severity


# Findings that concern no single programme (the register, a NIK) carry programme `ALL`.
ALL_PROGRAMMES = "ALL"


def programme_label(programme: str | None) -> str:
    """Return a finding's programme as users read it: `ALL` becomes "no single programme"."""
    if not programme:
        return "-"
    return _("no single programme") if programme == ALL_PROGRAMMES else programme


# Short titles of complaint_results.status_code, for counting complaints by outcome in the report.
COMPLAINT_STATUS_TITLES: dict[str, str] = {
    "NOT_LINKED": N_("Not found in DTSEN or any roster"),
    "NOT_LINKED_SANGGAHAN": N_("Objection: the person named was not found"),
    "IN_ROSTER_NOT_REGISTER": N_("Receives aid but is not in DTSEN"),
    "ROSTER_NOT_RECEIVED_NOT_REGISTER": N_("Not in DTSEN, listed but not receiving"),
    "DECEASED": N_("Recorded as deceased"),
    "DECEASED_UNDATED": N_("In the death register, date unreadable"),
    "ALREADY_RECEIVING": N_("Already receives the programme"),
    "EXCLUDED_BY_LIST": N_("On an exclusion list"),
    "NOT_PADAN": N_("Not matched with Dukcapil"),
    "REGISTER_INACTIVE": N_("DTSEN record inactive"),
    "DESIL_MISSING": N_("No desil in DTSEN"),
    "DESIL_ABOVE_THRESHOLD": N_("Desil above the programme threshold"),
    "NO_PKH_COMPONENT": N_("No PKH component in the family"),
    "ELIGIBLE_NOT_RECEIVING": N_("Eligible for PKH but not receiving it"),
    "ELIGIBLE_NOT_RECEIVING_PLAIN": N_("Eligible but not receiving the programme"),
    "SANGGAHAN_SUPPORTED": N_("Objection supported by the data"),
    "SANGGAHAN_NOT_SUPPORTED": N_("Objection not supported by the data"),
    "SANGGAHAN_NOT_RECIPIENT": N_("Objection: the person does not receive the programme"),
    "ROSTER_NOT_IN_RUN": N_("Programme roster not in this run"),
    "REGISTER_ROW_QUARANTINED": N_("DTSEN register row not loaded"),
    "PBI_INACTIVE": N_("Eligible, PBI JK membership inactive"),
}


# Short titles of quarantine.reason_code, for counting quarantined rows by reason in the report.
QUARANTINE_REASON_TITLES: dict[str, str] = {
    "blank_row": N_("Blank row"),
    "title_row": N_("Title above the header row"),
    "repeated_header": N_("Header row repeated inside the data"),
    "totals_row": N_("Totals row (JUMLAH/TOTAL) without a NIK"),
    "no_identity": N_("No NIK and no name"),
    "sheet_without_header": N_("Sheet without the header row of the list"),
    "unparseable_row": N_("CSV row with the wrong number of fields"),
    "joined_lines": N_("Several lines joined by a stray double quote"),
    "formula_without_value": N_("Formula without a saved value"),
}


def quarantine_reason_title(code: str) -> str:
    """Return the title of a quarantine reason code in the current language, or the code itself
    when it has no title."""
    title = QUARANTINE_REASON_TITLES.get(code)
    return _(title) if title else code
