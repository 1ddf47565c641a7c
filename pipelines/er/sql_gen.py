"""Compile a `ModelSpec` into DuckDB SQL: record features, blocking, gamma levels, weights.

Every function here returns SQL text and runs nothing. Scratch tables carry the `__er_` prefix
and records are joined on the integer surrogate key `__rid`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from pipelines.er.features import FEATURE_FUNCTIONS
from pipelines.er.specs import BlockingRuleSpec, ClusterConstraintSpec, ComparisonSpec, ModelSpec

RECORDS = "__er_records"
PAIRS = "__er_pairs"
GAMMAS = "__er_gammas"
# Candidate pairs a cluster constraint forbids, kept for EM training only.
FORBIDDEN = "__er_forbidden_pairs"
FINGERPRINT = "__fingerprint"


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def tf_column_name(column: str) -> str:
    return f"__tf_{column}"


def tf_columns(model: ModelSpec) -> list[str]:
    """Return the columns with a term-frequency adjustment, each once, in settings order."""
    found: list[str] = []
    for comparison in model.comparisons:
        for level in comparison.levels:
            if level.tf_column and level.tf_column not in found:
                found.append(level.tf_column)
    return found


def records_sql(model: ModelSpec, input_table: str) -> str:
    """Select the input records with a surrogate key, every feature, tf values and a
    fingerprint. Each feature is one CTE, so a feature may use the ones before it.

    Registry features that derive from one input expression alone (the name features from
    the name) are computed once per distinct value of that expression and joined to the
    records on it. Names repeat across sources and families, and name normalisation runs
    regular expressions and per-letter lambdas.
    """
    uid = model.unique_id_column
    # Key lists that only array blocking rules read are made in the key join instead (see
    # `key_pairs_sql`), so the records table never holds them.
    key_only = set(key_only_features(model))
    model = replace(model, features=tuple(f for f in model.features if f.name not in key_only))
    groups = value_feature_groups(model)
    grouped = {name for group in groups for name in group.feature_names}
    values = "".join(
        f",\n        ({group.expression}) as __value_{number}"
        for number, group in enumerate(groups, start=1)
    )
    # The surrogate key is numbered on the key column alone and joined back: numbered over
    # the whole input, the window would sort every wide record row.
    ctes = [
        f"record_ids as (\n    select\n        {uid} as __uid,\n"
        f"        row_number() over (order by {uid})::integer as __rid\n"
        f"    from {input_table}\n)",
        f"step_0 as (\n    select\n        i.*,\n        ids.__rid{values}\n"
        f"    from {input_table} as i\n"
        f"    inner join record_ids as ids on ids.__uid = i.{uid}\n)",
    ]
    previous = "step_0"
    for number, group in enumerate(groups, start=1):
        ctes += _value_group_ctes(model, group, number, input_table, previous)
        previous = f"step_0_{number}"
    steps = [feature for feature in model.features if feature.name not in grouped]
    for index, feature in enumerate(steps, start=1):
        ctes.append(
            f"step_{index} as (\n    select\n        *,\n"
            f"        {_feature_expression(feature)} as {feature.name}\n"
            f"    from {previous}\n)"
        )
        previous = f"step_{index}"
    joins = []
    for number, column in enumerate(tf_columns(model), start=1):
        ctes += _tf_ctes(column, f"tf_{number}", _tf_source(model, column, input_table, groups, previous))
        joins.append(f"    left join tf_{number} on tf_{number}.__value = r.{column}")
    tf_list = "".join(
        f",\n        tf_{number}.{tf_column_name(column)}"
        for number, column in enumerate(tf_columns(model), start=1)
    )
    join_list = "".join(f"\n{join}" for join in joins)
    unread = unread_features(model)
    dropped = f" exclude ({', '.join(unread)})" if unread else ""
    ctes.append(
        f"final as (\n    select\n        r.*{dropped}{tf_list},\n"
        f"        {_fingerprint_sql(model, 'r')} as {FINGERPRINT}\n"
        f"    from {previous} as r{join_list}\n)"
    )
    return "with\n" + ",\n".join(ctes) + "\nselect * from final"


@dataclass(frozen=True)
class ValueFeatureGroup:
    """Registry features computed from one input expression and from each other only."""

    expression: str
    feature_names: tuple[str, ...]


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def value_feature_groups(model: ModelSpec) -> list[ValueFeatureGroup]:
    """Group the registry features of one column argument by the input expression they
    derive from. A group starts at a feature whose argument reads no other feature. A later
    feature joins a group when its argument is a member of that group."""
    feature_names = {feature.name for feature in model.features}
    members: dict[str, list[str]] = {}
    group_of: dict[str, str] = {}
    for feature in model.features:
        if feature.function is None or len(feature.columns) != 1:
            continue
        argument = feature.columns[0]
        if argument in group_of:
            expression = group_of[argument]
        elif feature_names.isdisjoint(_IDENTIFIER.findall(argument)):
            expression = argument
        else:
            continue
        members.setdefault(expression, []).append(feature.name)
        group_of[feature.name] = expression
    return [ValueFeatureGroup(expression, tuple(names)) for expression, names in members.items()]


def _feature_expression(feature) -> str:
    if feature.sql is not None:
        return feature.sql
    return FEATURE_FUNCTIONS[feature.function](*feature.columns)


def _value_group_ctes(
    model: ModelSpec, group: ValueFeatureGroup, number: int, input_table: str, records: str
) -> list[str]:
    by_name = {feature.name: feature for feature in model.features}
    prefix = f"values_{number}"
    ctes = [
        f"{prefix}_0 as (\n    select distinct {group.expression} as __value\n"
        f"    from {input_table}\n)"
    ]
    for index, name in enumerate(group.feature_names, start=1):
        feature = by_name[name]
        argument = feature.columns[0]
        if argument == group.expression:
            argument = "__value"
        expression = FEATURE_FUNCTIONS[feature.function](argument)
        ctes.append(
            f"{prefix}_{index} as (\n    select\n        *,\n"
            f"        {expression} as {name}\n"
            f"    from {prefix}_{index - 1}\n)"
        )
    last = f"{prefix}_{len(group.feature_names)}"
    # IS NOT DISTINCT FROM: a NULL input gets the features the functions give for NULL.
    ctes.append(
        f"step_0_{number} as (\n    select\n"
        f"        r.* exclude (__value_{number}),\n        v.* exclude (__value)\n"
        f"    from {records} as r\n    left join {last} as v\n"
        f"        on v.__value is not distinct from r.__value_{number}\n)"
    )
    return ctes


def _tf_source(
    model: ModelSpec,
    column: str,
    input_table: str,
    groups: list[ValueFeatureGroup],
    records: str,
) -> str:
    """Return a query of `__value, __n`: how many records have each value of `column`.

    Read from narrow sources where possible: an input column from the input table, a feature
    of a value group from the group's distinct values and their record counts. Counting over
    the records built so far would make DuckDB keep every wide row for a second reader.
    """
    for number, group in enumerate(groups, start=1):
        if column in group.feature_names:
            values = f"values_{number}_{len(group.feature_names)}"
            return (
                f"select v.{column} as __value, sum(c.__n) as __n\n"
                f"    from (select {group.expression} as __value, count(*) as __n "
                f"from {input_table} group by all) as c\n"
                f"    inner join {values} as v on v.__value is not distinct from c.__value\n"
                f"    group by all"
            )
    if column not in {feature.name for feature in model.features}:
        return f"select {column} as __value, count(*) as __n from {input_table} group by all"
    return f"select {column} as __value, count(*) as __n from {records} group by all"


def _tf_ctes(column: str, name: str, counts_sql: str) -> list[str]:
    # The share of records with each non-NULL value. A window function over the records would
    # give the same numbers but sorts every wide record row, which costs far more than this
    # aggregate and join.
    return [
        f"{name}_counts as (\n    {counts_sql}\n)",
        f"{name} as (\n    select\n        __value,\n"
        f"        __n::double / sum(__n) over () as {tf_column_name(column)}\n"
        f"    from {name}_counts\n    where __value is not null\n)",
    ]


def unread_features(model: ModelSpec) -> list[str]:
    """Return the features no blocking rule, comparison, constraint or listed column reads;
    they only feed other features and stay out of the records table."""
    read = _read_names(model, array_columns=True)
    return [feature.name for feature in model.features if feature.name not in read]


def key_only_features(model: ModelSpec) -> dict[str, str]:
    """Return the array features that only array blocking rules read, by name, with the
    input column each derives from.

    Such a feature must come from one input column through a registry function. NIK deletion
    keys are sixteen strings per record: stored on the 1.4 million batang-size records, they
    cost about 2.5 of the records table's 7 CPU seconds, and the key join can make them from
    the distinct NIKs instead.
    """
    feature_names = {feature.name for feature in model.features}
    array_columns = {rule.array_column for rule in model.blocking_rules if rule.array_column}
    read = _read_names(model, array_columns=False, feature_arguments=True)
    found = {}
    for feature in model.features:
        if feature.name not in array_columns or feature.name in read:
            continue
        if feature.function is None or len(feature.columns) != 1:
            continue
        column = feature.columns[0]
        if _IDENTIFIER.fullmatch(column) and column not in feature_names:
            found[feature.name] = column
    return found


def _read_names(
    model: ModelSpec, array_columns: bool, feature_arguments: bool = False
) -> set[str]:
    """Return the identifiers that the model's rules, comparisons, constraints and listed
    columns read, with or without the array columns of blocking rules and the arguments of
    features."""
    texts: list[str] = [*model.review_columns, *model.fingerprint_columns]
    for rule in model.blocking_rules:
        texts += [rule.sql or "", rule.condition or "", rule.key_join_exclusive or ""]
        if array_columns:
            texts.append(rule.array_column or "")
    for comparison in model.comparisons:
        texts += [level.sql or "" for level in comparison.levels]
        texts += [level.tf_column or "" for level in comparison.levels]
        texts += [score.column for score in comparison.scores]
        texts += [score.right_column or "" for score in comparison.scores]
    for constraint in model.cluster_constraints:
        texts += [constraint.column, constraint.default_flag_column or ""]
    if feature_arguments:
        for feature in model.features:
            texts += [*feature.columns, feature.sql or ""]
    read: set[str] = set()
    for text in texts:
        read.update(_IDENTIFIER.findall(text))
    # Level conditions name columns with a side suffix: name_key_l reads name_key.
    read.update(name[:-2] for name in list(read) if name.endswith(("_l", "_r")))
    return read


def _fingerprint_sql(model: ModelSpec, alias: str) -> str:
    columns = model.fingerprint_columns or (model.unique_id_column,)
    parts = ", ".join(f"coalesce({alias}.{column}::varchar, '')" for column in columns)
    return f"md5(concat_ws('|', {parts}))"


def pair_order_sql(model: ModelSpec, left: str = "l", right: str = "r") -> str:
    """Return the predicate that keeps each unordered pair once and applies the link type."""
    source = model.source_column
    if model.link_type == "link_only":
        return f"{left}.{source} < {right}.{source}"
    if model.link_type == "dedupe_only":
        return f"{left}.{source} = {right}.{source} and {left}.__rid < {right}.__rid"
    return f"{left}.__rid < {right}.__rid"


def rule_predicate_sql(rule: BlockingRuleSpec) -> str:
    """Return the rule as a predicate over `l` and `r` (used to exclude its pairs later)."""
    parts = []
    if rule.array_column is not None:
        parts.append(f"list_has_any(l.{rule.array_column}, r.{rule.array_column})")
    if rule.sql is not None:
        parts.append(f"({rule.sql})")
    if rule.condition is not None:
        parts.append(f"({rule.condition})")
    return " and ".join(parts)


KEY_PAIRS = "__er_key_pairs"


def blocking_sql(model: ModelSpec, index: int) -> str:
    """Return the pairs of blocking rule `index` that no earlier rule produced. An array rule
    reads its pairs from `__er_key_pairs` (see `key_pairs_sql`)."""
    rule = model.blocking_rules[index]
    if rule.array_column is not None:
        return _array_blocking_sql(model, rule, index)
    return f"""with
