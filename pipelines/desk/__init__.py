"""Complaint-desk lookup over the published audit.duckdb (`bansos-audit cek NIK`)."""

from pipelines.desk.lookup import DeskLookupError, lookup_nik, lookup_person
from pipelines.desk.models import DeskAnswer
from pipelines.desk.render import render_answer, render_answers

__all__ = [
    "DeskAnswer",
    "DeskLookupError",
    "lookup_nik",
    "lookup_person",
    "render_answer",
    "render_answers",
]
