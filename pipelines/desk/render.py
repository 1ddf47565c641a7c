"""Terminal rendering of a desk answer with rich (the CLI `bansos-audit cek NIK` prints it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from pipelines.cli_framework import fit_columns
from pipelines.desk.lookup import desa_label, normalise_name, unknown_desa_text
from pipelines.desk.models import (
    DAY_MONTH_SWAPPED,
    DAYS_OFF,
    DeskAnswer,
    Finding,
    IdentityCheck,
    NearMatch,
    Programme,
    PublishedRun,
    RuleCaveat,
)
from pipelines.i18n import _, ngettext
from pipelines.ingest.sources import KIND_LABELS
from pipelines.publish import formatting
from pipelines.publish.columns import PROGRAMME_SOURCE_KINDS
from pipelines.publish.formatting import using_language
from pipelines.publish.regions import load_regions
from pipelines.publish.rule_texts import (
    programme_label,
    quarantine_reason_title,
    rule_title,
    severity_title,
)

SEVERITY_STYLES = {"ERROR": "bold red", "FLAG": "red", "WARN": "yellow", "INFO": "cyan"}


class OneLine:
    """A warning or notice line that a terminal wraps at its width, but that other output (a
    pipe, a log file) gets whole on one line, so that grep finds it. Print it with crop=False,
    as print_complete does, or the console cuts it at its width."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = Text(text, style=style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if console.is_terminal:
            yield self.text
            return
        line = self.text.copy()
        line.no_wrap = True
        line.overflow = "ignore"
        yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)


def render_answer(answer: DeskAnswer, language: str = "id") -> RenderableType:
    """Build the rich renderable for `answer` in `language` (`id` or `en`)."""
    if not answer.found and answer.found_by_details:
        return _found_by_details(answer, language)
    with using_language(language):
        if not answer.found:
            return _not_found(answer)
        parts: list[RenderableType] = [
            _identity_panel(answer),
            *(OneLine(line, style="bold yellow") for line in _quarantine_lines(answer)),
            *(OneLine(line, style="bold red") for line in death_lines(answer)),
            _members_table(answer),
            _programmes_table(answer),
            *_not_received_table(answer),
            _findings_table(answer, language),
            *(OneLine(line, style="yellow") for line in caveat_lines(answer.caveats)),
            _complaints_table(answer),
        ]
        if len(answer.person_ids) > 1:
            parts.insert(
                1,
                OneLine(
                    _(
                        "This NIK is linked to more than one person; "
                        "check the KTP and KK before answering."
                    ),
                    style="bold yellow",
                ),
            )
        for line in reversed(identity_check_lines(answer)):
            parts.insert(1, OneLine(line, style="bold yellow"))
        if _name_differs(answer):
            parts.insert(
                1,
                OneLine(
                    _(
                        "The name only nearly matches: typed {searched}, recorded {recorded}. "
                        "Check the KTP before answering."
                    ).format(searched=answer.searched_name, recorded=answer.name),
                    style="bold yellow",
                ),
            )
        parts.append(OneLine(_run_text(answer.run), style="dim"))
        return Group(*parts)


def identity_check_lines(answer: DeskAnswer) -> list[str]:
    """Return a warning for each name, birth date or desa typed beside the NIK that does not
    match the person found, or that the person has no recorded value to check against."""
    check = answer.identity_check
    if check is None:
        return []
    lines = [
        _name_check_line(check, answer),
        _birth_date_check_line(check, answer),
        _desa_check_line(check, answer),
    ]
    return [line for line in lines if line]


def _name_check_line(check: IdentityCheck, answer: DeskAnswer) -> str | None:
    recorded = answer.name or "-"
    if check.name_matches is False:
        return _(
            "The name does not match this NIK: typed {typed}, recorded {recorded}. The NIK may "
            "belong to someone else, so check the KTP or KK before answering."
        ).format(typed=check.name, recorded=recorded)
    if check.name_matches and answer.name and (
        normalise_name(check.name) != normalise_name(answer.name)
    ):
        return _(
            "The name only nearly matches: typed {searched}, recorded {recorded}. "
            "Check the KTP before answering."
        ).format(searched=check.name, recorded=recorded)
    if check.name and check.name_matches is None:
        return _(
            "This NIK has no recorded name, so the typed name {typed} cannot be checked."
        ).format(typed=check.name)
    return None


