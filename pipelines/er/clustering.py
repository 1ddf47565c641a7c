"""Constrained clustering of matched pairs into persons.

Pairs are merged in descending match probability with a union-find. A merge is skipped when
the joined cluster would break a constraint, whatever path led there. The constraints are two
different values of an exclusive column (two register NIKs, two sexes), two incompatible birth
dates, and a pair that a reviewer marked as different people.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

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

    roots: list[int]
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
    pairs: Sequence[tuple[int, int]],
    constraints: Sequence[ClusterConstraintSpec],
    columns: dict[str, Sequence[object]],
    cannot_link: Sequence[tuple[int, int]] = (),
) -> ClusteringResult:
    """Cluster records 0..record_count-1 by merging `pairs` in the order given.

    `columns` maps each constraint column (and default flag column) to its value per record.
    Most connected components of the pairs cannot break a constraint, because each exclusive
    column has at most one value in them, they contain one birth date and no cannot-link pair.
    The constrained union-find would merge all of their pairs, so they are taken whole. Only
    the pairs of the other components go through it, in the order given.
    """
    exclusive = [columns[c.column] for c in constraints if c.kind == "exclusive"]
    dates = [_date_values(columns, c) for c in constraints if c.kind == "dates_compatible"]
    components = _components(record_count, pairs)
    conflicted = _conflicted_components(components, exclusive, dates, cannot_link)
    finder = ConstrainedUnionFind(record_count, exclusive, dates)
    for a, b in cannot_link:
        finder.forbid(a, b)
    merges = rejected = 0
    for a, b in pairs:
        if components[a] not in conflicted:
            continue
        outcome = finder.union(a, b)
        if outcome:
            merges += 1
        elif outcome is False:
            rejected += 1
    roots = [
        finder.find(node) if component in conflicted else component
        for node, component in enumerate(components)
    ]
    merges += sum(
        size - 1 for component, size in Counter(components).items() if component not in conflicted
    )
    logger.info(
        "clustering: %d merges, %d merges rejected by constraints, %d of %d components "
        "checked pair by pair",
        merges,
        rejected,
        len(conflicted),
        len(set(components)),
    )
    return ClusteringResult(roots=roots, merges=merges, rejected=rejected)


def _components(record_count: int, pairs: Sequence[tuple[int, int]]) -> list[int]:
    """Return the smallest record of each record's connected component under `pairs`."""
    parent = list(range(record_count))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            # The smaller index becomes the root, so a root is its component's smallest record.
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return [find(node) for node in range(record_count)]


def _conflicted_components(
    components: list[int],
    exclusive_values: Sequence[Sequence[object]],
    date_values: Sequence[Sequence[tuple[dt.date | None, bool]]],
    cannot_link: Sequence[tuple[int, int]],
) -> set[int]:
    """Return the components where some merge could break a constraint: two values of an
    exclusive column, two different birth dates, or both records of a cannot-link pair."""
    seen: list[dict[int, object]] = [{} for _ in range(len(exclusive_values) + len(date_values))]
    conflicted: set[int] = set()
    columns = [*exclusive_values, *[[date for date, _ in values] for values in date_values]]
    for first_seen, values in zip(seen, columns, strict=True):
        for node, component in enumerate(components):
            value = values[node]
            if value is None or component in conflicted:
                continue
            previous = first_seen.setdefault(component, value)
            if previous != value:
                conflicted.add(component)
    for a, b in cannot_link:
        if components[a] == components[b]:
            conflicted.add(components[a])
    return conflicted


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
