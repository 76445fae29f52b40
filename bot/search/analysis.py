"""French text analysis, the same for passages and questions.

A word becomes a term by: Unicode normalisation (NFKC), case folding, elisions
stripped (l', d', qu', jusqu', … with ' or ’) and so is an English possessive ('s),
accents folded and œ/æ expanded, then Snowball French stemming.
Hyphens and other punctuation separate words (so "a-t-il" is three words). Stop
words are dropped, and so are the words of set phrases whose words alone would
mislead (`bot/data/locutions_fr.txt`: "quelque part" is not "partir", whose Snowball
stem it shares; "sans doute" says nothing of a doubt); questions also drop
interrogatives ("quand", "pourquoi", …) and polite words ("bonjour", "svp").

Names written with inner capitals ("OpenAI", "SchellingAI") are not stemmed; a stop
word written in capitals is an acronym ("le CA" is not "ça"), unless the whole text is
in capitals (interrogatives and polite words in capitals, "QUI", "SVP", stay dropped).
Stemming comes after folding, so that a word typed without accents
("demissionne") gets the same term as the article's. (Lemmatising before
stemming, with simplemma, was measured on the development questions: no better
ranking, and 0.16 s more at start-up; lemmas only serve to tell how common a
question word is, in `bot.search.question`.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from bot.data import read_data

ELISIONS = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"}
)
MAX_QUESTION_WORD = 30  # characters; "anticonstitutionnellement" has 25
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOSTROPHE = re.compile(r"['’]")


@dataclass(frozen=True)
class Token:
    """An analysed word and where it stands in the analysed text."""

    term: str
    start: int
    end: int


def fold(word: str) -> str:
    """Case-fold, expand ligatures and drop accents: "Œuvre" → "oeuvre"."""
    word = unicodedata.normalize("NFKC", word).casefold().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def term_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of the smaller set of terms that the other holds too (1: one says all
    the other does): how two snippets or two dated sentences are told to say the same."""
    return len(a & b) / max(min(len(a), len(b)), 1)


# Words repeat: the analysis folds each through this cache. Whole texts use `fold`.
fold_word = lru_cache(maxsize=200_000)(fold)


def _read_word_list(name: str) -> frozenset[str]:
    text = read_data(name)
    words: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        words.update(fold(_APOSTROPHE.sub("", w)) for w in line.split())
    return frozenset(words)


def _read_locutions(name: str) -> dict[str, list[tuple[str, ...]]]:
    """Each set phrase as its words (folded, elisions dropped, as `_words` reads them),
    listed under its last word."""
    by_last: dict[str, list[tuple[str, ...]]] = {}
    for line in read_data(name).splitlines():
        line = line.split("#", 1)[0].strip()
        words = tuple(_surface(line, start, end) for _, start, end in _word_spans(line))
        if len(words) > 1:
            by_last.setdefault(words[-1], []).append(words)
    return by_last


def _word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each word without its elided article ("l'", "qu'") or English possessive
    ("Stability AI's board"), with its offsets."""
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        while (parts := _APOSTROPHE.split(word, maxsplit=1))[1:] and fold_word(parts[0]) in ELISIONS:
            start += len(parts[0]) + 1
            word = parts[1]
        if len(word) > 2 and word[-1] in "sS" and word[-2] in "'’":
            word = word[:-2]
        yield word, start, start + len(word)


def _surface(text: str, start: int, end: int) -> str:
    return _APOSTROPHE.sub("", fold_word(text[start:end]))


class FrenchAnalyzer:
    """Turns French text into terms; one instance serves the index and the questions."""

    def __init__(
        self,
        stop_words: Iterable[str] | None = None,
        question_words: Iterable[str] | None = None,
        locutions: dict[str, list[tuple[str, ...]]] | None = None,
    ) -> None:
        self.stop_words = frozenset(
            stop_words if stop_words is not None else _read_word_list("stopwords_fr.txt")
        )
        self.question_words = frozenset(
            question_words
            if question_words is not None
            else _read_word_list("question_words_fr.txt") | _read_word_list("politeness_fr.txt")
        )
        self._question_dropped = self.stop_words | self.question_words
        self._locutions = _read_locutions("locutions_fr.txt") if locutions is None else locutions
        self._stemmer = Stemmer.Stemmer("french")
        self.stem = lru_cache(maxsize=100_000)(self._stem_uncached)
        # Snippets re-read the few passages a question cites; they repeat across questions.
        self.passage_tokens = lru_cache(maxsize=4_096)(self._passage_tokens)

    def _stem_uncached(self, word: str) -> str:
        lowered = unicodedata.normalize("NFKC", word).casefold()
        return str(self._stemmer.stemWord(fold_word(lowered)))

    def tokens(self, text: str, *, question: bool = False) -> list[Token]:
        """The content words of `text` with their offsets, stop words removed (and, in a
        question, interrogatives, polite words and "words" too long to be words)."""
        dropped = self._question_dropped if question else self.stop_words
        longest = MAX_QUESTION_WORD if question else len(text)
        words = list(self._words(text))
        surfaces = [_surface(text, token.start, token.end) for token in words]
        in_locution = self._in_locutions(surfaces)
        acronyms = not shouted(text)
        kept = []
        for position, (token, surface) in enumerate(zip(words, surfaces, strict=True)):
            if surface in dropped and not (acronyms and self._acronym(surface, text, token)):
                continue
            if len(surface) > longest or position in in_locution:
                continue
            if len(token.term) > 1 or token.term.isdigit():
                kept.append(token)
        return kept

    def _acronym(self, surface: str, text: str, token: Token) -> bool:
        """ "CA" is an acronym, not "ça"; "QUI", "SVP", "MERCI" are still what they say."""
        return is_acronym(text[token.start : token.end]) and surface not in self.question_words

    def _in_locutions(self, surfaces: list[str]) -> set[int]:
        """The positions of the words that belong to a set phrase."""
        found: set[int] = set()
        for end, surface in enumerate(surfaces, start=1):
            for phrase in self._locutions.get(surface, ()):
                if end >= len(phrase) and tuple(surfaces[end - len(phrase) : end]) == phrase:
                    found.update(range(end - len(phrase), end))
        return found

    def _passage_tokens(self, text: str) -> tuple[Token, ...]:
        return tuple(self.tokens(text))

    def terms(self, text: str) -> list[str]:
        """The analysed terms of a passage, in order, repeats kept (for term frequency)."""
        return [token.term for token in self.tokens(text)]

    def _words(self, text: str) -> Iterator[Token]:
        for word, start, end in _word_spans(text):
            word_only = _APOSTROPHE.sub("", word)
            term = fold_word(word_only) if _is_name(word_only) else self.stem(word_only)
            yield Token(term, start, end)


def is_acronym(word: str) -> bool:
    """ "CA", "IA", "PDG": two letters or more, all capitals."""
    return len(word) > 1 and word.isupper()


def shouted(text: str) -> bool:
    """Several words and no lower-case letter ("QUI A FINANCE STAB ?"): capitals say
    nothing of acronyms there."""
    return not any(c.islower() for c in text) and len(_WORD.findall(text)) > 1


def _is_name(word: str) -> bool:
    """Inner capitals among lower-case letters ("OpenAI", "SchellingAI") mark a name,
    which stemming would mangle ("OpenAI" → "open")."""
    return any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
