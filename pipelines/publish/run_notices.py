"""Notice lines for the workbooks about rules that a run skipped or ran with a limitation.

The Bappeda report lists such rules too (see templates/laporan_bappeda.html.j2). The workbooks
show the same facts in their title area, so that a field officer learns, for example, that
deceased recipients were not checked in a run without the death register.
"""

from __future__ import annotations

import duckdb

from pipelines.i18n import _
from pipelines.publish.columns import MART_TABLES
from pipelines.publish.marts import select_rows

# The status values of rule_status, as pipelines.rules.apply writes them.
NOT_EVALUATED = "not_evaluated"
EVALUATED_WITH_LIMITATION = "evaluated_with_limitation"


def rule_status_notices(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the notice lines of the run's `rule_status` mart.

    The first line names the rules that were not evaluated and the second those evaluated with
    a limitation, each with its reason. A line is left out when it has no rule, so the list is
    empty when every rule ran normally. The lines are in the publish language, but the reasons
    come from the mart, which stores them in the language of the run.
    """
    rows = select_rows(con, "rule_status", MART_TABLES["rule_status"], order_by="rule_code")
    skipped = [
        (row["rule_code"], row["not_evaluated_reason"])
        for row in rows
        if row["status"] == NOT_EVALUATED or not row["is_evaluated"]
    ]
    limited = [
        (row["rule_code"], row["limitation_reason"])
        for row in rows
        if row["status"] == EVALUATED_WITH_LIMITATION and row["is_evaluated"]
    ]

    notices = []
    if skipped:
        notices.append(
            _("Not evaluated in this run, so this list has none of their findings: {rules}.")
            .format(rules=rules_with_reasons(skipped))
        )
    if limited:
        notices.append(
            _(
                "Evaluated with a limitation in this run, so their findings can be incomplete "
                "or wrong: {rules}."
            ).format(rules=rules_with_reasons(limited))
        )
    return notices


def rules_with_reasons(rules: list[tuple[str, str | None]]) -> str:
    """Join (rule code, reason) pairs as `A, B - reason; C - other reason`.

    Rules that share a reason are named together before it, in the order of their first rule.
    A rule without a reason is named alone.
    """
    by_reason: dict[str, list[str]] = {}
    for code, reason in rules:
        by_reason.setdefault((reason or "").strip(), []).append(code)
    return "; ".join(
        ", ".join(codes) + (f" - {reason}" if reason else "") for reason, codes in by_reason.items()
    )