def _birth_date_check_line(check: IdentityCheck, answer: DeskAnswer) -> str | None:
    typed = formatting.date(check.birth_date)
    if check.birth_date_matches is False:
        return _(
            "The birth date does not match this NIK: typed {typed}, recorded {recorded}. Check "
            "the KTP or KK before answering."
        ).format(typed=typed, recorded=formatting.date(answer.birth_date))
    if check.birth_date and check.birth_date_matches is None:
        return _(
            "This NIK has no recorded birth date, so the typed birth date {typed} cannot be "
            "checked."
        ).format(typed=typed)
    return None


def _desa_check_line(check: IdentityCheck, answer: DeskAnswer) -> str | None:
    if check.unknown_desa is not None:
        return _("The typed desa cannot be checked against this NIK. {reason}").format(
            reason=unknown_desa_text(check.unknown_desa)
        )
    if check.desa_matches is False:
        return _(
            "The desa does not match this NIK: typed {typed}, recorded {recorded}. Check the "
            "KTP or KK before answering."
        ).format(typed=check.desa, recorded=load_regions().desa_with_kecamatan(answer.desa_code))
    if check.desa and check.desa_matches is None:
        return _(
            "This NIK has no recorded desa, so the typed desa {typed} cannot be checked."
        ).format(typed=check.desa)
    return None


def _name_differs(answer: DeskAnswer) -> bool:
    if not answer.searched_name or not answer.name:
        return False
    return normalise_name(answer.searched_name) != normalise_name(answer.name)


def render_answers(
    answers: list[DeskAnswer],
    query: str,
    language: str = "id",
    run: PublishedRun | None = None,
    programmes_not_in_run: Sequence[str] = (),
    register_lines_not_loaded: int = 0,
    near_matches: Sequence[NearMatch] = (),
    desa_codes: Sequence[str] = (),
) -> RenderableType:
    """Build one renderable for the result list of `lookup_person`, or a not-found panel that
    names `run`, the run searched (see `published_run`), the programmes whose roster it
    lacked (see `programmes_not_in_run`) and the people that nearly match the search (see
    `lookup_near_matches`) in the searched desa `desa_codes`."""
    if not answers:
        not_found = DeskAnswer(
            query=query,
            found=False,
            run=run,
            programmes_not_in_run=list(programmes_not_in_run),
            register_lines_not_loaded=register_lines_not_loaded,
            near_matches=list(near_matches),
            near_matches_desa_codes=list(desa_codes),
        )
        return render_answer(not_found, language)
    if len(answers) == 1:
        return render_answer(answers[0], language)

    # Each person's answer runs to dozens of lines, so a rule before each one says which of
    # the matches it is.
    with using_language(language):
        notice = _("{count} people match; confirm with the NIK.").format(count=len(answers))
        rules = [
            Rule(_("Person {number} of {count}").format(number=number, count=len(answers)),
                 style="yellow")
            for number in range(1, len(answers) + 1)
        ]
    parts: list[RenderableType] = [OneLine(notice, style="bold yellow")]
    for rule, answer in zip(rules, answers, strict=True):
        parts += [rule, render_answer(answer, language)]
    return Group(*parts)


def _run_text(run: PublishedRun | None) -> str:
    """Return the line that names the searched run, so the desk can quote its date."""
    if run is None:
        return _("No audit run is recorded in this audit database.")
    if run.finished_at is None:
        return _("Searched audit run {run_id}.").format(run_id=run.run_id)
    return _("Searched audit run {run_id} of {date}.").format(
        run_id=run.run_id, date=formatting.date(run.finished_at)
    )


def _found_by_details(answer: DeskAnswer, language: str) -> RenderableType:
    """Build the answer for a NIK that no one has, where the name, birth date and desa typed
    beside it found `answer.found_by_details`."""
    check = answer.identity_check
    assert check is not None
    assert check.name and check.birth_date
    found = answer.found_by_details
    query = search_text(check.name, check.birth_date, found[0].searched_desa)
    with using_language(language):
        notice = ngettext(
            "No one has NIK {nik}, but the name, birth date and desa typed beside it match the "
            "person below. Compare the NIK on the KTP or KK with the NIK recorded here before "
            "answering.",
            "No one has NIK {nik}, but the name, birth date and desa typed beside it match the "
            "{count} people below. Compare the NIK on the KTP or KK with the NIK recorded here "
            "before answering.",
            len(found),
        ).format(nik=answer.query, count=len(found))
    return Group(OneLine(notice, style="bold yellow"), render_answers(found, query, language))


