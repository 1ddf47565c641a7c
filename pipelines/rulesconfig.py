"""Sections and keys of the rules configuration (config/rules.toml) and the checks on them.

Every key that the pipeline reads is declared here with its type and range. `check_rules_config`
reports each unknown or misspelt section or key, each value of the wrong type (a quoted number
or boolean, a text where a list belongs) and each value out of range. It runs when the file is
loaded, before any source file is read, so a typo never changes an audit silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils

from pipelines.errors import ConfigError
from pipelines.i18n import _, current_language

PROGRAMMES = ("PKH", "BPNT", "PBI")

# Exclusion-list categories (stg_exclusion.category, upper case) that mean a company officer
# or owner from AHU/OSS; rule 16 reads them and rule 15 reads every other category.
DEFAULT_BUSINESS_CATEGORIES = ("AHU", "OSS", "PEMILIK USAHA", "PENGURUS PERUSAHAAN")

# Complaint statuses (upper case) that need no further response.
DEFAULT_CLOSED_STATUSES = ("SELESAI", "DITUTUP", "CLOSED", "DITOLAK", "TUNTAS")

# A roster period as stg_period (sql/staging/_macros.sql) writes it from a TAHAP cell: the year,
# "-T" and the tahap number without a leading zero. PKH and BPNT pay four tahap a year, one per
# quarter, so tahap 4 of 2026 is October to December 2026. The rules file may write the label
# as roster cells do, in lower case or with a leading zero (2026-t4, 2026-T04).
_LABEL_PATTERN = re.compile(r"^(20[0-9]{2})-T0?([1-4])$", re.IGNORECASE)
TAHAP_PER_YEAR = 4

# Below this similarity score (0-100) a known name is not offered as the one meant.
_SUGGESTION_CUTOFF = 75


@dataclass(frozen=True)
class Key:
    """Type and allowed range of one key. `kind` is int, float, bool, date, text or list."""

    kind: str
    required: bool = True
    minimum: int | float | None = None
    maximum: int | float | None = None


def _age(required: bool = True) -> Key:
    return Key("int", required, 0, 120)


def _share() -> Key:
    return Key("float", True, 0, 1)


SCHEMA: dict[str, dict[str, Key]] = {
    "period": {"start_date": Key("date"), "end_date": Key("date"), "label": Key("text")},
    "desil_threshold": {name: Key("int", True, 1, 10) for name in PROGRAMMES},
    "benefit_idr_per_month": {name: Key("int", True, 0) for name in PROGRAMMES},
    "pkh": {
        "elderly_min_age": _age(),
        "early_childhood_max_age": _age(),
        "school_min_age": _age(),
        "school_max_age": _age(),
        "max_components": Key("int", True, 1),
        "max_early_childhood": Key("int", True, 0),
        "max_pregnancies": Key("int", True, 0),
        "pengurus_min_age": _age(),
    },
    "linking": {
        "match_threshold": _share(),
        "possible_threshold": _share(),
        "name_mismatch_similarity": _share(),
    },
    "complaints": {
        "sanggahan_response_days": Key("int", True, 1),
        "field_check_response_days": Key("int", True, 1),
        "reference_date": Key("date", required=False),
        "closed_statuses": Key("list", required=False),
    },
    "wage": {"umk_idr": Key("int", True, 1)},
    "stale": {"max_record_age_days": Key("int", True, 1)},
    "exclusion": {
        "business_categories": Key("list", required=False),
        "include_missing_pkh_candidates": Key("bool", required=False),
    },
    "proxy": {"min_power_va": Key("int", False, 1)},
    "age": {"kk_head_min_age": _age(required=False), "max_age": _age(required=False)},
}

# Keys outside any section.
TOP_LEVEL: dict[str, Key] = {"version": Key("text")}

# (section, lower key, upper key): the first may not be above the second. A missing optional
# key takes its default from DEFAULTS.
ORDERED_PAIRS = (
    ("pkh", "school_min_age", "school_max_age"),
    ("linking", "possible_threshold", "match_threshold"),
    ("age", "kk_head_min_age", "max_age"),
)

# Values of optional keys that the configuration leaves out.
DEFAULTS: dict[tuple[str, str], Any] = {
    ("complaints", "closed_statuses"): DEFAULT_CLOSED_STATUSES,
    ("exclusion", "business_categories"): DEFAULT_BUSINESS_CATEGORIES,
    ("exclusion", "include_missing_pkh_candidates"): True,
    ("proxy", "min_power_va"): 1300,
    ("age", "kk_head_min_age"): 15,
    ("age", "max_age"): 110,
}


class RulesConfigError(ConfigError):
    """The rules configuration has one or more problems, each a full sentence in `problems`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


