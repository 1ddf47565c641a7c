"""The `audit` flow: ingest, validate, link, apply the rules, publish.

Each task opens the run's work database itself and closes it when done, so tasks share no
Python objects and the same flow can later run per region partition on other workers. The
rules and the marts share one task, because the marts read the rules' temporary tables.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner

from pipelines.er import link_persons
from pipelines.er.records import PERSON_KINDS, build_person_records
from pipelines.er.review import PENDING_WORKBOOK, import_pending_review
from pipelines.errors import (
    PipelineError,
    RunInterrupted,
    SourceFileError,
    SqlExecutionError,
    exception_in_chain,
)
from pipelines.i18n import _
from pipelines.ingest import build_staging, ingest_source, validate_staging
from pipelines.ingest.load import check_sources_have_files, ensure_ingest_tables
from pipelines.ingest.near_copies import check_no_near_copies
from pipelines.ingest.snapshots import check_single_snapshot
from pipelines.progress import stage_started
from pipelines.publish import publish_marts
from pipelines.publish.atomic import check_replaceable
from pipelines.publish.report import ReportOptions
from pipelines.rules import RulesSummary, apply_rules, build_marts
from pipelines.rules.params import parse_params
from pipelines.rulesconfig import period_label
from pipelines.run_lock import run_folder_lock
from pipelines.runconfig import RunConfig, SourceSpec, load_rules_config, load_run_config
from pipelines.runs import (
    RunRecord,
    compare_rules,
    file_checksum,
    new_run_id,
    recorded_rules,
    write_run_record,
)
from pipelines.sqlrun import PUBLISHED_CATALOG, is_interrupt

# DuckDB connections opened by tasks. At batang size 1.8 GB took the rules as much CPU time as
# 2 GB and about 200 MiB less memory.
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "memory_limit": "1800MB"}

logger = logging.getLogger(__name__)


@dataclass
class AuditResult:
    """Summary of one run: counts per file, findings per rule, seconds per stage."""

    run_id: str
    marts_dir: Path
    file_counts: list = field(default_factory=list)
    findings_per_rule: dict[str, int] = field(default_factory=dict)
    rules_not_evaluated: dict[str, str] = field(default_factory=dict)
    # Rule code -> what the rule's findings lack, for rules that ran without an optional input.
    rules_limited: dict[str, str] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    # Roster rows outside the audited period: kind -> (rows outside, all rows), and kind -> the
    # periods of those rows with their row counts, the largest first (None: no period).
    rows_outside_period: dict[str, tuple[int, int]] = field(default_factory=dict)
    periods_outside: dict[str, list[tuple[str | None, int]]] = field(default_factory=dict)
    period_label: str = ""
    # The possible matches left for a clerk, and the decisions stored from the filled workbook
    # of the run before.
    review_workbook: Path | None = None
    review_pairs: int = 0
    review_decisions_imported: int = 0
    review_decisions_stored: int = 0
    review_decisions_applied: int = 0
    # findings_diff: the run compared with, and the findings per diff_status.
    previous_run_id: str | None = None
    diff_counts: dict[str, int] = field(default_factory=dict)


# The linker keeps its scratch tables in memory and clusters in Python on top of DuckDB's
# memory, so its connection gets less. At batang size, 1.4 GB ran as fast as 2 GB and kept the
# linking process at 2.2 GiB instead of 2.7 GiB.
LINK_MEMORY_LIMIT = "1400MB"


def release_free_memory() -> None:
    """Return the C heap's free pages to the system (glibc only; elsewhere nothing happens).

    Ingest and validation run in worker threads, and glibc gives each thread its own heap. What
    those heaps freed stayed in the process: at batang size linking and the rules peaked at 2.9
    to 3.0 GiB, and with a release after ingest, validation and linking at 2.5 to 2.6 GiB.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


@contextmanager
def imports_left_out_of_collection() -> Iterator[None]:
    """Keep the objects that exist now (the imported modules of Prefect, pandas and the rest)
    out of Python's cyclic garbage collection until the block ends.

    Every full collection walked those objects again. At batang size the collector took
    1.2 CPU s of a run without Prefect, and 0.47 s with the imports left out. Frozen objects
    also stop delaying full collections, so the garbage of validation is freed before the
    rules: the process then held 600-630 MiB there instead of about 1 GB. The thresholds stay
    as they are: with fewer collections, the peak memory rose by about 250 MiB.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def published_db_path(db_path: Path) -> Path:
    """Return the path of the future audit.duckdb of the run whose work database is `db_path`."""
    return db_path.with_name(f"{db_path.stem}-published.duckdb")


def connect(db_path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the run's work database with the run's future audit.duckdb attached as
    PUBLISHED_CATALOG, where the steps build the tables that audit.duckdb keeps whole."""
    config = dict(DUCKDB_CONFIG)
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(str(db_path), config=config)
    # Connections of one process that open the same file share its attached databases.
    published = str(published_db_path(db_path)).replace("'", "''")
    con.execute(f"attach if not exists '{published}' as {PUBLISHED_CATALOG}")
    return con


