"""Ingestion: read source files, map headers, quarantine bad rows, build and validate staging.

The audit flow calls, per run:

    counts = ingest_source(con, spec, run_id, file_number)   # once per [[sources]] entry
    build_staging(con, kinds)                                 # stg_<kind> for ingested kinds
    validate_staging(con, out_dir, run_id)                    # raises ExpectationsFailed
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# The module of each name of __all__. They load on first use: the run configuration and the desk
# import small modules of this package, such as sources, and must not pay for the readers,
# pyarrow and Great Expectations.
_MODULES = {
    "FileCount": "pipelines.ingest.load",
    "ingest_file": "pipelines.ingest.load",
    "ingest_source": "pipelines.ingest.load",
    "build_staging": "pipelines.ingest.staging",
    "ValidationSummary": "pipelines.ingest.validate",
    "validate_staging": "pipelines.ingest.validate",
}

__all__ = [
    "FileCount",
    "ValidationSummary",
    "build_staging",
    "ingest_file",
    "ingest_source",
    "validate_staging",
]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(import_module(_MODULES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
