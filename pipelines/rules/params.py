"""Rule parameters: the parsed config/rules.toml checked and written into one-row tables.

Rule SQL reads every threshold, benefit amount and date from `__rules_params` and
`__rules_programmes`, so no value of the configuration is repeated in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from pipelines.rulesconfig import (
    PROGRAMMES,
    SCHEMA,
    as_date,
    as_number,
    check_rules_config,
    period_label,
    setting,
)
from pipelines.sqlrun import query_rows, run_sql


@dataclass(frozen=True)
class RuleParams:
    """The values of the rules configuration that the SQL reads."""

    version: str
    period_label: str
    period_start_date: dt.date
    period_end_date: dt.date
    values: dict[str, Any]
    programmes: dict[str, tuple[int, int]]
    business_categories: tuple[str, ...]

    @property
    def complaints_reference_date(self) -> dt.date:
        """Date to which a complaint's age is counted to tell whether its response is overdue."""
        return self.values["complaints_reference_date"]


def _number(config: dict[str, Any], section: str, key: str) -> Any:
    # check_rules_config has rejected every value that is not a number of this kind.
    return as_number(setting(config, section, key), SCHEMA[section][key].kind)


def _period_months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def complaints_reference_date(
    config: dict[str, Any], period_end: dt.date, run_date: dt.date | None
) -> dt.date:
    """Return the date to which rule 29 and complaint_results count a complaint's age.

    An explicit `[complaints] reference_date` wins. Otherwise it is the earlier of the period
    end and `run_date`, so that a run made before the period ends does not call a complaint
    overdue that is not yet. Without a run date it is the period end.
    """
    explicit = as_date(setting(config, "complaints", "reference_date"))
    if explicit is not None:
        return explicit
    if run_date is None:
        return period_end
    return min(period_end, run_date)


def parse_params(config: dict[str, Any], *, run_date: dt.date | None = None) -> RuleParams:
    """Check the parsed rules configuration and return its values; raise RulesConfigError
    listing every problem at once (see pipelines.rulesconfig).

    `run_date` is the calendar date on which the run started. It caps the default complaints
    reference date (see `complaints_reference_date`); None judges complaints at the period end.
    """
    check_rules_config(config)

    period = config["period"]
    start = as_date(period["start_date"])
    end = as_date(period["end_date"])
    assert start is not None and end is not None
    values = {
        # Only declared keys become columns of __rules_params.
        **{f"pkh_{key}": _number(config, "pkh", key) for key in SCHEMA["pkh"]},
        "name_mismatch_similarity": _number(config, "linking", "name_mismatch_similarity"),
        "sanggahan_response_days": _number(config, "complaints", "sanggahan_response_days"),
        "field_check_response_days": _number(config, "complaints", "field_check_response_days"),
        "umk_idr": _number(config, "wage", "umk_idr"),
        "max_record_age_days": _number(config, "stale", "max_record_age_days"),
        "period_months": _period_months(start, end),
        "complaints_reference_date": complaints_reference_date(config, end, run_date),
        "closed_complaint_statuses": [
            status.upper() for status in setting(config, "complaints", "closed_statuses")
        ],
        "include_missing_pkh_candidates": setting(
            config, "exclusion", "include_missing_pkh_candidates"
        ),
        "proxy_min_power_va": _number(config, "proxy", "min_power_va"),
        "kk_head_min_age": _number(config, "age", "kk_head_min_age"),
        "max_age": _number(config, "age", "max_age"),
    }
    programmes = {
        name: (
            _number(config, "desil_threshold", name),
            _number(config, "benefit_idr_per_month", name),
        )
        for name in PROGRAMMES
    }
    categories = setting(config, "exclusion", "business_categories")
    return RuleParams(
        version=config["version"],
        period_label=period_label(period),
        period_start_date=start,
        period_end_date=end,
        values=values,
        programmes=programmes,
        business_categories=tuple(category.upper() for category in categories),
    )


def write_params(con: duckdb.DuckDBPyConnection, params: RuleParams, run_id: str) -> None:
    """Write `__rules_params` (one row), `__rules_programmes` and `__rules_business_categories`."""
    columns = {
        "run_id": run_id,
        "config_version": params.version,
        "period_label": params.period_label,
        "period_start_date": params.period_start_date,
        "period_end_date": params.period_end_date,
        **params.values,
    }
    # Column names come from the keys above; values go through query parameters.
    select_list = ", ".join(f"? as {name}" for name in columns)
    query_rows(
        con,
        f"create or replace temp table __rules_params as select {select_list}",
        list(columns.values()),
    )

    run_sql(
        con,
        "create or replace temp table __rules_programmes "
        "(programme varchar, desil_threshold integer, benefit_idr_per_month bigint)",
    )
    for name, (threshold, benefit) in params.programmes.items():
        query_rows(
            con, "insert into __rules_programmes values (?, ?, ?)", [name, threshold, benefit]
        )

    run_sql(con, "create or replace temp table __rules_business_categories (category varchar)")
    for category in params.business_categories:
        query_rows(con, "insert into __rules_business_categories values (?)", [category])
