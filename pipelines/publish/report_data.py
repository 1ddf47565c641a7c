"""Figures for the Bappeda report, aggregated from the marts; no rule is decided here."""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import groupby
from dataclasses import dataclass
from typing import Any

import duckdb

from pipelines.i18n import _
from pipelines.publish.columns import MART_TABLES, TableColumns, programmes_not_loaded
from pipelines.publish.formatting import share
from pipelines.publish.marts import existing_columns, select_rows
from pipelines.publish.regions import Regions
from pipelines.publish.rule_texts import (
    ALL_PROGRAMMES,
    COMPLAINT_STATUS_TITLES,
    programme_label,
    quarantine_reason_title,
)
from pipelines.sqlrun import query_rows

logger = logging.getLogger(__name__)

PROGRAMME_ORDER = ("PKH", "BPNT", "PBI")


def programme_rank(programme: str) -> tuple[bool, int, str]:
    """Return the sort key of a programme: PKH, BPNT and PBI, then other values by name, and
    findings of no single programme (`ALL`) last."""
    if programme in PROGRAMME_ORDER:
        return False, PROGRAMME_ORDER.index(programme), programme
    return programme == ALL_PROGRAMMES, len(PROGRAMME_ORDER), programme


def programme_rank_sql(column: str) -> str:
    """Return a SQL order-by list that sorts the programme `column` as `programme_rank` does."""
    ranks = " ".join(f"when '{name}' then {rank}" for rank, name in enumerate(PROGRAMME_ORDER))
    return (
        f"{column} = '{ALL_PROGRAMMES}', case {column} {ranks} else {len(PROGRAMME_ORDER)} end, "
        f"{column}"
    )


@dataclass(frozen=True)
class ReportOptions:
    """Display choices of the report (they change what is shown, never a finding).

    `top_desa` is the number of desa listed by rate, among desa with at least
    `min_desa_recipients` recipients, because a rate over a handful of recipients is noise.
    `rules_config` is the parsed rules.toml of the run, shown in the method section when given.
    """

    top_desa: int = 20
    min_desa_recipients: int = 20
    exclusion_sample: int = 50
    rules_config: dict[str, Any] | None = None


@dataclass
class RateRow:
    """Recipients, flagged recipients and rupiah at risk of one programme, kecamatan or desa."""

    key: str
    label: str
    recipients: int = 0
    flagged: int = 0
    exclusion_candidates: int = 0
    idr_month: float = 0.0
    idr_year: float = 0.0

    @property
    def rate(self) -> float | None:
        return share(self.flagged, self.recipients)

    def add(self, row: dict[str, Any]) -> None:
        self.recipients += int(row["recipients"] or 0)
        self.flagged += int(row["flagged"] or 0)
        self.exclusion_candidates += int(row["exclusion_candidates"] or 0)
        self.idr_month += float(row["idr_at_risk_month"] or 0)
        self.idr_year += float(row["idr_at_risk_year"] or 0)


