"""Load the TOML run configuration (for example `config/demo.toml`) and the rules configuration.

Paths in the file are relative to the file itself. Every problem found is collected and raised
together as one ConfigError, so a user fixes the file in one pass.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import ConfigError
from pipelines.i18n import N_, _
from pipelines.ingest.sources import SOURCE_KINDS, source_definition
from pipelines.rulesconfig import RulesConfigError, check_rules_config

_RUN_KEYS = ("name", "region_code", "rules", "raw_dir", "marts_dir")
_SOURCE_KEYS = (
    "kind", "path", "snapshot_date", "period", "sheet", "header_row", "columns", "aliases",
)
_PERIOD_PATTERN = re.compile(r"^20[0-9]{2}-T[0-9]{1,2}$")


@dataclass(frozen=True)
class SourceSpec:
    """One `[[sources]]` entry: which files to read and how to map their headers."""

    kind: str | None
    path: str
    raw_dir: Path
    snapshot_date: dt.date | None = None
    # Payment period of a roster (`2026-T4`) for files whose rows carry no tahap with a year.
    period: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    # (file header, canonical column) pairs from `[sources.columns]`.
    columns: tuple[tuple[str, str], ...] = ()
    # (canonical column, extra headers) pairs from `[sources.aliases]`.
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def files(self) -> list[Path]:
        """Return the files matching `path` under `raw_dir`, sorted by name."""
        pattern = self.raw_dir / self.path
        if glob.has_magic(self.path):
            return sorted(Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file())
        return [pattern] if pattern.is_file() else []

    def relative_name(self, file: Path) -> str:
        """Return `file` relative to the raw folder, as recorded in `source_file`."""
        try:
            return file.resolve().relative_to(self.raw_dir.resolve()).as_posix()
        except ValueError:
            return file.name


@dataclass(frozen=True)
class RunConfig:
    name: str
    region_code: str
    rules_path: Path
    raw_dir: Path
    marts_dir: Path
    config_path: Path
    sources: tuple[SourceSpec, ...] = field(default=())


def load_run_config(path: Path) -> RunConfig:
    """Read and check a run configuration; raise ConfigError listing every problem."""
    path = Path(path)
    data = _read_toml(
        path,
        _("Run configuration {path} not found."),
        _("Run configuration {path} is not valid TOML: {error}"),
    )

    errors: list[str] = []
    base = path.resolve().parent
    run = _check_run_table(data, errors)
    raw_dir = _resolve(base, str(run.get("raw_dir", ".")))
    sources = _check_sources(data, raw_dir, errors)
    _check_unknown_top_level(data, errors)
    _check_paths(run, base, errors)

    if errors:
        raise ConfigError(
            _("Run configuration {path} has {count} problem(s):").format(
                path=path, count=len(errors)
            )
            + "\n"
            + "\n".join(f"- {e}" for e in errors)
        )
    return RunConfig(
        name=run["name"],
        region_code=run["region_code"],
        rules_path=_resolve(base, run["rules"]),
        raw_dir=raw_dir,
        marts_dir=_resolve(base, run["marts_dir"]),
        config_path=path.resolve(),
        sources=tuple(sources),
    )


def _resolve(base: Path, relative: str) -> Path:
    """Return `base / relative` with `..` parts and symbolic links resolved, so that messages
    name a clean absolute path."""
    return (base / relative).resolve()


def load_rules_config(path: Path) -> dict:
    """Read and check the rules configuration (thresholds, amounts, period).

    Raise ConfigError when the file is missing, is not TOML or has problems. Each line of the
    message names the file."""
    config = _read_toml(
        Path(path),
        _("Rules configuration {path} not found."),
        _("Rules configuration {path} is not valid TOML: {error}"),
    )
    if "version" not in config:
        raise ConfigError(
            _("Rules configuration {path} has no `version`. Add one, for example "
              "version = \"2026.12-1\".").format(path=path)
        )
    # Checked now, so that a bad threshold or a misspelt key stops the run before ingest.
    try:
        check_rules_config(config)
    except RulesConfigError as e:
        raise ConfigError("\n".join(f"{path}: {problem}" for problem in e.problems)) from e
    return config


def _read_toml(path: Path, not_found: str, invalid: str) -> dict:
    """Parse the TOML file `path`. Raise ConfigError with the message template `not_found`
    ({path}) or `invalid` ({path}, {error})."""
    try:
        # utf-8-sig drops the byte order mark that Windows Notepad may write at the start.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise ConfigError(not_found.format(path=path)) from e
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(invalid.format(path=path, error=_toml_error(e, text))) from e


# tomllib ends each message with the place of the error, as "(at line 51, column 16)".
_TOML_ERROR_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)$")
_TOML_ERROR_AT_END = re.compile(r"\(at end of document\)$")
# A date written day first, as Indonesian forms do: 01-10-2026 or 1/10/2026.
_DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")
# A TOML integer or float, with underscores between digits.
_TOML_NUMBER = re.compile(r"[+-]?[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?")
# A decimal comma (0,92) or thousands commas (2,550,000).
_NUMBER_WITH_COMMA = re.compile(r"=\s*-?[0-9]+,[0-9]")
# A value with a letter and no quote marks, such as label = 2026-T4.
_UNQUOTED_TEXT = re.compile(r"^([A-Za-z0-9_-]+)\s*=\s*([^\"'\[{#\s][^\"'#]*?)\s*(#.*)?$")
# A number followed by a comma or semicolon, as in a list or a programming language: PKH = 4,
_NUMBER_THEN_PUNCTUATION = re.compile(
    r"^([A-Za-z0-9_-]+)\s*=\s*([+-]?[0-9][0-9_]*(?:\.[0-9_]+)?)\s*([,;]+)\s*(#.*)?$"
)
# A number with thousands dots, such as 2.550.000, or an amount written 250.000.
_THOUSANDS_DOTS = re.compile(r"=\s*[0-9]{1,3}(\.[0-9]{3})+\s*(#.*)?$")


def _toml_error(error: tomllib.TOMLDecodeError, text: str) -> str:
    """Return a TOML syntax error in the current language: the line and its text, tomllib's
    own description, and what usually fixes such a line."""
    detail = str(error)
    lines = text.splitlines()
    place = _TOML_ERROR_PLACE.search(detail)
    if place is not None:
        line_number = int(place.group(1))
    elif (place := _TOML_ERROR_AT_END.search(detail)) is not None:
        # A quote left open runs to the end of the file: name the first line with an odd number
        # of quote marks, else the last line that has text.
        with_text = [number for number, line in enumerate(lines, start=1) if line.strip()]
        line_number = next(
            (number for number in with_text if _has_open_quote(lines[number - 1])),
            with_text[-1] if with_text else 0,
        )
    else:
        return detail
    line = lines[line_number - 1].strip() if 0 < line_number <= len(lines) else ""
    if _THOUSANDS_DOTS.search(line):
        hint = _("Write numbers without thousands dots, such as 2550000 or 2_550_000.")
    elif _NUMBER_WITH_COMMA.search(line):
        hint = _("Write decimals with a point, such as 0.92, and numbers without thousands "
                 "commas, such as 2550000.")
    elif detail.startswith("Cannot overwrite a value") or detail.startswith("Cannot declare"):
        hint = _("A key or table appears twice; keep one of them.")
    elif _has_open_quote(line):
        hint = _("Close the text with a second quote mark on the same line.")
    elif trailing := _NUMBER_THEN_PUNCTUATION.match(line):
        hint = _("Remove the '{mark}' after the number: {key} = {number}.").format(
            mark=trailing.group(3), key=trailing.group(1), number=trailing.group(2)
        )
    elif (unquoted := _UNQUOTED_TEXT.match(line)) and (
        day_first := _DAY_FIRST_DATE.fullmatch(unquoted.group(2).strip())
    ):
        day, month, year = day_first.groups()
        hint = _("Write dates as year-month-day: {key} = {year}-{month}-{day}.").format(
            key=unquoted.group(1), year=year, month=month.zfill(2), day=day.zfill(2)
        )
    elif (unquoted := _UNQUOTED_TEXT.match(line)) and _is_text(unquoted.group(2)):
        hint = _("Write text between quote marks: {key} = \"{value}\".").format(
            key=unquoted.group(1), value=unquoted.group(2).strip()
        )
    else:
        hint = _("Check the quotes, brackets and the = sign on that line.")
    return _("line {line}: {text} ({detail}). {hint}").format(
        line=line_number, text=line or "-", detail=_toml_detail(detail[:place.start()].strip()),
        hint=hint,
    )


def _has_open_quote(line: str) -> bool:
    """Tell whether a line has an odd number of " or ' marks before any comment."""
    code = line.split("#", 1)[0]
    return code.count('"') % 2 == 1 or code.count("'") % 2 == 1


