"""Stage progress events, sent through logging so that flows stay free of UI code.

A flow calls `stage_started("link")`; the CLI attaches a handler to this module's logger and
shows the translated stage name. Without a handler the events are ordinary INFO log lines.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

STAGES = ("ingest", "staging", "validate", "link", "rules", "marts", "publish")


def stage_started(stage: str, detail: str = "") -> None:
    """Announce that `stage` (one of STAGES) has started; `detail` names a file or count."""
    logger.info("stage %s started %s", stage, detail, extra={"stage": stage, "detail": detail})