candidates as (
    select
        l.__rid as rid_l,
        r.__rid as rid_r
    from {RECORDS} as l
    inner join {RECORDS} as r
        on {rule.sql}
        and {pair_order_sql(model)}
    where ({rule.condition or 'true'})
        and {constraints_allow_sql(model)}
),
{_new_pairs_sql(index)}
select * from new_pairs"""


def split_blocking_sql(model: ModelSpec, index: int) -> str:
    """Return the new pairs of SQL blocking rule `index` with `allowed`, whether the cluster
    constraints allow the pair. Pairs found by an earlier rule, allowed or forbidden, are left
    out. Used for rules that train EM when the model blocks within its constraints."""
    rule = model.blocking_rules[index]
    return f"""with
candidates as (
    select
        l.__rid as rid_l,
        r.__rid as rid_r,
        coalesce({constraints_allow_sql(model, force=True)}, true) as allowed
    from {RECORDS} as l
    inner join {RECORDS} as r
        on {rule.sql}
        and {pair_order_sql(model)}
    where ({rule.condition or 'true'})
),
new_pairs as (
    select
        c.rid_l,
        c.rid_r,
        {index}::smallint as match_key,
        c.allowed
    from candidates as c
    anti join {PAIRS} as p
        on p.rid_l = c.rid_l
        and p.rid_r = c.rid_r
    anti join {FORBIDDEN} as f
        on f.rid_l = c.rid_l
        and f.rid_r = c.rid_r
)
select * from new_pairs"""


def constraints_allow_sql(
    model: ModelSpec, left: str = "l", right: str = "r", *, force: bool = False
) -> str:
    """Return a predicate that is true when no cluster constraint forbids joining the two
    records, or `true` when the model does not block within its constraints.

    It mirrors pipelines.er.clustering for one pair: an exclusive column may not hold two
    different values, and two birth dates must pass `dates_compatible`. `force` builds the
    predicate even when the model does not block within its constraints.
    """
    if not (model.block_within_constraints or force):
        return "true"
    parts = []
    for constraint in model.cluster_constraints:
        a, b = f"{left}.{constraint.column}", f"{right}.{constraint.column}"
        if constraint.kind == "exclusive":
            parts.append(f"({a} is null or {b} is null or {a} = {b})")
        elif constraint.kind == "dates_compatible":
            parts.append(_dates_compatible_sql(constraint, left, right))
    return " and ".join(parts) or "true"


def _dates_compatible_sql(constraint: ClusterConstraintSpec, left: str, right: str) -> str:
    a, b = f"{left}.{constraint.column}", f"{right}.{constraint.column}"
    flag = constraint.default_flag_column
    either_default = (
        f"coalesce({left}.{flag}, false) or coalesce({right}.{flag}, false)" if flag else "false"
    )
    # One digit apart in YYYYMMDD; the case keeps hamming() from seeing texts of two lengths.
    one_digit = (
        f"case when year({a}) between 1000 and 9999 and year({b}) between 1000 and 9999 "
        f"then hamming(strftime({a}, '%Y%m%d'), strftime({b}, '%Y%m%d')) <= 1 else false end"
    )
    return f"""({a} is null or {b} is null or {a} = {b}
        or (year({a}) = year({b}) and ({either_default} or month({a}) = month({b})
            or (day({a}) = month({b}) and month({a}) = day({b}))))
        or {one_digit})"""


def _new_pairs_sql(index: int) -> str:
    # A pair satisfies an earlier rule exactly when that rule or one before it produced it,
    # so the earlier rules' pairs are excluded by an anti-join on the pair keys. Evaluating
    # their predicates instead would read the wide columns of both records for every pair.
    return f"""new_pairs as (
    select
        c.rid_l,
        c.rid_r,
        {index}::smallint as match_key
    from candidates as c
    anti join {PAIRS} as p
        on p.rid_l = c.rid_l
        and p.rid_r = c.rid_r
)"""


def key_pairs_sql(model: ModelSpec, index: int) -> str:
    """Return the distinct pairs whose list column shares an element. It is materialised
    before the exclusions run: joined in one statement, DuckDB would join the records on any
    equality in the rule's condition first and filter millions of pairs."""
    rule = model.blocking_rules[index]
    column = rule.array_column
    exclusive = rule.key_join_exclusive
    source = model.source_column
    key_only = key_only_features(model)
    if column in key_only:
        return _value_key_pairs_sql(model, column, key_only[column], exclusive)
    keys = f"""keys as (
    select
        __rid,
        {source},
        {f"{exclusive} is null" if exclusive else "true"} as is_open,
        unnest({column}) as array_key
    from {RECORDS}
    where {column} is not null
)"""
    if exclusive is None:
        return f"""with
{keys},
key_pairs as (
    select distinct
        l.__rid as rid_l,
        r.__rid as rid_r
    from keys as l
    inner join keys as r
        on l.array_key = r.array_key
        and {pair_order_sql(model)}
)
select * from key_pairs"""
    # Only pairs with at least one record without a value in the exclusive column are made,
    # joined by key from that side in both orientations. Most records carry a value, so this
    # joins far fewer keys than all keys against all keys.
    return f"""with
{keys},
open_keys as (
    select * from keys where is_open
),
key_pairs as (
    select l.__rid as rid_l, r.__rid as rid_r
    from open_keys as l
    inner join keys as r
        on l.array_key = r.array_key
        and {pair_order_sql(model)}
    union
    select l.__rid as rid_l, r.__rid as rid_r
    from keys as l
    inner join open_keys as r
        on l.array_key = r.array_key
        and {pair_order_sql(model)}
)
select * from key_pairs"""