# Sources ingested at a time. calamine parses a workbook without holding the GIL and DuckDB
# classifies rows in its own threads, so two files overlap well on two cores. At batang size two
# workers took ingest from 13.6 s to 9.5 s, and three gave nothing more.
INGEST_WORKERS = 2


@task(cache_policy=NO_CACHE)
def prepare_ingest_task(db_path: Path, kinds: list[str]) -> None:
    """Create the tables that ingest tasks share, so that parallel tasks do not race to create
    them."""
    with connect(db_path) as con:
        for kind in kinds:
            ensure_ingest_tables(con, kind)


def retry_unless_user_error(task, task_run, state) -> bool:
    """Return whether Prefect should run a failed task again.

    A missing file, a broken workbook or a bad configuration fails the same way every time, so
    only other errors (a DuckDB write conflict between two tasks, say) are retried. A SQL
    error counts as other, because DuckDB reports a write conflict as one. An error caused by
    Ctrl-C is never retried, because a retried publish would publish the run that the user
    stopped.
    """
    error = state.data if isinstance(state.data, BaseException) else None
    if error is not None and is_interrupt(error):
        return False
    return not isinstance(error, PipelineError) or isinstance(error, SqlExecutionError)


# Retries also cover a DuckDB write conflict between two parallel files. The retry is safe
# because ingest first deletes what an earlier try of the same file loaded.
@task(
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=retry_unless_user_error,
)
def ingest_source_task(db_path: Path, spec: SourceSpec, run_id: str, file_number: int) -> list:
    stage_started("ingest", spec.path)
    with connect(db_path) as con:
        return ingest_source(con, spec, run_id, file_number)


def first_file_numbers(sources: list[SourceSpec]) -> list[int]:
    """Return the number of each source's first file.

    A glob entry numbers its files from its first number on, so the next entry starts after
    them, and record ids stay unique across the run.
    """
    numbers = []
    number = 1
    for spec in sources:
        numbers.append(number)
        number += max(1, len(spec.files()))
    return numbers


def largest_first(sources: list[SourceSpec]) -> list[int]:
    """Return the indexes of `sources` by the size of their files, largest first, so the
    longest files start first and the small ones fill in beside them."""
    sizes = [sum(path.stat().st_size for path in spec.files()) for spec in sources]
    return sorted(range(len(sources)), key=lambda index: -sizes[index])


@task(cache_policy=NO_CACHE)
def build_staging_task(db_path: Path, kinds: list[str]) -> dict[str, int]:
    with connect(db_path) as con:
        return build_staging(con, kinds)


@task(cache_policy=NO_CACHE)
def validate_sources_task(
    db_path: Path, out_dir: Path, run_id: str, memory_limit: str | None = None
) -> float:
    """Validate the staging tables and return the seconds it took.

    The flow runs this task beside linking, and DuckDB shares one database between two
    connections of a process only when they open it with the same settings, so the flow passes
    the link task's memory limit.
    """
    started = time.perf_counter()
    with connect(db_path, memory_limit) as con:
        validate_staging(con, out_dir, run_id)
    release_free_memory()
    return round(time.perf_counter() - started, 2)


@task(cache_policy=NO_CACHE)
def link_persons_task(db_path: Path, kinds: list[str], linking_config: dict, state_dir: Path):
    # The BPJS-TK, PLN and Samsat extracts are not linked here: rules 17 and 18 join them to
    # persons by NIK, and PLN and vehicle rows without a NIK by name and address.
    with connect(db_path, LINK_MEMORY_LIMIT) as con:
        build_person_records(con, [kind for kind in kinds if kind in PERSON_KINDS])
        return link_persons(con, None, linking_config, state_dir)


