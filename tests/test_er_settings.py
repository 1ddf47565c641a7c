"""Settings files: the shipped model loads; every problem of a bad file is reported at once."""

from __future__ import annotations

import pytest
from helpers import write_settings

from pipelines.er.settings import DEFAULT_SETTINGS_PATH, load_model
from pipelines.errors import ConfigError


def test_default_model_loads():
    model = load_model(None)
    assert model.name == "indonesia_person"
    assert [rule.name for rule in model.blocking_rules][:2] == ["nik_exact", "nik_one_edit"]
    assert DEFAULT_SETTINGS_PATH.exists()
    assert model.valid_nik_sql is not None


BROKEN = """
[model]
link_type = "sideways"
valid_nik_sql = 1
[[features]]
name = "x"
function = "no_such_function"
[[blocking_rules]]
name = "r"
[[blocking_rules]]
name = "r"
sql = "l.a = r.a"
em_exclude = ["ghost"]
key_join_exclusive = "a"
[[comparisons]]
name = "c"
scores = [{ name = "s", scorer = "soundex_magic", column = "a" }]
levels = [
    { label = "same", sql = "a_l = a_r" },
    { label = "missing", null = true, sql = "a_l is null" },
    { label = "else", else = true },
]
[[cluster_constraints]]
kind = "unique_forever"
"""


def test_all_problems_reported_together(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_model(write_settings(tmp_path / "broken.toml", BROKEN))
    message = str(raised.value)
    for fragment in (
        "link_type is 'sideways'",
        "valid_nik_sql is 1; use a SQL expression as text",
        "unknown function 'no_such_function'",
        "give 'sql' or 'array_column'",
        "blocking rule name 'r' is used twice",
        "unknown comparison 'ghost'",
        "key_join_exclusive needs 'array_column'",
        "unknown scorer 'soundex_magic'",
        "the first level must be the null level",
        "kind is 'unique_forever'",
        "'column' is missing",
    ):
        assert fragment in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_model(tmp_path / "absent.toml")


def test_invalid_toml(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_model(write_settings(tmp_path / "bad.toml", "[model\nname ="))
