"""Indonesian for the text that typer prints on its own.

typer 0.29 carries its own copy of click. That copy writes the help screen's panel titles, the
help option and the "Usage:" line. It also writes the messages for a mistyped command line:
unknown option, missing option, a value that is not a number. A few of them go through the
standard `gettext` module and the rest are English literals. This module translates both kinds:

- the gettext ones by pointing `typer.core._` at this product's catalog and setting typer's
  panel-title constants again (they are built at import);
- the help option and the usage line through the command classes below;
- command-line errors by running the app outside typer's standalone mode and showing each error
  again with a translated message (`run_app`).

English (`--lang en`) shows typer's own wording.

A subcommand stopped by Ctrl-C prints one line that reports it before typer exits with code 130.

It also sizes console output. `OutputConsole` wraps output that is not a terminal (a pipe, a
log file) at a fixed width, and `fit_columns` and `print_complete` keep a narrow terminal or
such output from cutting a NIK, a number or a rule code.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console, ConsoleDimensions, RenderableType
from rich.table import Table
from rich.text import Text
from typer import rich_utils
from typer._click import exceptions as click_exceptions
from typer.exceptions import Abort
from typer.core import TyperCommand, TyperGroup

from pipelines.i18n import N_, _

# typer.rich_utils constant -> its English text, as typer 0.29 defines it.
RICH_CONSTANTS = {
    "DEPRECATED_STRING": N_("(deprecated) "),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}

# Messages typer.core looks up with gettext, marked here so that the catalog test finds them.
TYPER_CORE_MESSAGES = (
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)

# English literals of typer's click copy, matched whole, and the message that replaces each.
_LITERAL_ERRORS = (
    (re.compile(r"(?P<base>.+?)\.? Did you mean (?P<suggestions>.+)\?"), None),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)"),
     N_("Unexpected extra arguments: {args}. Put a value that contains spaces in quotes.")),
    (re.compile(r"Option (?P<option>'.+') requires an argument\.?"),
     N_("Option {option} needs a value.")),
    (re.compile(r"Option (?P<option>'.+') requires (?P<count>\d+) arguments\.?"),
     N_("Option {option} needs {count} values.")),
    (re.compile(r"Option (?P<option>'.+') does not take a value\.?"),
     N_("Option {option} takes no value.")),
    (re.compile(r"Argument (?P<argument>'.+') takes (?P<count>\d+) values\.?"),
     N_("Argument {argument} takes {count} values.")),
)

# typer's message for a value that is not a whole number.
_WHOLE_NUMBER = re.compile(r"Input should be a valid integer")


# Placeholders of the usage line that typer writes in English, and their message ids.
USAGE_PLACEHOLDERS = {
    "[OPTIONS]": N_("[OPTIONS]"),
    "COMMAND [ARGS]...": N_("COMMAND [ARGS]..."),
}


def _no_value_type(ctx: Any) -> None:
    return None


class _LocalisedHelp:
    """Translate the help option's description and the usage line of a command, and show no
    value type for flags."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    def get_params(self, ctx: Any) -> list[Any]:
        # typer 0.29's rich help prints a flag's Python type (`--help <bool>`), although a
        # flag takes no value. Its plain-text help leaves the type out, and so does this.
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False):
                param.display_type_rich = _no_value_type
        return params

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        pieces = [_(USAGE_PLACEHOLDERS[p]) if p in USAGE_PLACEHOLDERS else p for p in pieces]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage:") + " ")


class LocalisedGroup(_LocalisedHelp, TyperGroup):
    """The top-level `bansos-audit` command group."""


# Options of the command group that a subcommand's help lists too. The CLI's main() takes
# --lang out of the arguments wherever it is, so it also works after a subcommand.
GROUP_OPTIONS_IN_COMMAND_HELP = ("lang",)