def _value_key_pairs_sql(
    model: ModelSpec, feature_name: str, column: str, exclusive: str | None
) -> str:
    """Return the pairs of records whose `column` values share a key of the array feature
    `feature_name`, with the keys made per distinct value rather than read from the records.

    With an exclusive column, one record of each pair has no value there (it is "open"). The
    open values' keys are few (about 11,000 batang records have a NIK outside the register),
    so the keys of every distinct value stream through a join against them, and only the
    value pairs found are joined back to records. A NULL value has no keys.
    """
    feature = next(f for f in model.features if f.name == feature_name)
    keys_of = FEATURE_FUNCTIONS[feature.function]("__value")
    source = model.source_column
    is_open = f"{exclusive} is null" if exclusive else "true"
    return f"""with
open_records as (
    select __rid, {source}, {column} as __value
    from {RECORDS}
    where {column} is not null and {is_open}
),
open_keys as (
    select distinct __value, unnest({keys_of}) as array_key
    from (select distinct __value from open_records)
),
all_keys as (
    select __value, unnest({keys_of}) as array_key
    from (select distinct {column} as __value from {RECORDS} where {column} is not null)
),
value_pairs as (
    select distinct o.__value as open_value, a.__value as other_value
    from open_keys as o
    inner join all_keys as a on a.array_key = o.array_key
),
key_pairs as (
    select o.__rid as rid_l, r.__rid as rid_r
    from value_pairs as p
    inner join open_records as o on o.__value = p.open_value
    inner join {RECORDS} as r on r.{column} = p.other_value
    where {pair_order_sql(model, "o", "r")}
    union
    select r.__rid as rid_l, o.__rid as rid_r
    from value_pairs as p
    inner join open_records as o on o.__value = p.open_value
    inner join {RECORDS} as r on r.{column} = p.other_value
    where {pair_order_sql(model, "r", "o")}
)
select * from key_pairs"""