@task(cache_policy=NO_CACHE)
def count_rows_outside_period_task(db_path: Path, kinds: list[str], period_label: str):
    """Count roster rows whose period is not the audited one, which the rules skip.

    Return kind -> (rows outside, all rows), and kind -> the periods of those rows with their
    counts, so the analyst can tell which tahap the file contains."""
    counts: dict[str, tuple[int, int]] = {}
    periods: dict[str, list[tuple[str | None, int]]] = {}
    with connect(db_path) as con:
        for kind in ("pkh", "bpnt"):
            if kind not in kinds:
                continue
            rows = con.execute(
                f"select period, count(*) as n from stg_{kind} group by period "
                f"order by n desc, period",
            ).fetchall()
            outside = [(period, n) for period, n in rows if period != period_label]
            if outside:
                counts[kind] = (sum(n for _period, n in outside), sum(n for _period, n in rows))
                periods[kind] = outside
    return counts, periods


@dataclass(frozen=True)
class RulesOutcome:
    """Result of the rules task: the rules summary, row counts per mart and seconds per stage."""

    summary: RulesSummary
    mart_rows: dict[str, int]
    stage_seconds: dict[str, float]
    # findings_diff: the run compared with, and the findings per diff_status.
    previous_run_id: str | None = None
    diff_counts: dict[str, int] = field(default_factory=dict)


@task(cache_policy=NO_CACHE)
def rules_and_marts_task(
    db_path: Path, rules_config: dict, run_id: str, previous: Path | None, run_date: date
) -> RulesOutcome:
    """Apply the rules, then build the marts on the same connection.

    `run_date`, the local date on which the run started, caps the date to which complaints are
    counted overdue.

    The marts read the rules' base tables (records, recipients, family eligibility). They are
    temporary tables, so a second connection would have to build them again, which took about
    as long as the rules themselves at batang size.
    """
    seconds: dict[str, float] = {}
    with connect(db_path) as con:
        started = time.perf_counter()
        summary = apply_rules(con, rules_config, run_id, run_date=run_date)
        seconds["rules"] = round(time.perf_counter() - started, 2)

        stage_started("marts")
        started = time.perf_counter()
        mart_rows = build_marts(con, rules_config, run_id, previous, run_date=run_date)
        seconds["marts"] = round(time.perf_counter() - started, 2)
        previous_run_id, diff_counts = _diff_counts(con)
    return RulesOutcome(summary, mart_rows, seconds, previous_run_id, diff_counts)


def _diff_counts(con: duckdb.DuckDBPyConnection) -> tuple[str | None, dict[str, int]]:
    """Return the run that findings_diff compares with and its findings per diff_status, or
    (None, {}) on a first run."""
    previous_run_id = con.execute(
        "select max(previous_run_id) from findings_diff"
    ).fetchone()[0]
    if previous_run_id is None:
        return None, {}
    rows = con.execute("select diff_status, count(*) from findings_diff group by 1").fetchall()
    return previous_run_id, dict(rows)


def readable_previous_run(path: Path) -> Path | None:
    """Return `path`, the audit.duckdb of the live run, when its findings can be read.

    A damaged file would stop the run after linking; without it, findings_diff lists every
    finding as new, the runs table keeps no earlier runs, and the run goes on.
    """
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from fct_findings").fetchall()
    except duckdb.Error as e:
        logger.warning(
            "%s cannot be read (%s); findings_diff lists every finding as new and the runs "
            "table keeps no earlier runs. If the file is damaged, move it away or delete it.",
            path,
            str(e).splitlines()[0],
        )
        return None
    return path


@task(
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=retry_unless_user_error,
)
def publish_task(
    db_path: Path,
    marts_dir: Path,
    language: str,
    run_id: str,
    rules_config: dict,
    validation_dir: Path,
):
    with connect(db_path) as con:
        options = ReportOptions(rules_config=rules_config)
        return publish_marts(
            con,
            marts_dir,
            language,
            run_id,
            options=options,
            extra_folders={"validasi": validation_dir},
        )


def input_checksums(run_config: RunConfig) -> dict[str, str]:
    """Return the SHA-256 of every input file by file name."""
    return {path.name: file_checksum(path) for spec in run_config.sources for path in spec.files()}


def check_no_copies(checksums: dict[str, str]) -> None:
    """Raise SourceFileError when two input files have the same content.

    A copy such as `bpnt (1).csv` beside `bpnt.csv` matches the same glob, and its rows would
    count every recipient twice in the rates and the rupiah at risk.
    """
    names_by_checksum: dict[str, list[str]] = {}
    for name, checksum in sorted(checksums.items()):
        names_by_checksum.setdefault(checksum, []).append(name)
    copies = [names for names in names_by_checksum.values() if len(names) > 1]
    if copies:
        raise SourceFileError(
            _("These input files have the same content: {files}. One is a copy; move it out of "
              "the raw folder or the run configuration, then run again.").format(
                files="; ".join(", ".join(names) for names in copies)
            )
        )