def shown(value: Any) -> str:
    """Return `value` as a message shows it: texts in quotes, true and false as TOML writes
    them, a time of day as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, (str, list, tuple)) else str(value)


def setting(config: dict[str, Any], section: str, key: str) -> Any:
    """Return the value of `[section] key`, or its default when the configuration leaves it out."""
    table = config.get(section)
    if isinstance(table, dict) and key in table:
        return table[key]
    return DEFAULTS.get((section, key))


def check_rules_config(config: dict[str, Any]) -> None:
    """Check every section and key of the parsed rules configuration; raise RulesConfigError
    listing every problem found."""
    problems: list[str] = []
    missing: list[str] = []

    _check_top_level(config, problems, missing)
    for section, keys in SCHEMA.items():
        table = config.get(section)
        if table is None:
            missing.extend(f"[{section}] {key}" for key, spec in keys.items() if spec.required)
            continue
        if not isinstance(table, dict):
            problems.append(
                _("Rules config {section} = {value} is not a section. Write a line [{section}] "
                  "followed by its keys.").format(section=section, value=shown(table))
            )
            continue
        for key, value in table.items():
            if key not in keys:
                problems.append(_unknown_key(f"[{section}] {key}", value, section, key))
                continue
            problem = check_value(section, key, value)
            if problem:
                problems.append(problem)
        missing.extend(
            f"[{section}] {key}" for key, spec in keys.items() if spec.required and key not in table
        )

    # Listed after the unknown keys: a misspelt key is reported as unknown, with the key it
    # probably means, and then as missing.
    if missing:
        problems.append(_missing(missing))
    if not problems:
        problems.extend(_check_orders(config, list(SCHEMA)))
        problems.extend(_check_period(config["period"]))
    if problems:
        raise RulesConfigError(problems)


def linking_thresholds(linking: dict[str, Any]) -> tuple[float, float]:
    """Return `match_threshold` and `possible_threshold` of the [linking] section `linking`;
    raise RulesConfigError as `check_rules_config` does when they are missing or invalid."""
    keys = ("match_threshold", "possible_threshold")
    missing = [f"[linking] {key}" for key in keys if key not in linking]
    if missing:
        raise RulesConfigError([_missing(missing)])
    problems = [
        problem for key in keys if (problem := check_value("linking", key, linking[key]))
    ]
    if not problems:
        problems = _check_orders({"linking": linking}, ["linking"])
    if problems:
        raise RulesConfigError(problems)
    return float(linking["match_threshold"]), float(linking["possible_threshold"])


def _missing(keys: list[str]) -> str:
    if len(keys) == 1:
        return _("Rules config is missing {key}. Add it to this rules file.").format(key=keys[0])
    return _("Rules config is missing {keys}. Add them to this rules file.").format(
        keys=", ".join(keys)
    )


def _check_top_level(config: dict[str, Any], problems: list[str], missing: list[str]) -> None:
    for name, value in config.items():
        if name in SCHEMA:
            continue
        if name not in TOP_LEVEL:
            if isinstance(value, dict):
                problems.append(_unknown_section(name))
            else:
                problems.append(_unknown_key(name, value, None, name))
            continue
        version = value
        if not isinstance(version, str) or not version.strip():
            problems.append(
                _("Rules config version = {value} is not a version. Write a non-empty text in "
                  "quotes, for example version = \"2026.12-1\".").format(value=shown(version))
            )
    if "version" not in config:
        missing.append("version")


def _suggest(name: str, choices: list[str]) -> str | None:
    best = process.extractOne(
        name,
        choices,
        scorer=lambda a, b, **kw: max(fuzz.ratio(a, b, **kw), fuzz.WRatio(a, b, **kw)),
        processor=utils.default_process,
        score_cutoff=_SUGGESTION_CUTOFF,
    )
    return best[0] if best else None


def _unknown_section(section: str) -> str:
    suggestion = _suggest(section, list(SCHEMA))
    if suggestion:
        return _(
            "Rules config section [{section}] is not a known section. Did you mean "
            "[{suggestion}]? Rename it, or remove it."
        ).format(section=section, suggestion=suggestion)
    return _(
        "Rules config section [{section}] is not a known section. Remove it, or use one of "
        "{sections}."
    ).format(section=section, sections=", ".join(f"[{name}]" for name in SCHEMA))


def _unknown_key(where: str, value: Any, section: str | None, key: str) -> str:
    """Return the message for an unknown key `where` (`[section] key`, or `key` at the top)."""
    known = list(SCHEMA[section]) if section else list(TOP_LEVEL)
    # The right key in the wrong section, such as reference_date under [period], is named with
    # its section. Otherwise a close key of the same section is offered.
    owners = [name for name, keys in SCHEMA.items() if key in keys and name != section]
    suggestion = f"[{owners[0]}] {key}" if owners else _suggest(key, known)
    if suggestion and section and not owners:
        suggestion = f"[{section}] {suggestion}"
    if suggestion:
        return _(
            "Rules config {where} = {value} is not a known key. Did you mean {suggestion}? "
            "Correct it, or remove it."
        ).format(where=where, value=shown(value), suggestion=suggestion)
    return _(
        "Rules config {where} = {value} is not a known key. Remove it, or use one of {keys}."
    ).format(where=where, value=shown(value), keys=", ".join(known))


def check_value(section: str, key: str, value: Any) -> str | None:
    """Return the problem with the value of `[section] key`, or None when it is valid."""
    spec = SCHEMA[section][key]
    if spec.kind == "date":
        return None if as_date(value) is not None else _not_a_date(section, key, value)
    if spec.kind == "text":
        if isinstance(value, str) and value.strip():
            return None
        return _(
            "Rules config [{section}] {key} = {value} is not a text. Write it in quotes, for "
            "example {key} = \"2026-T4\"."
        ).format(section=section, key=key, value=shown(value))
    if spec.kind == "bool":
        if isinstance(value, bool):
            return None
        return _(
            "Rules config [{section}] {key} = {value} is not true or false. Write {key} = true "
            "or {key} = false, without quotes."
        ).format(section=section, key=key, value=shown(value))
    if spec.kind == "list":
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            return None
        example = [value] if isinstance(value, str) and value.strip() else list(
            DEFAULTS[(section, key)][:2]
        )
        return _(
            "Rules config [{section}] {key} = {value} is not a list of texts. Write the texts "
            "in brackets, for example {key} = {example}."
        ).format(
            section=section, key=key, value=shown(value),
            example="[" + ", ".join(f'"{v}"' for v in example) + "]",
        )
    return _check_number(section, key, value, spec)


def _grouped(amount: int) -> str:
    """Return `amount` with thousands grouped as the current language writes them.

    pipelines.publish.formatting does the same, but importing it loads the publish package,
    which the rules-file check does not need."""
    text = f"{amount:,}"
    return text.replace(",", ".") if current_language() == "id" else text


# A rupiah amount read below this, with at most three decimals, was most likely typed with a
# thousands dot (750.000 for 750000): the UMK and the monthly benefits are below Rp 100 million.
THOUSANDS_DOT_BELOW = 100_000


def _may_have_thousands_dot(value: float) -> bool:
    """Return whether `value` reads like an amount typed with one thousands dot."""
    thousands = value * 1000
    return 0 < value < THOUSANDS_DOT_BELOW and abs(thousands - round(thousands)) < 1e-6


# (section, key) of the rupiah amounts: the benefits per programme and the UMK.
RUPIAH_KEYS = frozenset({
    *(("benefit_idr_per_month", programme) for programme in PROGRAMMES), ("wage", "umk_idr"),
})


def _check_number(section: str, key: str, value: Any, spec: Key) -> str | None:
    number = as_number(value, spec.kind)
    if number is None:
        if isinstance(value, str) and as_number(value.strip(), spec.kind, quoted=True) is not None:
            return _(
                "Rules config [{section}] {key} = {value} is a number in quotes, which TOML "
                "reads as text. Write it without quotes: {key} = {number}."
            ).format(section=section, key=key, value=shown(value), number=value.strip())
        if (
            spec.kind == "int" and isinstance(value, float) and (section, key) in RUPIAH_KEYS
            and _may_have_thousands_dot(value)
        ):
            # 42.000 reads as 42.0, so the amount meant with a thousands dot is most likely 1000
            # times the value read.
            return _(
                "Rules config [{section}] {key} = {value} has a decimal point, but the key takes "
                "whole rupiah. A dot in a TOML number marks decimals, not thousands: for "
                "Rp {thousands}, write {key} = {digits} or {key} = {grouped}."
            ).format(section=section, key=key, value=shown(value),
                     thousands=_grouped(round(value * 1000)),
                     digits=round(value * 1000), grouped=f"{round(value * 1000):_}")
        if spec.kind == "int" and isinstance(value, float):
            message = _("Rules config [{section}] {key} = {value} is not a whole number. Write "
                        "it without a decimal point.")
        elif spec.kind == "int":
            message = _("Rules config [{section}] {key} = {value} is not a whole number. Write "
                        "digits only, without quotes.")
        else:
            message = _("Rules config [{section}] {key} = {value} is not a number. Write digits "
                        "only, with a point for decimals and without quotes.")
        return message.format(section=section, key=key, value=shown(value))

    low, high = spec.minimum, spec.maximum
    if (low is None or number >= low) and (high is None or number <= high):
        return None
    if section == "desil_threshold":
        return _(
            "Rules config [desil_threshold] {key} = {value} is not a desil. Write the highest "
            "eligible desil, from 1 to 10."
        ).format(key=key, value=value)
    if section == "benefit_idr_per_month":
        return _(
            "Rules config [benefit_idr_per_month] {key} = {value} is negative. Write the "
            "benefit in rupiah per month, 0 or more."
        ).format(key=key, value=value)
    if high is None:
        return _(
            "Rules config [{section}] {key} = {value} is out of range. Write {minimum} or more."
        ).format(section=section, key=key, value=value, minimum=low)
    return _(
        "Rules config [{section}] {key} = {value} is out of range. Write a value from "
        "{minimum} to {maximum}."
    ).format(section=section, key=key, value=value, minimum=low, maximum=high)


def as_number(value: Any, kind: str, *, quoted: bool = False) -> int | float | None:
    """Return `value` as an int (kind "int") or float, or None when it is not one.

    TOML numbers only: a text such as "4" is None unless `quoted`, which parses it to tell the
    user that only its quotes are wrong. A boolean is never a number.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not quoted:
            return None
        try:
            value = float(value) if kind == "float" or "." in value else int(value)
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        return None
    if kind == "float":
        return float(value)
    # A whole-number key takes no decimal point, not even 250.000, which TOML reads as 250.0:
    # in Indonesian a dot groups thousands, so that value most likely means 250000.
    if isinstance(value, float):
        return None
    return int(value)