def _is_text(value: str) -> bool:
    """Tell whether an unquoted TOML value that failed to parse is text to quote: it has a
    letter and is not a boolean, or it is no number (a version such as 2026.12-1)."""
    if value in ("true", "false"):
        return False
    return bool(re.search(r"[A-Za-z]", value)) or _TOML_NUMBER.fullmatch(value) is None


def _table_name(parts: str) -> str:
    """Write the key parts of a TOML table as tomllib names them, 'pkh', 'x', as [pkh.x]."""
    return "[" + ".".join(part.strip().strip("'\"") for part in parts.split(",")) + "]"


# tomllib's descriptions that name a key or character, each with the function that writes the
# name for the user. tomllib names a table written twice as a Python tuple, ('pkh',).
_TOML_DETAILS_WITH_VALUE = (
    (re.compile(r"^Cannot declare \((.+?),?\) twice$"), N_("Cannot declare {value} twice"),
     _table_name),
    (re.compile(r"^Illegal character (.+)$"), N_("Illegal character {value}"), str),
    (re.compile(r"^Found invalid character (.+)$"), N_("Found invalid character {value}"), str),
    (re.compile(r"^Duplicate inline table key (.+)$"), N_("Duplicate inline table key {value}"),
     str),
    (re.compile(r"^Expected (['\"].+['\"])$"), N_("Expected {value}"), str),
)