def _not_found(answer: DeskAnswer) -> RenderableType:
    message = Text()
    message.append(_("No person found for") + f" {answer.query}.", style="bold")
    details = _typed_details_text(answer.identity_check)
    if details:
        message.append("\n" + details, style="bold")
    parts: list[RenderableType] = [message]
    if answer.near_matches:
        parts += _near_matches_parts(answer.near_matches, answer.near_matches_desa_codes)

    advice = Text(_not_found_advice(answer))
    missing = _missing_rosters_text(answer)
    if missing:
        advice.append("\n" + missing, style="yellow")
    advice.append("\n" + _run_text(answer.run), style="dim")
    parts.append(advice)
    return Panel(Group(*parts), title=_("Desk lookup"), border_style="yellow")


def _not_found_advice(answer: DeskAnswer) -> str:
    """Return what the desk should do about a person the search did not find."""
    if answer.quarantined_register_rows:
        return _(
            "The DTSEN register file has a row with this NIK that the audit could not load: "
            "{rows}. Whether the person is in DTSEN stays unknown until the analyst corrects "
            "that row and runs the audit again, so do not propose them through SIKS-NG yet."
        ).format(rows=_quarantined_rows_text(answer))
    if answer.near_matches:
        # An usulan for a person who is registered with a misread birth date would register
        # them twice, so the advice names no usulan while a near match is listed.
        return _(
            "Compare the KTP or KK with the people above and look the right one up by NIK. Do "
            "not propose the person through SIKS-NG while one of them may be the same person, "
            "because an usulan would register them twice."
        )
    if answer.query.strip().isdigit():
        return _(
            "Check the number on the KTP or KK. If it is right, the person is not in the DTSEN "
            "register or any programme list of this run: the desa operator can propose them "
            "(usulan) through SIKS-NG after musdes."
        )
    if answer.register_lines_not_loaded:
        return _(
            "Check the name, birth date and desa against the KTP or KK. The audit could not "
            "load {count} lines of this run's DTSEN register files, and the person may be on "
            "one of them: look them up by NIK before proposing them through SIKS-NG."
        ).format(count=formatting.number(answer.register_lines_not_loaded))
    return _(
        "Check the name, birth date and desa against the KTP or KK. If they are right, the "
        "person is not in the DTSEN register or any programme list of this run: the desa "
        "operator can propose them (usulan) through SIKS-NG after musdes."
    )


# Maximum number of near matches listed for one search, the most likely first, because a longer
# list would hide the likely ones among people the clerk can rule out by name.
NEAR_MATCHES_SHOWN = 5


