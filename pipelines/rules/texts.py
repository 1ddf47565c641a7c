"""Plain-language texts for complaint results, in English and Indonesian.

Each text is an English message id in `pipelines/locale/id/LC_MESSAGES/rules.po`, with
placeholders that the complaint_results SQL fills: {desil}, {programme}, {threshold},
{components}, {flags}, {received}, {period}, {entries}, {segment}, {days}, {date} (the
complaints reference date), {death_date} and {n}. `write_texts` puts every code with its English
and Indonesian text into `__rules_texts`, so the SQL never contains user-facing words.
"""

from __future__ import annotations

import duckdb

from pipelines.i18n import gettext_for
from pipelines.sqlrun import query_rows, run_sql


def N_(message: str) -> str:
    """Mark a message id for translation without translating it here."""
    return message


STATUS_TEXTS: dict[str, str] = {
    "NOT_LINKED": N_("Not found in DTSEN or in any programme list"),
    "DECEASED": N_("Recorded as deceased on {death_date} in the death register"),
    "DECEASED_UNDATED": N_("Listed in the death register, but its death date cannot be read"),
    "NOT_LINKED_SANGGAHAN": N_(
        "The person objected to was not found in DTSEN or in any programme list"
    ),
    "IN_ROSTER_NOT_REGISTER": N_("Receives {received} but is not registered in DTSEN"),
    "ROSTER_NOT_RECEIVED_NOT_REGISTER": N_(
        "Not registered in DTSEN and receives no programme in {period} (on the list as: {entries})"
    ),
    "ALREADY_RECEIVING": N_("Registered in DTSEN desil {desil} and already receives {programme}"),
    "EXCLUDED_BY_LIST": N_(
        "Registered in DTSEN desil {desil}, but the family is excluded from aid ({flags})"
    ),
    "NOT_PADAN": N_("Registered in DTSEN desil {desil}, but the NIK is not matched with Dukcapil"),
    "REGISTER_INACTIVE": N_("Registered in DTSEN desil {desil}, but the record is inactive"),
    "DESIL_MISSING": N_("Registered in DTSEN without a desil"),
    "DESIL_ABOVE_THRESHOLD": N_(
        "Registered in DTSEN desil {desil}, above the {programme} limit of desil {threshold}"
    ),
    "NO_PKH_COMPONENT": N_(
        "Registered in DTSEN desil {desil}, but no family member qualifies for a PKH component"
    ),
    "ELIGIBLE_NOT_RECEIVING": N_(
        "Registered in DTSEN desil {desil}, not receiving {programme} although the family has "
        "{components}"
    ),
    "ELIGIBLE_NOT_RECEIVING_PLAIN": N_(
        "Registered in DTSEN desil {desil}, not receiving {programme} although eligible"
    ),
    "SANGGAHAN_SUPPORTED": N_(
        "The objection is supported by the data: the recipient has findings {flags}"
    ),
    "SANGGAHAN_NOT_SUPPORTED": N_("The data show no reason why the recipient is ineligible"),
    "SANGGAHAN_NOT_RECIPIENT": N_(
        "The person objected to does not receive {programme} in {period}"
    ),
    "ROSTER_NOT_IN_RUN": N_("Cannot be checked: the {programme} roster was not in this run"),
    "REGISTER_ROW_QUARANTINED": N_(
        "Cannot be checked: the DTSEN register file has a row with this NIK that the audit "
        "could not load"
    ),
    "PBI_INACTIVE": N_(
        "Registered in DTSEN desil {desil}, eligible for PBI, but this person's PBI JK "
        "membership is inactive"
    ),
}

NEXT_STEP_TEXTS: dict[str, str] = {
    "REGISTER_DTSEN": N_(
        "register with the desa/kelurahan operator (SIKS-NG), bringing the KK and KTP"
    ),
    "CHECK_IDENTITY": N_("ask the complainant for the NIK or No KK of the person concerned"),
    "CHECK_DUKCAPIL": N_("have the NIK and KK checked at Disdukcapil, then propose again"),
    "UPDATE_DTSEN": N_("propose a DTSEN data update through the desa/kelurahan operator"),
    "CHECK_DEATH_DATE": N_(
        "check the death with Disdukcapil or the desa before any proposal, and have the date "
        "corrected in the death register"
    ),
    "CHECK_DISBURSEMENT": N_("check the disbursement with the bank or PT Pos and the pendamping"),
    "EXPLAIN_INELIGIBLE": N_("explain the exclusion; no proposal is possible while it applies"),
    "PROPOSE_OTHER": N_("propose BPNT or PBI through SIKS-NG instead of PKH"),
    "PROPOSE_SIKS": N_("propose through SIKS-NG after the musdes/muskel"),
    "FIELD_VERIFY": N_("field check by the pendamping; propose deactivation if confirmed"),
    "FIELD_CHECK": N_("reply to the complainant; field check only with new evidence"),
    "RUN_WITH_ROSTER": N_("ask the analyst to run the audit again with that roster"),
    "FIX_REGISTER_ROW": N_(
        "ask the analyst to correct that row of the register file and run the audit again"
    ),
    "REACTIVATE_PBI": N_(
        "propose reactivation of the PBI JK membership through SIKS-NG after verification by "
        "the Dinas Sosial"
    ),
}

OTHER_TEXTS: dict[str, str] = {
    "COMPONENT_PREGNANT": N_("{n} pregnant women"),
    "COMPONENT_EARLY_CHILDHOOD": N_("{n} children under school age"),
    "COMPONENT_SCHOOL": N_("{n} school-age children"),
    "COMPONENT_DISABILITY": N_("{n} members with severe disability"),
    "COMPONENT_ELDERLY": N_("{n} elderly members"),
    "OVERDUE": N_("response overdue on {date}: open for more than {days} days"),
    "ROSTER_NOT_RECEIVED": N_("listed but not received in {period}: {entries}"),
    "ENTRY_PERIOD": N_("period {period}"),
    "ENTRY_NO_PERIOD": N_("no period"),
    "ENTRY_INACTIVE": N_("inactive"),
    "ENTRY_SEGMENT": N_("segment {segment}"),
}


def all_texts() -> dict[str, str]:
    """Return every text code with its English message id."""
    return {**STATUS_TEXTS, **NEXT_STEP_TEXTS, **OTHER_TEXTS}


def write_texts(con: duckdb.DuckDBPyConnection) -> None:
    """Write `__rules_texts` (code, text_en, text_id) from the message catalogs."""
    run_sql(
        con,
        "create or replace temp table __rules_texts "
        "(code varchar, text_en varchar, text_id varchar)",
    )
    for code, message in all_texts().items():
        query_rows(
            con,
            "insert into __rules_texts values (?, ?, ?)",
            [code, gettext_for("en", message), gettext_for("id", message)],
        )
