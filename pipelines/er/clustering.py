"""Constrained clustering of matched pairs into persons.

Pairs are merged in descending match probability with a union-find. A merge is skipped when
the joined cluster would break a constraint, whatever path led there. The constraints are two
different values of an exclusive column (two register NIKs, two sexes), two incompatible birth
dates, and a pair that a reviewer marked as different people.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipelines.er.specs import ClusterConstraintSpec

logger = logging.getLogger(__name__)


def is_default_date(value: dt.date) -> bool:
    """Return True for 1 Jan, 1 Jul, 31 Dec and day 15, the dates offices fill in by default."""
    return (value.month, value.day) in {(1, 1), (7, 1), (12, 31)} or value.day == 15


def dates_compatible(a: dt.date, a_default: bool, b: dt.date, b_default: bool) -> bool:
    """Return True when two recorded birth dates can belong to one person: equal, a default
    date in the same year, the same year and month (a wrong day), day and month swapped, or
    one digit apart in YYYYMMDD."""
    if a == b:
        return True
    if a.year == b.year and (a_default or b_default or a.month == b.month):
        return True
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return True
    digits_a, digits_b = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return sum(x != y for x, y in zip(digits_a, digits_b, strict=True)) <= 1


@dataclass
class _ClusterState:
    members: list[int]
    exclusive: list[object]
    dates: list[list[tuple[dt.date, bool]]]
    forbidden: set[int] = field(default_factory=set)


@dataclass
class ClusteringResult:
    """The cluster root of every record (index = surrogate record key) and merge counts."""

    roots: np.ndarray
    merges: int
    rejected: int


class ConstrainedUnionFind:
    """Union-find whose clusters carry the values their constraints check on every merge."""

    def __init__(
        self,
        record_count: int,
        exclusive_values: Sequence[Sequence[object]],
        date_values: Sequence[Sequence[tuple[dt.date | None, bool]]],
    ):
        self.parent = list(range(record_count))
        self.states: dict[int, _ClusterState] = {}
        self.exclusive_values = exclusive_values
        self.date_values = date_values

    def find(self, node: int) -> int:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def _state(self, root: int) -> _ClusterState:
        state = self.states.get(root)
        if state is None:
            exclusive = [values[root] for values in self.exclusive_values]
            dates = [
                [values[root]] if values[root][0] is not None else [] for values in self.date_values
            ]
            state = _ClusterState(members=[root], exclusive=exclusive, dates=dates)
            self.states[root] = state
        return state

    def forbid(self, a: int, b: int) -> None:
        """Record that the clusters of `a` and `b` must never join."""
        self._state(self.find(a)).forbidden.add(b)
        self._state(self.find(b)).forbidden.add(a)

    def _allowed(self, a: _ClusterState, b: _ClusterState) -> bool:
        for value_a, value_b in zip(a.exclusive, b.exclusive, strict=True):
            if value_a is not None and value_b is not None and value_a != value_b:
                return False
        for dates_a, dates_b in zip(a.dates, b.dates, strict=True):
            for date_a, default_a in dates_a:
                for date_b, default_b in dates_b:
                    if not dates_compatible(date_a, default_a, date_b, default_b):
                        return False
        if not (a.forbidden or b.forbidden):
            return True
        small, large = (a, b) if len(a.members) <= len(b.members) else (b, a)
        return not any(member in large.forbidden for member in small.members) and not any(
            member in small.forbidden for member in large.members
        )

    def can_merge(self, root_a: int, root_b: int) -> bool:
        return self._allowed(self._state(root_a), self._state(root_b))

    def union(self, a: int, b: int) -> bool | None:
        """Merge the clusters of `a` and `b`; return None when already joined, False when a
        constraint forbids it."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return None
        state_a, state_b = self._state(root_a), self._state(root_b)
        if not self._allowed(state_a, state_b):
            return False
        if len(state_a.members) < len(state_b.members):
            root_a, root_b, state_a, state_b = root_b, root_a, state_b, state_a
        self.parent[root_b] = root_a
        state_a.members.extend(state_b.members)
        state_a.exclusive = [
            x if x is not None else y
            for x, y in zip(state_a.exclusive, state_b.exclusive, strict=True)
        ]
        for dates_a, dates_b in zip(state_a.dates, state_b.dates, strict=True):
            dates_a.extend(d for d in dates_b if d not in dates_a)
        state_a.forbidden |= state_b.forbidden
        del self.states[root_b]
        return True


