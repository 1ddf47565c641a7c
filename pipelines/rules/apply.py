"""Run the audit rules over staging and linking tables; write fct_findings and rule_status."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from rapidfuzz import fuzz, process

from pipelines.i18n import N_, current_language, gettext_for
from pipelines.ingest.sources import KIND_LABELS
from pipelines.publish.rule_texts import QUARANTINE_REASON_TITLES
from pipelines.rules.inputs import (
    COMMON_COLUMNS,
    KIND_COLUMNS,
    Catalog,
    build_input_views,
    read_catalog,
)
from pipelines.rules.lifetimes import last_readers, macro_reads, tables_read
from pipelines.rules.params import parse_params, write_params
from pipelines.rules.registry import RULES, RULES_SQL_DIR, Rule
from pipelines.sqlrun import SQL_DIR, query_rows, run_sql

logger = logging.getLogger(__name__)

WILAYAH_CSV = SQL_DIR.parent / "reference" / "wilayah_batang.csv"

# Scratch tables built before the rules, in dependency order; `x` becomes `__rules_x`.
BASE_MODELS = (
    "records",
    "pair_probability",
    "record_best_probability",
    "link_macros",
    "person_register",
    "deaths",
    "family_members",
    "recipients",
    "recipient_circle",
    "list_members",
    "list_findings",
    "nik_parts",
    "no_kk_checks",
    "family_components",
    "pkh_families",
    "rosters",
    "family_eligibility",
    "quarantined_register_niks",
    "quarantined_register_persons",
)
# Base files that define macros instead of a table.
MACRO_MODELS = {"macros", "link_macros"}

FINDING_COLUMNS = (
    "rule_code",
    "severity",
    "programme",
    "period",
    "record_id",
    "detail_key",
    "evidence",
    "evidence_id",
    "evidence_json",
    "match_probability",
    "confidence",
)


@dataclass(frozen=True)
class RulesSummary:
    """Outcome of one rules run."""

    run_id: str
    findings: int
    findings_by_rule: dict[str, int]
    # Rule code -> why it was not evaluated, in the run's language.
    not_evaluated: dict[str, str] = field(default_factory=dict)
    # Rule code -> what its findings lack, in the run's language, for a rule that ran without
    # an input of its `degrades_without`.
    limited: dict[str, str] = field(default_factory=dict)

    @property
    def evaluated(self) -> list[str]:
        return sorted(self.findings_by_rule)


def _load_quarantine_reasons(con: duckdb.DuckDBPyConnection) -> None:
    """Write `__rules_quarantine_reasons` (reason_code, title_en, title_id), so that evidence
    names a quarantine reason as users read it, not by its code."""
    run_sql(
        con,
        "create or replace temp table __rules_quarantine_reasons "
        "(reason_code varchar, title_en varchar, title_id varchar)",
    )
    for code, title in QUARANTINE_REASON_TITLES.items():
        query_rows(
            con,
            "insert into __rules_quarantine_reasons values (?, ?, ?)",
            [code, gettext_for("en", title), gettext_for("id", title)],
        )


def _load_wilayah(con: duckdb.DuckDBPyConnection) -> None:
    path = str(WILAYAH_CSV).replace("'", "''")
    run_sql(
        con,
        "create or replace temp table __rules_wilayah as "
        f"select * from read_csv('{path}', all_varchar = true, header = true)",
    )


NAME_RATIO_FUNCTION = "__rules_name_ratio"


def _name_ratio(left: pa.Array, right: pa.Array) -> pa.Array:
    """Return rapidfuzz `fuzz.ratio` of each pair of names, scaled to 0-1; NULL when either
    name is NULL."""
    lefts, rights = left.to_pylist(), right.to_pylist()
    scores = process.cpdist(
        [value or "" for value in lefts],
        [value or "" for value in rights],
        scorer=fuzz.ratio,
        dtype=np.float64,
        workers=1,
    )
    missing = [a is None or b is None for a, b in zip(lefts, rights, strict=True)]
    return pa.array(scores / 100.0, type=pa.float64(), mask=np.array(missing, dtype=bool))


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    # Re-registering on the same connection fails, so an earlier run's function is removed.
    try:
        con.remove_function(NAME_RATIO_FUNCTION)
    except duckdb.InvalidInputException:
        pass
    con.create_function(
        NAME_RATIO_FUNCTION,
        _name_ratio,
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("DOUBLE"),
        type="arrow",
    )


def _records_union_sql() -> str:
    selects = []
    for kind in KIND_COLUMNS:
        extra = KIND_COLUMNS[kind]
        period = "period" if "period" in extra else "null::varchar as period"
        is_active = "is_active" if "is_active" in extra else "null::boolean as is_active"
        columns = ", ".join(c for c in COMMON_COLUMNS if c != "source_kind")
        selects.append(
            f"select '{kind}' as kind, coalesce(source_kind, '{kind}') as source_kind, "
            f"{columns}, {period}, {is_active} from __rules_in_{kind}"
        )
    return "\nunion all\n".join(selects)


class Stopwatch:
    """Wall and CPU seconds since creation. CPU time counts every thread of this process, so it
    includes DuckDB's worker threads."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def seconds(self) -> tuple[float, float]:
        """Return (wall, CPU) seconds since creation."""
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def _run_model_file(con: duckdb.DuckDBPyConnection, name: str) -> None:
    sql = (RULES_SQL_DIR / "base" / f"{name}.sql").read_text(encoding="utf-8")
    if name in MACRO_MODELS:
        run_sql(con, sql)
        return
    stopwatch = Stopwatch()
    run_sql(con, f"create or replace temp table __rules_{name} as\n{sql}")
    count = query_rows(con, f"select count(*) from __rules_{name}")[0][0]
    logger.info(
        "built __rules_%s: %d rows in %.2f s wall, %.2f s CPU", name, count, *stopwatch.seconds()
    )


