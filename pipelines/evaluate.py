"""Score an audit run against the synthetic generator's ground truth.

A finding is matched to the truth through its provenance: (source_file, source_sheet,
source_row) is looked up in the truth's records.csv to get the true person_uid, and findings
are compared as (rule_code, programme, person_uid). Programme ALL on either side matches any
programme. Several findings of one rule on one person count once. Record linkage is scored
pairwise: two records are a true pair when records.csv gives them the same person_uid, and a
predicted pair when int_person_links gives them the same person_id.

Recall counts only the truth findings that the run could produce. A truth finding (or decoy) is
left out of `expected` when the roster of its programme (PKH, BPNT, PBI) or its own source file
was not in the run, as the run's file_reconciliation table records. Precision still matches
each prediction against every truth finding, because a true finding stays true whatever the
run read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.table import Table

from pipelines.errors import SourceFileError
from pipelines.i18n import _, ngettext
from pipelines.ingest.sources import kind_label
from pipelines.publish import formatting
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

LINKAGE = "RECORD_LINKAGE"
TRUTH_FILES = ("records.csv", "findings.csv", "decoys.csv", "rules_covered.csv")
# Programmes of the truth files whose roster is a source kind of the same name in lower case.
ROSTER_PROGRAMMES = ("PKH", "BPNT", "PBI")
# The cell of a count or score of a rule that the run did not evaluate, as the run's summary
# table writes it. It also matches the cell of a score without a denominator.
NOT_EVALUATED_CELL = "-"


@dataclass(frozen=True)
class LeftOut:
    """Truth findings of one rule left out of `expected`, because a source was not in the run."""

    count: int
    # Programme whose roster was not in the run, or None when `source_file` was missing.
    programme: str | None
    # Base name of the truth records' source file, set only when `programme` is None.
    source_file: str | None = None


@dataclass(frozen=True)
class EvalRow:
    """Scores of one rule (or of record linkage, code RECORD_LINKAGE)."""

    rule_code: str
    is_evaluated: bool
    is_covered_by_truth: bool
    predicted: int
    expected: int
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float | None
    recall: float | None
    f1: float | None
    decoys: int
    decoys_flagged: int
    unmapped_findings: int
    note: str = ""
    # The rule ran without an input it reads, so its scores can be lower than with that input.
    is_limited: bool = False
    # Truth findings that the run could not produce, one entry per missing roster or file.
    left_out: tuple[LeftOut, ...] = ()
    decoys_left_out: int = 0


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None or precision + recall == 0:
        return None
    return 2 * precision * recall / (precision + recall)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _load_truth(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> None:
    # The dialect is given, because a quoted note far down a large file escapes the sniffer.
    for name in TRUTH_FILES:
        path = truth_dir / name
        if not path.exists():
            raise SourceFileError(
                _(
                    "Ground truth file {path} not found. Generate the synthetic data with its "
                    "truth folder and pass that folder."
                ).format(path=path)
            )
        table = "truth_" + name.removesuffix(".csv")
        run_sql(
            con,
            f"create or replace temp table {table} as select * from "
            f"read_csv({_literal(path)}, all_varchar = true, header = true, delim = ',', "
            "quote = '\"', escape = '\"')",
        )


def _table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = query_rows(
        con,
        "select table_name, column_name from duckdb_columns() where database_name = 'marts'",
    )
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def _base_name(column: str) -> str:
    return f"regexp_replace({column}, '^.*[/\\\\]', '')"


# Provenance is compared on the file's base name, so a run that keeps files in sub-folders of
# its raw folder still matches the truth. A truth row with an empty sheet matches any sheet of
# its file, because the generator leaves the sheet empty for single-sheet workbooks too.
def _provenance_match(run: str, truth: str) -> str:
    return (
        f"{_base_name(run + '.source_file')} = {_base_name(truth + '.source_file')} "
        f"and cast({run}.source_row as bigint) = cast({truth}.source_row as bigint) "
        f"and (coalesce({truth}.source_sheet, '') = '' "
        f"or coalesce({run}.source_sheet, '') = {truth}.source_sheet)"
    )


def _load_predictions(con: duckdb.DuckDBPyConnection) -> None:
    run_sql(
        con,
        "create or replace temp table eval_predicted as "
        "select distinct f.rule_code, f.programme, r.person_uid, f.source_file, f.source_sheet, "
        "f.source_row "
        "from marts.fct_findings as f "
        f"left join truth_records as r on {_provenance_match('f', 'r')}",
    )


def _programme_match(left: str, right: str) -> str:
    return (
        f"({left}.programme = {right}.programme or 'ALL' in ({left}.programme, {right}.programme))"
    )


def _load_run_sources(con: duckdb.DuckDBPyConnection, columns: dict[str, set[str]]) -> bool:
    """Create eval_run_files (base names) and eval_run_programmes from the run's
    file_reconciliation. Return False when the database has no such rows."""
    if not {"source_kind", "source_file"} <= columns.get("file_reconciliation", set()):
        logger.warning(
            "file_reconciliation table missing, so every truth finding counts as expected"
        )
        return False
    run_sql(
        con,
        "create or replace temp table eval_run_files as "
        f"select distinct {_base_name('source_file')} as source_file "
        "from marts.file_reconciliation where source_file is not null",
    )
    if query_rows(con, "select count(*) from eval_run_files")[0][0] == 0:
        logger.warning("file_reconciliation has no rows, so every truth finding counts as expected")
        return False
    run_sql(
        con,
        "create or replace temp table eval_run_programmes as "
        "select distinct upper(source_kind) as programme from marts.file_reconciliation "
        f"where upper(source_kind) in {ROSTER_PROGRAMMES}",
    )
    return True


def _scope_truth(con: duckdb.DuckDBPyConnection, has_run_sources: bool) -> None:
    """Create eval_findings and eval_decoys, which add two columns to each truth row:
    missing_roster, its programme when the run read no roster of it, and missing_file, the base
    name of its source file when the run did not read that file."""
    for table, truth in (("eval_findings", "truth_findings"), ("eval_decoys", "truth_decoys")):
        if not has_run_sources:
            missing_roster = missing_file = "null"
        else:
            missing_roster = (
                f"case when t.programme in {ROSTER_PROGRAMMES} and t.programme not in "
                "(select programme from eval_run_programmes) then t.programme end"
            )
            missing_file = (
                f"case when coalesce(t.source_file, '') <> '' and {_base_name('t.source_file')} "
                "not in (select source_file from eval_run_files) "
                f"then {_base_name('t.source_file')} end"
            )
        run_sql(
            con,
            f"create or replace temp table {table} as "
            "select t.rule_code, t.programme, t.person_uid, "
            f"{missing_roster} as missing_roster, {missing_file} as missing_file "
            f"from {truth} as t",
        )


# A truth finding is in scope when nothing kept the run from producing it.
IN_SCOPE = "missing_roster is null and missing_file is null"


def _rule_scores(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, ...]]:
    """Return per rule: predicted, expected, matched predictions, matched truth, decoys,
    decoys flagged, unmapped findings, decoys left out."""
    sql = f"""
        with
        predicted as (
            select distinct rule_code, programme, person_uid from eval_predicted
            where person_uid is not null
        ),
        truth as (
            select distinct rule_code, programme, person_uid from eval_findings
        ),
        expected as (
            select distinct rule_code, programme, person_uid from eval_findings
            where {IN_SCOPE}
        ),
        all_decoys as (
            select distinct rule_code, programme, person_uid from eval_decoys
        ),
        decoys as (
            select distinct rule_code, programme, person_uid from eval_decoys where {IN_SCOPE}
        ),
        codes as (
            select rule_code from predicted union select rule_code from truth
            union select rule_code from all_decoys
        )
        select
            codes.rule_code,
            (select count(*) from predicted p where p.rule_code = codes.rule_code),
            (select count(*) from expected e where e.rule_code = codes.rule_code),
            (select count(*) from predicted p where p.rule_code = codes.rule_code and exists (
                select 1 from truth e where e.rule_code = p.rule_code
                and e.person_uid = p.person_uid and {_programme_match("e", "p")})),
            (select count(*) from expected e where e.rule_code = codes.rule_code and exists (
                select 1 from predicted p where p.rule_code = e.rule_code
                and p.person_uid = e.person_uid and {_programme_match("e", "p")})),
            (select count(*) from decoys d where d.rule_code = codes.rule_code),
            (select count(*) from decoys d where d.rule_code = codes.rule_code and exists (
                select 1 from predicted p where p.rule_code = d.rule_code
                and p.person_uid = d.person_uid
                and (coalesce(d.programme, '') = '' or {_programme_match("d", "p")}))),
            (select count(*) from eval_predicted u
                where u.rule_code = codes.rule_code and u.person_uid is null),
            (select count(*) from all_decoys d where d.rule_code = codes.rule_code)
            - (select count(*) from decoys d where d.rule_code = codes.rule_code)
        from codes
    """
    return {row[0]: tuple(row[1:]) for row in query_rows(con, sql)}


def _left_out(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[LeftOut, ...]]:
    """Return per rule the truth findings left out of `expected`, counted as `expected` counts
    them and grouped by the missing roster, else by the missing file."""
    sql = f"""
        with
        expected as (
            select distinct rule_code, programme, person_uid from eval_findings
            where {IN_SCOPE}
        ),
        left_out as (
            select f.rule_code, f.programme, f.person_uid,
                min(f.missing_roster) as roster, min(f.missing_file) as source_file
            from eval_findings as f
            where not ({IN_SCOPE}) and not exists (
                select 1 from expected e where e.rule_code = f.rule_code
                and e.programme is not distinct from f.programme
                and e.person_uid is not distinct from f.person_uid)
            group by all
        )
        select rule_code, roster, case when roster is null then source_file end, count(*)
        from left_out group by all order by all
    """
    left_out: dict[str, list[LeftOut]] = {}
    for code, roster, source_file, count in query_rows(con, sql):
        left_out.setdefault(code, []).append(LeftOut(count, roster, source_file))
    return {code: tuple(entries) for code, entries in left_out.items()}


@dataclass(frozen=True)
class _RuleStatus:
    is_evaluated: bool
    not_evaluated_reason: str | None = None
    limitation_reason: str | None = None


def _rule_status(
    con: duckdb.DuckDBPyConnection, columns: dict[str, set[str]]
) -> dict[str, _RuleStatus]:
    present = columns.get("rule_status")
    if present is None:
        return {}
    # Runs before the limitation state existed have no limitation_reason column.
    limitation = "limitation_reason" if "limitation_reason" in present else "null"
    rows = query_rows(
        con,
        f"select rule_code, is_evaluated, not_evaluated_reason, {limitation} "
        "from marts.rule_status",
    )
    return {code: _RuleStatus(*values) for code, *values in rows}


def _note(code: str, covered: set[str], status: dict[str, _RuleStatus]) -> str:
    rule = status.get(code, _RuleStatus(True))
    if not rule.is_evaluated:
        return f"not evaluated: {rule.not_evaluated_reason}"
    notes = []
    if rule.limitation_reason:
        notes.append(f"evaluated with a limitation: {rule.limitation_reason}")
    if code not in covered:
        notes.append("not covered by the truth")
    return "; ".join(notes)


def left_out_notes(row: EvalRow) -> list[str]:
    """Return a translated note for each roster or file whose truth findings `row` left out."""
    notes = []
    for entry in row.left_out:
        if entry.programme is not None:
            template = ngettext(
                "{count} truth finding left out: {source} not in this run",
                "{count} truth findings left out: {source} not in this run",
                entry.count,
            )
            source = kind_label(entry.programme.lower())
        else:
            template = ngettext(
                "{count} truth finding left out: file {source} not in this run",
                "{count} truth findings left out: file {source} not in this run",
                entry.count,
            )
            source = entry.source_file
        notes.append(template.format(count=formatting.number(entry.count), source=source))
    return notes


def _rule_rows(con: duckdb.DuckDBPyConnection, columns: dict[str, set[str]]) -> list[EvalRow]:
    covered = {row[0] for row in query_rows(con, "select rule_code from truth_rules_covered")}
    status = _rule_status(con, columns)
    scores = _rule_scores(con)
    left_out = _left_out(con)
    rows = []
    for code in sorted(set(scores) | covered | set(status)):
        (
            predicted,
            expected,
            matched_pred,
            matched_truth,
            decoys,
            decoys_flagged,
            unmapped,
            decoys_left_out,
        ) = scores.get(code, (0, 0, 0, 0, 0, 0, 0, 0))
        is_evaluated = status.get(code, _RuleStatus(predicted > 0)).is_evaluated
        # A rule that did not run found nothing because it did not look, so it has no
        # precision or recall.
        is_scored = is_evaluated and code in covered
        precision = _ratio(matched_pred, predicted) if is_scored else None
        recall = _ratio(matched_truth, expected) if is_scored else None
        rows.append(
            EvalRow(
                rule_code=code,
                is_evaluated=is_evaluated,
                is_covered_by_truth=code in covered,
                predicted=predicted,
                expected=expected,
                true_positives=matched_pred,
                false_positives=predicted - matched_pred,
                false_negatives=expected - matched_truth,
                precision=precision,
                recall=recall,
                f1=_f1(precision, recall),
                decoys=decoys,
                decoys_flagged=decoys_flagged,
                unmapped_findings=unmapped,
                note=_note(code, covered, status),
                is_limited=bool(status.get(code, _RuleStatus(True)).limitation_reason),
                left_out=left_out.get(code, ()),
                decoys_left_out=decoys_left_out,
            )
        )
    return rows


def _staging_provenance_sql(columns: dict[str, set[str]]) -> str | None:
    needed = {"record_id", "source_file", "source_sheet", "source_row"}
    # int_person_records already contains every person record with its provenance.
    if needed <= columns.get("int_person_records", set()):
        return "select record_id, source_file, source_sheet, source_row from marts.int_person_records"
    tables = sorted(t for t, cols in columns.items() if t.startswith("stg_") and needed <= cols)
    if not tables:
        return None
    return " union all ".join(
        f"select record_id, source_file, source_sheet, source_row from marts.{t}" for t in tables
    )


def _linkage_row(con: duckdb.DuckDBPyConnection, columns: dict[str, set[str]]) -> EvalRow | None:
    provenance_sql = _staging_provenance_sql(columns)
    if "int_person_links" not in columns or provenance_sql is None:
        logger.warning("record linkage not scored: int_person_links or stg_ tables missing")
        return None
    sql = f"""
        with
        staged as ({provenance_sql}),
        joined as (
            select l.person_id, t.person_uid
            from marts.int_person_links as l
            inner join staged as s on l.record_id = s.record_id
            inner join truth_records as t on {_provenance_match("s", "t")}
        ),
        cells as (select person_id, person_uid, count(*) as n from joined group by all),
        predicted as (select person_id, count(*) as n from joined group by all),
        expected as (select person_uid, count(*) as n from joined group by all)
        select
            (select coalesce(sum(n * (n - 1) / 2), 0) from predicted),
            (select coalesce(sum(n * (n - 1) / 2), 0) from expected),
            (select coalesce(sum(n * (n - 1) / 2), 0) from cells)
    """
    predicted, expected, true_pairs = (int(v) for v in query_rows(con, sql)[0])
    precision = _ratio(true_pairs, predicted)
    recall = _ratio(true_pairs, expected)
    return EvalRow(
        rule_code=LINKAGE,
        is_evaluated=True,
        is_covered_by_truth=True,
        predicted=predicted,
        expected=expected,
        true_positives=true_pairs,
        false_positives=predicted - true_pairs,
        false_negatives=expected - true_pairs,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        decoys=0,
        decoys_flagged=0,
        unmapped_findings=0,
        note="pairwise over records present in both the run and records.csv",
    )


def evaluate(marts_db: Path, truth_dir: Path) -> list[EvalRow]:
    """Score every rule of the run in `marts_db` (an audit.duckdb with fct_findings) against the
    truth in `truth_dir`.

    Returns one row per rule. A last row scores record linkage when the database also contains
    int_person_links and the staging tables.
    """
    if not marts_db.exists():
        raise SourceFileError(
            _("Audit database {path} not found. Run the audit first.").format(path=marts_db)
        )
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        run_sql(con, f"attach {_literal(marts_db)} as marts (read_only)")
        _load_truth(con, truth_dir)
        columns = _table_columns(con)
        if "fct_findings" not in columns:
            raise SourceFileError(
                _("{path} has no fct_findings table. Run the rules first.").format(path=marts_db)
            )
        _scope_truth(con, _load_run_sources(con, columns))
        _load_predictions(con)
        rows = _rule_rows(con, columns)
        linkage = _linkage_row(con, columns)
    finally:
        con.close()
    if linkage is not None:
        rows.append(linkage)
    logger.info("evaluated %d rules against %s", len(rows), truth_dir)
    return rows


def format_table(rows: list[EvalRow]) -> Table:
    """Return the evaluation rows as a rich table: one line per rule, linkage last."""
    table = Table(title="Rules against the synthetic truth")
    headers = (
        "rule",
        "evaluated",
        "predicted",
        "expected",
        "TP",
        "FP",
        "FN",
        "precision",
        "recall",
        "F1",
        "decoys flagged",
        "unmapped",
        "note",
    )
    for header in headers:
        table.add_column(header, justify="left" if header in ("rule", "note") else "right")
    for row in rows:
        counts = (row.predicted, row.true_positives, row.false_positives, row.false_negatives)
        if row.is_evaluated:
            predicted, true_positives, false_positives, false_negatives = map(str, counts)
        else:
            predicted = true_positives = false_positives = false_negatives = NOT_EVALUATED_CELL
        table.add_row(
            row.rule_code,
            "yes" if row.is_evaluated else "no",
            predicted,
            str(row.expected),
            true_positives,
            false_positives,
            false_negatives,
            _format_ratio(row.precision),
            _format_ratio(row.recall),
            _format_ratio(row.f1),
            f"{row.decoys_flagged}/{row.decoys}" if row.is_evaluated else NOT_EVALUATED_CELL,
            str(row.unmapped_findings),
            "; ".join(note for note in (row.note, *left_out_notes(row)) if note),
        )
    return table


def _format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
