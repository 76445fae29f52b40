"""Make any text a user can send safe to analyse: control characters, zero-width
and direction marks, and lone surrogates are removed; line breaks become spaces."""

from __future__ import annotations

import re
import unicodedata

# Cc: controls, Cf: format (zero-width, bidi marks), Cs: surrogates, Co/Cn: private, unassigned.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACES = re.compile(r"\s+")


def clean_question(text: str) -> str:
    """The question's visible characters, NFC-normalised, on one line."""
    text = "".join(
        " " if char in "\t\n\r\v\f" else char
        for char in text
        if char in "\t\n\r\v\f" or unicodedata.category(char) not in _DROPPED
    )
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
