"""What the selector knows of each candidate: named, general features of a question and
one answer window (1 to 3 consecutive sentences of a BM25 passage, ≤ 300 characters).

Every feature is a pure function of the question's analysis (its concepts, their weight,
the kind of answer it expects) and of the window, its passage and the other candidates;
none is written for one question. The same code computes them for `emad-bot train` and
for every answer. `FEATURES` lists them in the model file's order; `GROUPS` is what the
training's ablation table removes together. Change either, and bump `FEATURE_VERSION`:
a model file trained on other features is refused at start.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from bot.models import Passage
from bot.search.analysis import FrenchAnalyzer, Token, fold, fold_word
from bot.search.lexicon import zipf
from bot.search.retrieval import Concept, ScoredPassage
from bot.search.word_vectors import WordVectors
from bot.selector.answer_types import AnswerType
from bot.selector.answerability import Weighing

FEATURE_VERSION = 9
DIMENSIONS = 300  # fr_core_news_md's vectors
MAX_WINDOW_CHARS = 300
MAX_WINDOW_SENTENCES = 3
# Match strengths (`bot.search.question`'s alternative weights): own word 1.0, same stem
# 0.9, synonym or same sound 0.8, close spelling 0.6, related word below that.
OWN, SURE, SPELLING = 0.95, 0.8, 0.6

GROUPS: dict[str, tuple[str, ...]] = {
    "bm25": ("passage_score", "passage_log_score", "passage_inverse_rank"),
    "coverage": (
        "passage_own", "passage_sure", "passage_spelling", "passage_related", "passage_anchored",
        "passage_missing",
        "window_own", "window_sure", "window_spelling", "window_related",
    ),
    "names": ("question_has_names", "window_names", "passage_names"),
    "answer_type": ("expects_type", "window_has_type", "passage_has_type_elsewhere"),
    "asked_kind": ("asks_kind", "window_states_kind"),
    "shape": ("sentences", "length", "opens_passage", "position", "ends_with_question"),
    "comparison": (
        "window_gap_to_best", "window_gap_in_passage", "passage_gap_to_best", "passage_is_first",
    ),
    "semantic": ("window_similarity", "similarity_gap_to_best", "similarity_gap_in_passage"),
    "language": ("question_english", "window_english", "language_mismatch"),
    "neighbours": ("before_cover", "after_cover", "matched_spread"),
}  # fmt: skip
FEATURES: tuple[str, ...] = tuple(name for names in GROUPS.values() for name in names)

_WHICH_THING = re.compile(r"\bquel(?:le)?s?\s+([^\W\d_]+)")
_WORD = re.compile(r"[^\W_]+")
_NAME = re.compile(r"\b[A-ZÀ-Ý][\w'’-]*[a-zà-ÿ0-9A-Z]")


@dataclass(frozen=True)
class Question:
    """What the features need of the analysed question."""

    concepts: tuple[Concept, ...]
    weighing: Weighing  # each concept's weight, what sinks the question, what anchors a passage
    expected: AnswerType | None  # the kind of answer its interrogative asks for
    names: frozenset[str]  # the folded names it holds ("emad", "coatue")
    kind_terms: frozenset[str]  # the terms of the thing "quel …" asks for ("âge", "siège")
    unknown_share: float  # of its weight, in names or rare words the articles never reach
    english: bool
    word_vectors: npt.NDArray[np.float32]  # (concepts, 300): each concept's word, unit length (0: none)

    @property
    def importance(self) -> tuple[float, ...]:
        return self.weighing.importance

    @property
    def total(self) -> float:
        return sum(self.importance) or 1.0

    @cached_property
    def term_weights(self) -> dict[str, tuple[int, float]]:
        """term → (concept, its importance × the strongest alternative holding it): what a
        snippet weighs its words by (read once per question, whatever the windows cited)."""
        weights: dict[str, tuple[int, float]] = {}
        for number, concept in enumerate(self.concepts):
            for alternative in concept.alternatives:
                weight = self.importance[number] * alternative.weight
                for term in alternative.terms:
                    if weight > weights.get(term, (0, 0.0))[1]:
                        weights[term] = (number, weight)
        return weights

    def term_strengths(self) -> dict[str, tuple[int, float]]:
        """term → (concept, strongest alternative holding it)."""
        strengths: dict[str, tuple[int, float]] = {}
        for number, concept in enumerate(self.concepts):
            for alternative in concept.alternatives:
                for term in alternative.terms:
                    if alternative.weight > strengths.get(term, (0, 0.0))[1]:
                        strengths[term] = (number, alternative.weight)
        return strengths


def question_of(
    text: str, concepts: Sequence[Concept], weighing: Weighing, expected: AnswerType | None,
    analyzer: FrenchAnalyzer, vectors: WordVectors, english: bool = False,
) -> Question:  # fmt: skip
    names = frozenset(fold_word(n.split("'")[-1].split("’")[-1]) for n in _NAME.findall(text[1:]))
    names |= frozenset(fold_word(c.word) for c in concepts if c.name and c.word)
    kinds = _WHICH_THING.findall(fold(text))
    kind_terms = frozenset(t for word in kinds for t in analyzer.terms(word))
    word_vectors = np.zeros((len(concepts), DIMENSIONS), dtype=np.float32)
    for row, concept in enumerate(concepts):
        found = vectors.vector(concept.word.lower()) if concept.word else None
        if found is not None:
            word_vectors[row] = found
    return Question(
        tuple(concepts), weighing, expected, names, kind_terms, weighing.unknown_share,
        english, word_vectors,
    )  # fmt: skip


@dataclass(frozen=True)
class Window:
    """Consecutive sentences `[first, first + count)` of the `rank`-th passage found."""

    rank: int
    found: ScoredPassage
    passage: Passage
    first: int
    count: int

    @property
    def span(self) -> Span:
        return self.rank, self.first, self.count

    @property
    def start(self) -> int:
        return self.passage.sentences[self.first][0]

    @property
    def end(self) -> int:
        return self.passage.sentences[self.first + self.count - 1][1]

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


Span = tuple[int, int, int]  # a window as (passage rank, first sentence, sentence count)


def cited_order(probabilities: npt.NDArray[np.float64], spans: Sequence[Span]) -> Iterator[int]:
    """The windows to cite, most likely first, skipping any that shares a sentence with
    one already cited (two windows of a passage may both be cited if they do not
    overlap: +1.5 points of hit@3 in cross-validation over one window a passage)."""
    taken: list[Span] = []
    for position in np.argsort(-probabilities, kind="stable").tolist():
        rank, first, count = spans[position]
        if any(r == rank and first < f + c and f < first + count for r, f, c in taken):
            continue
        taken.append(spans[position])
        yield position


def windows_of(rank: int, found: ScoredPassage, passage: Passage) -> list[Window]:
    """Every run of 1 to 3 consecutive sentences within 300 characters (a longer single
    sentence too: the snippet cuts it around what matched)."""
    windows = []
    sentences = passage.sentences
    for first in range(len(sentences)):
        for count in range(1, MAX_WINDOW_SENTENCES + 1):
            if first + count > len(sentences):
                break
            if count > 1 and sentences[first + count - 1][1] - sentences[first][0] > MAX_WINDOW_CHARS:
                break
            windows.append(Window(rank, found, passage, first, count))
    return windows


def _words(folded: str) -> set[str]:
    """The whole words of a folded text (a name is met as a word, never inside one:
    "ai" is not in "mais")."""
    return set(_WORD.findall(folded))


def _match_shares(strengths: Sequence[float], importance: Sequence[float], total: float) -> list[float]:
    """The question's weight met by own words, sure matches, close spellings, related words."""
    shares = [0.0, 0.0, 0.0, 0.0]
    for strength, weight in zip(strengths, importance, strict=True):
        if strength >= OWN:
            shares[0] += weight
        if strength >= SURE:
            shares[1] += weight
        elif strength >= SPELLING:
            shares[2] += weight
        elif strength > 0:
            shares[3] += weight
    return [share / total for share in shares]