def _near_matches_parts(
    near_matches: Sequence[NearMatch], desa_codes: Sequence[str]
) -> list[RenderableType]:
    """Build the notice and the table of the near matches, searched in `desa_codes`, of a
    search that found no one."""
    count = len(near_matches)
    listed = near_matches[:NEAR_MATCHES_SHOWN]
    regions = load_regions()
    # A desa name that several kecamatan share searches each of them, so the notice names the
    # searched desa and the table names the desa of each match.
    searched = [
        code for code in dict.fromkeys([*desa_codes, *(m.desa_code for m in listed)]) if code
    ]
    names_desa = len(searched) > 1
    if names_desa:
        notice = ngettext(
            "Not an exact match: check the KTP. {count} person in the searched desa ({desa}) "
            "has a close name and a birth date that differs from the typed one as a misread or "
            "mistyped date does.",
            "Not an exact match: check the KTP. {count} people in the searched desa ({desa}) "
            "have a close name and a birth date that differs from the typed one as a misread "
            "or mistyped date does.",
            count,
        ).format(count=count, desa="; ".join(regions.desa_with_kecamatan(c) for c in searched))
    else:
        notice = ngettext(
            "Not an exact match: check the KTP. {count} person in this desa has a close name "
            "and a birth date that differs from the typed one as a misread or mistyped date "
            "does.",
            "Not an exact match: check the KTP. {count} people in this desa have a close name "
            "and a birth date that differs from the typed one as a misread or mistyped date "
            "does.",
            count,
        ).format(count=count)

    headers = [_("Name"), _("Birth date"), _("Differs by")]
    if names_desa:
        headers.append(_("Desa/Kelurahan"))
    headers.append(_("In DTSEN register"))

    # The table sits in a panel, which cuts what is wider than itself. Without expand and with
    # cells folded, rich keeps it within the panel, and the NIK alone never wraps.
    table = Table(border_style="yellow")
    table.add_column(_("NIK"), no_wrap=True, min_width=16)
    for header in headers:
        table.add_column(header, overflow="fold")
    for match in listed:
        cells = [match.name or "-", formatting.date(match.birth_date),
                 _date_difference_text(match)]
        if names_desa:
            cells.append(regions.desa_with_kecamatan(match.desa_code))
        cells.append(_yes_no(match.is_in_register))
        table.add_row(match.nik or "-", *cells)

    parts: list[RenderableType] = [Text(notice, style="bold yellow"), table]
    if count > NEAR_MATCHES_SHOWN:
        not_shown = count - NEAR_MATCHES_SHOWN
        parts.append(Text(ngettext(
            "{count} more person with a near match is not shown. Type the full name as on the "
            "KTP to narrow the list.",
            "{count} more people with a near match are not shown. Type the full name as on the "
            "KTP to narrow the list.",
            not_shown,
        ).format(count=not_shown), style="yellow"))
    return parts


def _date_difference_text(match: NearMatch) -> str:
    """Return how the recorded birth date of `match` differs from the typed one."""
    if match.date_difference == DAY_MONTH_SWAPPED:
        return _("day and month swapped")
    if match.date_difference == DAYS_OFF:
        days = abs(match.days_apart)
        if match.days_apart > 0:
            return ngettext("{days} day later", "{days} days later", days).format(days=days)
        return ngettext("{days} day earlier", "{days} days earlier", days).format(days=days)
    return _("same day and month, year {year}").format(year=match.birth_date.year)


def _typed_details_text(check: IdentityCheck | None) -> str | None:
    """Return what became of the name, birth date and desa typed beside a NIK that no one
    has, or None when none was typed."""
    if check is None:
        return None
    if check.unknown_desa is not None:
        return unknown_desa_text(check.unknown_desa)
    if check.name and check.birth_date and check.desa:
        return _("No person found for {query} either.").format(
            query=search_text(check.name, check.birth_date, desa_label(check.desa))
        )
    return _(
        "To search without the NIK, type the name, birth date and desa together "
        "(--nama, --tgl-lahir and --desa)."
    )


def _missing_rosters_text(answer: DeskAnswer) -> str | None:
    """Return the line naming the rosters the run lacked, where the person may still be
    listed, or None when every roster was in the run."""
    inputs = [
        _input_name(f"stg_{kind}")
        for kind, programme in PROGRAMME_SOURCE_KINDS.items()
        if programme in answer.programmes_not_in_run
    ]
    if not inputs:
        return None
    if len(inputs) == 1:
        return _(
            "This run had no {inputs}, so the person may be on that list: ask the analyst to "
            "run the audit again with it."
        ).format(inputs=inputs[0])
    named = _or_list(inputs)
    return _(
        "This run had no {inputs}, so the person may be on one of those lists: ask the analyst "
        "to run the audit again with them."
    ).format(inputs=named)


def _identity_panel(answer: DeskAnswer) -> RenderableType:
    regions = load_regions()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows = [
        (_("NIK"), answer.nik or "-"),
        (_("Name"), answer.name or "-"),
        (_("Birth date"), formatting.date(answer.birth_date)),
        (_("Sex"), _sex_text(answer.sex)),
        (_("Desa/Kelurahan"), regions.desa_name(answer.desa_code)),
        (_("Kecamatan"), regions.kecamatan_name(answer.kecamatan_code)),
        (_("Address"), answer.address or "-"),
        (_("In DTSEN register"), _register_text(answer)),
        (_("Padan Dukcapil"), _yes_no(answer.is_padan_dukcapil)),
        (_("No KK"), answer.no_kk or "-"),
        (_("Desil"), _desil_text(answer)),
        (_("DTSEN snapshot date"), formatting.date(answer.snapshot_date)),
    ]
    for label, value in rows:
        grid.add_row(label, value)
    title = _("Desk lookup") + f": {_query_text(answer)}"
    return Panel(fit_columns(grid), title=title, border_style="blue")


