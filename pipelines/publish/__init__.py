"""Publishing: the files users open (audit.duckdb, Parquet, XLSX lists, the Bappeda report)."""

from pipelines.publish.publish import PublishSummary, previous_audit_db, publish_marts

__all__ = ["PublishSummary", "previous_audit_db", "publish_marts"]
