"""Every message marked for translation has an Indonesian translation."""

from __future__ import annotations

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
