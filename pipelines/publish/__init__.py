"""Publishing: the files users open (audit.duckdb, Parquet, XLSX lists, the Bappeda report).

    from pipelines.publish import publish_marts
    from pipelines.publish.report import ReportOptions

    summary = publish_marts(con, Path("data/marts"), "id", run_id,
                            options=ReportOptions(rules_config=rules_toml_dict))

`con` must contain the tables listed in pipelines/publish/columns.py. Readers open
`data/marts/audit.duckdb` read-only; a reader of several files uses
`pipelines.publish.atomic.read_consistent`.
"""

from pipelines.publish.publish import PublishSummary, previous_audit_db, publish_marts

__all__ = ["PublishSummary", "previous_audit_db", "publish_marts"]
