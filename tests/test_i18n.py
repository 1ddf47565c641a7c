"""Every message marked for translation has an Indonesian translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pipelines.i18n import LOCALE_DIR, gettext_for

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "pipelines"


def marked_messages() -> set[str]:
    messages = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE_DIR), method_map=[("**.py", "python")]
    ):
        if isinstance(message, tuple):
            messages.update(m for m in message if m)
        else:
            messages.add(message)
    return messages


def translated_ids(language: str) -> set[str]:
    ids = set()
    for po_path in (LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as f:
            for message in read_po(f):
                if message.id and message.string:
                    ids.update(message.id if isinstance(message.id, tuple) else [message.id])
    return ids


def test_every_marked_message_has_indonesian():
    missing = sorted(marked_messages() - translated_ids("id"))
    assert missing == []


def test_english_shows_message_ids():
    assert gettext_for("en", "Findings per rule") == "Findings per rule"


def test_indonesian_is_translated():
    assert gettext_for("id", "Findings per rule") != "Findings per rule"


def test_indonesian_says_berkas_not_file():
    # Indonesian messages name a file "berkas", as the console and the report headers do.
    # A placeholder such as {file} or %s is not text.
    word = re.compile(r"(?<![{\w%.])file(?![}\w])", re.IGNORECASE)
    found = []
    for po_path in sorted((LOCALE_DIR / "id" / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as f:
            for message in read_po(f):
                if isinstance(message.string, str) and word.search(message.string):
                    found.append((po_path.name, message.string))
    for suite in sorted((PACKAGE_DIR.parent / "expectations" / "staging").glob("*.json")):
        for expectation in json.loads(suite.read_text(encoding="utf-8"))["expectations"]:
            text = expectation.get("meta", {}).get("description_id", "")
            if word.search(text):
                found.append((suite.name, text))
    assert found == []


def test_empty_file_message_says_berkas():
    message = gettext_for("id", "{file}: the file is empty (0 bytes). Export it again from the "
                                "source system, or remove it from the run configuration.")

    assert message.startswith("{file}: berkas kosong (0 byte).")
