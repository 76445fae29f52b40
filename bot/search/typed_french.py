"""French as typed in chat, written out before a question is analysed (never the
passages): chat words ("pk" → "pourquoi", "c koi" → "c'est quoi", "la boîte" →
"l'entreprise") and missing accents ("annee" → "année").

The chat words are `bot/data/chat_fr.txt`, general chat French, editable. A word
is rewritten when it, its lemma ("bossait" → "bosser") or, for a past participle
of the first group, its infinitive ("s'est barré" → "barrer") is listed; case and
accents do not matter. A word without accents gets them back when French writes
it with them far more often (wordfreq), unless it is capitalised inside the
question (a name); a chat word in capitals that would stand for a mere stop word is an
acronym ("le CA" is not "ça"), unless the whole question is in capitals ("PK", "DL" are
still written out); an elision typed without its apostrophe gets it back
("larticle" → "l'article"). Words glued to an apostrophe ("c'est") are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.data import read_data
from bot.search.analysis import fold, is_acronym, shouted
from bot.search.lexicon import lemma, with_accents, zipf

_WORD = re.compile(r"(?<![\w'’])[^\W_]+(?![\w'’])")


def load_chat_words(text: str | None = None) -> dict[str, str]:
    """The abbreviation → expansion map of `text` (default: the bundled list)."""
    words: dict[str, str] = {}
    for line in (read_data("chat_fr.txt") if text is None else text).splitlines():
        line = line.split("#", 1)[0]
        short, equals, long = line.partition("=")
        if equals and short.strip() and long.strip():
            words[fold(short.strip())] = long.strip()
    return words


_ELISIONS = ("qu", "l", "d", "j", "m", "n", "s", "t", "c")
_VOWELS = frozenset("aeiouyhàâéèêëîïôûù")
_SAME_START = 3  # letters a chat word's forms share with it ("bossait", "bosser")
_PARTICIPLE = re.compile(r"(\w+)ée?s?")  # "barré", "virées": verbs in -er
MIN_ELIDED = 3  # letters after the elision
ELIDED_MAX_ZIPF = 3.0  # a word this common in French is a word, not an elision
ELIDED_REST_ZIPF = 3.5  # what the rest must be to count as a French word


class TypedFrench:
    def __init__(
        self,
        chat_words: dict[str, str] | None = None,
        known: Callable[[str], bool] | None = None,
        mere_stop_words: frozenset[str] = frozenset(),
    ) -> None:
        """`known(word)`: whether the articles use the word (names such as "emad");
        `mere_stop_words` (folded): words that say nothing, and are no interrogative: a
        chat word in capitals standing for one is an acronym ("le CA" is not "ça")."""
        self._words = load_chat_words() if chat_words is None else chat_words
        self._known = known or (lambda word: False)
        self._mere_stop_words = mere_stop_words
        # Forms of a listed word begin as it does: no other word needs its lemma looked up.
        self._starts = frozenset(word[:_SAME_START] for word in self._words)

    def write_out(self, question: str) -> str:
        """The question with every listed chat word written out and accents restored."""

        acronyms = not shouted(question)

        def written_out(match: re.Match[str]) -> str:
            word = match.group()
            lowered = word.casefold()
            found = self._listed(lowered)
            if found and acronyms and is_acronym(word) and fold(found) in self._mere_stop_words:
                return word  # an acronym ("le CA"), not a chat spelling ("ca" → "ça"); "PK" is "pk"
            if found:
                return found
            if word[:1].isupper() and match.start() > 0:
                return word  # a name
            if len(word) <= MIN_ELIDED or self._known(lowered):
                return word  # short, or as the articles write it
            accented = with_accents(lowered)
            if accented != lowered:
                return accented
            return self._elided(word) or word

        return _WORD.sub(written_out, question)

    def _listed(self, lowered: str) -> str | None:
        """The expansion of a chat word, as typed, by its lemma or by its infinitive."""
        folded = fold(lowered)
        found = self._words.get(folded)
        if found is None and len(lowered) > MIN_ELIDED and folded[:_SAME_START] in self._starts:
            found = self._words.get(fold(lemma(lowered)))
            participle = _PARTICIPLE.fullmatch(lowered)
            if found is None and participle:
                found = self._words.get(fold(participle.group(1)) + "er")
        return found

    def _elided(self, word: str) -> str | None:
        """ "larticle" → "l'article", "demad" → "d'emad", "cetait" → "c'était": an
        elision typed without its apostrophe, when the word is not French but the rest is
        (or is a word of the articles)."""
        lowered = word.casefold()
        for elision in _ELISIONS:
            rest = lowered[len(elision) :]
            if not lowered.startswith(elision) or len(rest) < MIN_ELIDED or rest[0] not in _VOWELS:
                continue
            if zipf(lowered) >= ELIDED_MAX_ZIPF:
                return None
            rest = with_accents(rest)
            if zipf(rest) >= ELIDED_REST_ZIPF or self._known(rest):
                return f"{word[: len(elision)]}'{rest}"
        return None
