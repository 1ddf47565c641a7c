"""Rule parameters: the parsed config/rules.toml checked and written into one-row tables.

Rule SQL reads every threshold, benefit amount and date from `__rules_params` and
`__rules_programmes`, so no value of the configuration is repeated in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from pipelines.errors import ConfigError
from pipelines.i18n import _
from pipelines.sqlrun import query_rows, run_sql

PROGRAMMES = ("PKH", "BPNT", "PBI")

# Exclusion-list categories (stg_exclusion.category, upper case) that mean a company officer
# or owner from AHU/OSS; rule 16 reads them and rule 15 reads every other category.
DEFAULT_BUSINESS_CATEGORIES = ("AHU", "OSS", "PEMILIK USAHA", "PENGURUS PERUSAHAAN")

# Complaint statuses (upper case) that need no further response.
DEFAULT_CLOSED_STATUSES = ("SELESAI", "DITUTUP", "CLOSED", "DITOLAK", "TUNTAS")

_REQUIRED: dict[str, tuple[str, ...]] = {
    "period": ("start_date", "end_date", "label"),
    "desil_threshold": PROGRAMMES,
    "benefit_idr_per_month": PROGRAMMES,
    "pkh": (
        "elderly_min_age",
        "early_childhood_max_age",
        "school_min_age",
        "school_max_age",
        "max_components",
        "max_early_childhood",
        "max_pregnancies",
        "pengurus_min_age",
    ),
    "linking": ("name_mismatch_similarity",),
    "complaints": ("sanggahan_response_days", "field_check_response_days"),
    "wage": ("umk_idr",),
    "stale": ("max_record_age_days",),
}


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


def _as_date(section: str, key: str, value: Any) -> dt.date:
    # TOML reads 2026-12-31T10:00:00 as a datetime, which is a date with a time of day.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        # A quoted "2026-12-31T10:00:00" is taken as its date, like the unquoted one.
        return dt.datetime.fromisoformat(str(value)).date()
    except ValueError as e:
        raise ConfigError(
            _("Rules config [{section}] {key} = {value} is not a date. Write YYYY-MM-DD.").format(
                # Name a TOML time of day as written (10:00:00), not as datetime.time(10, 0).
                section=section, key=key, value=repr(value) if isinstance(value, str) else value
            )
        ) from e


def _as_number(section: str, key: str, value: Any, kind: type) -> int | float:
    """Return `value` as an int or float; raise ConfigError naming the key when it is not one."""
    if not isinstance(value, bool):
        try:
            number = kind(value)
        except (TypeError, ValueError):
            pass
        else:
            if kind is float or number == float(value):
                return number
    message = (
        _("Rules config [{section}] {key} = {value} is not a whole number. Write digits only, "
          "without quotes.")
        if kind is int
        else _("Rules config [{section}] {key} = {value} is not a number. Write digits only, "
               "with a point for decimals and without quotes.")
    )
    raise ConfigError(message.format(section=section, key=key, value=repr(value)))


def _int(config: dict[str, Any], section: str, key: str, default: Any = None) -> int:
    value = config.get(section, {}).get(key, default)
    return int(_as_number(section, key, value, int))


def _float(config: dict[str, Any], section: str, key: str) -> float:
    return float(_as_number(section, key, config[section][key], float))


def _programme_values(config: dict[str, Any], name: str) -> tuple[int, int]:
    """Return the desil threshold and monthly benefit of programme `name`.

    Raise ConfigError when the threshold is not a desil (1 to 10) or the benefit is negative.
    """
    threshold = _int(config, "desil_threshold", name)
    if not 1 <= threshold <= 10:
        raise ConfigError(
            _("Rules config [desil_threshold] {key} = {value} is not a desil. Write the highest "
              "eligible desil, from 1 to 10.").format(key=name, value=threshold)
        )
    benefit = _int(config, "benefit_idr_per_month", name)
    if benefit < 0:
        raise ConfigError(
            _("Rules config [benefit_idr_per_month] {key} = {value} is negative. Write the "
              "benefit in rupiah per month, 0 or more.").format(key=name, value=benefit)
        )
    return threshold, benefit


def _missing_keys(config: dict[str, Any]) -> list[str]:
    missing = []
    for section, keys in _REQUIRED.items():
        table = config.get(section)
        for key in keys:
            if not isinstance(table, dict) or key not in table:
                missing.append(f"[{section}] {key}")
    return missing


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
    explicit = config.get("complaints", {}).get("reference_date")
    if explicit is not None:
        return _as_date("complaints", "reference_date", explicit)
    if run_date is None:
        return period_end
    return min(period_end, run_date)


def parse_params(config: dict[str, Any], *, run_date: dt.date | None = None) -> RuleParams:
    """Check the parsed rules configuration and return its values; raise ConfigError listing
    every missing key at once.

    `run_date` is the calendar date on which the run started. It caps the default complaints
    reference date (see `complaints_reference_date`); None judges complaints at the period end.
    """
    missing = _missing_keys(config)
    if missing:
        raise ConfigError(
            _("Rules config is missing {keys}. Add them to this rules file.").format(
                keys=", ".join(missing)
            )
        )

    period = config["period"]
    start = _as_date("period", "start_date", period["start_date"])
    end = _as_date("period", "end_date", period["end_date"])
    if end < start:
        raise ConfigError(
            _("Rules config [period] end_date {end} is before start_date {start}.").format(
                end=end, start=start
            )
        )

    values = {
        **{f"pkh_{key}": _int(config, "pkh", key) for key in config["pkh"]},
        "name_mismatch_similarity": _float(config, "linking", "name_mismatch_similarity"),
        "sanggahan_response_days": _int(config, "complaints", "sanggahan_response_days"),
        "field_check_response_days": _int(config, "complaints", "field_check_response_days"),
        "umk_idr": _int(config, "wage", "umk_idr"),
        "max_record_age_days": _int(config, "stale", "max_record_age_days"),
        "period_months": _period_months(start, end),
        "complaints_reference_date": complaints_reference_date(config, end, run_date),
        "closed_complaint_statuses": [
            str(v).upper()
            for v in config["complaints"].get("closed_statuses", DEFAULT_CLOSED_STATUSES)
        ],
        "include_missing_pkh_candidates": bool(
            config.get("exclusion", {}).get("include_missing_pkh_candidates", True)
        ),
        "proxy_min_power_va": _int(config, "proxy", "min_power_va", 1300),
        "kk_head_min_age": _int(config, "age", "kk_head_min_age", 15),
        "max_age": _int(config, "age", "max_age", 110),
    }
    programmes = {name: _programme_values(config, name) for name in PROGRAMMES}
    categories = config.get("exclusion", {}).get("business_categories", DEFAULT_BUSINESS_CATEGORIES)
    return RuleParams(
        version=str(config.get("version", "")),
        period_label=str(period["label"]),
        period_start_date=start,
        period_end_date=end,
        values=values,
        programmes=programmes,
        business_categories=tuple(str(c).upper() for c in categories),
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