def cluster_pairs(
    record_count: int,
    pairs: Sequence[tuple[int, int]] | np.ndarray,
    constraints: Sequence[ClusterConstraintSpec],
    columns: dict[str, Sequence[object] | pa.Array],
    cannot_link: Sequence[tuple[int, int]] = (),
    hashes: dict[str, np.ndarray] | None = None,
) -> ClusteringResult:
    """Cluster records 0..record_count-1 by merging `pairs` in the order given.

    `pairs` is a sequence of record pairs or an array of shape (n, 2). `columns` maps each
    constraint column (and default flag column) to its value per record, as a list or an Arrow
    array. Most connected components of the pairs cannot break a constraint, because each
    exclusive column has at most one value in them, they contain one birth date and no
    cannot-link pair. The constrained union-find would merge all of their pairs, so they are
    taken whole with array operations. Only the pairs of the other components go through it,
    in the order given, and only their records' values become Python objects.

    `hashes` may give an exclusive column as 64-bit hashes of its values, which the database
    computes faster than Arrow encodes strings. A collision of two values could merge a
    component whole that breaks a constraint, but at 64 bits the chance is negligible.
    """
    pair_array = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    left, right = pair_array[:, 0], pair_array[:, 1]
    components, component_ids = _components(record_count, left, right)
    hashes = hashes or {}
    exclusive = [
        _Column(columns[c.column], hashes.get(c.column))
        for c in constraints
        if c.kind == "exclusive"
    ]
    dates = [_DateColumn(columns, c) for c in constraints if c.kind == "dates_compatible"]
    codes = [(column.present, column.codes) for column in (*exclusive, *dates)]
    conflicted = _conflicted_components(components, codes, cannot_link)

    finder = ConstrainedUnionFind(record_count, exclusive, dates)
    for a, b in cannot_link:
        finder.forbid(a, b)
    merges = rejected = 0
    checked = conflicted[components[left]]
    for a, b in zip(left[checked].tolist(), right[checked].tolist(), strict=True):
        outcome = finder.union(a, b)
        if outcome:
            merges += 1
        elif outcome is False:
            rejected += 1

    roots = components.copy()
    checked_nodes = np.flatnonzero(conflicted[components])
    roots[checked_nodes] = [finder.find(node) for node in checked_nodes.tolist()]
    whole = component_ids[~conflicted[component_ids]]
    merges += int(np.count_nonzero(~conflicted[components])) - len(whole)
    logger.info(
        "clustering: %d merges, %d merges rejected by constraints, %d of %d components "
        "checked pair by pair",
        merges,
        rejected,
        len(component_ids) - len(whole),
        len(component_ids),
    )
    return ClusteringResult(roots=roots, merges=merges, rejected=rejected)


def _components(
    record_count: int, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the smallest record of each record's connected component under the pairs, and
    the distinct components (their smallest records)."""
    graph = coo_matrix(
        (np.ones(len(left), dtype=np.int8), (left, right)), shape=(record_count, record_count)
    )
    count, labels = connected_components(graph, directed=False)
    smallest = np.full(count, record_count, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(record_count))
    return smallest[labels], smallest


def _conflicted_components(
    components: np.ndarray,
    columns: Sequence[tuple[np.ndarray, np.ndarray]],
    cannot_link: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Return a mask over component ids (smallest records): True where some merge could break a
    constraint, because a column has two values in the component or it contains both records of a
    cannot-link pair. Each column is a mask of non-NULL values and an integer code per value."""
    conflicted = np.zeros(len(components), dtype=bool)
    for present, codes in columns:
        owners, values = components[present], codes[present]
        limits = np.iinfo(codes.dtype)
        lowest = np.full(len(components), limits.max, dtype=codes.dtype)
        highest = np.full(len(components), limits.min, dtype=codes.dtype)
        np.minimum.at(lowest, owners, values)
        np.maximum.at(highest, owners, values)
        conflicted |= highest > lowest
    for a, b in cannot_link:
        if components[a] == components[b]:
            conflicted[components[a]] = True
    return conflicted


class _Column:
    """One constraint column: a mask of non-NULL values and integer codes for array work, and
    each value as a Python object on demand."""

    def __init__(self, values: Sequence[object] | pa.Array, hashes: np.ndarray | None = None):
        self.values = _as_arrow(values)
        self.present = self.values.is_valid().to_numpy(zero_copy_only=False)
        if hashes is not None:
            self.codes = hashes
        elif pa.types.is_date32(self.values.type):
            self.codes = self.values.cast(pa.int32()).fill_null(0).to_numpy().astype(np.int64)
        else:
            array = self.values
            if pa.types.is_null(array.type):
                array = array.cast(pa.string())
            self.codes = array.dictionary_encode().indices.fill_null(0).to_numpy().astype(np.int64)

    def __getitem__(self, node: int) -> object:
        return self.values[node].as_py()


class _DateColumn:
    """A birth-date constraint column, read as (date, is_default) as `_date_values` reads it."""

    def __init__(self, columns: dict, constraint: ClusterConstraintSpec):
        self.dates = _as_arrow(columns[constraint.column])
        column = _Column(self.dates)
        self.present, self.codes = column.present, column.codes
        flag_column = constraint.default_flag_column
        flags = columns.get(flag_column) if flag_column else None
        self.flags = None if flags is None else _as_arrow(flags)

    def __getitem__(self, node: int) -> tuple[dt.date | None, bool]:
        value = self.dates[node].as_py()
        if value is None:
            return (None, False)
        flagged = bool(self.flags[node].as_py()) if self.flags is not None else False
        return (value, flagged or is_default_date(value))


def _as_arrow(values: Sequence[object] | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(values)


def _date_values(
    columns: dict, constraint: ClusterConstraintSpec
) -> list[tuple[dt.date | None, bool]]:
    dates = columns[constraint.column]
    flags = columns.get(constraint.default_flag_column) if constraint.default_flag_column else None
    values = []
    for index, value in enumerate(dates):
        if value is None:
            values.append((None, False))
            continue
        flagged = bool(flags[index]) if flags is not None and flags[index] is not None else False
        values.append((value, flagged or is_default_date(value)))
    return values
