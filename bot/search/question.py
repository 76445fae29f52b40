"""From a French question to the concepts the retriever looks for.

Each content word of the question is a concept, found in a passage by one of its
alternatives, each with a weight saying how sure a match is:

1. the word's own term (lemma, then stem: "vient" and "venir" meet), 1.0;
2. the editable synonym list (`bot/data/synonyms_fr.txt`), for the saga's own
   vocabulary ("PDG", "CEO"), 0.8; an expression of several words counts only
   when the question has them all;

and, for a word the corpus does not know:

3. a corpus word of the same stem but for an ending ("decentralisee" typed without
   accents → "décentralisée"), 0.9;
4. related corpus words from general French word vectors ("patron" → "PDG",
   "financeurs" → "investisseurs"), weighed by their similarity;
5. a close spelling, only if the word is not itself French ("Mostak" → "Mostaque",
   "Omer" → "Ommer"; never "merci" → "percées"), 0.6.

Each concept also says how specific the word is in French at large (wordfreq), and
whether it reads as a name: the engine uses both to tell a question the articles
do not cover from one they answer in other words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.data import read_data
from bot.search.analysis import FrenchAnalyzer, Token, fold
from bot.search.lexicon import lemma, load_word_lists, zipf
from bot.search.retrieval import Alternative, Concept
from bot.search.spellings import SpellingIndex
from bot.search.word_vectors import RelatedTerms, WordVectors

SYNONYM_WEIGHT = 0.8
SAME_STEM_WEIGHT = 0.9
SAME_SOUND_WEIGHT = 0.8
CLOSE_SPELLING_WEIGHT = 0.6
RELATED_THRESHOLD = 0.5
RELATED_WEIGHT = 0.55  # × the similarity
RELATED_LIMIT = 3
RELATED_FOR_KNOWN = False  # widen the corpus's own words too (the passage saying it otherwise)
MIN_FUZZY_LENGTH = 4
MAX_COMPLETIONS = 3  # corpus terms a cut-short word may stand for
FRENCH_WORD_ZIPF = 3.0  # a word at least this common in French is no typo
NAME_TYPO_ZIPF = 4.0  # nor is a name this common ("Paris", "Google"; "Omer" may be "Ommer")
MIN_SAME_STEM = 5  # characters the two terms share
MAX_ENDING = 2  # characters either may have beyond them

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class AnalysedQuestion:
    """The question's content words and the concepts built from them."""

    tokens: tuple[Token, ...]
    concepts: tuple[Concept, ...]


