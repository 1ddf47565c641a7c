"""Publishing: the files users open (audit.duckdb, Parquet, XLSX lists, the Bappeda report).

    from pipelines.publish import publish_marts
    from pipelines.publish.report import ReportOptions

    summary = publish_marts(con, Path("data/marts"), "id", run_id,
                            options=ReportOptions(rules_config=rules_toml_dict))

`con` must contain the tables listed in pipelines/publish/columns.py. Readers open
`data/marts/audit.duckdb` read-only; a reader of several files uses
`pipelines.publish.atomic.read_consistent`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PublishSummary", "previous_audit_db", "publish_marts"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the desk imports small modules of this package, such as formatting
    # and masking, and must not pay for the report templates and the workbook writer.
    if name in __all__:
        from pipelines.publish import publish

        return getattr(publish, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
