"""Is a question in English? The bot answers from French articles either way, but
says so in English first.

lingua (restricted to French and English, which keeps it small and accurate on
short texts) decides, on the question without its names ("Emad Mostaque" says
nothing of the language). A question with French letters (é, à, ç…) or with fewer
than `MIN_WORDS` words left is French.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

MIN_WORDS = 2
MIN_CONFIDENCE = 0.75
_FRENCH_LETTERS = re.compile(r"[àâçéèêëîïôûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜŸŒÆ]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


class LanguageGuesser:
    @cached_property
    def _detector(self) -> Any:
        from lingua import Language, LanguageDetectorBuilder

        return LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH).build()

    def warm_up(self) -> None:
        """Load the language models now (a server calls it at start, not on a question)."""
        self._detector.compute_language_confidence_values("warm up")

    def is_english(self, question: str) -> bool:
        if _FRENCH_LETTERS.search(question):
            return False
        words = [w for n, w in enumerate(_WORD.findall(question)) if n == 0 or not w[:1].isupper()]
        if len(words) < MIN_WORDS:
            return False
        from lingua import Language

        top = self._detector.compute_language_confidence_values(" ".join(words))[0]
        return bool(top.language == Language.ENGLISH and top.value >= MIN_CONFIDENCE)
