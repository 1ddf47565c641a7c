"""Paths that the CLI uses when the user gives none."""

from __future__ import annotations

import glob
import logging
import re
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCES_HEADER = "\n[[sources]]\n"


@dataclass(frozen=True)
class Paths:
    """Default folders of a checkout: inputs, ground truth, outputs and scratch space."""

    root: Path = PROJECT_ROOT

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def truth_dir(self) -> Path:
        # Ground truth of the synthetic generator; the pipeline never reads it.
        return self.root / "data" / "truth"

    @property
    def marts_dir(self) -> Path:
        return self.root / "data" / "marts"

    @property
    def review_dir(self) -> Path:
        # The clerical review workbook of possible matches and the decisions kept across runs.
        return self.root / "data" / "review"

    @property
    def work_dir(self) -> Path:
        return self.root / "data" / "work"

    @property
    def demo_config(self) -> Path:
        return self.root / "config" / "demo.toml"

    @property
    def prefect_home(self) -> Path:
        return self.root / "data" / "work" / "prefect"


def write_demo_run_config(folder: Path) -> Path:
    """Write `folder/run.toml`: the demo run configuration pointed at `folder/raw` and
    `folder/marts`, with the project's rules configuration. Used by tests and benchmarks.

    When `folder/raw` exists, a source whose pattern matches no file there is left out with a
    warning, so a folder generated before the BPJS-TK, PLN, Samsat and AHU/OSS extracts existed
    still runs. The rules reading a left-out source are then recorded as not evaluated.
    """
    text = (PROJECT_ROOT / "config" / "demo.toml").read_text(encoding="utf-8")
    rules = (PROJECT_ROOT / "config" / "rules.toml").as_posix()
    text = text.replace('rules = "rules.toml"', f'rules = "{rules}"')
    text = text.replace('raw_dir = "../data/raw"', 'raw_dir = "raw"')
    text = text.replace('marts_dir = "../data/marts"', 'marts_dir = "marts"')
    if (folder / "raw").is_dir():
        text = _without_missing_sources(text, folder / "raw")
    path = folder / "run.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _without_missing_sources(text: str, raw_dir: Path) -> str:
    head, *blocks = text.split(SOURCES_HEADER)
    present = []
    for block in blocks:
        match = re.search(r'^path = "([^"]+)"', block, re.MULTILINE)
        pattern = match.group(1) if match else ""
        if match and not glob.glob(str(raw_dir / pattern)):
            logger.warning("no file in %s matches %s; the demo run leaves that source out",
                           raw_dir, pattern)
            continue
        present.append(block)
    return head + "".join(SOURCES_HEADER + block for block in present)