class LocalisedCommand(_LocalisedHelp, TyperCommand):
    """A `bansos-audit` subcommand. Ctrl-C stops it with a message in the current language.

    Its help lists the group options of GROUP_OPTIONS_IN_COMMAND_HELP before --help.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        group = ctx.parent.command if ctx.parent is not None else None
        if group is None:
            return params
        shared = []
        for param in group.params:
            if param.name in GROUP_OPTIONS_IN_COMMAND_HELP:
                # A copy that passes no value to the subcommand, which takes no such argument.
                listed = copy.copy(param)
                listed.expose_value = False
                shared.append(listed)
        help_options = [param for param in params if param.name == "help"]
        others = [param for param in params if param.name != "help"]
        return [*others, *shared, *help_options]

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # typer turns the interrupt into exit code 130 and prints nothing. A command that
            # reports more about what Ctrl-C stopped prints it and raises typer.Exit instead.
            typer.echo(_("Stopped by the user (Ctrl-C)."), err=True)
            raise


def translate_framework_messages() -> None:
    """Point typer's gettext lookups at this product's catalog for the current language."""
    importlib.import_module("typer.core")._ = _
    for constant, message in RICH_CONSTANTS.items():
        setattr(rich_utils, constant, _(message))


def localised_message(error: click_exceptions.ClickException) -> str:
    """Return the message of a command-line error in the current language."""
    if isinstance(error, click_exceptions.NoSuchOption):
        message = _("No such option: {option}.").format(option=error.option_name)
        if error.possibilities:
            options = ", ".join(sorted(error.possibilities))
            message += " " + _("Did you mean {suggestions}?").format(suggestions=options)
        return message

    if isinstance(error, click_exceptions.MissingParameter):
        name = error.param.get_error_hint() if error.param is not None else error.param_hint
        kind = error.param_type or (error.param.param_type_name if error.param else None)
        if kind == "argument":
            return _("Missing argument {name}.").format(name=name)
        return _("Missing option {name}.").format(name=name)

    if isinstance(error, click_exceptions.BadParameter):
        name = error.param.get_error_hint() if error.param is not None else ""
        detail = error.message
        if _WHOLE_NUMBER.match(detail):
            detail = _("give a whole number, for example 1000")
        return _("Invalid value for {name}: {detail}").format(name=name, detail=detail)

    return _translate_literal(error.format_message())


def _translate_literal(message: str) -> str:
    for pattern, template in _LITERAL_ERRORS:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        if template is None:
            suggestion = _("Did you mean {suggestions}?").format(
                suggestions=match.group("suggestions"))
            return f"{_translate_literal(match.group('base') + '.')} {suggestion}"
        return _(template).format(**match.groupdict())
    return message


def run_app(app: typer.Typer, args: Sequence[str], prog_name: str) -> None:
    """Run `app` as typer's standalone mode would, but show command-line errors translated."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=list(args), prog_name=prog_name, standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as error:
        sys.exit(error.exit_code)
    except click_exceptions.UsageError as error:
        translated = click_exceptions.UsageError(localised_message(error), ctx=error.ctx)
        rich_utils.rich_format_error(translated)
        sys.exit(error.exit_code)
    except click_exceptions.ClickException as error:
        rich_utils.rich_format_error(error)
        sys.exit(error.exit_code)
    except Abort:
        rich_utils.rich_abort_error()
        sys.exit(1)
    # Outside standalone mode a typer.Exit comes back as its exit code.
    if isinstance(result, int) and result != 0:
        sys.exit(result)


# Width offered to rich when it measures a table's natural width. It exceeds any console.
UNBOUNDED_WIDTH = 100_000


def _longest_word(cell: Any) -> int:
    if isinstance(cell, Text):
        plain = cell.plain
    elif isinstance(cell, str):
        plain = Text.from_markup(cell).plain
    else:
        return 0
    return max((Text(word).cell_len for word in plain.split()), default=0)


def fit_columns(table: Table) -> Table:
    """Set each column's minimum width to the longest word among its header and cells.

    An ID, a number or a rule code is one word, so rich then wraps headers and notes between
    words but never cuts or folds such a value. Call it after the rows are added.
    """
    for column in table.columns:
        words = [_longest_word(column.header), *(_longest_word(c) for c in column.cells)]
        column.min_width = max(column.min_width or 0, *words)
    return table


def print_complete(console: Console, renderable: RenderableType) -> None:
    """Print `renderable` without cutting lines at the console width.

    A terminal gets lines wider than itself when the columns' minimum widths need it (the
    terminal wraps them). Other outputs (a pipe, a file, CI) get a table that wraps its cells
    at the console width, or at the table's minimum width when that is wider.
    """
    if console.is_terminal or not isinstance(renderable, Table):
        console.print(renderable, crop=False)
        return
    options = console.options.update(max_width=UNBOUNDED_WIDTH)
    minimum = console.measure(renderable, options=options).minimum
    fitted = Console(file=console.file, width=max(console.width, minimum))
    fitted.print(renderable, crop=False)


# Width of output that is not a terminal when COLUMNS is not set. Without it rich takes the
# width of a terminal on stdin or stderr, else 80 columns, so a log file's layout would
# depend on where the run was started.
REDIRECTED_WIDTH = 100


def redirected_width() -> int:
    """Return the width for output that is not a terminal: COLUMNS when it is a whole number
    above 0, else REDIRECTED_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return REDIRECTED_WIDTH


class OutputConsole(Console):
    """A rich Console that wraps output which is not a terminal at `redirected_width()`.

    A terminal keeps its own width, and a console created with a width keeps that width.
    """

    @property
    def size(self) -> ConsoleDimensions:
        dimensions = super().size
        # rich 15 keeps a width from the constructor, the width setter or COLUMNS at creation in
        # `_width`.
        if self.is_terminal or self._width is not None:
            return dimensions
        return ConsoleDimensions(redirected_width(), dimensions.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)
