"""Environment defaults that let Prefect run offline and quietly.

Prefect reads its settings when it is first imported, so `apply_prefect_defaults` must run
before `import prefect`. A value the user already set is kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

QUIET_DEFAULTS = {
    # Telemetry off: the server heartbeat otherwise reports to Prefect's analytics service.
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    # The temporary local server took 10-12 s to start on a 2-core machine with a new
    # PREFECT_HOME; Prefect's default limit of 20 s is too close.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def apply_prefect_defaults(home: Path | None = None) -> None:
    """Set quiet, offline defaults; keep Prefect's state under `home` when given."""
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if home is not None and "PREFECT_HOME" not in os.environ:
        # Prefect creates its home folder without parents and then fails to open its database.
        home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home)


@contextmanager
def flow_run_settings() -> Iterator[None]:
    """Apply the Prefect settings of one audit run started by the CLI or a benchmark.

    Call it after `apply_prefect_defaults`. Heartbeats let a permanent Prefect server mark a
    flow run that crashed. Without PREFECT_API_URL the flow runs on Prefect's temporary server,
    which stops with the process, so heartbeats serve no purpose there. Joining their thread
    added 1.0 s to the end of an empty flow, so they are turned off only in that case.
    """
    from prefect.settings import (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    if get_current_settings().api.url:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
