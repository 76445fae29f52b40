"""Is a question in English? The bot answers from French articles either way, but
says so in English first.

A question with French letters (é, à, ç…), a French stop word or interrogative
("qui", "le", "quand"), or fewer than `MIN_WORDS` words left once its names are set
aside ("Emad Mostaque" says nothing of the language) is French. Otherwise wordfreq's
English and French frequencies decide, as a naive Bayes over the words would: the words
must be more common in English than in French overall, and most of them usual English
words (so that "azer qsdf wxcv" is no language at all, not English).

Measured on the 490 labelled questions of the development and training sets (English
ones, English off-topic ones, franglais, typos, gibberish): no error, where the lingua
detector this replaced made two and cost 100 MB of install.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.search.analysis import fold
from bot.search.lexicon import zipf

MIN_WORDS = 2
USUAL_ENGLISH_ZIPF = 3.0  # a word seen at least once per million English words
# French stop words that English uses too: they tell nothing of the language.
ENGLISH_TOO = frozenset({"a", "as", "on", "or", "me", "ne", "an", "en", "est", "son", "sont", "y", "t", "s"})
_FRENCH_LETTERS = re.compile(r"[àâçéèêëîïôûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜŸŒÆ]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


class LanguageGuesser:
    def __init__(self, french_words: Collection[str] = frozenset()) -> None:
        """`french_words`: folded words that only French uses here (stop words, interrogatives)."""
        self._french_words = frozenset(french_words) - ENGLISH_TOO

    def is_english(self, question: str) -> bool:
        if _FRENCH_LETTERS.search(question):
            return False
        words = [w for n, w in enumerate(_WORD.findall(question)) if n == 0 or not w[:1].isupper()]
        if len(words) < MIN_WORDS or any(fold(w) in self._french_words for w in words):
            return False
        english = [zipf(w.replace("’", "'"), "en") for w in words]
        french = [zipf(w, "fr") for w in words]
        usual = sum(z >= USUAL_ENGLISH_ZIPF for z in english)
        return sum(english) > sum(french) and 2 * usual > len(words)