def detail_rate_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop programme `ALL` roll-up rows so that sums do not count recipients twice.

    NOTE: a row without a desa code is counted as recipients whose desa is unknown, so
    summary_rates must not carry kecamatan subtotal rows.
    """
    detail = [r for r in rows if r["programme"] not in (None, "ALL")]
    return detail or rows


def rates_by(rows: Iterable[dict[str, Any]], key_of, label_of) -> list[RateRow]:
    groups: dict[str, RateRow] = {}
    for row in rows:
        key = key_of(row) or ""
        if key not in groups:
            groups[key] = RateRow(key=key, label=label_of(key))
        groups[key].add(row)
    return list(groups.values())


def programme_rates(rows: list[dict[str, Any]]) -> list[RateRow]:
    result = rates_by(rows, lambda r: r["programme"], lambda k: k)
    return sorted(result, key=lambda r: programme_rank(r.key))


def kecamatan_rates(rows: list[dict[str, Any]], regions: Regions) -> list[RateRow]:
    result = rates_by(rows, lambda r: r["kecamatan_code"], regions.kecamatan_name)
    return sorted(result, key=lambda r: (-(r.rate or 0), r.label))


def kecamatan_programme_rates(rows: list[dict[str, Any]]) -> dict[str, dict[str, RateRow]]:
    """Return rates per kecamatan code, then per programme."""
    table: dict[str, dict[str, RateRow]] = defaultdict(dict)
    for row in rows:
        kecamatan = row["kecamatan_code"] or ""
        programme = row["programme"] or ""
        if programme not in table[kecamatan]:
            table[kecamatan][programme] = RateRow(key=programme, label=programme)
        table[kecamatan][programme].add(row)
    return table


def top_desa_rates(
    rows: list[dict[str, Any]], regions: Regions, options: ReportOptions
) -> list[dict[str, Any]]:
    groups = rates_by(rows, lambda r: r["desa_code"], regions.desa_name)
    kecamatan_of = {r["desa_code"]: r["kecamatan_code"] for r in rows}
    eligible = [g for g in groups if g.key and g.recipients >= options.min_desa_recipients]
    eligible.sort(key=lambda g: (-(g.rate or 0), -g.flagged, g.label))
    return [
        {"rate": g, "kecamatan": regions.kecamatan_name(kecamatan_of.get(g.key))}
        for g in eligible[: options.top_desa]
    ]


def rule_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Return one row per rule: its status (evaluated, evaluated with a limitation, or not
    evaluated), findings by severity and programme."""
    status_rows = select_rows(con, "rule_status", MART_TABLES["rule_status"], order_by="rule_code")
    counts = query_rows(
        con,
        "select rule_code, coalesce(severity, ''), coalesce(programme, ''), count(*) "
        "from fct_findings group by all",
    )
    by_rule: dict[str, dict[str, Any]] = {}
    for code, severity, programme, count in counts:
        entry = by_rule.setdefault(
            code, {"severity": Counter(), "programme": Counter(), "total": 0}
        )
        entry["severity"][severity] += count
        entry["programme"][programme] += count
        entry["total"] += count

    # Each rule's programmes in report order, under the labels users read.
    for entry in by_rule.values():
        ranked = sorted(entry["programme"].items(), key=lambda item: programme_rank(item[0]))
        entry["programme"] = Counter({programme_label(p): n for p, n in ranked})

    result = []
    for status in status_rows:
        entry = by_rule.pop(
            status["rule_code"], {"severity": Counter(), "programme": Counter(), "total": 0}
        )
        result.append({**status, **entry})
    for code, entry in sorted(by_rule.items()):
        result.append(
            {
                "rule_code": code,
                "status": "evaluated",
                "is_evaluated": True,
                "findings": entry["total"],
                "not_evaluated_reason": None,
                "limitation_reason": None,
                **entry,
            }
        )
    return sorted(result, key=lambda r: (-int(r["total"] or r["findings"] or 0), r["rule_code"]))


def exclusion_summary(
    con: duckdb.DuckDBPyConnection, regions: Regions, options: ReportOptions
) -> dict[str, Any]:
    rows = select_rows(
        con,
        "exclusion_errors",
        MART_TABLES["exclusion_errors"],
        order_by="desil, kecamatan_code, desa_code, no_kk, family_id",
    )
    # A family's rows follow the report's programme order (PKH, BPNT, PBI). select_rows orders
    # by plain columns only, so each family's rows are sorted here.
    rows = [
        row
        for _key, group in groupby(
            rows, key=lambda r: (r["desil"], r["kecamatan_code"], r["desa_code"], r["no_kk"],
                                 r["family_id"])
        )
        for row in sorted(group, key=lambda r: programme_rank(r["programme"] or ""))
    ]
    families = {r["family_id"] for r in rows}
    by_programme = Counter(r["programme"] or "-" for r in rows)
    by_kecamatan: dict[str, set] = defaultdict(set)
    for row in rows:
        by_kecamatan[row["kecamatan_code"] or ""].add(row["family_id"])
    kecamatan_counts = sorted(
        ((regions.kecamatan_name(code), len(ids)) for code, ids in by_kecamatan.items()),
        key=lambda item: (-item[1], item[0]),
    )
    return {
        "families": len(families),
        "rows": len(rows),
        "by_programme": sorted(by_programme.items(), key=lambda item: programme_rank(item[0])),
        "by_kecamatan": kecamatan_counts,
        "sample": rows[: options.exclusion_sample],
    }


def programmes_not_in_run(files: list[dict[str, Any]]) -> list[str]:
    """Return the programmes (PKH, BPNT, PBI) whose roster had no loaded rows in the run's
    files, in report order. Without file rows nothing is known, so nothing is returned."""
    if not files:
        return []
    return programmes_not_loaded(
        {row["source_kind"] for row in files if int(row["rows_loaded"] or 0) > 0}
    )


