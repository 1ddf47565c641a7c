"""Warning log records reach the console in the run's language; log files keep English."""

from __future__ import annotations

import ast
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import cli
from pipelines.i18n import gettext_for, set_language

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "pipelines"
LOG_LEVELS = {"warning", "error", "critical", "exception"}
PLACEHOLDER = re.compile(r"%[-+ #0-9.]*[sdrfgx]")


def warning_templates() -> list[tuple[str, str]]:
    """Return (file, template) of every literal message of a warning or error log call."""
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            target = node.func.value
            if node.func.attr not in LOG_LEVELS or not isinstance(target, ast.Name):
                continue
            if target.id != "logger" or not node.args:
                continue
            if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.append((str(path.relative_to(PACKAGE_DIR)), node.args[0].value))
    return found


@pytest.fixture(autouse=True)
def console_logging(console_log):
    yield
    set_language("id")


def test_templates_found():
    templates = [template for _file, template in warning_templates()]
    assert "rule %d %s not evaluated: %s" in templates


@pytest.mark.parametrize(("file", "template"), warning_templates())
def test_warning_template_translated(file, template):
    translated = gettext_for("id", template)

    assert translated != template, file
    assert PLACEHOLDER.findall(translated) == PLACEHOLDER.findall(template)


def test_warning_shown_in_indonesian(capsys):
    logging.getLogger("pipelines.er.estimation").warning(
        "no EM session estimated m of %s; using its start values", "birth_date")

    err = capsys.readouterr().err
    assert "Peringatan: tidak ada sesi EM yang menaksir m untuk birth_date" in err
    assert "WARNING" not in err


def test_warning_shown_in_english(capsys):
    set_language("en")
    logging.getLogger("pipelines.er.estimation").warning(
        "no EM session estimated m of %s; using its start values", "birth_date")

    err = capsys.readouterr().err
    assert "Warning: no EM session estimated m of birth_date; using its start values" in err


def test_console_args_replace_english_values(capsys):
    logging.getLogger("pipelines.rules.apply").warning(
        "rule %d %s not evaluated: %s", 13, "DECEASED_RECIPIENT",
        "no death register in this run (stg_deaths)",
        extra={"console_args": (
            13, "DECEASED_RECIPIENT", "tidak ada data kematian di run ini (stg_deaths)"
        )},
    )

    err = capsys.readouterr().err
    assert ("Peringatan: aturan 13 DECEASED_RECIPIENT tidak dievaluasi: tidak ada data kematian "
            "di run ini (stg_deaths)") in err


def test_log_record_keeps_english(caplog):
    with caplog.at_level(logging.WARNING):
        logging.getLogger("pipelines.er.estimation").warning(
            "no EM session estimated m of %s; using its start values", "sex")

    assert caplog.messages == ["no EM session estimated m of sex; using its start values"]


def test_info_records_not_shown(capsys):
    logging.getLogger("great_expectations.data_context.types.base").info(
        "Created temporary directory '/tmp/x' for ephemeral docs site")

    assert capsys.readouterr().err == ""


def test_library_python_warnings_not_shown(capsys):
    logging.getLogger("py.warnings").warning(
        "/site-packages/urllib3/contrib/socks.py:50: DependencyWarning: SOCKS support")

    assert capsys.readouterr().err == ""


def test_handler_survives_prefect_logging_setup():
    # Prefect configures logging when a flow module is imported, after the CLI started.
    script = (
        "import logging\n"
        "from pipelines import cli\n"
        "cli.install_console_logging()\n"
        "from prefect.logging.configuration import setup_logging\n"
        "setup_logging(incremental=False)\n"
        "logging.getLogger('pipelines.er.estimation').warning(\n"
        "    'no EM session estimated m of %s; using its start values', 'sex')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=PACKAGE_DIR.parent)

    assert "Peringatan: tidak ada sesi EM yang menaksir m untuk sex" in result.stderr
    assert "WARNING" not in result.stderr