def load_synonym_groups(analyzer: FrenchAnalyzer, path: Path | None = None) -> list[list[Phrase]]:
    """Synonym groups as analysed phrases; `path` overrides the bundled list."""
    text = read_data("synonyms_fr.txt") if path is None else path.read_text(encoding="utf-8")
    groups: list[list[Phrase]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        phrases = [tuple(analyzer.terms(expression)) for expression in line.split(",")]
        unique = list(dict.fromkeys(phrase for phrase in phrases if phrase))
        if len(unique) > 1:
            groups.append(unique)
    return groups


def reads_as_name(word: str, first: bool) -> bool:
    """A capitalised word inside the question, inner capitals or digits ("OpenAI",
    "iPhone", "GPT4"), or a capitalised first word that French does not know as a word."""
    if any(c.isupper() for c in word[1:]) or (any(c.isdigit() for c in word) and not word.isdigit()):
        return True
    if not word[:1].isupper():
        return False
    return not first or zipf(word.casefold()) < FRENCH_WORD_ZIPF


class QuestionAnalyser:
    """Builds concepts for questions against one index's vocabulary."""

    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        synonym_groups: Iterable[list[Phrase]],
        vocabulary: Collection[str],
        surfaces: Mapping[str, Sequence[str]] | None = None,
        vectors: WordVectors | None = None,
        spellings: SpellingIndex | None = None,
        terms_starting_with: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        """`spellings` and `terms_starting_with` come with the index (built with it, in
        constant or logarithmic time); without them they are built here, from `vocabulary`."""
        self._analyzer = analyzer
        self._groups = list(synonym_groups)
        self._vocabulary = vocabulary
        self._spellings = spellings or SpellingIndex.build(vocabulary)
        self._terms_starting_with = terms_starting_with or _prefix_lookup(vocabulary)
        self._related = RelatedTerms(vectors or WordVectors(), {} if surfaces is None else surfaces)

    def prepare(self) -> None:
        """Read now what a question could need later: the French word lists and the
        word vectors of the corpus's words (0.1 s on the shipped corpus, 0.3 s at
        100,000 passages), so a serving bot's first asker waits no longer than the next."""
        load_word_lists()
        self._related.prepare()

    @property
    def vectors(self) -> WordVectors:
        """The general French word vectors the related words come from."""
        return self._related.vectors

    def knows_word(self, word: str) -> bool:
        """Whether the articles use `word` (in any of its forms)."""
        return self._analyzer.stem(word) in self._vocabulary

    def analyse(self, question: str, *, language: str = "fr") -> AnalysedQuestion:
        tokens = self._analyzer.tokens(question, question=True)
        words: dict[str, str] = {}  # term → the question's word for it
        for token in tokens:
            words.setdefault(token.term, question[token.start : token.end])
        terms = list(words)
        first = tokens[0].start == _first_word_start(question) if tokens else False
        concepts: list[Concept] = []
        consumed: set[str] = set()
        for group in self._groups:
            asked = [phrase for phrase in group if set(phrase) <= set(terms)]
            if not asked:
                continue
            alternatives = [Alternative(phrase) for phrase in asked]
            alternatives += [Alternative(p, SYNONYM_WEIGHT) for p in group if p not in asked]
            asked_terms = tuple(dict.fromkeys(t for phrase in asked for t in phrase))
            text = " ".join(words[t] for t in asked_terms)
            concepts.append(Concept(asked_terms, tuple(alternatives), text, zipf(text.casefold()), False))
            consumed.update(asked_terms)
        for position, term in enumerate(terms):
            if term in consumed:
                continue
            word = words[term]
            if fold(word) in self._analyzer.stop_words and term not in self._vocabulary:
                continue  # a stop word in capitals that no synonym or article reads ("ET")
            name = reads_as_name(word, first and position == 0)
            frequency = _french_zipf(word, name) if language == "fr" else _english_zipf(word)
            found = self._alternatives_for(term, word, frequency, name)
            concepts.append(Concept((term,), found, word, frequency, name))
        return AnalysedQuestion(tuple(tokens), tuple(concepts))

    def _alternatives_for(
        self, term: str, word: str, frequency: float, name: bool
    ) -> tuple[Alternative, ...]:
        """Related words for a French word, close spellings for a name or a non-word."""
        own = Alternative((term,))
        if term.isdigit():
            return (own,)
        french = frequency >= FRENCH_WORD_ZIPF and not name
        related = self._related_terms(term, word) if french else []
        if term in self._vocabulary:
            return (own, *related) if RELATED_FOR_KNOWN else (own,)
        found = self._same_stem(term) or related
        typo = frequency < (NAME_TYPO_ZIPF if name else FRENCH_WORD_ZIPF)  # "Paris" is no typo
        if not found and typo and len(term) >= MIN_FUZZY_LENGTH:
            completions = self._completions(term)
            found = completions + [a for a in self._close_spellings(term) if a not in completions]
        return (own, *found)

    def _completions(self, term: str) -> list[Alternative]:
        """Corpus terms the word begins, when they are few: chat cuts words short ("stab"
        for "Stability", "dev" for "développeurs"); a word beginning many is no cut."""
        longer = [t for t in self._terms_starting_with(term) if t != term]
        if not longer or len(longer) > MAX_COMPLETIONS:
            return []
        return [Alternative((t,), CLOSE_SPELLING_WEIGHT) for t in longer]

    def _related_terms(self, term: str, word: str) -> list[Alternative]:
        """Corpus terms near the word's vector, or its lemma's ("cramait" has none, "cramer" has)."""
        lowered = word.casefold()
        nearest = self._related.nearest(lowered, RELATED_THRESHOLD, RELATED_LIMIT + 1)
        if not nearest and (base := lemma(lowered)) != lowered:
            nearest = self._related.nearest(base, RELATED_THRESHOLD, RELATED_LIMIT + 1)
        return [Alternative((t,), round(RELATED_WEIGHT * s, 3)) for t, s in nearest if t != term][
            :RELATED_LIMIT
        ]

    def _same_stem(self, term: str) -> list[Alternative]:
        """Corpus terms equal to `term` but for an ending of at most `MAX_ENDING` characters."""
        if len(term) < MIN_SAME_STEM:
            return []
        return [
            Alternative((other,), SAME_STEM_WEIGHT)
            for other in self._terms_starting_with(term[:MIN_SAME_STEM])
            if (term.startswith(other) or other.startswith(term))
            and abs(len(term) - len(other)) <= MAX_ENDING
        ]

    def _close_spellings(self, term: str) -> list[Alternative]:
        same = self._spellings.same_sound(term)
        if same:
            return [Alternative((t,), SAME_SOUND_WEIGHT) for t in same]
        return [Alternative((t,), CLOSE_SPELLING_WEIGHT) for t in self._spellings.closest(term)]


def _prefix_lookup(vocabulary: Collection[str]) -> Callable[[str], Sequence[str]]:
    ordered = sorted(vocabulary)

    def starting_with(prefix: str) -> Sequence[str]:
        start = bisect.bisect_left(ordered, prefix)
        return ordered[start : bisect.bisect_left(ordered, prefix + "\uffff")]

    return starting_with


_FIRST_WORD = re.compile(r"[^\W_]")


def _first_word_start(text: str) -> int:
    match = _FIRST_WORD.search(text)
    return match.start() if match else -1


def _french_zipf(word: str, name: bool) -> float:
    """How common the word is, or its lemma ("cramait" is rare, "cramer" less so)."""
    lowered = word.casefold()
    frequency = zipf(lowered)
    if frequency >= FRENCH_WORD_ZIPF or name:
        return frequency
    return max(frequency, zipf(lemma(lowered)))


def _english_zipf(word: str) -> float:
    return zipf(word.casefold(), "en")