def as_date(value: Any) -> dt.date | None:
    """Return `value` (a TOML date or datetime, or a quoted ISO date) as a date, or None."""
    # TOML reads 2026-12-31T10:00:00 as a datetime, which is a date with a time of day.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        # A quoted "2026-12-31T10:00:00" is taken as its date, like the unquoted one.
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _not_a_date(section: str, key: str, value: Any) -> str:
    return _("Rules config [{section}] {key} = {value} is not a date. Write YYYY-MM-DD.").format(
        # Name a TOML time of day as written (10:00:00), not as datetime.time(10, 0).
        section=section, key=key, value=shown(value)
    )


def _check_orders(config: dict[str, Any], sections: list[str]) -> list[str]:
    problems = []
    for section, low_key, high_key in ORDERED_PAIRS:
        if section not in sections:
            continue
        low = setting(config, section, low_key)
        high = setting(config, section, high_key)
        if low > high:
            problems.append(
                _("Rules config [{section}] {low_key} = {low} is above {high_key} = {high}. "
                  "Write a {low_key} of at most {high}, or raise {high_key}.").format(
                    section=section, low_key=low_key, low=low, high_key=high_key, high=high
                )
            )
    return problems


def tahap_dates(year: int, tahap: int) -> tuple[dt.date, dt.date]:
    """Return the first and last day of tahap `tahap` (a quarter) of `year`."""
    first_month = 3 * (tahap - 1) + 1
    start = dt.date(year, first_month, 1)
    end = (dt.date(year + 1, 1, 1) if tahap == TAHAP_PER_YEAR
           else dt.date(year, first_month + 3, 1)) - dt.timedelta(days=1)
    return start, end


