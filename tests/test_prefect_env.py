"""Prefect settings for one audit run."""

from __future__ import annotations

from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    get_current_settings,
    temporary_settings,
)

from pipelines.prefect_env import flow_run_settings


def test_temporary_server_runs_without_heartbeats():
    with temporary_settings(updates={PREFECT_API_URL: None,
                                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}):
        with flow_run_settings():
            assert get_current_settings().flows.heartbeat_frequency is None
        assert get_current_settings().flows.heartbeat_frequency == 180


def test_permanent_server_keeps_heartbeats():
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api",
                                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}):
        with flow_run_settings():
            assert get_current_settings().flows.heartbeat_frequency == 180
