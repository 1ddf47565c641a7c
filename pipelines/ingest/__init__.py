"""Ingestion: read source files, map headers, quarantine bad rows, build and validate staging.

The audit flow calls, per run:

    counts = ingest_source(con, spec, run_id, file_number)   # once per [[sources]] entry
    build_staging(con, kinds)                                 # stg_<kind> for ingested kinds
    validate_staging(con, out_dir, run_id)                    # raises ExpectationsFailed
"""

from pipelines.ingest.load import FileCount, ingest_file, ingest_source
from pipelines.ingest.staging import build_staging
from pipelines.ingest.validate import ValidationSummary, validate_staging

__all__ = [
    "FileCount",
    "ValidationSummary",
    "build_staging",
    "ingest_file",
    "ingest_source",
    "validate_staging",
]