def _sex_text(code: str | None) -> str:
    """Return the KTP sex code (L or P) with its word in the current language."""
    words = {"L": _("L (male)"), "P": _("P (female)")}
    return words.get(code or "", code or "-")


def _query_text(answer: DeskAnswer) -> str:
    """Return what was searched, with a searched birth date in the desk's date format."""
    if answer.searched_name is None or answer.searched_birth_date is None:
        return answer.query
    return search_text(answer.searched_name, answer.searched_birth_date, answer.searched_desa)


def search_text(name: str, birth_date: dt.date, desa: str | None) -> str:
    """Return a lookup by name as `name / birth date / desa`, the date in the desk's format."""
    return f"{name} / {formatting.date(birth_date)} / {desa or '-'}"


def death_lines(answer: DeskAnswer) -> list[str]:
    """Return one line per death-register record linked to the person, with the date of death
    and the file and row, in the current language."""
    lines = []
    for record in answer.records:
        if record.source_kind != "deaths":
            continue
        source = _source_text(record.source_file, record.source_sheet, record.source_row)
        if record.death_date_unreadable:
            line = _(
                "Recorded as deceased without a readable date of death ({source}): check the "
                "death with Disdukcapil or the desa before any proposal."
            ).format(source=source)
        elif record.death_date is None:
            line = _("Recorded as deceased ({source}).").format(source=source)
        else:
            line = _("Recorded as deceased on {date} ({source}).").format(
                date=formatting.date(record.death_date), source=source
            )
        lines.append(line)
    return lines


def _members_table(answer: DeskAnswer) -> RenderableType:
    table = Table(title=_("Household members (register)"), title_justify="left", expand=True)
    for header in (_("NIK"), _("Name"), _("Relationship"), _("Birth date"), _("Sex")):
        table.add_column(header)
    for member in answer.members:
        style = "bold" if member.is_subject else None
        table.add_row(
            member.nik or "-",
            member.name or "-",
            member.relationship or "-",
            formatting.date(member.birth_date),
            _sex_text(member.sex),
            style=style,
        )
    if not answer.members:
        table.add_row(_("No household in the register."), "", "", "", "")
    return fit_columns(table)


def _programmes_table(answer: DeskAnswer) -> RenderableType:
    if answer.audit_period:
        title = _("Programmes received in {period}").format(period=answer.audit_period)
    else:
        title = _("Programmes received")
    table = Table(title=title, title_justify="left", expand=True)
    for header in (_("Programme"), _("Received by"), _("Period"), _("Source")):
        table.add_column(header)
    for programme in answer.programmes:
        table.add_row(
            programme.programme,
            _receiver_text(programme),
            programme.period or "-",
            _source_text(programme.source_file, programme.source_sheet, programme.source_row),
        )
    if not answer.programmes:
        empty = _none_received_text(answer)
        if empty:
            table.add_row(empty, "", "", "")
    for programme in answer.programmes_not_in_run:
        kind = next(k for k, p in PROGRAMME_SOURCE_KINDS.items() if p == programme)
        unknown = _("status unknown: this run had no {input}").format(
            input=_input_name(f"stg_{kind}")
        )
        table.add_row(programme, Text(unknown, style="yellow"), "-", "-")
    return fit_columns(table)


def _none_received_text(answer: DeskAnswer) -> str | None:
    """Return the line for a person who receives none of the programmes whose roster was in
    the run, or None when the run had no roster at all."""
    known = [p for p in PROGRAMME_SOURCE_KINDS.values() if p not in answer.programmes_not_in_run]
    if not answer.programmes_not_in_run:
        if answer.audit_period:
            return _("None of PKH, BPNT or PBI in {period}.").format(period=answer.audit_period)
        return _("None of PKH, BPNT or PBI in this run.")
    if not known:
        return None
    # At least one roster is missing, so one or two programmes are known.
    programmes = _or_list(known)
    if answer.audit_period:
        return _("Receives no {programmes} in {period}.").format(
            programmes=programmes, period=answer.audit_period
        )
    return _("Receives no {programmes} in this run.").format(programmes=programmes)


