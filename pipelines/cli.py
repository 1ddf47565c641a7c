"""Command-line interface: `bansos-audit generate | demo | run | evaluate | cek`.

Messages are Indonesian by default; `--lang en` (anywhere on the command line) or the
environment variable BANSOS_AUDIT_LANG=en switches to English. The language is read before the
commands are built so that the help text is translated too.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from rich.text import Text
from typer._click import exceptions as click_exceptions

from pipelines.cli_framework import (
    LocalisedCommand,
    LocalisedGroup,
    OutputConsole,
    fit_columns,
    print_complete,
    run_app,
    translate_framework_messages,
)
from pipelines.errors import (
    ConfigError,
    MartsFolderError,
    PipelineError,
    RunInProgressError,
    RunInterrupted,
    SourceFileError,
    exception_in_chain,
)
from pipelines.i18n import (
    SUPPORTED_LANGUAGES,
    N_,
    _,
    current_language,
    ngettext,
    set_language,
)
from pipelines.prefect_env import (
    apply_prefect_defaults,
    check_api_server,
    flow_run_settings,
    local_server,
)
from pipelines.progress import SUMMARY_WARNING
from pipelines.publish import formatting
from pipelines.publish.atomic import check_replaceable, live_manifest
from pipelines.run_lock import check_run_folder_free
from pipelines.runconfig import load_rules_config, load_run_config
from pipelines.settings import Paths

console = OutputConsole()
err_console = OutputConsole(stderr=True)

STAGE_LABELS = {
    "ingest": N_("Reading source files"),
    "staging": N_("Normalising into staging tables"),
    "validate": N_("Validating sources"),
    "link": N_("Linking persons across sources"),
    "rules": N_("Applying audit rules"),
    "marts": N_("Building marts"),
    "publish": N_("Publishing outputs"),
}


class ConsoleLogHandler(logging.Handler):
    """Show warning and error log records on stderr in the current language.

    The record's message template is looked up in the catalog, so a log file keeps English
    while the console is translated. A record may carry `console_args`, values in the run's
    language that replace its English arguments on the console.
    """

    def emit(self, record: logging.LogRecord) -> None:
        # Python warnings that Prefect routes into logging come from libraries (pydantic,
        # urllib3) and give the user nothing to act on.
        if record.name == "py.warnings":
            return
        if record.levelno >= logging.ERROR:
            err_console.print(f"[bold red]{_('Error')}:[/] ", end="")
        else:
            err_console.print(f"[bold yellow]{_('Warning')}:[/] ", end="")
        err_console.print(console_text(record), markup=False, highlight=False, soft_wrap=True)


def console_text(record: logging.LogRecord) -> str:
    """Return the message of `record` in the current language, or in English when the
    catalog has no translation of its template."""
    if not isinstance(record.msg, str):
        return record.getMessage()
    args = getattr(record, "console_args", record.args)
    try:
        return _(record.msg) % args if args else _(record.msg)
    except (TypeError, ValueError):
        # A translation whose placeholders do not fit the arguments.
        return record.getMessage()


def install_console_logging() -> None:
    """Send warning and error log records to stderr through ConsoleLogHandler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, ConsoleLogHandler):
            root.removeHandler(handler)
    handler = ConsoleLogHandler(level=logging.WARNING)
    # Prefect 3.9 replaces the root logger's handlers when it configures logging, unless one of
    # them has a formatter. The handler does not use it.
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


