"""Stage progress events and summary warnings, sent through logging so that flows stay free
of UI code.

A flow calls `stage_started("link")`; the CLI attaches a handler to this module's logger and
shows the translated stage name. Without a handler the events are ordinary INFO log lines.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# Attribute of a warning log record that the CLI repeats in the run summary after the tables,
# set with `logger.warning(..., extra={SUMMARY_WARNING: True})`.
SUMMARY_WARNING = "run_summary"

STAGES = ("ingest", "staging", "validate", "link", "rules", "marts", "publish")


def stage_started(stage: str, detail: str = "") -> None:
    """Announce that `stage` (one of STAGES) has started; `detail` names a file or count."""
    logger.info("stage %s started %s", stage, detail, extra={"stage": stage, "detail": detail})
