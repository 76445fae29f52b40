"""General French knowledge, from packages made for it: word frequencies and lemmas.

`wordfreq`'s French list says how common a word is in French at large (its Zipf
frequency: 7 for "de", 5 for "tête", 4 for "nationalité", 0 for a word it has never
seen), which is what a question word the corpus lacks weighs: a common word must
not sink a question, a rare word or a name must. `simplemma`'s dictionary gives
lemmas ("cramait" → "cramer"). Both are read through `bot.search.word_lists`, which
keeps them as hashed arrays in the user's cache folder, so a one-shot `emad-bot ask`
looks a few words up without reading either package's data; every look-up is cached
per word.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

from bot.search.word_lists import word_lists

ACCENTS_GAIN = 1.0  # the accented form must be this much more common (Zipf) to replace


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The French lemma of a lower-case word, or the word itself when unknown."""
    return word_lists().lemma(word) or word


@lru_cache(maxsize=200_000)
def _zipf_of_word(word: str, language: str) -> float | None:
    band = word_lists().band(word, language)
    return None if band is None else (900 - band) / 100


@lru_cache(maxsize=50_000)
def zipf(word: str, language: str = "fr") -> float:
    """How common `word` is on the Zipf scale (0 = never seen, 7+ = "de"); several
    words combine as wordfreq does (1/f = 1/f1 + 1/f2 …)."""
    words = unicodedata.normalize("NFC", word.casefold()).split()
    frequencies = [_zipf_of_word(w, language) for w in words]
    if not frequencies or any(f is None for f in frequencies):
        return 0.0
    combined = 1 / sum(10**-f for f in frequencies if f is not None)
    return round(math.log10(combined), 2)


def load_word_lists() -> None:
    """Map the word lists now rather than on the first question (building them, the
    first time on a machine, takes about a second): a serving bot calls this at start."""
    word_lists()


@lru_cache(maxsize=50_000)
def with_accents(word: str) -> str:
    """A lower-case word typed without accents, as French usually writes it ("annee" →
    "année", "preside" → "présidé"), or the word itself when its plain form is usual."""
    if not word.isascii():
        return word
    accented = word_lists().accented(word)
    if accented is None or zipf(accented) < zipf(word) + ACCENTS_GAIN:
        return word
    return accented
