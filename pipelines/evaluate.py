"""Score an audit run against the synthetic generator's ground truth.

A finding is matched to the truth through its provenance: (source_file, source_sheet,
source_row) is looked up in the truth's records.csv to get the true person_uid, and findings
are compared as (rule_code, programme, person_uid). Programme ALL on either side matches any
programme. Several findings of one rule on one person count once. Record linkage is scored
pairwise: two records are a true pair when records.csv gives them the same person_uid, and a
predicted pair when int_person_links gives them the same person_id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.table import Table

from pipelines.errors import SourceFileError
from pipelines.i18n import _
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

LINKAGE = "RECORD_LINKAGE"
TRUTH_FILES = ("records.csv", "findings.csv", "decoys.csv", "rules_covered.csv")


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


# Provenance is compared on the file's base name, so a run that keeps files in sub-folders of
# its raw folder still matches the truth. A truth row with an empty sheet matches any sheet of
# its file, because the generator leaves the sheet empty for single-sheet workbooks too.
def _provenance_match(run: str, truth: str) -> str:
    return (
        f"regexp_replace({run}.source_file, '^.*[/\\\\]', '') "
        f"= regexp_replace({truth}.source_file, '^.*[/\\\\]', '') "
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


def _rule_scores(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, ...]]:
    """Return per rule: predicted, expected, matched predictions, matched truth, decoys,
    decoys flagged, unmapped findings."""
    sql = f"""
        with
        predicted as (
            select distinct rule_code, programme, person_uid from eval_predicted
            where person_uid is not null
        ),
        expected as (
            select distinct rule_code, programme, person_uid from truth_findings
        ),
        decoys as (
            select distinct rule_code, programme, person_uid from truth_decoys
        ),
        codes as (
            select rule_code from predicted union select rule_code from expected
            union select rule_code from decoys
        )
        select
            codes.rule_code,
            (select count(*) from predicted p where p.rule_code = codes.rule_code),
            (select count(*) from expected e where e.rule_code = codes.rule_code),
            (select count(*) from predicted p where p.rule_code = codes.rule_code and exists (
                select 1 from expected e where e.rule_code = p.rule_code
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
                where u.rule_code = codes.rule_code and u.person_uid is null)
        from codes
    """
    return {row[0]: tuple(row[1:]) for row in query_rows(con, sql)}


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


def _rule_rows(con: duckdb.DuckDBPyConnection, columns: dict[str, set[str]]) -> list[EvalRow]:
    covered = {row[0] for row in query_rows(con, "select rule_code from truth_rules_covered")}
    status = _rule_status(con, columns)
    scores = _rule_scores(con)
    rows = []
    for code in sorted(set(scores) | covered | set(status)):
        predicted, expected, matched_pred, matched_truth, decoys, decoys_flagged, unmapped = (
            scores.get(code, (0, 0, 0, 0, 0, 0, 0))
        )
        precision = _ratio(matched_pred, predicted)
        recall = _ratio(matched_truth, expected) if code in covered else None
        rows.append(
            EvalRow(
                rule_code=code,
                is_evaluated=status.get(code, _RuleStatus(predicted > 0)).is_evaluated,
                is_covered_by_truth=code in covered,
                predicted=predicted,
                expected=expected,
                true_positives=matched_pred,
                false_positives=predicted - matched_pred,
                false_negatives=expected - matched_truth,
                precision=precision if code in covered else None,
                recall=recall,
                f1=_f1(precision, recall) if code in covered else None,
                decoys=decoys,
                decoys_flagged=decoys_flagged,
                unmapped_findings=unmapped,
                note=_note(code, covered, status),
                is_limited=bool(status.get(code, _RuleStatus(True)).limitation_reason),
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
        table.add_row(
            row.rule_code,
            "yes" if row.is_evaluated else "no",
            str(row.predicted),
            str(row.expected),
            str(row.true_positives),
            str(row.false_positives),
            str(row.false_negatives),
            _format_ratio(row.precision),
            _format_ratio(row.recall),
            _format_ratio(row.f1),
            f"{row.decoys_flagged}/{row.decoys}",
            str(row.unmapped_findings),
            row.note,
        )
    return table


def _format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