def _array_blocking_sql(model: ModelSpec, rule: BlockingRuleSpec, index: int) -> str:
    return f"""with
candidates as (
    select
        k.rid_l,
        k.rid_r
    from {KEY_PAIRS} as k
    inner join {RECORDS} as l on l.__rid = k.rid_l
    inner join {RECORDS} as r on r.__rid = k.rid_r
    where ({rule.condition or 'true'})
        and {constraints_allow_sql(model)}
),
{_new_pairs_sql(index)}
select * from new_pairs"""


_SIDE_COLUMN = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)_(l|r)\b")


def level_columns(model: ModelSpec, record_columns: set[str]) -> list[str]:
    """Return the record columns that level conditions read as `<column>_l`/`<column>_r`."""
    found: list[str] = []
    for comparison in model.comparisons:
        texts = [level.sql for level in comparison.levels if level.sql]
        for text in texts:
            for base, _side in _SIDE_COLUMN.findall(text):
                if base in record_columns and base not in found:
                    found.append(base)
    return found


def pair_columns_sql(pairs: str, columns: list[str], where: str = "true") -> str:
    """Select pairs with the `_l` and `_r` values of `columns` from the records table."""
    selected = [f"l.{c} as {c}_l,\n        r.{c} as {c}_r" for c in columns]
    select_list = ",\n        ".join(["p.rid_l", "p.rid_r", "p.match_key", *selected])
    return f"""select
        {select_list}
    from {pairs} as p
    inner join {RECORDS} as l on l.__rid = p.rid_l
    inner join {RECORDS} as r on r.__rid = p.rid_r
    where {where}"""