def preload_validation_library() -> threading.Thread:
    """Import Great Expectations on a background thread and return the thread.

    Call it just before `audit`. The import takes about 3.8 CPU seconds, all in Python. Started
    here, it runs while Prefect starts its temporary server in another process. Otherwise the
    validation task pays for it while it shares the two cores with linking. A task that needs
    the module before the thread is done waits on Python's import lock.
    """
    thread = threading.Thread(
        target=importlib.import_module,
        args=("great_expectations",),
        name="preload-great-expectations",
        daemon=True,
    )
    thread.start()
    return thread



def warn_reference_date_after_run(record: RunRecord) -> None:
    """Warn when an explicit `[complaints] reference_date` lies after the run's date: the run
    then calls complaints overdue that are not overdue yet."""
    if record.complaints_reference_date > record.run_date:
        logger.warning(
            "[complaints] reference_date %s lies after the date of this run, %s, so open "
            "complaints are counted overdue as if it were %s. Remove reference_date from the "
            "rules file to count them to the run date.",
            record.complaints_reference_date.isoformat(), record.run_date.isoformat(),
            record.complaints_reference_date.isoformat(),
        )

@flow(
    name="audit",
    persist_result=False,
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=INGEST_WORKERS),
)
def audit(config_path: Path, language: str = "id", work_dir: Path | None = None) -> AuditResult:
    """Audit the sources that a run configuration names and publish the marts.

    Raise RunInProgressError when another run uses the same marts folder, and MartsFolderError
    before any work when a publish could not replace the marts folder.
    """
    run_config = load_run_config(Path(config_path))
    check_replaceable(run_config.marts_dir)
    work = Path(work_dir) if work_dir else run_config.marts_dir.parent / "work"
    with run_folder_lock(run_config.marts_dir.parent):
        run_id = new_run_id()
        try:
            with imports_left_out_of_collection():
                return _audit_locked(run_config, language, run_id, work)
        except PipelineError as error:
            # The work databases stay for the analyst to inspect and contain full NIKs.
            error.kept_files = tuple(
                path for path in work_database_paths(work, run_id) if path.exists()
            )
            raise
        except BaseException as error:
            # Prefect 3.9.1 raises ValueError("Task run is not set") in place of a Ctrl-C that
            # arrives while it creates a task run, so the interrupt is looked for in the chain.
            if exception_in_chain(error, KeyboardInterrupt) is None:
                raise
            # The work databases stay, as they do when a run fails, and contain full NIKs, so the
            # exception names them for the user.
            kept_files = [path for path in work_database_paths(work, run_id) if path.exists()]
            raise RunInterrupted(run_id, kept_files) from error


def work_database_paths(work: Path, run_id: str) -> tuple[Path, Path]:
    """Return the work database of run `run_id` in the folder `work` and its future
    audit.duckdb."""
    db_path = work / f"audit-{run_id}.duckdb"
    return db_path, published_db_path(db_path)


