"""Stop a run that loads two snapshots of the same register or PBI roster.

The DTSEN register and the PBI JKN roster list people as they stand on one date. A glob such
as `dtsen_*.csv` can match last month's export beside this month's, and then every person is
audited twice: record-level findings double, and PBI members look covered twice. Such a source
may still be split over several files of one snapshot (one per kecamatan, or PBI APBN beside
PBI APBD). Those files share few people, while two snapshots of one population share most.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.errors import SourceFileError
from pipelines.i18n import _
from pipelines.ingest.sources import kind_label
from pipelines.sqlrun import query_rows

# Kinds whose files together form one list of people at one date, so a person in two of their
# files is either a finding (PBI double coverage) or a sign of two snapshots.
SNAPSHOT_KINDS = ("register", "pbi")

# Share of the distinct NIKs of the smaller file that must also be in the other file for the
# two to count as snapshots of the same population. Files split by kecamatan or by PBI segment
# share only the few people who are listed twice.
SHARED_NIK_SHARE = 0.5


@dataclass(frozen=True)
class SnapshotPair:
    """Two files of one kind that list mostly the same people."""

    kind: str
    first_file: str
    second_file: str
    shared_niks: int
    smaller_file_niks: int


def overlapping_snapshots(con: duckdb.DuckDBPyConnection, kind: str) -> list[SnapshotPair]:
    """Return the pairs of `raw_<kind>` files that share at least SHARED_NIK_SHARE of the
    distinct NIKs of the smaller file. Only NIKs of 16 digits, after dropping other characters,
    count, so damaged and empty NIKs never make two files look alike."""
    files = query_rows(con, f"select count(distinct source_file) from raw_{kind}")[0][0]
    if files < 2:
        return []
    rows = query_rows(
        con,
        f"""
        with
        ids as (
            select distinct source_file, regexp_replace(nik, '[^0-9]', '', 'g') as nik
            from raw_{kind}
            where length(regexp_replace(coalesce(nik, ''), '[^0-9]', '', 'g')) = 16
        ),

        sizes as (
            select source_file, count(*) as niks
            from ids
            group by source_file
        ),

        shared as (
            select first_ids.source_file as first_file, second_ids.source_file as second_file,
                   count(*) as shared_niks
            from ids as first_ids
            inner join ids as second_ids
                on first_ids.nik = second_ids.nik and first_ids.source_file < second_ids.source_file
            group by all
        )

        select shared.first_file, shared.second_file, shared.shared_niks,
               least(first_size.niks, second_size.niks) as smaller_file_niks
        from shared
        inner join sizes as first_size on first_size.source_file = shared.first_file
        inner join sizes as second_size on second_size.source_file = shared.second_file
        where shared.shared_niks >= ? * least(first_size.niks, second_size.niks)
        order by shared.first_file, shared.second_file
        """,
        [SHARED_NIK_SHARE],
    )
    return [SnapshotPair(kind, *row) for row in rows]


def check_single_snapshot(con: duckdb.DuckDBPyConnection, kinds: list[str]) -> None:
    """Raise SourceFileError naming the files when a kind of SNAPSHOT_KINDS among `kinds` was
    loaded from two snapshots of the same population."""
    pairs = [pair for kind in kinds if kind in SNAPSHOT_KINDS
             for pair in overlapping_snapshots(con, kind)]
    if not pairs:
        return
    messages = [
        _("{source}: {first} and {second} look like two snapshots of the same list: "
          "{shared} of the {total} NIKs in the smaller file are in both, so every person in "
          "both would be audited twice. Keep only the newest snapshot in the raw folder, or "
          "narrow `path` of this source in the run configuration to one file, then run "
          "again.").format(
            source=kind_label(pair.kind, sentence_start=True), first=pair.first_file,
            second=pair.second_file,
            shared=pair.shared_niks, total=pair.smaller_file_niks)
        for pair in pairs
    ]
    raise SourceFileError("\n".join(messages))