def _toml_detail(detail: str) -> str:
    """Return tomllib's description of a syntax error in the current language. A description
    the catalog lacks, as from a later Python, stays as tomllib wrote it."""
    for pattern, template, written in _TOML_DETAILS_WITH_VALUE:
        matched = pattern.match(detail)
        if matched:
            return _(template).format(value=written(matched.group(1)))
    return _(detail) if detail in _TOML_DETAILS else detail


_TOML_DETAILS = frozenset((
    N_("Expected newline or end of document after a statement"),
    N_("Expected '=' after a key in a key/value pair"),
    N_("Expected ']' at the end of a table declaration"),
    N_("Expected ']]' at the end of an array declaration"),
    N_("Invalid value"),
    N_("Invalid statement"),
    N_("Invalid initial character for a key part"),
    N_("Invalid date or datetime"),
    N_("Unclosed array"),
    N_("Unclosed inline table"),
    N_("Unterminated string"),
    N_("Cannot overwrite a value"),
))


def _check_unknown_top_level(data: dict, errors: list[str]) -> None:
    for key in data:
        if key not in ("run", "sources"):
            errors.append(
                _("unknown table [{key}]; allowed: [run], [[sources]]").format(key=key)
            )


def _check_run_table(data: dict, errors: list[str]) -> dict:
    run = data.get("run")
    if not isinstance(run, dict):
        errors.append(_("[run] table is missing; it needs the keys {keys}").format(
            keys=", ".join(_RUN_KEYS)))
        return {}

    for key in run:
        if key not in _RUN_KEYS:
            errors.append(_("[run].{key} is not a known key; allowed: {keys}").format(
                key=key, keys=", ".join(_RUN_KEYS)))
    for key in _RUN_KEYS:
        value = run.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(_("[run].{key} is missing or not a non-empty string").format(key=key))

    region = run.get("region_code")
    if isinstance(region, str) and not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{10}", region):
        errors.append(
            _("[run].region_code {value!r} is invalid; use a Kemendagri code without dots "
              "with 2, 4, 6 or 10 digits, for example \"3325\"").format(value=region)
        )
    return run


def _check_paths(run: dict, base: Path, errors: list[str]) -> None:
    rules = run.get("rules")
    if isinstance(rules, str) and rules and not _resolve(base, rules).is_file():
        errors.append(_("[run].rules: file {path} not found").format(path=_resolve(base, rules)))
    raw_dir = run.get("raw_dir")
    if isinstance(raw_dir, str) and raw_dir and not _resolve(base, raw_dir).is_dir():
        errors.append(
            _("[run].raw_dir: folder {path} not found").format(path=_resolve(base, raw_dir))
        )
    marts_dir = run.get("marts_dir")
    if isinstance(marts_dir, str) and marts_dir:
        _check_output_folder(_resolve(base, marts_dir), errors)