def gamma_case_sql(comparison: ComparisonSpec) -> str:
    """Return `case ... end` giving the comparison's gamma value for a pair."""
    whens = []
    for position, level in enumerate(comparison.levels):
        if level.is_else_level:
            continue
        whens.append(f"when {level.sql} then {comparison.gamma_of(position)}")
    body = "\n        ".join(whens)
    return f"case\n        {body}\n        else 0\n    end::tinyint"


def gammas_sql(model: ModelSpec, view: str) -> str:
    """Select the gamma vector of every pair in `view`, which contains `_l`/`_r` columns and
    scores."""
    gammas = ",\n    ".join(f"{gamma_case_sql(c)} as {c.gamma_column}" for c in model.comparisons)
    return f"select\n    rid_l,\n    rid_r,\n    match_key,\n    {gammas}\nfrom {view}"


def weight_case_sql(comparison: ComparisonSpec, weights: dict[int, float]) -> str:
    """Return `case` mapping the comparison's gamma to its match weight (0 for NULL)."""
    whens = " ".join(f"when {gamma} then {weight!r}" for gamma, weight in sorted(weights.items()))
    return f"(case g.{comparison.gamma_column} {whens} else 0.0 end)"


def label_case_sql(comparison: ComparisonSpec) -> str:
    whens = " ".join(
        f"when {comparison.gamma_of(i)} then {quote_literal(level.label)}"
        for i, level in enumerate(comparison.levels)
    )
    return f"(case {comparison.gamma_column} {whens} end)"