def reconciliation(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    files = select_rows(
        con,
        "file_reconciliation",
        MART_TABLES["file_reconciliation"],
        order_by="source_kind, source_file, source_sheet",
    )
    for row in files:
        read = int(row["rows_read"] or 0)
        row["is_balanced"] = read == int(row["rows_loaded"] or 0) + int(
            row["rows_quarantined"] or 0
        )
        row["lines_joined"] = int(row["lines_joined"] or 0)
    reasons = query_rows(
        con, "select reason_code, count(*) from quarantine group by reason_code order by 2 desc, 1"
    )
    return {
        "files": files,
        "quarantine_reasons": [(code, quarantine_reason_title(code), n) for code, n in reasons],
        "is_balanced": all(r["is_balanced"] for r in files),
        "lines_joined": sum(r["lines_joined"] for r in files),
    }


def run_info(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """Return the `runs` row of `run_id`; a run missing there is shown with blank facts."""
    rows = [r for r in select_rows(con, "runs", MART_TABLES["runs"]) if r["run_id"] == run_id]
    if rows:
        info = rows[0]
    else:
        logger.warning(
            "run %s is not in the runs table; the report shows no config version or run times",
            run_id,
        )
        info = {
            "run_id": run_id,
            "config_version": None,
            "started_at": None,
            "finished_at": None,
            "input_checksums": None,
            "rules_compared_with_run_id": None,
            "rules_changed_without_new_version": None,
            "complaints_reference_date": None,
        }
    info["checksums"] = _checksums_by_file(info.get("input_checksums"))
    return info


def snapshot_dates(con: duckdb.DuckDBPyConnection) -> dict[str, list[Any]]:
    """Return register snapshot dates and audited periods found in the data."""
    result: dict[str, list[Any]] = {"register": [], "periods": []}
    if "snapshot_date" in existing_columns(con, "stg_register"):
        rows = query_rows(
            con,
            "select distinct snapshot_date from stg_register "
            "where snapshot_date is not null order by 1",
        )
        result["register"] = [r[0] for r in rows]
    if "period" in existing_columns(con, "fct_findings"):
        rows = query_rows(
            con, "select distinct period from fct_findings where period is not null order by 1"
        )
        result["periods"] = [r[0] for r in rows]
    return result


def diff_summary(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    spec: TableColumns = MART_TABLES["findings_diff"]
    rows = select_rows(con, "findings_diff", spec)
    # On a first run every finding is "new", so the report shows that there is nothing to compare.
    if "previous_run_id" in existing_columns(con, "findings_diff"):
        previous = query_rows(con, "select count(previous_run_id) from findings_diff")[0][0]
        if previous == 0:
            return []
    return sorted(Counter(r["change"] or "-" for r in rows).items())


def previous_run_rules(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any] | None:
    """Return the run that findings_diff compares with and the rules versions of both runs, when
    that run used another rules version or file; otherwise None.

    Findings new or resolved since a run with other thresholds or another period may come from
    the rules rather than from changes in the field, so the report notes it beside the diff.
    """
    if "previous_run_id" not in existing_columns(con, "findings_diff"):
        return None
    previous = query_rows(
        con, "select max(previous_run_id) from findings_diff where previous_run_id is not null"
    )[0][0]
    if previous is None:
        return None
    runs = {r["run_id"]: r for r in select_rows(con, "runs", MART_TABLES["runs"])}
    if previous not in runs or run_id not in runs:
        return None
    before, now = runs[previous], runs[run_id]
    same_version = before["config_version"] == now["config_version"]
    same_file = (
        before["rules_checksum"] is None
        or now["rules_checksum"] is None
        or before["rules_checksum"] == now["rules_checksum"]
    )
    if same_version and same_file:
        return None
    return {
        "previous_run_id": previous,
        "previous_version": before["config_version"] or "-",
        "version": now["config_version"] or "-",
        "same_version": same_version,
    }


def complaint_summary(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    if "status_code" in existing_columns(con, "complaint_results"):
        rows = query_rows(
            con, "select status_code, count(*) from complaint_results group by 1 order by 2 desc"
        )
        return [(_(COMPLAINT_STATUS_TITLES.get(code, code or "-")), n) for code, n in rows]
    spec: TableColumns = MART_TABLES["complaint_results"]
    rows = select_rows(con, "complaint_results", spec)
    return sorted(Counter(r["pre_verified_status"] or "-" for r in rows).items())


def _checksums_by_file(checksums: Any) -> dict[str, str]:
    """Parse runs.input_checksums (JSON object of file name to checksum) into a dict."""
    if not checksums:
        return {}
    try:
        parsed = json.loads(checksums) if isinstance(checksums, str) else checksums
    except ValueError:
        logger.warning("runs.input_checksums is not JSON; the report shows no checksums")
        return {}
    if not isinstance(parsed, dict):
        logger.warning("runs.input_checksums is not a JSON object; the report shows no checksums")
        return {}
    return {str(name): str(value) for name, value in parsed.items()}