@dataclass(frozen=True)
class PassageWords:
    """A passage's words as the semantic and language features read them."""

    starts: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]  # (words, 300), unit length or 0
    english: npt.NDArray[np.bool_]  # more common in English than in French

    @classmethod
    def of(cls, passage: Passage, analyzer: FrenchAnalyzer, vectors: WordVectors) -> PassageWords:
        tokens = analyzer.passage_tokens(passage.text)
        words = [(t.start, passage.text[t.start : t.end].lower()) for t in tokens]
        matrix = np.zeros((len(words), DIMENSIONS), dtype=np.float32)
        for row, (_, word) in enumerate(words):
            found = vectors.vector(word)
            if found is not None:
                matrix[row] = found
        english = np.array([zipf(w, "en") > zipf(w, "fr") for _, w in words], dtype=bool)
        return cls(np.array([s for s, _ in words], dtype=np.int64), matrix, english)


def _similarity(question: Question, words: PassageWords, start: int, end: int) -> float:
    """How close the window's words come to each concept's word (best cosine), weighted
    by the concepts' importance: a soft coverage that sees "argent" near "poches"."""
    inside = (words.starts >= start) & (words.starts < end)
    if not inside.any() or not len(question.concepts):
        return 0.0
    best = (question.word_vectors @ words.vectors[inside].T).max(axis=1).clip(0.0, 1.0)
    return float(best @ np.asarray(question.importance) / question.total)


