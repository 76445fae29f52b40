"""From a French question to the concepts the retriever looks for.

Each content word of the question is a concept. The editable synonym list
(`bot/data/synonyms_fr.txt`) widens a concept with the other expressions of its
group; an expression of several words counts only when the question has them
all. A word the corpus does not know may match a close corpus term ("Omer" →
"Ommer", "Mostak" → "Mostaque"): terms are compared on a rough French
pronunciation key, then by edit distance, with rapidfuzz.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.data import read_data
from bot.search.analysis import FrenchAnalyzer, Token
from bot.search.retrieval import Alternative, Concept

SYNONYM_WEIGHT = 0.8
SAME_SOUND_WEIGHT = 0.8
CLOSE_SPELLING_WEIGHT = 0.6
MIN_FUZZY_LENGTH = 4

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


_SOUND_RULES = (
    (re.compile(r"qu|ck|c(?=[aou]|$)"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
)


def sound_key(term: str) -> str:
    """A rough French pronunciation key: "mostaqu" and "mostak" share "mostak"."""
    for pattern, replacement in _SOUND_RULES:
        term = pattern.sub(replacement, term)
    return term


class QuestionAnalyser:
    """Builds concepts for questions against one index's vocabulary."""

    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        synonym_groups: Iterable[list[Phrase]],
        vocabulary: Collection[str],
    ) -> None:
        self._analyzer = analyzer
        self._groups = list(synonym_groups)
        self._vocabulary = vocabulary

    @cached_property
    def _terms_by_key(self) -> dict[str, list[str]]:
        """The vocabulary by sound key, built the first time a word is unknown (not at start)."""
        by_key: dict[str, list[str]] = defaultdict(list)
        for term in self._vocabulary:
            by_key[sound_key(term)].append(term)
        return by_key

    @cached_property
    def _sound_keys(self) -> list[str]:
        return list(self._terms_by_key)

    def analyse(self, question: str) -> AnalysedQuestion:
        tokens = self._analyzer.tokens(question, question=True)
        terms = list(dict.fromkeys(token.term for token in tokens))
        concepts: list[Concept] = []
        consumed: set[str] = set()
        for group in self._groups:
            asked = [phrase for phrase in group if set(phrase) <= set(terms)]
            if not asked:
                continue
            alternatives = [Alternative(phrase) for phrase in asked]
            alternatives += [Alternative(p, SYNONYM_WEIGHT) for p in group if p not in asked]
            asked_terms = tuple(dict.fromkeys(t for phrase in asked for t in phrase))
            concepts.append(Concept(asked_terms, tuple(alternatives)))
            consumed.update(asked_terms)
        for term in terms:
            if term not in consumed:
                concepts.append(Concept((term,), self._alternatives_for(term)))
        return AnalysedQuestion(tuple(tokens), tuple(concepts))

    def _alternatives_for(self, term: str) -> tuple[Alternative, ...]:
        if term in self._vocabulary or len(term) < MIN_FUZZY_LENGTH or term.isdigit():
            return (Alternative((term,)),)
        return (Alternative((term,)), *self._close_spellings(term))

    def _close_spellings(self, term: str) -> list[Alternative]:
        from rapidfuzz import process  # only for words the corpus does not know
        from rapidfuzz.distance import Levenshtein

        key = sound_key(term)
        if key in self._terms_by_key:
            return [Alternative((t,), SAME_SOUND_WEIGHT) for t in self._terms_by_key[key]]
        max_distance = 1 if len(key) < 8 else 2
        matches = process.extract(
            key, self._sound_keys, scorer=Levenshtein.distance, score_cutoff=max_distance, limit=3
        )
        if not matches:
            return []
        closest = min(distance for _, distance, _ in matches)
        return [
            Alternative((t,), CLOSE_SPELLING_WEIGHT)
            for key_found, distance, _ in matches
            if distance == closest
            for t in self._terms_by_key[key_found]
        ]
