"""Record linkage of Indonesian person records: blocking, Fellegi-Sunter scoring with EM,
clerical review and constrained clustering.

The names below are imported on first use. The desk imports only the name features of
`pipelines.er.features`, and importing the engine with it (pandas, scipy) took about 0.35 s of
every desk lookup.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.er.engine import LinkSummary, link_persons
    from pipelines.er.records import build_person_records
    from pipelines.er.review import import_review

_MODULES = {
    "LinkSummary": "pipelines.er.engine",
    "link_persons": "pipelines.er.engine",
    "build_person_records": "pipelines.er.records",
    "import_review": "pipelines.er.review",
}

__all__ = ["LinkSummary", "build_person_records", "import_review", "link_persons"]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'pipelines.er' has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULES[name]), name)