def feature_rows(
    question: Question, windows: Sequence[Window], analyzer: FrenchAnalyzer,
    passage_words: Callable[[Passage], PassageWords],
) -> npt.NDArray[np.float64]:  # fmt: skip
    """One row of `FEATURES` per window, in their order; `passage_words` gives a passage's
    words (a cache of the engine's: they do not depend on the question)."""
    total = question.total
    strengths = question.term_strengths()
    best_score = max((w.found.score for w in windows), default=1.0) or 1.0
    passage_shares: dict[int, list[float]] = {}
    asked_tokens: dict[int, list[Token]] = {}
    folded_sentences: dict[int, list[str]] = {}
    passage_facts: dict[int, tuple[float, bool]] = {}  # names met in the passage, type held there
    names = question.names
    for window in windows:
        if window.rank not in passage_shares:
            text = window.passage.text
            folded_sentences[window.rank] = [fold(text[a:b]) for a, b in window.passage.sentences]
            passage_shares[window.rank] = [
                *_match_shares(window.found.matched, question.importance, total),
                float(question.weighing.anchored(window.found.matched)),
                _missing(question.importance, window.found.matched) / total,
            ]  # fmt: skip
            whole = " ".join(folded_sentences[window.rank])
            passage_facts[window.rank] = (
                len(names & _words(whole)) / len(names) if names else 0.0,
                question.expected is not None and question.expected(text),
            )
            tokens = analyzer.passage_tokens(text)
            asked_tokens[window.rank] = [t for t in tokens if t.term in strengths]
    rows = []
    for window in windows:
        start, end = window.start, window.end
        met = [0.0] * len(question.concepts)
        kind_stated = False
        inside_tokens = []
        for token in asked_tokens[window.rank]:
            if start <= token.start and token.end <= end:
                concept, strength = strengths[token.term]
                met[concept] = max(met[concept], strength)
                kind_stated = kind_stated or token.term in question.kind_terms
                inside_tokens.append(token)
        sentences_of = window.passage.sentences
        before = _cover(question, strengths, asked_tokens[window.rank], *sentences_of[window.first - 1]) \
            if window.first > 0 else 0.0
        last = window.first + window.count
        after = _cover(question, strengths, asked_tokens[window.rank], *sentences_of[last]) \
            if last < len(sentences_of) else 0.0
        spread = 1.0
        if inside_tokens:
            spread = (inside_tokens[-1].end - inside_tokens[0].start) / max(end - start, 1)
        folded = " ".join(folded_sentences[window.rank][window.first : window.first + window.count])
        passage_names, passage_has_type = passage_facts[window.rank]
        text = window.text
        has_type = question.expected is not None and question.expected(text)
        sentences = len(window.passage.sentences)
        words = passage_words(window.passage)
        inside = (words.starts >= start) & (words.starts < end)
        english_share = float(words.english[inside].mean()) if inside.any() else 0.0
        rows.append([
            window.found.score / best_score,
            math.log1p(window.found.score),
            1 / (1 + window.rank),
            *passage_shares[window.rank],
            *_match_shares(met, question.importance, total),
            float(bool(names)),
            len(names & _words(folded)) / len(names) if names else 0.0,
            passage_names,
            float(question.expected is not None),
            float(has_type),
            float(passage_has_type and not has_type),
            float(bool(question.kind_terms)),
            float(kind_stated),
            float(window.count),
            (end - start) / MAX_WINDOW_CHARS,
            float(window.first == 0),
            window.first / max(sentences - 1, 1),
            float(text.rstrip(' »”"').endswith("?")),
            0.0, 0.0, 0.0,  # the comparisons, filled in below
            float(window.rank == 0),
            _similarity(question, words, start, end),
            0.0, 0.0,  # compared below
            float(question.english),
            english_share,
            abs(float(question.english) - english_share),
            before,
            after,
            spread,
        ])  # fmt: skip
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
    if len(rows):
        _compare(matrix, [w.rank for w in windows])
    return matrix


def _missing(importance: Sequence[float], matched: Sequence[float]) -> float:
    """The weight of the heaviest concept the passage does not say (nor spell close)."""
    return max((w for w, m in zip(importance, matched, strict=True) if m < SPELLING), default=0.0)


def _cover(
    question: Question, strengths: dict[str, tuple[int, float]], tokens: Sequence[Token], start: int, end: int
) -> float:
    """The question's weight a stretch of the passage meets surely (own words to synonyms)."""
    met: dict[int, float] = {}
    for token in tokens:
        if start <= token.start and token.end <= end:
            concept, strength = strengths[token.term]
            if strength >= SURE:
                met[concept] = question.importance[concept]
    return sum(met.values()) / question.total


def _compare(matrix: npt.NDArray[np.float64], ranks: Sequence[int]) -> None:
    """Each window against the best of all candidates, and of its own passage."""
    index = {name: i for i, name in enumerate(FEATURES)}
    window_cover = matrix[:, index["window_sure"]] + 0.5 * (
        matrix[:, index["window_spelling"]] + matrix[:, index["window_related"]]
    )
    passage_cover = matrix[:, index["passage_sure"]]
    rank_array = np.asarray(ranks)
    best_in_passage = {rank: window_cover[rank_array == rank].max() for rank in set(ranks)}
    matrix[:, index["window_gap_to_best"]] = window_cover - window_cover.max()
    matrix[:, index["window_gap_in_passage"]] = window_cover - np.array([best_in_passage[r] for r in ranks])
    matrix[:, index["passage_gap_to_best"]] = passage_cover - passage_cover.max()
    similarity = matrix[:, index["window_similarity"]]
    best_similar = {rank: similarity[rank_array == rank].max() for rank in set(ranks)}
    matrix[:, index["similarity_gap_to_best"]] = similarity - similarity.max()
    matrix[:, index["similarity_gap_in_passage"]] = similarity - np.array([best_similar[r] for r in ranks])