def _audit_locked(run_config: RunConfig, language: str, run_id: str, work: Path) -> AuditResult:
    logger = get_run_logger()
    rules_config = load_rules_config(run_config.rules_path)
    record = RunRecord(
        run_id=run_id,
        config_version=str(rules_config["version"]),
        region_code=run_config.region_code,
        started_at=datetime.now(timezone.utc),
        rules_checksum=file_checksum(run_config.rules_path),
        run_config_checksum=file_checksum(run_config.config_path),
    )
    record.complaints_reference_date = parse_params(
        rules_config, run_date=record.run_date
    ).complaints_reference_date
    compare_rules(
        recorded_rules(run_config.marts_dir / "audit.duckdb"), record, run_config.rules_path
    )
    # A missing file stops the run before any file is read or a work database is created.
    check_sources_have_files(run_config.sources)
    work.mkdir(parents=True, exist_ok=True)
    db_path, published_path = work_database_paths(work, run_id)
    validation_dir = work / f"validation-{run_id}"
    result = AuditResult(run_id=run_id, marts_dir=run_config.marts_dir)
    logger.info("run %s: %d sources, rules version %s, complaints counted overdue to %s",
                run_id, len(run_config.sources), record.config_version,
                record.complaints_reference_date.isoformat())
    warn_reference_date_after_run(record)

    # Possible matches go to review/review_pending.xlsx beside the marts folder, and the
    # decisions imported with `bansos-audit review` live there across runs. A workbook filled in
    # place is stored now, before linking writes a new one, and a bad decision stops the run
    # before ingest.
    review_dir = run_config.marts_dir.parent / "review"
    result.review_decisions_imported = import_pending_review(review_dir)
    if result.review_decisions_imported:
        logger.info("stored %d decisions of %s", result.review_decisions_imported,
                    review_dir / PENDING_WORKBOOK)

    # Ingest: each file becomes raw_<kind> rows or quarantine rows, INGEST_WORKERS at a time.
    sources = list(run_config.sources)
    with record.stage("ingest"), ThreadPoolExecutor(max_workers=1) as pool:
        # hashlib releases the GIL, so the checksums (about 0.7 s for batang) run beside ingest.
        checksums = pool.submit(input_checksums, run_config)
        prepare_ingest_task(db_path, sorted({spec.kind for spec in sources if spec.kind}))
        numbers = first_file_numbers(sources)
        futures = {
            index: ingest_source_task.submit(db_path, sources[index], run_id, numbers[index])
            for index in largest_first(sources)
        }
        # Every file finishes before an error is raised, so no task writes after the flow
        # has stopped. The first failing source in configuration order gives the error.
        wait(list(futures.values()))
        for index in range(len(sources)):
            result.file_counts.extend(futures[index].result())
        record.input_checksums.update(checksums.result())
        check_no_copies(record.input_checksums)
        with connect(db_path) as con:
            # Two register or PBI snapshots also share most rows. The snapshot message names the
            # file to keep, so that check runs first.
            check_single_snapshot(con, sorted({count.source_kind for count in result.file_counts}))
            check_no_near_copies(con, result.file_counts)
    release_free_memory()
    # The kinds that ingest loaded: a source without `kind` gets the kind recognised from its
    # headers.
    kinds = sorted({count.source_kind for count in result.file_counts})

    # Transform and validate: staging models, then one expectation suite per staging table.
    with record.stage("staging"):
        stage_started("staging")
        build_staging_task(db_path, kinds)

    # Validate and link side by side: the suites run mostly in Python on one core while linking
    # runs mostly in DuckDB's threads. Both read the staging tables and write different tables.
    with record.stage("link"):
        stage_started("validate")
        validation = validate_sources_task.submit(
            db_path, validation_dir, run_id, LINK_MEMORY_LIMIT
        )
        stage_started("link")
        try:
            linked = link_persons_task(
                db_path, kinds, rules_config.get("linking", {}), review_dir
            )
        except Exception:
            # A failed expectation explains bad input better than the link error it caused.
            validation.result()
            raise
        record.stage_seconds["validate"] = validation.result()
    result.review_workbook = linked.review_workbook
    result.review_pairs = linked.review_pairs
    result.review_decisions_stored = linked.review_decisions_stored
    result.review_decisions_applied = linked.review_decisions_applied
    release_free_memory()

    # Rules and marts. The rules skip roster rows of another period, so count them first.
    result.period_label = period_label(rules_config["period"])
    result.rows_outside_period, result.periods_outside = count_rows_outside_period_task(
        db_path, kinds, result.period_label
    )
    for kind, (outside, total) in result.rows_outside_period.items():
        logger.warning("%s: %d of %d rows are outside period %s (%s)", kind, outside, total,
                       result.period_label,
                       ", ".join(f"{period}: {n}" for period, n in result.periods_outside[kind]))
    stage_started("rules")
    previous = readable_previous_run(run_config.marts_dir / "audit.duckdb")
    outcome = rules_and_marts_task(db_path, rules_config, run_id, previous, record.run_date)
    record.stage_seconds.update(outcome.stage_seconds)
    result.findings_per_rule = dict(outcome.summary.findings_by_rule)
    result.rules_not_evaluated = dict(outcome.summary.not_evaluated)
    result.rules_limited = dict(outcome.summary.limited)
    result.previous_run_id = outcome.previous_run_id
    result.diff_counts = dict(outcome.diff_counts)

    # Publish atomically into the marts folder.
    record.finished_at = datetime.now(timezone.utc)
    with connect(db_path) as con:
        write_run_record(con, record, previous)
    with record.stage("publish"):
        stage_started("publish")
        published = publish_task(
            db_path, run_config.marts_dir, language, run_id, rules_config, validation_dir
        )
    result.outputs = [Path(name) for name in published.files]

    # The work database of a batang-size run takes gigabytes; it is kept only when a run fails.
    db_path.unlink(missing_ok=True)
    published_path.unlink(missing_ok=True)
    shutil.rmtree(validation_dir, ignore_errors=True)
    result.stage_seconds = dict(record.stage_seconds)
    logger.info("run %s finished: %d findings", run_id, sum(result.findings_per_rule.values()))
    return result
