"""Complaint-desk lookup over the published audit.duckdb (`bansos-audit cek NIK`).

answer = lookup_nik(Path("data/marts/audit.duckdb"), nik)
Console().print(render_answer(answer, "id"))

answers = lookup_person(db_path, "Siti Aminah", "07-05-1985", "Silurah")
near = [] if answers else lookup_near_matches(db_path, "Siti Aminah", "07-05-1985", "Silurah")
Console().print(render_answers(answers, "Siti Aminah / 07-05-1985 / Silurah", "id",
                               published_run(db_path), programmes_not_in_run(db_path),
                               register_lines_not_loaded(db_path), near))
"""

from pipelines.desk.lookup import (
    DeskLookupError,
    lookup_near_matches,
    lookup_nik,
    lookup_person,
    programmes_not_in_run,
    published_run,
    register_lines_not_loaded,
)
from pipelines.desk.models import DeskAnswer, PublishedRun
from pipelines.desk.render import render_answer, render_answers

__all__ = [
    "DeskAnswer",
    "DeskLookupError",
    "lookup_near_matches",
    "lookup_nik",
    "lookup_person",
    "programmes_not_in_run",
    "published_run",
    "PublishedRun",
    "register_lines_not_loaded",
    "render_answer",
    "render_answers",
]
