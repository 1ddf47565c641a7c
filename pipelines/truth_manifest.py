"""The truth folder's files.json, and its comparison with the input files of an audit run.

The ground truth matches findings to people by source file and row number, so it describes only
the bytes the generator wrote. files.json stores the SHA-256 of each file the generator wrote.
The `runs` table of audit.duckdb stores the SHA-256 of each input file a run read. When the two
differ for a file, for example after a row was deleted by hand, the truth no longer matches
that file's rows and its scores are not meaningful.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import duckdb

from pipelines.errors import SourceFileError
from pipelines.i18n import _
from pipelines.runs import file_checksum

logger = logging.getLogger(__name__)

MANIFEST_NAME = "files.json"


def write_manifest(truth_dir: Path, files: Iterable[Path]) -> Path:
    """Write files.json into `truth_dir` with the SHA-256 of each of `files` by base name."""
    checksums = {path.name: file_checksum(path) for path in files}
    path = truth_dir / MANIFEST_NAME
    text = json.dumps({"sha256": checksums}, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def read_manifest(truth_dir: Path) -> dict[str, str] | None:
    """Return the SHA-256 per file name from `truth_dir`'s files.json, or None without one.

    Raise SourceFileError when the file is not the JSON object that `write_manifest` writes.
    """
    path = truth_dir / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        checksums = json.loads(path.read_text(encoding="utf-8")).get("sha256")
    except (ValueError, AttributeError):
        checksums = None
    if not isinstance(checksums, dict) or not all(
        isinstance(value, str) for value in checksums.values()
    ):
        raise SourceFileError(
            _(
                "{path} is invalid: it has no \"sha256\" object of file names and checksums. "
                "Generate the synthetic data again, or delete the file to evaluate without "
                "checking the input files."
            ).format(path=path)
        )
    return checksums


class CheckStatus(Enum):
    """Outcome of the input file check of `evaluate`."""

    CHECKED = "checked"
    # The truth folder has no files.json, like a folder that an older generator wrote.
    NO_MANIFEST = "no_manifest"
    # The run's row in `runs` is missing or records no input checksums.
    NO_RUN_CHECKSUMS = "no_run_checksums"


@dataclass(frozen=True)
class InputCheck:
    """Result of comparing the evaluated run's input files with the files the generator wrote."""

    status: CheckStatus
    run_id: str | None = None
    # Input files whose SHA-256 differs from the one in files.json, by base name.
    changed: tuple[str, ...] = ()
    # Input files that files.json does not list, by base name.
    not_generated: tuple[str, ...] = ()

    @property
    def unmatched(self) -> tuple[str, ...]:
        """Input files for which the truth does not describe the rows the run read."""
        return tuple(sorted(self.changed + self.not_generated))


def check_run_inputs(marts_db: Path, truth_dir: Path) -> InputCheck:
    """Compare the input checksums of the run in `marts_db` with files.json in `truth_dir`.

    The run is the one whose findings `fct_findings` contains. Generated files that the run did
    not read are not reported here, because evaluate already leaves their truth findings out.
    """
    manifest = read_manifest(truth_dir)
    if manifest is None:
        logger.info("input files not checked: %s has no %s", truth_dir, MANIFEST_NAME)
        return InputCheck(CheckStatus.NO_MANIFEST)
    run_id, run_checksums = _run_checksums(marts_db)
    if not run_checksums:
        logger.info("input files not checked: run %s records no input checksums", run_id)
        return InputCheck(CheckStatus.NO_RUN_CHECKSUMS, run_id)

    changed = tuple(
        sorted(
            name
            for name, checksum in run_checksums.items()
            if name in manifest and checksum != manifest[name]
        )
    )
    not_generated = tuple(sorted(name for name in run_checksums if name not in manifest))
    logger.info(
        "input files of run %s checked against %s: changed=%s not_generated=%s",
        run_id,
        MANIFEST_NAME,
        list(changed),
        list(not_generated),
    )
    return InputCheck(CheckStatus.CHECKED, run_id, changed, not_generated)


def _run_checksums(marts_db: Path) -> tuple[str | None, dict[str, str]]:
    """Return the evaluated run's id and its input checksums by file name, empty when the
    database has no `runs` row for it or the row has none."""
    with duckdb.connect(str(marts_db), read_only=True) as con:
        columns = {
            (table, column)
            for table, column in con.execute(
                "select table_name, column_name from duckdb_columns() "
                "where schema_name = 'main'"
            ).fetchall()
        }
        run_id = _evaluated_run_id(con, columns)
        if run_id is None or not {("runs", "run_id"), ("runs", "input_checksums")} <= columns:
            return run_id, {}
        row = con.execute(
            "select cast(input_checksums as varchar) from runs where run_id = ? limit 1",
            [run_id],
        ).fetchone()
    if row is None or row[0] is None:
        return run_id, {}
    try:
        checksums = json.loads(row[0])
    except ValueError:
        return run_id, {}
    if not isinstance(checksums, dict):
        return run_id, {}
    return run_id, {str(name): str(value) for name, value in checksums.items()}


def _evaluated_run_id(con: duckdb.DuckDBPyConnection, columns: set[tuple[str, str]]) -> str | None:
    # A published audit.duckdb contains the findings of one run. Without findings, the run that
    # `runs` lists last is the one that wrote the database.
    if ("fct_findings", "run_id") in columns:
        ids = con.execute(
            "select distinct run_id from fct_findings where run_id is not null"
        ).fetchall()
        if len(ids) == 1:
            return ids[0][0]
    if ("runs", "run_id") in columns and ("runs", "started_at") in columns:
        row = con.execute(
            "select run_id from runs order by started_at desc nulls last, run_id desc limit 1"
        ).fetchone()
        return None if row is None else row[0]
    return None