def tf_adjustment_sql(
    comparison: ComparisonSpec, u_values: dict[int, float], tf_minimum_u: float
) -> str:
    """Return the term-frequency weight adjustment: log2(u of the level / frequency of the
    value), applied on the levels that name a `tf_column`; 0 elsewhere."""
    whens = []
    for position, level in enumerate(comparison.levels):
        if not level.tf_column:
            continue
        gamma = comparison.gamma_of(position)
        tf_l = f"l.{tf_column_name(level.tf_column)}"
        tf_r = f"r.{tf_column_name(level.tf_column)}"
        frequency = f"greatest(coalesce({tf_l}, 0), coalesce({tf_r}, 0), {tf_minimum_u!r})"
        whens.append(f"when {gamma} then log2({u_values[gamma]!r} / {frequency})")
    if not whens:
        return "0.0"
    return f"(case g.{comparison.gamma_column} {' '.join(whens)} else 0.0 end)"


def scored_pairs_sql(
    model: ModelSpec,
    weights: dict[str, dict[int, float]],
    u_values: dict[str, dict[int, float]],
    prior_weight: float,
    decision_sql: str = "null",
) -> str:
    """Select the candidate pairs whose match probability reaches the model's
    `keep_pairs_min_probability`, with match weight, probability, gammas, the weight of each
    comparison as `weight_<comparison>` and `decision_sql` as `decision` (an expression over
    `match_probability` and the reviewed decision `d.reviewed`, read from
    `__er_review_decisions` by record fingerprints).

    Only `possible` pairs, which go to clerical review, get their `explanation` here. For the
    others it is NULL, and the `link_pairs` view builds it from the weights when it is read.
    """
    uid = model.unique_id_column
    weight_columns = []
    for c in model.comparisons:
        weight = weight_case_sql(c, weights[c.name])
        tf_adjustment = tf_adjustment_sql(c, u_values[c.name], model.tf_minimum_u)
        weight_columns.append(f"{weight} + {tf_adjustment} as {weight_column(c)}")
    rule_names = ", ".join(quote_literal(rule.name) for rule in model.blocking_rules)
    total = " + ".join(weight_column(c) for c in model.comparisons)
    gamma_list = ",\n        ".join(c.gamma_column for c in model.comparisons)
    kept_weights = ",\n        ".join(f"k.{weight_column(c)}" for c in model.comparisons)
    weight_list = ",\n        ".join(weight_columns)
    floor = _weight_floor(model.keep_pairs_min_probability)
    return f"""with
weighted as (
    select
        g.*,
        {weight_list}
    from {GAMMAS} as g
    inner join {RECORDS} as l on l.__rid = g.rid_l
    inner join {RECORDS} as r on r.__rid = g.rid_r
),
summed as (
    select
        *,
        {prior_weight!r} + {total} as match_weight
    from weighted
),
kept as (
    select
        *,
        1.0 / (1.0 + pow(2.0, -match_weight)) as match_probability
    from summed
    where match_weight >= {floor}
),
reviewed as (
    select
        fingerprint_a,
        fingerprint_b,
        decision as reviewed
    from __er_review_decisions
),
decided as (
    select
        k.rid_l,
        k.rid_r,
        l.{uid} as record_id_l,
        r.{uid} as record_id_r,
        l.{FINGERPRINT} as fingerprint_l,
        r.{FINGERPRINT} as fingerprint_r,
        [{rule_names}][k.match_key + 1] as match_key,
        k.match_weight,
        k.match_probability,
        {gamma_list},
        {kept_weights},
        {decision_sql} as decision
    from kept as k
    inner join {RECORDS} as l on l.__rid = k.rid_l
    inner join {RECORDS} as r on r.__rid = k.rid_r
    left join reviewed as d
        on d.fingerprint_a = least(l.{FINGERPRINT}, r.{FINGERPRINT})
        and d.fingerprint_b = greatest(l.{FINGERPRINT}, r.{FINGERPRINT})
),
final as (
    select
        *,
        case
            when decision = 'possible' then {explanation_sql(model, prior_weight)}
        end as explanation
    from decided
)
select * from final"""


def weight_column(comparison: ComparisonSpec) -> str:
    """Return the name of the column that contains the comparison's match weight of a pair."""
    return f"weight_{comparison.name}"


def explanation_sql(model: ModelSpec, prior_weight: float) -> str:
    """Return the JSON array of {comparison, level, weight} that explains a pair's match
    weight, the prior first, over its `gamma_<comparison>` and `weight_<comparison>` columns."""
    items = [
        "{'comparison': 'prior', 'level': 'probability that two random records match', "
        f"'weight': round({prior_weight!r}, 3)}}"
    ]
    for c in model.comparisons:
        items.append(
            f"{{'comparison': {quote_literal(c.name)}, 'level': {label_case_sql(c)}, "
            f"'weight': round({weight_column(c)}, 3)}}"
        )
    body = ",\n            ".join(items)
    return f"to_json([\n            {body}\n        ])"


def _weight_floor(probability: float) -> str:
    if probability <= 0.0:
        return "'-inf'::double"
    return repr(math.log2(probability / (1.0 - probability)))


def prior_weight(match_share: float) -> float:
    """Return log2 of the prior odds of a match."""
    share = min(max(match_share, 1e-12), 1 - 1e-12)
    return math.log2(share / (1 - share))
