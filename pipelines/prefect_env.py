"""Environment defaults that let Prefect run offline and quietly, and the local API server of
one command.

Prefect reads its settings when it is first imported, so `apply_prefect_defaults` and
`start_local_server` must run before `import prefect`. A value the user already set is kept.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import PipelineError
from pipelines.i18n import _

logger = logging.getLogger(__name__)

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
    """Set quiet, offline defaults; keep Prefect's state under `home` when given.

    Raise PrefectHomeError when the folder of PREFECT_HOME cannot be created.
    """
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if home is not None:
        os.environ.setdefault("PREFECT_HOME", str(home))
    if "PREFECT_HOME" in os.environ:
        # Prefect creates its home folder without parents and then fails to open its database.
        path = Path(os.environ["PREFECT_HOME"]).expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PrefectHomeError(
                _("PREFECT_HOME {path} cannot be created ({error}). Set PREFECT_HOME to a "
                  "folder you can write to, then run again.").format(path=path, error=e)
            ) from e


class ServerStartError(PipelineError):
    """Prefect's local API server exited or did not respond in time."""


class PrefectHomeError(PipelineError):
    """The folder of PREFECT_HOME cannot be created."""


class ServerUnreachableError(PipelineError):
    """The Prefect server that PREFECT_API_URL names does not respond."""


# Seconds to wait for the local server. It responded after 2.5-3.5 s on a 2-core machine, and
# with a new PREFECT_HOME, whose database is created first, Prefect's own temporary server took
# 10-12 s.
SERVER_START_TIMEOUT = 90.0


@dataclass
class LocalServer:
    """Prefect's API server in a child process, started for one command."""

    process: subprocess.Popen
    url: str
    log_path: Path

    def wait_ready(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        """Return once the server responds to its health check.

        Raise ServerStartError when it exits or does not respond within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _is_healthy(self.url):
                return
            time.sleep(0.05)
        self.stop()
        raise ServerStartError(
            _("Prefect's local server at {url} did not start (its log: {log}). Start one with "
              "`prefect server start` and set PREFECT_API_URL to its address, then run again.")
            .format(url=self.url, log=self.log_path)
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# prctl(2) option that sends the child a signal when its parent exits.
PR_SET_PDEATHSIG = 1


def _exit_with_parent(parent: int) -> None:
    """Ask Linux to send SIGTERM to this child when process `parent` exits.

    Runs in the child between fork and exec. A finally block does not run when the command is
    killed by SIGTERM or SIGKILL, and without this the server would keep running."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        # The parent exited before prctl took effect.
        os._exit(1)


def start_local_server(home: Path) -> LocalServer | None:
    """Start Prefect's API server on a free loopback port and point PREFECT_API_URL at it.

    Return None, and start nothing, when PREFECT_API_URL is set or Prefect is already imported
    (its settings would not see the new address). Without this, Prefect starts the same
    temporary server when the flow begins, in the same way, so the command waits for it. Started
    before the command imports Prefect and Great Expectations, the server gets ready beside those
    imports: in a batang run the flow began 4.5 s after the process started instead of 10.7 s.
    The server's log goes to local-server.log in PREFECT_HOME, or else in `home`.

    The server runs in its own session, so Ctrl-C in a terminal stops the command but not the
    server, which stays up while Prefect records the interrupted flow run and is then stopped
    by `LocalServer.stop`. On Linux it also gets SIGTERM when the command exits without
    stopping it.
    """
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = Path(os.environ.get("PREFECT_HOME", home)).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "local-server.log"
    # The command and variables of Prefect 3.9's own temporary server
    # (prefect.server.api.server.SubprocessASGIServer): no UI, the services of an ephemeral
    # server only.
    command = [
        sys.executable, "-m", "uvicorn",
        "--app-dir", str(Path(spec.origin).parent.parent),
        "--factory", "prefect.server.api.server:create_app",
        "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "error", "--lifespan", "on",
    ]
    environment = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    exit_with_parent = None
    if sys.platform.startswith("linux"):
        exit_with_parent = functools.partial(_exit_with_parent, os.getpid())
    # Appended to, because two commands of one checkout share PREFECT_HOME and run at once.
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"--- server on port {port} for process {os.getpid()}, started "
                  f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        log.flush()
        process = subprocess.Popen(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=exit_with_parent,
        )
    url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = url
    logger.info("started Prefect's local server at %s (process %d)", url, process.pid)
    return LocalServer(process, url, log_path)


def _is_healthy(url: str) -> bool:
    """Return whether the Prefect API at `url` responds to its health check with 200 OK."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def check_api_server(timeout: float = 10.0) -> None:
    """Raise ServerUnreachableError when PREFECT_API_URL is set and its server does not respond
    to a health check within `timeout` seconds. Prefect itself would fail later with a long
    traceback."""
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return
    deadline = time.monotonic() + timeout
    while not _is_healthy(url):
        if time.monotonic() >= deadline:
            raise ServerUnreachableError(
                _("The Prefect server at {url} (PREFECT_API_URL) does not respond. Start it, or "
                  "unset PREFECT_API_URL so that the command starts its own server, then run "
                  "again.").format(url=url)
            )
        time.sleep(0.5)


@contextmanager
def local_server(home: Path) -> Iterator[LocalServer | None]:
    """Start Prefect's local server for the command (see `start_local_server`), and stop it and
    restore PREFECT_API_URL on exit."""
    server = start_local_server(home)
    try:
        yield server
    finally:
        if server is not None:
            server.stop()
            os.environ.pop("PREFECT_API_URL", None)


@contextmanager
def flow_run_settings(server: LocalServer | None = None) -> Iterator[None]:
    """Apply the Prefect settings of one audit run started by the CLI or a benchmark.

    Call it after `apply_prefect_defaults`; with `server`, wait until it is ready. Heartbeats let
    a permanent Prefect server mark a flow run that crashed. A server this command started, or
    Prefect's temporary one when PREFECT_API_URL is not set, stops with the process, so
    heartbeats serve no purpose there. Joining their thread added 1.0 s to the end of an empty
    flow, so they are turned off in those cases.
    """
    from prefect.settings import (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    if server is not None:
        server.wait_ready()
    elif get_current_settings().api.url:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
