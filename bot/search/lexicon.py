"""General French knowledge, from packages made for it: word frequencies and lemmas.

`wordfreq`'s French list says how common a word is in French at large (its Zipf
frequency: 7 for "de", 5 for "tête", 4 for "nationalité", 0 for a word it has never
seen), which is what a question word the corpus lacks weighs: a common word must
not sink a question, a rare word or a name must. The list is read straight from
wordfreq's own data file (`large_fr.msgpack.gz`, its documented "cBpack" format):
importing wordfreq compiles its multilingual tokenizer, which costs more than the
whole answer (0.17 s), and a question word needs no tokenizer. `simplemma` gives
lemmas ("cramait" → "cramer"), looked up only for words rarer than `FRENCH_WORD`.
Both load on first use; every look-up is cached per word.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import unicodedata
from functools import lru_cache
from pathlib import Path

ACCENTS_GAIN = 1.0  # the accented form must be this much more common (Zipf) to replace


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The French lemma of a lower-case word, or the word itself when unknown."""
    import simplemma

    return str(simplemma.lemmatize(word, lang="fr"))


@lru_cache(maxsize=2)
def _buckets(language: str) -> list[list[str]]:
    """wordfreq's word list for `language`: words by frequency band, 1 cB apart,
    the most frequent first (band i holds the words at -i centibels)."""
    import msgpack

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return []
    data = Path(spec.submodule_search_locations[0]) / "data" / f"large_{language}.msgpack.gz"
    header, *bands = msgpack.unpackb(gzip.decompress(data.read_bytes()), raw=False)
    if header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"format de liste wordfreq inattendu : {header}")
    return [list(words) for words in bands]


@lru_cache(maxsize=2)
def _zipf_table(language: str) -> dict[str, float]:
    return {word: (900 - band) / 100 for band, words in enumerate(_buckets(language)) for word in words}


@lru_cache(maxsize=50_000)
def zipf(word: str, language: str = "fr") -> float:
    """How common `word` is on the Zipf scale (0 = never seen, 7+ = "de"); several
    words combine as wordfreq does (1/f = 1/f1 + 1/f2 …)."""
    table = _zipf_table(language)
    words = unicodedata.normalize("NFC", word.casefold()).split()
    if not words or any(w not in table for w in words):
        return 0.0
    combined = 1 / sum(10 ** -table[w] for w in words)
    return round(math.log10(combined), 2)


@lru_cache(maxsize=1)
def _accented_forms() -> dict[str, str]:
    """Each accented French word by its form without accents, the most common first."""
    forms: dict[str, str] = {}
    for words in _buckets("fr"):
        for word in words:
            if not word.isascii():
                plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
                forms.setdefault(plain, word)
    return forms


def load_word_lists() -> None:
    """Read the word lists now rather than on the first question (about 0.2 s): a
    serving bot calls this at start, so its first asker does not wait for them."""
    _zipf_table("fr")
    _accented_forms()


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