def _not_received_table(answer: DeskAnswer) -> list[RenderableType]:
    """Build the table of roster rows that are inactive or of another period or segment, or
    nothing when there are none."""
    if not answer.programmes_not_received:
        return []
    if answer.audit_period:
        title = _("On a programme list but not received in {period}").format(
            period=answer.audit_period
        )
    else:
        title = _("On a programme list but not received")
    table = Table(title=title, title_justify="left", expand=True)
    for header in (_("Programme"), _("Listed for"), _("Period"), _("Status"), _("Source")):
        table.add_column(header, overflow="fold")
    for programme in answer.programmes_not_received:
        table.add_row(
            programme.programme,
            _receiver_text(programme),
            programme.period or "-",
            Text(_roster_status_text(programme, answer.audit_period), style="yellow"),
            _source_text(programme.source_file, programme.source_sheet, programme.source_row),
        )
    return [fit_columns(table)]


def _receiver_text(programme: Programme) -> str:
    if programme.is_own:
        return _("this person")
    return _("family member") + (f" {programme.received_by}" if programme.received_by else "")


def _roster_status_text(programme: Programme, audit_period: str | None) -> str:
    """Return the state of a roster row that is not received: active or inactive, and of
    another period (PKH, BPNT) or of a segment other than PBI APBN or PBI APBD."""
    parts = [_("inactive") if programme.is_active is False else _("active")]
    if programme.programme == "PBI":
        segment = programme.segment or ""
        if segment and not segment.startswith("PBI"):
            parts.append(_("segment {segment}, not PBI aid").format(segment=segment))
    elif programme.period is None or programme.period != audit_period:
        parts.append(_("another period"))
    return ", ".join(parts)


def _evidence_text(finding: Finding, language: str) -> str | None:
    # Findings published before evidence_id existed have English evidence only.
    if language == "id" and finding.evidence_id:
        return finding.evidence_id
    return finding.evidence


def _findings_table(answer: DeskAnswer, language: str) -> RenderableType:
    table = Table(title=_("Findings"), title_justify="left", expand=True)
    for header in (_("Severity"), _("Finding"), _("Programme"), _("Evidence"), _("Source")):
        table.add_column(header, overflow="fold")
    for finding in answer.findings:
        source = _source_text(finding.source_file, finding.source_sheet, finding.source_row)
        table.add_row(
            Text(
                severity_title(finding.severity),
                style=SEVERITY_STYLES.get(finding.severity or "", ""),
            ),
            f"{rule_title(finding.rule_code)} ({finding.rule_code})",
            programme_label(finding.programme),
            _evidence_text(finding, language) or "-",
            source,
        )
    if not answer.findings:
        table.add_row("", _("No findings for this person."), "", "", "")
    return fit_columns(table)


def caveat_lines(caveats: list[RuleCaveat]) -> list[str]:
    """Return one line per input the run lacked, naming the checks that did not run or ran
    with a limitation because of it, in the current language."""
    by_input: dict[str, tuple[list[str], list[str]]] = {}
    lines_without_input = []
    for caveat in caveats:
        check = f"{rule_title(caveat.rule_code)} ({caveat.rule_code})"
        if not caveat.missing_inputs:
            lines_without_input.append(
                _("{check} did not run: {reason}").format(
                    check=check, reason=caveat.reason or "-"
                )
            )
        for entry in caveat.missing_inputs:
            not_run, limited = by_input.setdefault(entry, ([], []))
            (limited if caveat.is_evaluated else not_run).append(check)

    # Inputs whose absence touches the same checks share one line, so a run without five
    # exclusion lists does not repeat the same limitation five times.
    inputs_by_checks: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for entry, (not_run, limited) in by_input.items():
        inputs_by_checks.setdefault((tuple(not_run), tuple(limited)), []).append(entry)

    lines = []
    for (not_run, limited), entries in inputs_by_checks.items():
        values = {"input": _or_list([_input_name(entry) for entry in entries]),
                  "not_run": ", ".join(not_run),
                  "limited": ", ".join(limited)}
        if not_run and limited:
            template = _("This run had no {input}, so these checks did not run: {not_run}; "
                         "and these ran with a limitation: {limited}.")
        elif not_run:
            template = _("This run had no {input}, so these checks did not run: {not_run}.")
        else:
            template = _("This run had no {input}, so these checks ran with a limitation: "
                         "{limited}.")
        lines.append(template.format(**values))
    return lines + lines_without_input


