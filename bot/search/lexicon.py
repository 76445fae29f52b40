"""General French knowledge, from packages made for it: lemmas and word frequencies.

`simplemma` gives lemmas ("vient" → "venir", "détenait" → "détenir"), so the
analysis meets irregular forms that stemming leaves apart. `wordfreq` says how
common a word is in French at large (its Zipf frequency: 7 for "de", 5 for "tête",
4 for "nationalité", 0 for a word it has never seen), which is what a question
word the corpus lacks weighs: a common word must not sink a question, a rare word
or a name must. Both load their French data on first use, and every look-up is
cached per word.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The French lemma of a lower-case word, or the word itself when unknown."""
    import simplemma

    return str(simplemma.lemmatize(word, lang="fr"))


@lru_cache(maxsize=50_000)
def zipf(word: str) -> float:
    """How common `word` is in French, on the Zipf scale (0 = never seen, 7+ = "de")."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "fr"))


ACCENTS_GAIN = 1.0  # the accented form must be this much more common (Zipf) to replace


@lru_cache(maxsize=1)
def _accented_forms() -> dict[str, str]:
    """Each accented French word by its form without accents, the most common first."""
    import unicodedata

    from wordfreq import iter_wordlist

    forms: dict[str, str] = {}
    for word in iter_wordlist("fr"):  # most frequent first
        if not word.isascii():
            plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
            forms.setdefault(plain, word)
    return forms


@lru_cache(maxsize=50_000)
def with_accents(word: str) -> str:
    """A lower-case word typed without accents, as French usually writes it ("annee" →
    "année", "preside" → "présidé"), or the word itself when its plain form is usual."""
    if not word.isascii():
        return word
    accented = _accented_forms().get(word)
    if accented is None or zipf(accented) < zipf(word) + ACCENTS_GAIN:
        return word
    return accented
