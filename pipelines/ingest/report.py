"""Write the validation summary as JSON and as self-contained HTML in Indonesian and English.

The HTML inlines its CSS and loads nothing from the network, so it opens offline.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipelines.i18n import SUPPORTED_LANGUAGES, gettext_for
from pipelines.ingest.sources import KIND_LABELS

TEMPLATES = Path(__file__).resolve().parent / "templates"


def write_reports(summary: dict, out_dir: Path) -> list[Path]:
    """Write `validation_summary.json` and `validation_summary.<lang>.html`; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "validation_summary.json"
    json_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str),
                         encoding="utf-8")
    paths = [json_path]

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    template = env.get_template("validation_report.html.j2")
    outcomes = [o for s in summary["suites"] for o in s["outcomes"]]
    for language in SUPPORTED_LANGUAGES:
        html = template.render(
            lang=language,
            t=lambda message, language=language: gettext_for(language, message),
            run_id=summary["run_id"],
            success=summary["success"],
            suites=summary["suites"],
            labels={f"stg_{kind}": label for kind, label in KIND_LABELS.items()},
            stop_count=sum(1 for o in outcomes if not o["success"] and o["on_failure"] == "stop"),
            flag_count=sum(1 for o in outcomes if not o["success"] and o["on_failure"] == "flag"),
        )
        path = out_dir / f"validation_summary.{language}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    return paths
