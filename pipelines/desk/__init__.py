"""Complaint-desk lookup over the published audit.duckdb (`bansos-audit cek NIK`).

answer = lookup_nik(Path("data/marts/audit.duckdb"), nik)
Console().print(render_answer(answer, "id"))

found = search_person(db_path, "Siti Aminah", "07-05-1985", "Silurah")
Console().print(render_answers(found.answers, "Siti Aminah / 07-05-1985 / Silurah", "id",
                               found.run, found.programmes_not_in_run,
                               found.register_lines_not_loaded, found.near_matches,
                               found.desa_codes))
"""

from pipelines.desk.lookup import (
    DeskLookupError,
    lookup_near_matches,
    lookup_nik,
    lookup_person,
    programmes_not_in_run,
    published_run,
    register_lines_not_loaded,
    search_person,
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
    "search_person",
]