def _or_list(names: list[str]) -> str:
    """Return `names` as "A, B or C" in the current language ("A, B maupun C")."""
    if len(names) == 1:
        return names[0]
    return _("{first} or {second}").format(first=", ".join(names[:-1]), second=names[-1])


def _input_name(entry: str) -> str:
    """Return the name users know an input by: `stg_deaths` is the death register."""
    table, _separator, column = entry.partition(".")
    kind = table.removeprefix("stg_")
    name = _(KIND_LABELS[kind]) if kind in KIND_LABELS else table
    if column:
        return _("column {column} of the {source}").format(column=column, source=name)
    return name


def _complaints_table(answer: DeskAnswer) -> RenderableType:
    table = Table(title=_("Complaints"), title_justify="left", expand=True)
    for header in (
        _("Complaint"),
        _("Date"),
        _("Channel"),
        _("Type"),
        _("Status"),
        _("Pre-verified status"),
        _("Next step"),
    ):
        table.add_column(header, overflow="fold")
    for complaint in answer.complaints:
        status = complaint.complaint_status or "-"
        if complaint.is_overdue:
            status += " (" + _overdue_text(complaint.overdue_reference_date) + ")"
        table.add_row(
            complaint.complaint_id,
            formatting.date(complaint.complaint_date),
            complaint.channel or "-",
            complaint.complaint_type or "-",
            Text(status, style="bold red" if complaint.is_overdue else ""),
            _status_without_next_step(complaint.pre_verified_status, complaint.next_step),
            complaint.next_step or "-",
        )
    if not answer.complaints:
        table.add_row(_("No complaints recorded."), "", "", "", "", "", "")
    return fit_columns(table)


def _overdue_text(reference_date: dt.date | None) -> str:
    if reference_date is None:
        return _("overdue")
    return _("overdue on {date}").format(date=formatting.date(reference_date))


def _status_without_next_step(status: str | None, next_step: str | None) -> str:
    """Return the pre-verified status without the next step and the overdue note that
    complaint_results appends to it, because the table shows both in their own columns."""
    if not status:
        return "-"
    if next_step:
        return status.split(f": {next_step}", 1)[0]
    return status


def _source_text(file: str | None, sheet: str | None, row: int | None) -> str:
    """Return `file, sheet, row N` as the verification workbooks write a source. A CSV row has
    no sheet, so it reads `file, row N`."""
    parts = [part for part in (file, sheet) if part]
    if row is not None:
        parts.append(_("row") + f" {row}")
    return ", ".join(parts) or "-"


def _register_text(answer: DeskAnswer) -> str:
    if not answer.register_in_run:
        return _("unknown: this run had no DTSEN register")
    if not answer.is_in_register and answer.quarantined_register_rows:
        return _("unknown: a register row with this NIK was not loaded")
    return _yes_no(answer.is_in_register)


def _quarantine_lines(answer: DeskAnswer) -> list[str]:
    """Return the notice for a person not loaded from the register although a quarantined
    register row contains their NIK, or nothing."""
    if answer.is_in_register or not answer.quarantined_register_rows:
        return []
    return [
        _(
            "The DTSEN register file has a row with this NIK that the audit could not load: "
            "{rows}. Ask the analyst to correct that row and run the audit again before "
            "answering whether the person is in DTSEN."
        ).format(rows=_quarantined_rows_text(answer))
    ]


def _quarantined_rows_text(answer: DeskAnswer) -> str:
    """Return `file, row N (reason)` for each quarantined register row of the answer."""
    return "; ".join(
        f"{_source_text(row.source_file, row.source_sheet, row.source_row)} "
        f"({quarantine_reason_title(row.reason_code or '-')})"
        for row in answer.quarantined_register_rows
    )


def _desil_text(answer: DeskAnswer) -> str:
    if answer.desil is not None:
        return str(answer.desil)
    return _("no desil") if answer.register_in_run else "-"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "-"
    return _("yes") if value else _("no")
