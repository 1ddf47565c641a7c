"""Translations for everything a user reads.

Message ids are English. Indonesian (`id`) is the default language; `en` shows the ids as they
are. Catalogs are the `.po` files under `pipelines/locale/<lang>/LC_MESSAGES/`; every `.po` file
in that folder is loaded and merged, so each part of the product keeps its own catalog file.
They are compiled in memory on first use, so no build step is needed.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "id"
SUPPORTED_LANGUAGES = ("id", "en")

_current_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    """Return the merged catalog for `language` (an empty one for English)."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {SUPPORTED_LANGUAGES}")
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    merged: gettext.NullTranslations = gettext.NullTranslations()
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = gettext.GNUTranslations(buffer)
        part.add_fallback(merged)
        merged = part
    return merged


def set_language(language: str) -> None:
    """Select the language used by `_` in this context (thread or task)."""
    translations(language)
    _current_language.set(language)


def current_language() -> str:
    return _current_language.get()


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return translations(_current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current_language.get()).ngettext(singular, plural, n)


def gettext_for(language: str, message: str) -> str:
    """Translate `message` into `language` regardless of the current context."""
    return translations(language).gettext(message)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it yet (translate at display time)."""
    return message
