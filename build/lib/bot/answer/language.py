"""Is a question in English? The bot answers from French articles either way, but
says so in English first.

lingua (restricted to French and English, which keeps it small and accurate on
short texts) decides, on the question without its names ("Emad Mostaque" says
nothing of the language). A question with French letters (é, à, ç…), a French
stop word or interrogative ("qui", "le", "quand"), or fewer than `MIN_WORDS` words
left is French without asking lingua, which is loaded only for the others.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cached_property
from typing import Any

from bot.search.analysis import fold

MIN_WORDS = 2
# French stop words that English uses too: they tell nothing of the language.
ENGLISH_TOO = frozenset({"a", "as", "on", "or", "me", "ne", "an", "en", "est", "son", "sont", "y", "t", "s"})
MIN_CONFIDENCE = 0.75
_FRENCH_LETTERS = re.compile(r"[àâçéèêëîïôûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜŸŒÆ]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


class LanguageGuesser:
    def __init__(self, french_words: Collection[str] = frozenset()) -> None:
        """`french_words`: folded words that only French uses here (stop words, interrogatives)."""
        self._french_words = frozenset(french_words) - ENGLISH_TOO

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
        if len(words) < MIN_WORDS or any(fold(w) in self._french_words for w in words):
            return False
        from lingua import Language

        top = self._detector.compute_language_confidence_values(" ".join(words))[0]
        return bool(top.language == Language.ENGLISH and top.value >= MIN_CONFIDENCE)
