"""Shared fixtures. Prefect's environment is set here, before anything imports prefect."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# A fresh PREFECT_HOME per test session: cached task results live there and would otherwise
# leak from one session into the next.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="bansos-audit-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ.pop("PREFECT_API_URL", None)

from pipelines.prefect_env import apply_prefect_defaults  # noqa: E402

apply_prefect_defaults()

import duckdb  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def con():
    """An in-memory DuckDB connection, closed after the test."""
    connection = duckdb.connect(config={"autoinstall_known_extensions": False})
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server for tests that run whole flows."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


@pytest.fixture
def console_log():
    """Show warning log records on stderr as the CLI does, and remove the handler afterwards."""
    import logging

    from pipelines import cli

    cli.install_console_logging()
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, cli.ConsoleLogHandler):
            root.removeHandler(handler)


@pytest.fixture
def english():
    """Set the message language to English for the test, and back to Indonesian after it."""
    from pipelines.i18n import set_language

    set_language("en")
    yield
    set_language("id")
