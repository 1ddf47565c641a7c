"""Stop a run that loads two files of one source kind that share most of their rows.

A second download such as `bpnt (1).csv` beside `bpnt.csv` matches the same glob. The run
already stops when the two files are byte-identical, but a copy that differs in one cell has
another checksum. Loading both turns every recipient into a double payment. Files that really
belong together, such as PKH rosters of two kecamatan or BPNT rosters of two tahap, share no
rows or only a few, because their people or their period column differ.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import duckdb

from pipelines.errors import SourceFileError
from pipelines.i18n import _
from pipelines.ingest.load import RAW_META_COLUMNS, FileCount
from pipelines.ingest.sources import kind_label
from pipelines.sqlrun import query_rows

# Share of the smaller file's distinct rows that must also be in the other file for the two to
# count as copies. Files of different kecamatan or tahap share only the rows of people listed
# in both with the same values everywhere, so half leaves a wide margin on both sides.
SHARED_ROW_SHARE = 0.5


@dataclass(frozen=True)
class NearCopyPair:
    """Two files of one kind with `shared_rows` identical rows."""

    kind: str
    first_file: str
    second_file: str
    shared_rows: int
    smaller_file: str
    smaller_file_rows: int


def files_by_kind(counts: list[FileCount]) -> dict[str, list[str]]:
    """Return the files of each kind among `counts` that has two or more files."""
    files: dict[str, set[str]] = {}
    for count in counts:
        files.setdefault(count.source_kind, set()).add(count.source_file)
    return {kind: sorted(names) for kind, names in sorted(files.items()) if len(names) > 1}


def _value_columns(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """Return the columns of `raw_<kind>` that hold the file's values, not where they came from."""
    columns = query_rows(con, f"select column_name from (describe raw_{kind})")
    return [name for (name,) in columns if name not in RAW_META_COLUMNS]


def near_copies(con: duckdb.DuckDBPyConnection, kind: str) -> list[NearCopyPair]:
    """Return the pairs of `raw_<kind>` files in which at least SHARED_ROW_SHARE of the
    distinct rows of the smaller file are also rows of the other file.

    Two rows are the same when every loaded column except the provenance and cell type columns
    (RAW_META_COLUMNS) is equal, empty cells included. Sheets of one file are not compared with
    each other.
    """
    columns = ", ".join(f'"{name}"' for name in _value_columns(con, kind))
    rows = f"select distinct source_file, {columns} from raw_{kind}"
    sizes = dict(query_rows(con, f"select source_file, count(*) from ({rows}) group by all"))
    # Each group of identical rows gives the list of files that contain it. Lists are few (one
    # per combination of files), so the pairs are counted here.
    file_lists = query_rows(
        con,
        f"""
        select files, count(*)
        from (
            select list(source_file order by source_file) as files
            from ({rows})
            group by {columns}
            having count(*) > 1
        )
        group by files
        """,
    )
    shared: Counter[tuple[str, str]] = Counter()
    for files, groups in file_lists:
        for pair in combinations(files, 2):
            shared[pair] += groups

    pairs = []
    for (first, second), count in sorted(shared.items()):
        smaller = min((first, second), key=lambda name: (sizes[name], name))
        if count >= SHARED_ROW_SHARE * sizes[smaller]:
            pairs.append(NearCopyPair(kind, first, second, count, smaller, sizes[smaller]))
    return pairs


def check_no_near_copies(con: duckdb.DuckDBPyConnection, counts: list[FileCount]) -> None:
    """Raise SourceFileError naming the files when two loaded files of one kind share at least
    SHARED_ROW_SHARE of the smaller file's rows.

    Kinds loaded from one file are not queried, so a run with one file per kind pays nothing.
    """
    pairs = [pair for kind in files_by_kind(counts) for pair in near_copies(con, kind)]
    if not pairs:
        return
    lines = [
        _("{source}: {first} and {second} have {shared} identical rows, {share:.0%} of the "
          "{total} rows of {smaller}.").format(
            source=kind_label(pair.kind, sentence_start=True), first=pair.first_file,
            second=pair.second_file, shared=pair.shared_rows,
            share=pair.shared_rows / pair.smaller_file_rows, total=pair.smaller_file_rows,
            smaller=pair.smaller_file)
        for pair in pairs
    ]
    raise SourceFileError(
        _("Two input files of one source share most of their rows, so one is probably another "
          "download or export of the other. Loading both would count each shared row twice, "
          "for example as a double payment.")
        + "\n" + "\n".join(f"- {line}" for line in lines) + "\n"
        + _("Move one file of each pair out of the raw folder or the run configuration, then "
            "run again. If both files are needed, check why they contain the same rows.")
    )
