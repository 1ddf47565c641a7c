"""Masking of NIK and No KK wherever a person's number leaves the desk: reports and logs."""

from __future__ import annotations

import re
from typing import Any


def mask_nik(value: Any) -> str:
    """Mask a NIK or No KK for reports and logs: `3325********0001`.

    The first four digits (province and regency) and the last four (serial) stay, so a reader
    can tell records apart without seeing the birth date. A value shorter than 12 characters
    is masked entirely, because it has no reliable region and serial parts.
    """
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) < 12:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


_ID_RUN = re.compile(r"(?<!\d)\d{16}(?!\d)")


def mask_ids_in_text(text: str) -> str:
    """Mask every run of exactly 16 digits (a NIK or No KK) inside free text."""
    return _ID_RUN.sub(lambda match: mask_nik(match.group(0)), text)
