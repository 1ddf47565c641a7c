"""The audit rules: code, severity, inputs and SQL model of each rule of the rule catalogue.

A rule is evaluated only when its inputs are present. Every `table` or `table.column` entry of
`requires` must exist, and at least one table of `requires_any`. A required staging table
(`stg_`) must also have rows, and so must at least one present table of `requires_any`.
`requires_rows` is a SQL condition on the input views that must hold, for inputs that arrive
inside a shared table (AHU/OSS rows in the exclusion list). A rule whose inputs are absent is
recorded in `rule_status` as not evaluated, with the reason in the run's language, and yields no
findings.

`degrades_without` lists inputs a rule reads but runs without, each with what its findings lack
then (a family member who died counts as living without the death register). When such an input
is absent or has no rows, the rule still runs and `rule_status` records it as evaluated with a
limitation, with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.i18n import N_
from pipelines.sqlrun import SQL_DIR

RULES_SQL_DIR = SQL_DIR / "marts" / "rules"

RECORDS = "records"
RECIPIENTS = "recipients"
FAMILIES = "families"

ROSTERS = ("stg_pkh", "stg_bpnt", "stg_pbi")
LINKS = ("int_person_links",)
REGISTER_LINKS = ("stg_register", "int_person_links", "int_families")


@dataclass(frozen=True)
class RowCondition:
    """A SQL condition on the input views and the reason given when it is false (an English
    message id, translated when rule_status is written)."""

    sql: str
    reason: str


@dataclass(frozen=True)
class Limitation:
    """An input that a rule reads but can run without, and what its findings lack without it.

    `input` is a table or `table.column`, as in `Rule.requires`. `reason` is an English message
    id, translated when rule_status is written, with the input's name as {source} and {table}.
    """

    input: str
    reason: str


@dataclass(frozen=True)
class Rule:
    """One audit rule."""

    number: int
    code: str
    severities: tuple[str, ...]
    description: str
    requires: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()
    requires_rows: RowCondition | None = None
    degrades_without: tuple[Limitation, ...] = ()
    # What the rule judges: every row of every file (RECORDS, the data-quality rules), the
    # recipients of the period (RECIPIENTS) or register families (FAMILIES). The desk uses it
    # to tell whether a rule that did not run fully concerns the person looked up.
    subject: str = RECIPIENTS
    # Rules of phase 2 read the findings of phase 1 (`__rules_findings_phase1`).
    phase: int = 1

    @property
    def severity(self) -> str:
        """The main severity: the first of `severities`."""
        return self.severities[0]

    @property
    def sql_path(self) -> Path:
        return RULES_SQL_DIR / f"{self.code.lower()}.sql"


_BUSINESS_ROWS = RowCondition(
    sql="select count(*) > 0 from __rules_list_members where list_kind = 'business'",
    reason=N_("no AHU/OSS company officer or owner rows in stg_exclusion"),
)
_LIST_ROWS = RowCondition(
    sql=(
        "select count(*) > 0 from __rules_list_members "
        "where list_kind in ('village_officials', 'exclusion')"
    ),
    reason=N_("no perangkat desa list and no other exclusion list rows"),
)

_DEAD_COUNT_AS_LIVING = N_(
    "without the {source}, family members who died count as living"
)
_ONLY_RECIPIENT_CHECKED = N_(
    "without the {source}, KK members are unknown, so only the recipient is checked"
)
_COMPONENTS_NOT_MATCHED = N_(
    "without the {source}, claimed components are not checked against family members"
)
_PART_SKIPPED = N_("without the {source}, that part of the rule is skipped")
_LISTED_MEMBER_ELIGIBLE = N_(
    "without the {source}, a family with a member on such a list still counts as "
    "eligible"
)
_WAGE_EARNER_ELIGIBLE = N_(
    "without the {source}, a family with a member earning above the UMK still counts "
    "as eligible"
)
_PROGRAMME_NOT_CHECKED = N_(
    "without the {source}, no family is checked for that programme, so a candidate "
    "may already receive it"
)
_PROGRAMME_GAPS_NOT_CHECKED = N_(
    "without the {source}, PKH families are not checked for that programme"
)
_PKH_GAPS_NOT_CHECKED = N_(
    "without the {source}, PKH families missing BPNT or PBI are not found"
)

# Rules 14 to 18 check the recipient and every register member of the recipient's KK.
_KK_MEMBERS = Limitation("stg_register", _ONLY_RECIPIENT_CHECKED)
# Inputs of the family eligibility that rule 27 reads (base/family_eligibility.sql).
_ELIGIBILITY_INPUTS = (
    Limitation("stg_deaths", _DEAD_COUNT_AS_LIVING),
    Limitation("stg_asn", _LISTED_MEMBER_ELIGIBLE),
    Limitation("stg_village_officials", _LISTED_MEMBER_ELIGIBLE),
    Limitation("stg_exclusion", _LISTED_MEMBER_ELIGIBLE),
    Limitation("stg_bpjs_tk", _WAGE_EARNER_ELIGIBLE),
    Limitation("stg_pkh", _PROGRAMME_NOT_CHECKED),
    Limitation("stg_bpnt", _PROGRAMME_NOT_CHECKED),
    Limitation("stg_pbi", _PROGRAMME_NOT_CHECKED),
)

RULES: tuple[Rule, ...] = (
    Rule(1, "NIK_FORMAT", ("ERROR",), "NIK is not 16 digits or is a placeholder", subject=RECORDS),
    Rule(
        2,
        "NIK_EXCEL_DAMAGE",
        ("ERROR",),
        "NIK was damaged by a numeric spreadsheet cell",
        subject=RECORDS,
    ),
    Rule(
        3,
        "NIK_STRUCTURE",
        ("ERROR", "WARN"),
        "NIK region, date or serial is impossible",
        subject=RECORDS,
    ),
    Rule(
        4,
        "NIK_ATTR_MISMATCH",
        ("WARN",),
        "sex or birth date implied by the NIK differs from the recorded one",
        subject=RECORDS,
    ),
    Rule(
        5,
        "KK_FORMAT",
        ("ERROR",),
        "No KK is invalid, impossible, or equal to the NIK",
        subject=RECORDS,
    ),
    Rule(
        6,
        "DUP_NIK_IN_LIST",
        ("FLAG",),
        "same NIK in more than one active row of one roster and period",
        requires_any=ROSTERS,
    ),
    Rule(
        7,
        "DUP_NIK_CONFLICT",
        ("WARN",),
        "same NIK with different names or birth dates across sources",
        requires=("stg_register",),
        subject=RECORDS,
    ),
    Rule(
        8,
        "DUP_PERSON_DIFF_NIK",
        ("WARN",),
        "same name, birth date and desa with different NIKs",
        subject=RECORDS,
    ),
    Rule(
        9,
        "MULTI_KPM_PER_KK",
        ("FLAG",),
        "more than one active KPM on one No KK or one pengurus NIK",
        requires_any=("stg_pkh", "stg_bpnt"),
    ),
    Rule(
        10,
        "NOT_IN_REGISTER",
        ("FLAG", "WARN"),
        "recipient not found in the DTSEN register",
        requires=("stg_register", *LINKS),
        requires_any=ROSTERS,
    ),
    Rule(
        11,
        "NOT_PADAN_DUKCAPIL",
        ("FLAG",),
        "recipient's register record is not matched with Dukcapil",
        requires=("stg_register.is_padan_dukcapil", *LINKS),
        requires_any=ROSTERS,
    ),
    Rule(
        12,
        "DESIL_OUT_OF_RANGE",
        ("FLAG", "WARN"),
        "recipient's desil above the programme threshold, or missing",
        requires=("stg_register.desil", *LINKS),
        requires_any=ROSTERS,
    ),
    Rule(
        13,
        "DECEASED_RECIPIENT",
        ("FLAG",),
        "recipient died before the period start",
        requires=("stg_deaths.death_date", *LINKS),
        requires_any=ROSTERS,
    ),
    Rule(
        14,
        "ASN_TNI_POLRI",
        ("FLAG",),
        "recipient or a KK member is ASN, TNI, Polri or a pensioner",
        requires=("stg_asn", *LINKS),
        requires_any=ROSTERS,
        degrades_without=(_KK_MEMBERS,),
    ),
    Rule(
        15,
        "OCCUPATIONAL_EXCLUSION",
        ("FLAG",),
        "recipient or a KK member is on an occupational exclusion list",
        requires=LINKS,
        requires_any=("stg_village_officials", "stg_exclusion"),
        requires_rows=_LIST_ROWS,
        degrades_without=(
            _KK_MEMBERS,
            Limitation("stg_village_officials", _PART_SKIPPED),
            Limitation("stg_exclusion", _PART_SKIPPED),
        ),
    ),
    Rule(
        16,
        "BUSINESS_OWNER",
        ("FLAG",),
        "recipient or a KK member is a company officer or owner (AHU/OSS)",
        requires=("stg_exclusion.category", *LINKS),
        requires_rows=_BUSINESS_ROWS,
        degrades_without=(_KK_MEMBERS,),
    ),
    Rule(
        17,
        "WAGE_ABOVE_UMK",
        ("FLAG",),
        "a KK member's BPJS-TK wage is above the UMK",
        requires=("stg_bpjs_tk.wage_idr", *REGISTER_LINKS),
    ),
    Rule(
        18,
        "PROXY_AFFLUENCE",
        ("WARN",),
        "household linked to a large PLN connection or a four-wheel vehicle",
        requires=LINKS,
        requires_any=("stg_pln", "stg_vehicles"),
        degrades_without=(
            _KK_MEMBERS,
            Limitation("stg_pln", _PART_SKIPPED),
            Limitation("stg_vehicles", _PART_SKIPPED),
        ),
    ),
    Rule(
        19,
        "PKH_NO_COMPONENT",
        ("FLAG",),
        "active PKH family with no qualifying member",
        requires=("stg_pkh", *REGISTER_LINKS),
        degrades_without=(Limitation("stg_deaths", _DEAD_COUNT_AS_LIVING),),
    ),
    Rule(
        20,
        "PKH_COMPONENT_LIMITS",
        ("WARN",),
        "PKH components above the limits or contradicted by members' ages",
        requires=("stg_pkh.components",),
        degrades_without=(
            Limitation("stg_register", _COMPONENTS_NOT_MATCHED),
            Limitation("stg_deaths", _DEAD_COUNT_AS_LIVING),
        ),
    ),
    Rule(
        21,
        "AGE_IMPLAUSIBLE",
        ("WARN",),
        "birth date impossible for the person's role",
        subject=RECORDS,
    ),
    Rule(22, "DEFAULT_DOB", ("INFO",), "birth date is a default date", subject=RECORDS),
    Rule(
        23,
        "PBI_NOT_ELIGIBLE",
        ("FLAG", "WARN"),
        "active PBI member not in DTSEN or above the PBI desil threshold",
        requires=("stg_pbi", "stg_register.desil", *LINKS),
    ),
    Rule(
        24,
        "PBI_DOUBLE_COVERAGE",
        ("FLAG",),
        "PBI member also PPU, in both PBI APBN and APBD, or twice with different noka",
        requires=("stg_pbi",),
        degrades_without=(
            Limitation("stg_asn", _PART_SKIPPED),
            Limitation("stg_village_officials", _PART_SKIPPED),
        ),
    ),
    Rule(
        25,
        "WILAYAH_INVALID",
        ("WARN", "ERROR"),
        "desa or kecamatan code or name invalid",
        subject=RECORDS,
    ),
    Rule(
        26,
        "NAME_MISMATCH_SAME_NIK",
        ("WARN",),
        "roster name and register name for one NIK are dissimilar",
        requires=("stg_register",),
        requires_any=ROSTERS,
    ),
    Rule(
        27,
        "EXCLUSION_ERROR_CANDIDATE",
        ("INFO",),
        "eligible register family not receiving a programme it qualifies for",
        requires=("stg_register.desil", *REGISTER_LINKS),
        # Without any roster no family can be seen to receive nothing.
        requires_any=ROSTERS,
        degrades_without=_ELIGIBILITY_INPUTS,
        subject=FAMILIES,
    ),
    Rule(
        28,
        "CROSS_PROGRAMME_INCONSISTENCY",
        ("WARN",),
        "PKH family without Sembako/PBI although eligible, or aid to an inactive record",
        requires=("stg_register", *REGISTER_LINKS),
        requires_any=ROSTERS,
        degrades_without=(
            Limitation("stg_pkh", _PKH_GAPS_NOT_CHECKED),
            Limitation("stg_bpnt", _PROGRAMME_GAPS_NOT_CHECKED),
            Limitation("stg_pbi", _PROGRAMME_GAPS_NOT_CHECKED),
        ),
    ),
    Rule(
        29,
        "COMPLAINT_LINK",
        ("INFO", "WARN"),
        "complaint about a person in the register or rosters",
        requires=("stg_complaints", *LINKS),
        phase=2,
    ),
    Rule(
        30,
        "STALE_RECORD",
        ("INFO",),
        "register record older than the configured age or the latest cut-off",
        requires=("stg_register.snapshot_date", *LINKS),
        requires_any=ROSTERS,
    ),
    Rule(
        31,
        "HOUSEHOLD_DISSOLVED",
        ("FLAG",),
        "every member of a recipient KK died before the period",
        requires=("stg_deaths.death_date", *REGISTER_LINKS),
        requires_any=("stg_pkh", "stg_bpnt"),
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