def rules_in_run_order() -> list[Rule]:
    """Return the rules in the order `apply_rules` runs them: phase 1, then phase 2."""
    return [rule for phase in (1, 2) for rule in RULES if rule.phase == phase]


def drop_plan() -> dict[str, list[str]]:
    """Return the base tables to drop after each step (`model <name>` or `rule <code>`).

    A base table is dropped after the last base model or rule that reads it, unless a mart
    (a file of sql/marts/) reads it too.
    """
    base_sql = {
        name: (RULES_SQL_DIR / "base" / f"{name}.sql").read_text(encoding="utf-8")
        for name in (*MACRO_MODELS, *BASE_MODELS)
    }
    macros: dict[str, set[str]] = {}
    for name in MACRO_MODELS:
        macros.update(macro_reads(base_sql[name], BASE_MODELS))

    steps = [(f"model {name}", base_sql[name]) for name in BASE_MODELS]
    for rule in rules_in_run_order():
        sql = rule.sql_path.read_text(encoding="utf-8")
        if rule.requires_rows is not None:
            sql += "\n" + rule.requires_rows.sql
        steps.append((f"rule {rule.code}", sql))

    never_dropped: set[str] = set()
    for path in sorted((SQL_DIR / "marts").glob("*.sql")):
        never_dropped |= tables_read(path.read_text(encoding="utf-8"), BASE_MODELS, macros)
    return last_readers(steps, BASE_MODELS, macros, never_dropped)


def _drop_tables_after(
    con: duckdb.DuckDBPyConnection, plan: dict[str, list[str]], step: str
) -> None:
    for name in plan.get(step, []):
        run_sql(con, f"drop table if exists __rules_{name}")
        logger.info("dropped __rules_%s after %s: no later step reads it", name, step)