def period_label(period: dict[str, Any]) -> str:
    """Return the [period] label of a checked rules configuration as roster periods are
    written in staging: 2026-T4 for 2026-t4 or 2026-T04."""
    matched = _LABEL_PATTERN.match(period["label"].strip())
    assert matched is not None, "check_rules_config accepts only labels of this form"
    return f"{matched.group(1)}-T{matched.group(2)}"


def tahap_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _check_period(period: dict[str, Any]) -> list[str]:
    """Check that the dates are in order and lie in the one tahap that `label` names."""
    start = as_date(period["start_date"])
    end = as_date(period["end_date"])
    label = period["label"]
    assert start is not None and end is not None
    if end < start:
        return [
            _("Rules config [period] end_date {end} is before start_date {start}. Write the "
              "first day of the period as start_date and its last day as end_date.").format(
                end=end, start=start
            )
        ]
    if (start.year, tahap_of(start)) != (end.year, tahap_of(end)):
        return [
            _("Rules config [period] start_date {start} and end_date {end} lie in different "
              "tahap. A period is one tahap of a quarter (T1 January to March, T4 October to "
              "December), because roster rows are matched to it by tahap. Set both dates "
              "within one tahap.").format(start=start, end=end)
        ]

    expected = f"{start.year}-T{tahap_of(start)}"
    matched = _LABEL_PATTERN.match(label.strip())
    if not matched:
        return [
            _("Rules config [period] label = {value} is not a period like \"2026-T4\", the "
              "form in which roster rows carry their tahap. Write the year, -T and the tahap "
              "number from 1 to 4: label = \"{expected}\" for start_date {start}.").format(
                value=shown(label), expected=expected, start=start
            )
        ]
    year, tahap = int(matched.group(1)), int(matched.group(2))
    if (year, tahap) != (start.year, tahap_of(start)):
        first, last = tahap_dates(year, tahap)
        return [
            _("Rules config [period] label = {value} does not match start_date {start} and "
              "end_date {end}, because tahap {tahap} of {year} runs from {first} to {last}. "
              "Write label = \"{expected}\", or dates within tahap {tahap}.").format(
                value=shown(label), start=start, end=end, tahap=tahap, year=year,
                first=first, last=last, expected=expected,
            )
        ]
    return []
