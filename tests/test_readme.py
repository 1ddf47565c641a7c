"""Both READMEs name every folder where a run leaves full NIKs, and the fast desk command."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.publish.atomic import PREVIOUS_FOLDER, retired_dir, staging_dir

ROOT = Path(__file__).resolve().parent.parent
READMES = ["README.md", "README.id.md"]


def personal_data_section(readme: str) -> str:
    text = (ROOT / readme).read_text(encoding="utf-8")
    heading = "## Personal data" if readme == "README.md" else "## Data pribadi"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("readme", READMES)
def test_personal_data_names_publish_copies(readme, tmp_path):
    section = personal_data_section(readme)
    marts = Path("data/marts")
    staging_name = staging_dir(tmp_path / "marts", "RUN").name.replace("RUN", "<run>")

    assert f"`{marts / PREVIOUS_FOLDER}/`" in section
    assert f"`{retired_dir(marts)}/`" in section
    assert f"`data/{staging_name}/`" in section
    assert "`rm -rf data/.marts.*`" in section


@pytest.mark.parametrize("readme", READMES)
def test_desk_command_skips_sync(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")

    assert "`.venv/bin/bansos-audit cek" in text
    assert "`uv run --no-sync bansos-audit cek" in text