class SummaryWarningHandler(logging.Handler):
    """Keep the warning records that carry SUMMARY_WARNING, so that the run summary repeats
    them after the tables, where a reader of the output looks for the outcome."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, SUMMARY_WARNING, False):
            self.records.append(record)


class StageConsoleHandler(logging.Handler):
    """Show each stage event from `pipelines.progress` as one translated console line."""

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", None)
        if stage is None:
            return
        detail = getattr(record, "detail", "")
        label = _(STAGE_LABELS.get(stage, stage))
        console.print(f"[bold cyan]>[/] {label}" + (f" [dim]{detail}[/]" if detail else ""))


def split_language(argv: list[str]) -> tuple[str, list[str]]:
    """Return the language given by `--lang` anywhere in `argv` (else BANSOS_AUDIT_LANG, else
    Indonesian) and the arguments without it."""
    language = os.environ.get("BANSOS_AUDIT_LANG", "id")
    rest: list[str] = []
    skip_next = False
    for i, arg in enumerate(argv):
        if skip_next:
            skip_next = False
        elif arg == "--lang" and i + 1 < len(argv):
            language = argv[i + 1]
            skip_next = True
        elif arg.startswith("--lang="):
            language = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return language.strip().lower(), rest


def print_error(message: str) -> None:
    # markup=False: messages quote config keys such as [sources.columns], which rich would eat.
    err_console.print(f"[bold red]{_('Error')}:[/] ", end="")
    # soft_wrap: one line, as for warnings, so that grep finds it and a path stays whole.
    err_console.print(message, markup=False, soft_wrap=True)


def fail(message: str) -> None:
    print_error(message)
    raise typer.Exit(code=1)


def print_warning(message: str) -> None:
    """Print `message` after a yellow "Warning:" label, without reading markup in it."""
    # soft_wrap keeps the warning on one line in a log file, as errors are.
    console.print(Text.assemble((_("Warning") + ":", "bold yellow"), " ", message), soft_wrap=True)


# Exit code of `evaluate` when it printed scores for a run whose input files differ from the
# generated ones. It differs from 1, the code of a failed command, because the table is printed.
EXIT_INPUTS_NOT_GENERATED = 3


def print_input_check(check, marts_db: Path, truth_dir: Path) -> None:
    """Print a warning for each input file of the evaluated run that is not a file the
    generator wrote, or one note when the input files could not be checked."""
    from pipelines.truth_manifest import MANIFEST_NAME, CheckStatus

    if check.status is CheckStatus.NO_MANIFEST:
        console.print(
            _("Note: {path} has no {manifest}, so the run's input files cannot be checked "
              "against the files the generator wrote. A truth folder written by an older version of "
              "the generator has none; generate the data again to get one.").format(
                path=truth_dir, manifest=MANIFEST_NAME),
            markup=False,
        )
        return
    if check.status is CheckStatus.NO_RUN_CHECKSUMS:
        console.print(
            _("Note: {path} records no input file checksums for the evaluated run, so its input "
              "files cannot be checked against the files the generator wrote.").format(
                path=marts_db),
            markup=False,
        )
        return
    manifest = truth_dir / MANIFEST_NAME
    for name in check.changed:
        print_warning(
            _("{file} differs from the file the generator wrote (its SHA-256 is not the one in "
              "{manifest}). The ground truth no longer matches its rows, so the scores of "
              "findings from this file and of RECORD_LINKAGE are not meaningful, and other rules "
              "that read it can score differently. Generate the data again, or evaluate a run "
              "over the unchanged files.").format(file=name, manifest=manifest)
        )
    for name in check.not_generated:
        print_warning(
            _("{file} is not a file the generator wrote ({manifest} does not list it). The "
              "ground truth has no rows of it, so the scores of findings from this file and of "
              "RECORD_LINKAGE are not meaningful, and other rules that read it can score "
              "differently. Generate the data again, or evaluate a run over the generated files "
              "only.").format(file=name, manifest=manifest)
        )


def print_period_warnings(result) -> None:
    """Say how many roster rows the rules skip because they belong to another period, and
    which periods those rows have."""
    for kind, (outside, total) in result.rows_outside_period.items():
        values = dict(kind=kind.upper(), outside=formatting.number(outside),
                      total=formatting.number(total), period=result.period_label,
                      periods=_periods_text(result.periods_outside.get(kind, [])))
        if outside < total:
            console.print(_("{kind}: {outside} of {total} rows belong to another period than "
                            "{period} ({periods}) and are left out of the recipient "
                            "rules.").format(**values),
                          markup=False, soft_wrap=True)
            continue
        print_warning(
            _("{kind}: {outside} of {total} rows are not in the audited period {period} "
              "({periods}), so the recipient rules leave them out. If the file has TAHAP without "
              "a year, set `period = \"{period}\"` for this source in the run configuration. If "
              "its rows are of another tahap, give the file of {period}, or set [period] in the "
              "rules file to the tahap of the file.").format(**values)
        )


# Periods named in the note on roster rows outside the audited period; the rest are counted.
SHOWN_PERIODS = 3


def _periods_text(periods: list[tuple[str | None, int]]) -> str:
    """Return "2026-T3: 2.589, no period: 4" for the periods of rows outside the audited one,
    the largest SHOWN_PERIODS of them, then how many more there are."""
    labels = [
        f"{period or _('no period')}: {formatting.number(rows)}"
        for period, rows in periods[:SHOWN_PERIODS]
    ]
    if len(periods) > SHOWN_PERIODS:
        more = len(periods) - SHOWN_PERIODS
        labels.append(ngettext("{count} other period", "{count} other periods", more).format(
            count=more
        ))
    return ", ".join(labels)


def file_counts_table(file_counts) -> Table:
    """Build the table of rows read, loaded and quarantined per file and sheet.

    A column of joined lines appears only when a stray quote joined lines of a CSV file into one
    row, so that rows read and lines in the file are not confused.
    """
    files = Table(title=_("Rows per file"))
    joined = any(count.lines_joined for count in file_counts)
    columns = [_("File"), _("Sheet"), _("Read"), _("Loaded"), _("Quarantined")]
    if joined:
        columns.append(_("Joined lines"))
        files.caption = _("Joined lines: more lines of the file inside one quarantined row, "
                          "joined by a stray double quote. Read plus joined lines is the number "
                          "of data lines in the file.")
    for column in columns:
        files.add_column(column, justify="left" if column in (_("File"), _("Sheet")) else "right")
    for count in file_counts:
        cells = [count.source_file, count.source_sheet, formatting.number(count.rows_read),
                 formatting.number(count.rows_loaded), formatting.number(count.rows_quarantined)]
        if joined:
            cells.append(formatting.number(count.lines_joined) if count.lines_joined else "")
        files.add_row(*cells)
    return files


def print_run_summary(result, warnings: Sequence[logging.LogRecord] = ()) -> None:
    """Print the tables of a finished run, its review lines and `warnings` (log records flagged
    with SUMMARY_WARNING) in the current language."""
    print_complete(console, fit_columns(file_counts_table(result.file_counts)))

    print_complete(console, fit_columns(rules_table(result)))

    stages = Table(title=_("Seconds per stage"))
    if {"validate", "link"} <= result.stage_seconds.keys():
        stages.caption = _("Validation runs while persons are linked, so the stages add up to "
                           "more than the run took.")
    stages.add_column(_("Stage"))
    stages.add_column(_("Seconds"), justify="right")
    for stage, seconds in result.stage_seconds.items():
        stages.add_row(_(STAGE_LABELS.get(stage, stage)), formatting.number(seconds, 1))
    print_complete(console, fit_columns(stages))
    for line in review_lines(result):
        console.print(line)
    if line := diff_line(result):
        console.print(line, markup=False)
    for record in warnings:
        print_warning(console_text(record))
    console.print(_("Outputs written to {path}").format(path=Path(result.marts_dir).resolve()))


# Each diff_status of findings_diff, in the order of the summary line.
DIFF_COUNT_TEXTS = {
    "new": N_("{n} new"),
    "new_with_limitation": N_("{n} new while their rule lacked an input"),
    "first_checked": N_("{n} first checked"),
    "persisting": N_("{n} persisting"),
    "resolved": N_("{n} resolved"),
    "resolved_with_input": N_("{n} gone now that their rule has its input"),
    "not_rechecked": N_("{n} not re-checked"),
}


def diff_line(result) -> str | None:
    """Return the summary line of findings_diff, or None on a first run."""
    if not getattr(result, "previous_run_id", None):
        return None
    counts = [
        _(text).format(n=formatting.number(result.diff_counts[status]))
        for status, text in DIFF_COUNT_TEXTS.items()
        if result.diff_counts.get(status)
    ]
    return _("Findings compared with run {run}: {counts}. findings_diff lists each one.").format(
        run=result.previous_run_id, counts=", ".join(counts) or "0"
    )


def review_lines(result) -> list[str]:
    """Return the summary lines on review: the decisions stored from a workbook filled in
    place, the stored decisions that this run applied, and the pairs that wait for a clerk."""
    lines = []
    workbook = result.review_workbook
    if result.review_decisions_imported and workbook is not None:
        lines.append(_("{count} review decisions stored from {path} before this run.").format(
            count=formatting.number(result.review_decisions_imported),
            path=Path(workbook).resolve()))
    if result.review_decisions_stored == result.review_decisions_applied > 0:
        lines.append(_("All {stored} stored review decisions decided pairs of this run.").format(
            stored=formatting.number(result.review_decisions_stored)))
    elif result.review_decisions_stored:
        lines.append(_(
            "{applied} of the {stored} stored review decisions decided pairs of this run; the "
            "others wait until their records are in a run."
        ).format(applied=formatting.number(result.review_decisions_applied),
                 stored=formatting.number(result.review_decisions_stored)))
    if result.review_pairs and workbook is not None:
        lines.append(_(
            "{count} possible matches wait for a decision in {path}. Fill in its decision "
            "column; the next run stores the decisions, or store them now with `bansos-audit "
            "review`."
        ).format(count=formatting.number(result.review_pairs), path=Path(workbook).resolve()))
    return lines


def rules_table(result) -> Table:
    """Build the findings-per-rule table; a rule that ran without an optional input or did not
    run says so in the note column."""
    rules = Table(title=_("Findings per rule"))
    rules.add_column(_("Rule"))
    rules.add_column(_("Findings"), justify="right")
    rules.add_column(_("Note"))
    for code, n in sorted(result.findings_per_rule.items()):
        limitation = result.rules_limited.get(code)
        if limitation is None:
            rules.add_row(code, formatting.number(n), "")
        else:
            note = _("evaluated with a limitation: {reason}").format(reason=limitation)
            rules.add_row(code, formatting.number(n), Text(note, style="yellow"))
    for code, reason in sorted(result.rules_not_evaluated.items()):
        note = _("not evaluated: {reason}").format(reason=reason)
        rules.add_row(code, "-", Text(note, style="dim"))
    return rules


def format_ratio(value: float | None) -> str:
    """Return a score between 0 and 1 with three decimals in the current language: `0,992`
    in Indonesian, where `0.992` reads as 992."""
    return formatting.number(value, 3)


def evaluation_table(rows) -> Table:
    """Build the table of precision and recall per rule and for record linkage."""
    from pipelines.evaluate import NOT_EVALUATED_CELL, left_out_notes

    table = Table(
        title=_("Findings and links against the ground truth"),
        caption=" ".join([
            _("Expected, Found and Correct count persons per rule and programme: several "
              "findings of one rule on one person count once, so Found can be lower than "
              "the run's findings. RECORD_LINKAGE counts pairs of records."),
            _("Precision is the share of Found that is Correct, and Recall the share of "
              "Expected that is Correct."),
        ]),
    )
    headers = (_("Rule"), _("Expected"), _("Found"), _("Correct"), _("Precision"), _("Recall"),
               _("Decoys flagged"), _("Note"))
    for header in headers:
        table.add_column(header, justify="left" if header in (_("Rule"), _("Note")) else "right")
    for row in rows:
        decoys = "-"
        if row.decoys and row.is_evaluated:
            decoys = f"{formatting.number(row.decoys_flagged)}/{formatting.number(row.decoys)}"
        notes = []
        if not row.is_evaluated:
            notes.append(_("not evaluated"))
        elif row.is_limited:
            notes.append(_("evaluated with a limitation"))
        if row.is_evaluated and not row.is_covered_by_truth:
            notes.append(_("not in the ground truth"))
        notes.extend(left_out_notes(row))
        note = "; ".join(notes)
        scores = [formatting.number(row.predicted), formatting.number(row.true_positives),
                  format_ratio(row.precision),
                  format_ratio(row.recall)]
        if not row.is_evaluated:
            # Found 0 and recall 0 would read as a rule that missed everything.
            scores = [NOT_EVALUATED_CELL] * len(scores)
        table.add_row(row.rule_code, formatting.number(row.expected), *scores, decoys, note)
    return fit_columns(table)


# Exit code of a command stopped by Ctrl-C (128 + SIGINT), as typer sets it.
EXIT_INTERRUPTED = 130


def is_published(marts_dir: Path, run: RunInterrupted | None, publish_before: str | None) -> bool:
    """Return whether the set live in `marts_dir` is the stopped run's.

    Without a RunInterrupted, Ctrl-C came before or after the flow's own code, and a publish
    since the command started counts as the run's. NOTE: so does a publish of another run that
    finished after this command started and before this run took the marts folder's lock.
    """
    manifest = live_manifest(marts_dir)
    if run is not None:
        return manifest.get("run_id") == run.run_id
    return manifest.get("publish_id") != publish_before


def print_interrupted_run(marts_dir: Path, run: RunInterrupted | None, published: bool) -> None:
    """Say that Ctrl-C stopped a run, whether the run was published to `marts_dir`, and which
    work databases with full NIKs it left."""
    if published:
        message = _("Stopped by the user (Ctrl-C) after the run was published to {path}.")
    else:
        message = _("Stopped by the user (Ctrl-C) before anything was published to {path}.")
    err_console.print(message.format(path=marts_dir.resolve()), markup=False, soft_wrap=True)

    if run is not None and run.kept_files:
        files = ", ".join(str(path.resolve()) for path in run.kept_files)
        err_console.print(
            ngettext(
                "The stopped run kept its work database {files}. It contains full NIKs, so "
                "delete it when you no longer need it.",
                "The stopped run kept its work databases {files}. They contain full NIKs, so "
                "delete them when you no longer need them.",
                len(run.kept_files),
            ).format(files=files),
            markup=False,
            soft_wrap=True,
        )


def print_kept_files(files: Collection[Path]) -> None:
    """Print the paths of the work databases that a failed run left, which contain full NIKs."""
    if not files:
        return
    err_console.print(
        ngettext(
            "The failed run kept its work database {files} for inspection. It contains full "
            "NIKs, so delete it when you no longer need it.",
            "The failed run kept its work databases {files} for inspection. They contain full "
            "NIKs, so delete them when you no longer need them.",
            len(files),
        ).format(files=", ".join(str(path.resolve()) for path in files)),
        markup=False,
        soft_wrap=True,
    )


def run_audit(config: Path, language: str) -> None:
    # Check both configurations, that every source has a file, the marts folder and the run
    # lock before Prefect starts, so that an error in them or another run on the folder stops the
    # command at once, without the lines Prefect prints while it shuts down.
    # Imported here: ingest loads pyarrow and the readers, which the desk lookup does not need.
    from pipelines.ingest.load import check_sources_have_files

    try:
        run_config = load_run_config(config)
        load_rules_config(run_config.rules_path)
        check_sources_have_files(run_config.sources)
        check_replaceable(run_config.marts_dir)
        check_run_folder_free(run_config.marts_dir.parent)
    except (ConfigError, SourceFileError, MartsFolderError, RunInProgressError) as e:
        fail(str(e))
    publish_before = live_manifest(run_config.marts_dir).get("publish_id")

    paths = Paths()
    # The CLI reports a failed run in one message; Prefect would also log each traceback.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    try:
        apply_prefect_defaults(paths.prefect_home)
    except PipelineError as e:
        fail(str(e))
    progress_logger = logging.getLogger("pipelines.progress")
    progress_logger.addHandler(StageConsoleHandler())
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False

    started = time.perf_counter()
    summary_warnings = SummaryWarningHandler()
    pipelines_logger = logging.getLogger("pipelines")
    pipelines_logger.addHandler(summary_warnings)
    # The server starts before the imports below, which take a few seconds, so that it is ready
    # sooner.
    try:
        with local_server(paths.prefect_home) as server:
            if server is None:
                check_api_server()
            # Imported late: Prefect reads the environment.
            from pipelines.flows.audit import audit, preload_validation_library

            preload_validation_library()
            with flow_run_settings(server):
                result = audit(config_path=config, language=language)
    except PipelineError as e:
        print_error(str(e))
        print_kept_files(e.kept_files)
        raise typer.Exit(code=1) from e
    except BaseException as error:
        # Prefect 3.9.1 can raise an error of its own while it handles Ctrl-C, and a second Ctrl-C
        # while Prefect shuts the flow down replaces the flow's RunInterrupted. Both keep the
        # interrupt in their chain.
        if exception_in_chain(error, KeyboardInterrupt) is None:
            raise
        run = exception_in_chain(error, RunInterrupted)
        published = is_published(run_config.marts_dir, run, publish_before)
        print_interrupted_run(run_config.marts_dir, run, published)
        raise typer.Exit(code=EXIT_INTERRUPTED) from error
    finally:
        pipelines_logger.removeHandler(summary_warnings)
    # The run is complete here. Ctrl-C while its summary is printed says so, not only that the
    # command stopped.
    try:
        print_run_summary(result, summary_warnings.records)
        print_period_warnings(result)
        console.print(
            _("Finished in {seconds} s").format(
                seconds=formatting.number(time.perf_counter() - started, 1))
        )
    except KeyboardInterrupt as error:
        published = is_published(run_config.marts_dir, None, publish_before)
        print_interrupted_run(run_config.marts_dir, None, published)
        raise typer.Exit(code=EXIT_INTERRUPTED) from error


# Most foreign file names that the demo names when it stops.
FOREIGN_FILES_SHOWN = 5


def _reject_foreign_raw_files(raw_dir: Path, truth_dir: Path, demo_files: set[str]) -> None:
    """Stop the demo when `raw_dir` contains files that the generator does not write, or a file
    named like a demo file whose checksum is not the one in the truth folder's files.json.

    The demo configuration reads every file that matches its patterns, so such files would be
    audited with the synthetic data, and a real export named like a demo file would be
    overwritten.
    """
    if not raw_dir.is_dir():
        return
    from pipelines.runs import file_checksum
    from pipelines.truth_manifest import read_manifest

    try:
        written = read_manifest(truth_dir) or {}
    except SourceFileError:
        written = {}
    foreign = sorted(
        entry.name for entry in raw_dir.iterdir()
        if entry.is_file() and not entry.name.startswith(".") and (
            entry.name not in demo_files or written.get(entry.name) != file_checksum(entry)
        )
    )
    if not foreign:
        return
    listed = ", ".join(foreign[:FOREIGN_FILES_SHOWN])
    if len(foreign) > FOREIGN_FILES_SHOWN:
        listed += " " + _("and {n} more").format(n=len(foreign) - FOREIGN_FILES_SHOWN)
    fail(_(
        "{path} contains files that the demo did not write, or that changed since it wrote "
        "them: {files}. The demo would audit them with its synthetic data and overwrite real "
        "exports named like its own files. Move your own files to a folder of their own, as "
        "README.md describes under \"Auditing your own files\", and run demo again."
    ).format(path=raw_dir, files=listed))


def build_app() -> typer.Typer:
    app = typer.Typer(
        cls=LocalisedGroup,
        help=_("Audit the targeting of social assistance (PKH, BPNT/Sembako, PBI JKN)."),
        add_completion=False,
        no_args_is_help=True,
    )
    paths = Paths()

    @app.callback()
    def options(
        lang: str = typer.Option("id", "--lang", help=_("Language of messages: id or en.")),
    ) -> None:
        if lang not in SUPPORTED_LANGUAGES:
            fail(_("Unknown language {value}; use id or en.").format(value=lang))

    @app.command(
        cls=LocalisedCommand,
        help=_("Generate synthetic Kabupaten Batang source files and ground truth."),
    )
    def generate(
        size: str = typer.Option("demo", help=_("Dataset size: tiny, demo or batang.")),
        persons: Optional[int] = typer.Option(None, help=_("Number of persons (overrides --size).")),
        seed: int = typer.Option(20261204, help=_("Random seed; the same seed gives the same files.")),
        out: Path = typer.Option(paths.raw_dir, help=_("Folder for the source files.")),
        truth: Path = typer.Option(paths.truth_dir, help=_("Folder for the ground truth.")),
    ) -> None:
        from pipelines.synth import generate as generate_files

        summary = generate_files(out, truth, size=size, persons=persons, seed=seed)
        console.print(_("Generated {n} files in {path} ({seconds} s)").format(
            n=len(summary.rows), path=out, seconds=formatting.number(summary.seconds, 1)))

    @app.command(
        cls=LocalisedCommand,
        help=_("Generate the demo data into data/raw and run the audit on it.\n\n"
               "The demo files in data/raw and data/truth are overwritten, and the results in "
               "data/marts are replaced."),
    )
    def demo(
        size: str = typer.Option("demo", help=_("Dataset size: tiny, demo or batang.")),
    ) -> None:
        from pipelines.synth import generate as generate_files
        from pipelines.synth.params import PROGRAMME_BY_FILE, SIZES

        # demo has no --persons, so the generator's message, which offers it, does not fit.
        if size not in SIZES:
            fail(_("Unknown size {size}; use one of {sizes}.").format(
                size=repr(size), sizes=", ".join(SIZES)))
        _reject_foreign_raw_files(paths.raw_dir, paths.truth_dir, set(PROGRAMME_BY_FILE))
        console.print(_("Generating synthetic Batang data ({size})").format(size=size))
        summary = generate_files(paths.raw_dir, paths.truth_dir, size=size)
        console.print(_("Generated {n} files in {path} ({seconds} s)").format(
            n=len(summary.rows), path=paths.raw_dir, seconds=formatting.number(summary.seconds, 1)))
        run_audit(paths.demo_config, current_language())

    @app.command(
        cls=LocalisedCommand,
        help=_("Audit the files that a run configuration names."),
    )
    def run(
        ctx: typer.Context,
        config_file: Optional[Path] = typer.Argument(
            None, metavar="CONFIG", help=_("Run configuration file (TOML), as --config.")
        ),
        config: Optional[Path] = typer.Option(
            None, "--config", help=_("Run configuration file (TOML).")
        ),
    ) -> None:
        # Both `run run.toml` and `run --config run.toml` are accepted.
        if (
            config_file is not None and config is not None
            and config_file.resolve() != config.resolve()
        ):
            fail(_("Give the run configuration once: {first} or {second}.").format(
                first=config_file, second=config))
        chosen = config or config_file
        if chosen is None:
            raise click_exceptions.MissingParameter(
                ctx=ctx, param_hint="'--config'", param_type="option"
            )
        run_audit(chosen, current_language())

    @app.command(
        cls=LocalisedCommand,
        help=_("Score a run's findings and links against the synthetic ground truth."),
    )
    def evaluate(
        marts: Path = typer.Option(paths.marts_dir, help=_("Folder with audit.duckdb.")),
        truth: Path = typer.Option(paths.truth_dir, help=_("Folder with the ground truth.")),
    ) -> None:
        from pipelines.evaluate import evaluate as evaluate_run
        from pipelines.truth_manifest import check_run_inputs

        db = marts / "audit.duckdb"
        if not db.exists():
            fail(_("No audit results in {path}; run `bansos-audit demo` or `bansos-audit run` first.").format(path=marts))
        rows = evaluate_run(db, truth)
        check = check_run_inputs(db, truth)
        print_input_check(check, db, truth)
        print_complete(console, evaluation_table(rows))
        if check.unmatched:
            print_warning(
                _("The scores above are not meaningful for findings from {files} and for "
                  "RECORD_LINKAGE, because the run did not read the files that the generator "
                  "wrote.").format(files=", ".join(check.unmatched))
            )
            raise typer.Exit(code=EXIT_INPUTS_NOT_GENERATED)

    @app.command(
        cls=LocalisedCommand,
        help=_("Store the decisions of a filled-in review workbook; later runs apply them."),
    )
    def review(
        workbook: Path = typer.Argument(..., help=_("The filled-in review_pending.xlsx.")),
        state: Optional[Path] = typer.Option(
            None,
            help=_("Folder that keeps the decisions. Default: the workbook's folder, the review "
                   "folder where a run writes review_pending.xlsx and reads the decisions."),
        ),
    ) -> None:
        from pipelines.er import import_review

        if not workbook.exists():
            fail(_("Review workbook {path} not found.").format(path=workbook))
        # A run reads the decisions from the folder it wrote the workbook to (review/ beside
        # its marts folder), which differs from data/review for every configuration but the demo.
        if state is None:
            state = workbook.parent
        count = import_review(workbook, state)
        console.print(_("{count} decisions stored in {path}; the next run applies them.").format(
            count=count, path=state))

    @app.command(
        cls=LocalisedCommand,
        help=_("Look up a person for the complaint desk by NIK, or by name, birth date and desa."
               "\n\nA name, birth date or desa given beside a NIK is checked against the person "
               "found."),
    )
    def cek(
        nik: Optional[str] = typer.Argument(None, help=_("16-digit NIK.")),
        nama: Optional[str] = typer.Option(None, "--nama", help=_("Name.")),
        tgl_lahir: Optional[str] = typer.Option(
            None, "--tgl-lahir", help=_("Birth date, e.g. 07-05-1985 or 7 May 1985.")
        ),
        desa: Optional[str] = typer.Option(
            None,
            "--desa",
            help=_("Desa or kelurahan name or 10-digit code. Add the kecamatan after a comma "
                   "(Lebo, Warungasem) when several kecamatan have a desa of that name."),
        ),
        marts: Path = typer.Option(paths.marts_dir, help=_("Folder with audit.duckdb.")),
    ) -> None:
        lang = current_language()
        from pipelines.desk import lookup_nik, render_answer, render_answers, search_person
        from pipelines.desk.lookup import desa_label, invalid_nik_text, parse_birth_date
        from pipelines.desk.render import search_text

        db = marts / "audit.duckdb"
        if not db.exists():
            fail(_("No audit results in {path}; run `bansos-audit demo` or `bansos-audit run` first.").format(path=marts))
        has_details = bool(nama and tgl_lahir and desa)
        # The lookup strips only separators, so a letter left in the NIK would find no one.
        invalid = invalid_nik_text(nik) if nik else None
        if invalid and not has_details:
            fail(invalid)
        if invalid:
            # A mistyped NIK should not hide a person whose name, birth date and desa were
            # typed beside it, so the search goes on with those, as for a NIK no one has.
            print_warning(invalid)
        if nik and not invalid:
            # A name, birth date or desa typed beside the NIK is checked against the person.
            answer = lookup_nik(db, nik, name=nama, birth_date=tgl_lahir, desa=desa)
            print_complete(console, render_answer(answer, lang))
        elif has_details:
            query = search_text(nama, parse_birth_date(tgl_lahir), desa_label(desa))
            found = search_person(db, nama, tgl_lahir, desa)
            print_complete(
                console,
                render_answers(found.answers, query, lang, found.run,
                               found.programmes_not_in_run, found.register_lines_not_loaded,
                               found.near_matches, found.desa_codes),
            )
        else:
            fail(_("Give a NIK, or all of --nama, --tgl-lahir and --desa."))

    return app


def main(argv: list[str] | None = None) -> None:
    language, args = split_language(list(sys.argv[1:] if argv is None else argv))
    if not args:
        args = ["--help"]
    if language not in SUPPORTED_LANGUAGES:
        print_error(_("Unknown language {value}; use id or en.").format(value=language))
        sys.exit(2)
    set_language(language)
    translate_framework_messages()
    install_console_logging()
    try:
        # The callback lists --lang in the help text.
        run_app(build_app(), ["--lang", language, *args], prog_name="bansos-audit")
    except PipelineError as e:
        print_error(str(e))
        sys.exit(1)
