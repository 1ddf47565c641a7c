"""Records of one person and their family, as shown at the complaint desk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRecord:
    """One row of an input file that was linked to the person."""

    source_kind: str
    source_file: str | None
    source_sheet: str | None
    source_row: int | None
    name: str | None
    # Date of death of a death-register record (source kind `deaths`); None for other records
    # and for an audit database that lacks stg_deaths.
    death_date: dt.date | None = None
    # A death-register record whose row in stg_deaths has no readable date of death.
    death_date_unreadable: bool = False


@dataclass(frozen=True)
class QuarantinedRow:
    """A DTSEN register row that ingest set aside (quarantined) and whose cells contain the
    searched NIK. While such a row is not corrected, whether the person is in DTSEN is
    unknown."""

    source_file: str | None
    source_sheet: str | None
    source_row: int | None
    reason_code: str | None


@dataclass(frozen=True)
class Member:
    """A household member from the register (same family id)."""

    nik: str | None
    name: str | None
    relationship: str | None
    birth_date: dt.date | None
    sex: str | None
    is_subject: bool


@dataclass(frozen=True)
class Programme:
    """A roster row of the person, or of the family through another member (KPM).

    `is_received` is True for an active row of the audited period (for PBI: an active row of
    segment PBI APBN or PBI APBD). The other rows are inactive or of another tahap or segment.
    """

    programme: str
    received_by: str | None
    is_own: bool
    source_file: str | None
    # The sheet of a workbook row; None or empty for a CSV row.
    source_sheet: str | None
    source_row: int | None
    is_received: bool = True
    period: str | None = None
    is_active: bool | None = None
    segment: str | None = None


@dataclass(frozen=True)
class Finding:
    """A finding of the person or family; `evidence` is English, `evidence_id` Indonesian."""

    rule_code: str
    severity: str | None
    programme: str | None
    period: str | None
    evidence: str | None
    evidence_id: str | None
    source_file: str | None
    source_sheet: str | None
    source_row: int | None


@dataclass(frozen=True)
class Complaint:
    complaint_id: str
    complaint_date: dt.date | None
    channel: str | None
    complaint_type: str | None
    programme_requested: str | None
    complaint_status: str | None
    is_overdue: bool | None
    # Date to which `is_overdue` was counted; None in marts published before it was recorded.
    overdue_reference_date: dt.date | None
    pre_verified_status: str | None
    next_step: str | None


@dataclass(frozen=True)
class RuleCaveat:
    """A rule of the searched run that did not run, or ran with a limitation, because an input
    was absent, and which concerns the person looked up."""

    rule_code: str
    is_evaluated: bool
    # Absent inputs as recorded in rule_status.missing_inputs (`stg_deaths`, `stg_register.desil`).
    missing_inputs: tuple[str, ...]
    # Why, in the run's language; used only when no input is recorded.
    reason: str | None


@dataclass(frozen=True)
class PublishedRun:
    """The audit run whose published results a lookup searched."""

    run_id: str
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class UnknownDesa:
    """A desa typed at the desk that the region table lacks, or lacks in the typed kecamatan."""

    typed: str
    # Closest desa as "Desa, Kecamatan", the most similar first; may be empty.
    suggestions: tuple[str, ...]
    # The desa name as the region table spells it, and the kecamatan that have a desa of that
    # name, when the name exists but not in the typed kecamatan. Otherwise None and empty.
    desa_name: str | None = None
    kecamatan_names: tuple[str, ...] = ()
    typed_kecamatan: str | None = None


@dataclass(frozen=True)
class IdentityCheck:
    """Name, birth date and desa typed beside a NIK, compared with the person found by it.

    A `*_matches` field is None when its value was not typed, the person has none recorded, or
    (for the desa) the region table lacks the typed desa.
    The name matches as in the lookup by name, when the recorded name or the name of any
    linked record is close enough to the typed one.
    """

    name: str | None
    birth_date: dt.date | None
    desa: str | None
    name_matches: bool | None
    birth_date_matches: bool | None
    desa_matches: bool | None
    # The typed desa when the region table lacks it, so it could not be checked.
    unknown_desa: UnknownDesa | None = None


@dataclass(frozen=True)
class NearMatch:
    """A person of the searched desa whose name is close to the typed one and whose birth date
    differs from the typed one as a misread or mistyped date does. Not an exact match: the desk
    checks the KTP before taking this person for the one searched."""

    person_id: str
    nik: str | None
    name: str | None
    birth_date: dt.date
    desa_code: str | None
    # Kind of difference between the typed and the recorded birth date: one of NEAR_DATE_KINDS.
    date_difference: str
    # Recorded minus typed birth date, in days (negative when recorded earlier).
    days_apart: int
    is_in_register: bool


# Kinds of NearMatch.date_difference, the most likely typing or reading error first: the day and
# month swapped (05-09 for 09-05), a date a few days off, and the same day and month in another
# year.
DAY_MONTH_SWAPPED = "day_month_swapped"
DAYS_OFF = "days_off"
OTHER_YEAR = "other_year"
NEAR_DATE_KINDS = (DAY_MONTH_SWAPPED, DAYS_OFF, OTHER_YEAR)


@dataclass
class DeskAnswer:
    """Everything known about one person from the published audit.

    `person_ids` normally has one id; more than one means the same NIK was linked to several
    persons (a NIK conflict the desk should mention). `found` is False when nothing matched.
    """

    query: str
    found: bool
    nik: str | None = None
    person_ids: list[str] = field(default_factory=list)
    name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    kecamatan_code: str | None = None
    desa_code: str | None = None
    address: str | None = None
    is_in_register: bool = False
    # False when the run had no DTSEN register, so whether the person is in it is unknown.
    register_in_run: bool = True
    # Quarantined register rows that contain the NIK of a person not loaded from the register.
    quarantined_register_rows: list[QuarantinedRow] = field(default_factory=list)
    # All quarantined register rows of the run, counted for a name search that found no one,
    # because such a search cannot tell whether the person is on one of them.
    register_lines_not_loaded: int = 0
    is_padan_dukcapil: bool | None = None
    family_id: str | None = None
    no_kk: str | None = None
    desil: int | None = None
    snapshot_date: dt.date | None = None
    members: list[Member] = field(default_factory=list)
    # Roster rows received in the audited period, and the other roster rows.
    programmes: list[Programme] = field(default_factory=list)
    programmes_not_received: list[Programme] = field(default_factory=list)
    # Programmes (PKH, BPNT, PBI) whose roster the run lacked, so whether they are received is
    # unknown.
    programmes_not_in_run: list[str] = field(default_factory=list)
    # Label of the audited period, such as 2026-T4; None when the audit database lacks it.
    audit_period: str | None = None
    findings: list[Finding] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    records: list[SourceRecord] = field(default_factory=list)
    caveats: list[RuleCaveat] = field(default_factory=list)
    # None when the audit database records no run.
    run: PublishedRun | None = None
    # The name, birth date and desa typed at the desk for a lookup by name, birth date and desa.
    searched_name: str | None = None
    searched_birth_date: dt.date | None = None
    searched_desa: str | None = None
    # Name, birth date and desa typed beside the NIK of a lookup by NIK, checked against the
    # person found. None when none of them was typed.
    identity_check: IdentityCheck | None = None
    # For a NIK that no one has: the people that the name, birth date and desa typed beside it
    # find, as a lookup by those three would.
    found_by_details: list[DeskAnswer] = field(default_factory=list)
    # For a name, birth date and desa that find no one: people of that desa with a close name
    # and a nearly matching birth date, best first (see NearMatch).
    near_matches: list[NearMatch] = field(default_factory=list)
    # Codes of the desa searched for the near matches. A desa name that several kecamatan share
    # gives more than one.
    near_matches_desa_codes: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str | None:
        return self.run.run_id if self.run else None