def prepare_inputs(
    con: duckdb.DuckDBPyConnection,
    rules_config: dict[str, Any],
    run_id: str,
    plan: dict[str, list[str]] | None = None,
    *,
    run_date: dt.date | None = None,
) -> Catalog:
    """Write parameters, input views and the base tables every rule reads.

    With a `plan` from `drop_plan`, a base table is dropped once the last model reading it has
    run, unless a rule or mart reads it later. `run_date` is passed to `parse_params`.
    """
    params = parse_params(rules_config, run_date=run_date)
    catalog = read_catalog(con)
    write_params(con, params, run_id)
    _load_wilayah(con)
    _load_quarantine_reasons(con)
    build_input_views(con, catalog)
    _register_functions(con)
    _run_model_file(con, "macros")
    # A view, not a table: records.sql reads it twice, which costs less (about 1.4 CPU s at
    # batang size) than writing 1.7 million rows of about 600 MB first.
    run_sql(con, f"create or replace temp view __rules_records_unioned as\n{_records_union_sql()}")
    for name in BASE_MODELS:
        _run_model_file(con, name)
        if plan is not None:
            _drop_tables_after(con, plan, f"model {name}")
    return catalog


@dataclass(frozen=True)
class MissingInput:
    """Why a rule cannot be evaluated, or what it lacks: English message ids with their values,
    and the absent inputs (`stg_deaths`, `stg_register.desil`) for tools that show them in
    another language."""

    parts: tuple[tuple[str, dict[str, str]], ...]
    inputs: tuple[str, ...] = ()

    def text(self, language: str) -> str:
        """Return the reason in `language`, the parts joined by semicolons."""
        return "; ".join(
            gettext_for(language, message).format(**_with_sources(values, language))
            for message, values in self.parts
        )


def _with_sources(values: dict[str, str], language: str) -> dict[str, str]:
    # Users know the files by what they are (the PKH roster), not by staging table names.
    named = dict(values)
    if "table" in values:
        named["source"] = ", ".join(
            _source_name(table, language) for table in values["table"].split(", ")
        )
    if "tables" in values:
        named["sources"] = ", ".join(
            _source_name(table, language) for table in values["tables"].split(", ")
        )
    return named


def _source_name(table: str, language: str) -> str:
    kind = table.removeprefix("stg_")
    return gettext_for(language, KIND_LABELS[kind]) if kind in KIND_LABELS else table


def _absent_input(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, entry: str
) -> tuple[str, dict[str, str]] | None:
    """Return why input `entry` (a table or `table.column`) is absent, or None when present.

    A staging table without rows counts as absent, for example when its files had a header
    row only. So does a staging column without a value in any row, as when its files had no
    header that the alias table knows (a misspelt `Desil Kesejahteraan`), because a rule over
    it would report every recipient or none.
    """
    table, _separator, column = entry.partition(".")
    if not catalog.has_table(table):
        return N_("no {source} in this run"), {"table": table}
    if column and not catalog.has_column(table, column):
        values = {"table": table, "column": column}
        return N_("the {source} has no column {column}"), values
    if _is_empty_staging(con, table):
        return N_("no data rows in the {source}"), {"table": table}
    if column and _is_blank_staging_column(con, table, column):
        values = {"table": table, "column": column}
        return N_("the {source} has no value in column {column}"), values
    return None