def _check_output_folder(folder: Path, errors: list[str]) -> None:
    # The marts folder, its parent (which contains work/ and review/) and their parents must be
    # folders or not exist yet. A file in the way would otherwise fail late, after linking.
    for path in (folder, *folder.parents):
        if path.exists() and not path.is_dir():
            errors.append(
                _(
                    "[run].marts_dir: {path} is a file, not a folder. Give a folder path, or "
                    "move that file away."
                ).format(path=path)
            )
            return


def _check_sources(data: dict, raw_dir: Path, errors: list[str]) -> list[SourceSpec]:
    entries = data.get("sources")
    if not isinstance(entries, list) or not entries:
        errors.append(_("no [[sources]] entries; add at least one with `kind` and `path`"))
        return []
    specs = []
    for number, entry in enumerate(entries, start=1):
        spec = _check_source(entry, number, raw_dir, errors)
        if spec is not None:
            specs.append(spec)
    return specs


def _check_source(entry: dict, number: int, raw_dir: Path, errors: list[str]):
    where = f"[[sources]] #{number}"
    count_before = len(errors)
    for key in entry:
        if key not in _SOURCE_KEYS:
            errors.append(_("{where}.{key} is not a known key; allowed: {keys}").format(
                where=where, key=key, keys=", ".join(_SOURCE_KEYS)))

    kind = entry.get("kind")
    if kind is not None and kind not in SOURCE_KINDS:
        errors.append(_("{where}.kind {value!r} is not a source kind; allowed: {kinds}").format(
            where=where, value=kind, kinds=", ".join(SOURCE_KINDS)))
        kind = None
    path = entry.get("path")
    if not isinstance(path, str) or not path.strip():
        errors.append(_("{where}.path is missing; give a file name or a glob such as "
                        "\"pkh_*.xlsx\", relative to raw_dir").format(where=where))

    snapshot = _check_date(entry.get("snapshot_date"), f"{where}.snapshot_date", errors)
    period = entry.get("period")
    if period is not None and not (isinstance(period, str) and _PERIOD_PATTERN.match(period)):
        errors.append(_("{where}.period {value!r} is not a period like \"2026-T4\" (year and "
                        "tahap)").format(where=where, value=period))
    sheet = entry.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        errors.append(_("{where}.sheet must be a sheet name (text)").format(where=where))
    header_row = entry.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        errors.append(_("{where}.header_row must be a row number of 1 or more").format(
            where=where))

    columns = _check_columns(entry.get("columns", {}), kind, where, errors)
    aliases = _check_aliases(entry.get("aliases", {}), kind, where, errors)
    if len(errors) > count_before:
        return None
    return SourceSpec(
        kind=kind, path=path, raw_dir=raw_dir, snapshot_date=snapshot, period=period, sheet=sheet,
        header_row=header_row, columns=columns, aliases=aliases,
    )


def _check_date(value, where: str, errors: list[str]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(_("{where} {value!r} is not a date; write it as YYYY-MM-DD").format(
        where=where, value=value))
    return None


def _allowed_columns(kind: str | None) -> tuple[str, ...] | None:
    return source_definition(kind).columns if kind else None


def _check_columns(value, kind, where, errors) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        errors.append(_("{where}.columns must be a table of \"file header\" = "
                        "\"canonical column\"").format(where=where))
        return ()
    allowed = _allowed_columns(kind)
    pairs = []
    for header, canonical in value.items():
        if not isinstance(canonical, str) or (allowed and canonical not in allowed):
            errors.append(
                _("{where}.columns.{header!r}: {value!r} is not a column of kind {kind}; "
                  "allowed: {allowed}").format(where=where, header=header, value=canonical,
                                               kind=kind, allowed=", ".join(allowed or ())))
            continue
        pairs.append((header, canonical))
    return tuple(pairs)


def _check_aliases(value, kind, where, errors) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        errors.append(_("{where}.aliases must be a table of canonical column = "
                        "[\"header\", ...]").format(where=where))
        return ()
    allowed = _allowed_columns(kind)
    pairs = []
    for canonical, headers in value.items():
        if allowed and canonical not in allowed:
            errors.append(_("{where}.aliases.{key}: not a column of kind {kind}; "
                            "allowed: {allowed}").format(where=where, key=canonical, kind=kind,
                                                         allowed=", ".join(allowed)))
            continue
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            errors.append(_("{where}.aliases.{key} must be a list of header texts").format(
                where=where, key=canonical))
            continue
        pairs.append((canonical, tuple(headers)))
    return tuple(pairs)
