"""The Bappeda report: one self-contained HTML file (inline CSS and SVG, no script, no link)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipelines.i18n import _, current_language
from pipelines.ingest.sources import kind_label
from pipelines.publish import formatting
from pipelines.publish.charts import Bar, horizontal_bars
from pipelines.publish.columns import MART_TABLES
from pipelines.publish.marts import select_rows
from pipelines.publish.masking import mask_ids_in_text, mask_nik
from pipelines.publish.regions import Regions
from pipelines.publish.report_data import (
    PROGRAMME_ORDER,
    ReportOptions,
    complaint_summary,
    detail_rate_rows,
    diff_summary,
    exclusion_summary,
    kecamatan_programme_rates,
    kecamatan_rates,
    previous_run_rules,
    programme_rates,
    programmes_not_in_run,
    reconciliation,
    rule_summary,
    run_info,
    snapshot_dates,
    top_desa_rates,
)
from pipelines.publish.rule_texts import change_title, rule_title, severity_title

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
REPORT_FILE = "laporan_bappeda.html"
# Chart widths in px: the page body is about 1,030 px wide, so two charts fit side by side at 500.
FULL_WIDTH = 760
HALF_WIDTH = 500


def render_report(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    regions: Regions,
    options: ReportOptions | None = None,
) -> str:
    """Render the report in the current language (see pipelines.i18n.set_language)."""
    context = report_context(con, run_id, regions, options or ReportOptions())
    env = _environment()
    template = env.get_template("laporan_bappeda.html.j2")
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    return template.render(css=Markup(css), **context)


# The programmes as the subtitle names them, in report order.
PROGRAMME_NAMES = {"PKH": "PKH", "BPNT": "BPNT/Sembako", "PBI": "PBI JKN"}


def report_context(
    con: duckdb.DuckDBPyConnection, run_id: str, regions: Regions, options: ReportOptions
) -> dict[str, Any]:
    rates = detail_rate_rows(select_rows(con, "summary_rates", MART_TABLES["summary_rates"]))
    by_programme = programme_rates(rates)
    by_kecamatan = kecamatan_rates(rates, regions)
    rules = rule_summary(con)
    exclusion = exclusion_summary(con, regions, options)
    total = _total(by_programme)

    context = {
        "language": current_language(),
        "run": run_info(con, run_id),
        "generated_at": dt.datetime.now().replace(microsecond=0),
        "snapshots": snapshot_dates(con),
        "total": total,
        "by_programme": by_programme,
        "by_kecamatan": by_kecamatan,
        "kecamatan_programmes": kecamatan_programme_rates(rates),
        "programmes": [p.key for p in by_programme],
        "top_desa": top_desa_rates(rates, regions, options),
        "rules": rules,
        "exclusion": exclusion,
        "reconciliation": reconciliation(con),
        "diff": diff_summary(con),
        "diff_rules": previous_run_rules(con, run_id),
        "complaints": complaint_summary(con),
        "options": options,
        "rules_config": options.rules_config or {},
        "regions": regions,
    }
    # A programme with rates had rows in the run, even where the file list lacks it.
    context["programmes_not_in_run"] = [
        programme
        for programme in programmes_not_in_run(context["reconciliation"]["files"])
        if programme not in context["programmes"]
    ]
    context["audited_programme_names"] = [
        name
        for programme, name in PROGRAMME_NAMES.items()
        if programme not in context["programmes_not_in_run"]
    ]
    context["charts"] = _charts(by_programme, by_kecamatan, rules, exclusion)
    logger.info(
        "report figures: %d programmes, %d kecamatan, %d rules, %d exclusion candidate families",
        len(by_programme),
        len(by_kecamatan),
        len(rules),
        exclusion["families"],
    )
    return context


def write_report(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    run_id: str,
    regions: Regions,
    options: ReportOptions | None = None,
) -> None:
    html = render_report(con, run_id, regions, options)
    path.write_text(html, encoding="utf-8")
    logger.info("wrote %s (%d bytes)", path.name, len(html.encode("utf-8")))


def _total(by_programme) -> dict[str, Any]:
    recipients = sum(r.recipients for r in by_programme)
    flagged = sum(r.flagged for r in by_programme)
    return {
        "recipients": recipients,
        "flagged": flagged,
        "rate": formatting.share(flagged, recipients),
        "idr_month": sum(r.idr_month for r in by_programme),
        "idr_year": sum(r.idr_year for r in by_programme),
    }


def _charts(by_programme, by_kecamatan, rules, exclusion) -> dict[str, Markup]:
    charts = {
        "programme_rates": horizontal_bars(
            [Bar(r.label, r.rate or 0, formatting.percent(r.rate)) for r in by_programme],
            _("Inclusion error rate by programme"),
            width=HALF_WIDTH,
        ),
        "idr_year": horizontal_bars(
            [Bar(r.label, r.idr_year, formatting.rupiah_short(r.idr_year)) for r in by_programme],
            _("Rupiah at risk per year by programme"),
            width=HALF_WIDTH,
            color="#C55A11",
        ),
        "kecamatan_rates": horizontal_bars(
            [Bar(r.label, r.rate or 0, formatting.percent(r.rate)) for r in by_kecamatan],
            _("Inclusion error rate by kecamatan"),
            width=FULL_WIDTH,
        ),
        # Rules that only inform, DEFAULT_DOB above all, would dwarf the rest of the chart.
        # The table under it lists them.
        "rules": horizontal_bars(
            [
                Bar(f"{r['rule_code']}", r["total"], formatting.number(r["total"]))
                for r in rules
                if r["total"] and set(r["severity"]) != {"INFO"}
            ][:15],
            _("Findings per rule, without the rules that only inform"),
            width=FULL_WIDTH,
            color="#548235",
        ),
        "exclusion_kecamatan": horizontal_bars(
            [
                Bar(name, count, formatting.number(count))
                for name, count in exclusion["by_kecamatan"]
            ],
            _("Exclusion error candidates (families) by kecamatan"),
            width=FULL_WIDTH,
            color="#7030A0",
        ),
    }
    return {name: Markup(svg) for name, svg in charts.items()}


def _mask_output(value: Any) -> Any:
    """Mask any NIK or No KK in text printed by the template, such as a reason or evidence.

    Markup (the CSS, the charts and values passed through the `unmasked` filter) is kept.
    """
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return mask_ids_in_text(value)


def _unmasked(value: Any) -> Markup:
    """Escape `value` and exempt it from masking (for checksums, which are not personal)."""
    return Markup.escape("" if value is None else value)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        finalize=_mask_output,
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        _=_,
        rule_title=rule_title,
        change_title=change_title,
        kind_label=kind_label,
        severity_title=severity_title,
        programme_order=PROGRAMME_ORDER,
    )
    env.filters.update(
        number=formatting.number,
        rupiah=formatting.rupiah,
        percent=formatting.percent,
        date=formatting.date,
        mask=mask_nik,
        unmasked=_unmasked,
    )
    return env