def missing_input_reason(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, rule: Rule
) -> MissingInput | None:
    """Return why `rule` cannot be evaluated, or None when all its inputs are present.

    A staging table without rows counts as absent, because a rule over an empty register would
    report every recipient.
    """
    missing: list[tuple[str, dict[str, str]]] = []
    inputs: list[str] = []
    empty: set[str] = set()
    for entry in rule.requires:
        absent = _absent_input(con, catalog, entry)
        if absent is None:
            continue
        table = absent[1]["table"]
        # A table named twice (`stg_register` and `stg_register.desil`) is reported once
        # when it has no rows.
        if "column" not in absent[1]:
            if table in empty:
                continue
            empty.add(table)
        missing.append(absent)
        inputs.append(entry if "column" in absent[1] else table)
    if rule.requires_any:
        present = [t for t in rule.requires_any if catalog.has_table(t)]
        if not present:
            missing.append((N_("none of these is in this run: {sources}"),
                            {"tables": ", ".join(rule.requires_any)}))
            inputs.extend(rule.requires_any)
        elif all(_is_empty_staging(con, t) for t in present):
            missing.append((N_("no data rows in any of these: {sources}"),
                            {"tables": ", ".join(present)}))
            inputs.extend(rule.requires_any)
    if missing:
        return MissingInput(tuple(missing), tuple(inputs))
    if rule.requires_rows is not None and not query_rows(con, rule.requires_rows.sql)[0][0]:
        return MissingInput(((rule.requires_rows.reason, {}),))
    return None


def limitation_reason(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, rule: Rule
) -> MissingInput | None:
    """Return what the findings of `rule` lack because an input of its `degrades_without` is
    absent or has no rows, or None when every such input is present.

    Absent inputs with the same reason share one sentence that names them all.
    """
    tables_by_reason: dict[str, list[str]] = {}
    inputs: list[str] = []
    for limitation in rule.degrades_without:
        absent = _absent_input(con, catalog, limitation.input)
        if absent is not None:
            tables_by_reason.setdefault(limitation.reason, []).append(absent[1]["table"])
            inputs.append(limitation.input)
    if not inputs:
        return None
    parts = tuple(
        (reason, {"table": ", ".join(tables)}) for reason, tables in tables_by_reason.items()
    )
    return MissingInput(parts, tuple(inputs))


def _is_empty_staging(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    if not table.startswith("stg_"):
        return False
    return not query_rows(con, f"select exists (select 1 from {table})")[0][0]


def _is_blank_staging_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    if not table.startswith("stg_"):
        return False
    sql = f"select exists (select 1 from {table} where {column} is not null)"
    return not query_rows(con, sql)[0][0]


def _run_rule(con: duckdb.DuckDBPyConnection, rule: Rule) -> int:
    sql = rule.sql_path.read_text(encoding="utf-8")
    table = f"__rules_out_{rule.code.lower()}"
    columns = ", ".join(FINDING_COLUMNS)
    stopwatch = Stopwatch()
    run_sql(con, f"create or replace temp table {table} as\nselect {columns} from (\n{sql}\n)")
    count = query_rows(con, f"select count(*) from {table}")[0][0]
    logger.info(
        "rule %d %s: %d findings in %.2f s wall, %.2f s CPU",
        rule.number,
        rule.code,
        count,
        *stopwatch.seconds(),
    )
    return count


def _union_outputs(con: duckdb.DuckDBPyConnection, table: str, codes: list[str]) -> None:
    if codes:
        sql = "\nunion all\n".join(f"select * from __rules_out_{c.lower()}" for c in codes)
    else:
        sql = "select * from __rules_out_empty"
    run_sql(con, f"create or replace temp table {table} as\n{sql}")


def _drop_rule_outputs(con: duckdb.DuckDBPyConnection, codes: list[str]) -> None:
    # __rules_findings_all contains every finding by now, so the per-rule copies can go.
    for code in codes:
        run_sql(con, f"drop table if exists __rules_out_{code.lower()}")
    run_sql(con, "drop table if exists __rules_findings_phase1")


def _create_empty_output(con: duckdb.DuckDBPyConnection) -> None:
    run_sql(
        con,
        "create or replace temp table __rules_out_empty (rule_code varchar, severity varchar, "
        "programme varchar, period varchar, record_id varchar, detail_key varchar, "
        "evidence varchar, evidence_id varchar, evidence_json json, match_probability double, confidence double)",
    )


# Values of rule_status.status.
EVALUATED = "evaluated"
EVALUATED_WITH_LIMITATION = "evaluated_with_limitation"
NOT_EVALUATED = "not_evaluated"


def _write_rule_status(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    counts: dict[str, int],
    reasons: dict[str, MissingInput],
    limitations: dict[str, MissingInput],
) -> None:
    run_sql(
        con,
        "create or replace table rule_status (run_id varchar, rule_number integer, "
        "rule_code varchar, severity varchar, status varchar, is_evaluated boolean, "
        "not_evaluated_reason varchar, limitation_reason varchar, missing_inputs varchar, "
        "findings bigint)",
    )
    language = current_language()
    for rule in RULES:
        reason = reasons.get(rule.code)
        limitation = limitations.get(rule.code)
        if reason is not None:
            status, inputs = NOT_EVALUATED, reason.inputs
        elif limitation is not None:
            status, inputs = EVALUATED_WITH_LIMITATION, limitation.inputs
        else:
            status, inputs = EVALUATED, ()
        row = [
            run_id,
            rule.number,
            rule.code,
            "/".join(rule.severities),
            status,
            rule.code in counts,
            reason.text(language) if reason else None,
            limitation.text(language) if limitation else None,
            ", ".join(inputs) or None,
            counts.get(rule.code),
        ]
        query_rows(con, "insert into rule_status values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


def apply_rules(
    con: duckdb.DuckDBPyConnection,
    rules_config: dict[str, Any],
    run_id: str,
    *,
    run_date: dt.date | None = None,
) -> RulesSummary:
    """Evaluate every rule whose inputs are present; write `fct_findings` and `rule_status`.

    `run_date`, the calendar date on which the run started, caps the date to which complaints
    are counted overdue (see `parse_params`). None counts them to the period end.
    """
    plan = drop_plan()
    catalog = prepare_inputs(con, rules_config, run_id, plan, run_date=run_date)
    _create_empty_output(con)

    counts: dict[str, int] = {}
    reasons: dict[str, MissingInput] = {}
    limitations: dict[str, MissingInput] = {}
    language = current_language()
    for phase in (1, 2):
        if phase == 2:
            _union_outputs(con, "__rules_findings_phase1", list(counts))
        for rule in (r for r in RULES if r.phase == phase):
            reason = missing_input_reason(con, catalog, rule)
            if reason is not None:
                reasons[rule.code] = reason
                # The log record keeps the English reason; the CLI console shows the
                # translated template with `console_args`.
                logger.warning(
                    "rule %d %s not evaluated: %s", rule.number, rule.code, reason.text("en"),
                    extra={"console_args": (rule.number, rule.code, reason.text(language))},
                )
            else:
                limitation = limitation_reason(con, catalog, rule)
                if limitation is not None:
                    limitations[rule.code] = limitation
                    logger.warning(
                        "rule %d %s evaluated with a limitation: %s",
                        rule.number, rule.code, limitation.text("en"),
                        extra={"console_args": (rule.number, rule.code, limitation.text(language))},
                    )
                counts[rule.code] = _run_rule(con, rule)
            _drop_tables_after(con, plan, f"rule {rule.code}")

    stopwatch = Stopwatch()
    _union_outputs(con, "__rules_findings_all", list(counts))
    _drop_rule_outputs(con, list(counts))
    run_sql(
        con, (SQL_DIR / "marts" / "fct_findings.sql").read_text(encoding="utf-8"), "fct_findings"
    )
    logger.info("built fct_findings in %.2f s wall, %.2f s CPU", *stopwatch.seconds())
    _write_rule_status(con, run_id, counts, reasons, limitations)

    total = sum(counts.values())
    logger.info(
        "rules run %s: %d findings from %d rules (%d with a limitation), %d rules not evaluated",
        run_id,
        total,
        len(counts),
        len(limitations),
        len(reasons),
    )
    return RulesSummary(
        run_id=run_id,
        findings=total,
        findings_by_rule=counts,
        not_evaluated={code: reason.text(language) for code, reason in reasons.items()},
        limited={code: limitation.text(language) for code, limitation in limitations.items()},
    )
