"""The verbatim snippet of the window the selector chose (1 to 3 sentences of a passage).

A window within `MAX_SNIPPET_CHARS` is shown whole; a longer single sentence is cut at
word boundaries around its best-matching stretch, with "…" where text was left out: of
the cuts, the one holding the most of the question's weight (each concept once, by its
best term, plus a bonus when it holds the kind of answer the question expects: a date
for "quand", a reason for "pourquoi") wins. Highlights are offsets into the snippet, so
each adapter draws them in its own syntax; `terms` are its analysed words (near-duplicate
citations are cited once).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.models import Passage, Span
from bot.search.analysis import FrenchAnalyzer, Token
from bot.selector.answer_types import AnswerType

MAX_SNIPPET_CHARS = 300
ELLIPSIS = "…"
_CONTEXT_BEFORE = 40
_WORD_START = re.compile(r"(?<!\S)\S")


ANSWER_BONUS = 1.0  # × the question's weight, for a window holding the expected kind of answer
QUESTION_SHARE = 0.5  # what a window ending on a question mark keeps of its score
_CLAUSE_START = re.compile(r"(?:[,;:—(«]|\s-)\s*")

# A term of the question: which concept it stands for, and its weight there.
TermWeights = Mapping[str, tuple[int, float]]


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[Span, ...]
    terms: frozenset[str]


class _Scorer:
    """Scores a stretch of the passage by the concepts it holds, each counted once."""

    def __init__(
        self,
        text: str,
        tokens: Sequence[Token],
        weights: TermWeights,
        expected: AnswerType | None,
        total: float,
    ) -> None:
        self.text, self.tokens, self.weights, self.expected = text, tokens, weights, expected
        self.total = total or 1.0
        self._asked = [t for t in tokens if t.term in weights]  # every window looks among these only

    def matched(self, start: int, end: int) -> list[Token]:
        return [t for t in self._asked if start <= t.start and t.end <= end]

    def value(self, start: int, end: int) -> float:
        best: dict[int, float] = {}
        for token in self.matched(start, end):
            concept, weight = self.weights[token.term]
            best[concept] = max(best.get(concept, 0.0), weight)
        score = sum(best.values()) / self.total
        holds_answer = bool(score) and self.expected is not None and self.expected(self.text[start:end])
        if holds_answer:
            score += ANSWER_BONUS
        elif self.text[start:end].rstrip(' »”"').endswith("?"):
            score *= QUESTION_SHARE  # the article asking a question does not answer it…
        return score  # …unless it holds what was asked ("…d'images en 2022 ?" for "quand")

    def __call__(self, window: tuple[int, int]) -> tuple[float, int, int]:
        start, end = window
        return (self.value(start, end), -(end - start), -start)


_CENTRE_STEP = 40  # characters: closer to the centre than this counts the same


def _off_centre(score: _Scorer, window: tuple[int, int]) -> int:
    """How far the matched words' middle is from the window's middle, in steps (the
    answer may follow them, "…mais a nommé… Shan Shan Wong", or precede them, "…8
    millions de dollars par mois, selon une estimation de Bloomberg": a quarter in
    instead of the middle was tried, and traded one of these for the other)."""
    matched = score.matched(*window)
    if not matched:
        return 0
    middle = (matched[0].start + matched[-1].end) / 2
    return int(abs(middle - (window[0] + window[1]) / 2) // _CENTRE_STEP)


def _word_window(text: str, begin: int, limit: int) -> tuple[int, int]:
    """From the first word start at or after `begin`, as many whole words as fit."""
    found = _WORD_START.search(text, begin, limit)
    begin = found.start() if found else begin
    stop = min(limit, begin + MAX_SNIPPET_CHARS - 2 * len(ELLIPSIS))
    if stop < limit:
        space = text.rfind(" ", begin, stop + 1)
        stop = space if space > begin else stop
    return begin, len(text[:stop].rstrip())


def make_snippet(
    passage: Passage,
    analyzer: FrenchAnalyzer,
    weights: TermWeights,
    expected: AnswerType | None,
    total: float,
    window: tuple[int, int],
) -> Snippet:
    """The snippet of `window` (offsets of whole sentences of `passage`), cut around what
    matched if it is longer than `MAX_SNIPPET_CHARS`; `weights` are the question's
    terms, `total` its weight (0: all concepts')."""
    text = passage.text
    if not total:
        best: dict[int, float] = {}
        for concept, weight in weights.values():
            best[concept] = max(best.get(concept, 0.0), weight)
        total = sum(best.values())
    score = _Scorer(text, analyzer.passage_tokens(text), weights, expected, total)
    start, end = window
    prefix = suffix = ""
    if end - start > MAX_SNIPPET_CHARS:
        # Cuts start at the sentence or a clause ("…, mais a nommé…"), else just before a
        # matched word; of those holding as much of the question, the one that keeps the
        # most context on both sides of the matched words wins (the answer is often next
        # to them: "… directeur de la technologie Christian Laforte comme co-PDG …"), then
        # one starting at a clause.
        clauses = [start, *(m.end() for m in _CLAUSE_START.finditer(text, start, end))]
        near_words = [max(start, t.start - _CONTEXT_BEFORE) for t in score.matched(start, end)]
        cuts = [(_word_window(text, a, end), True) for a in clauses]
        cuts += [(_word_window(text, a, end), False) for a in near_words]
        (cut_start, cut_end), _ = max(
            cuts, key=lambda cut: (score(cut[0])[0], -_off_centre(score, cut[0]), cut[1])
        )
        prefix = ELLIPSIS if cut_start > start else ""
        suffix = ELLIPSIS if cut_end < end else ""
        start, end = cut_start, cut_end
    shift = len(prefix) - start
    return Snippet(
        text=prefix + text[start:end] + suffix,
        highlights=tuple(Span(t.start + shift, t.end + shift) for t in score.matched(start, end)),
        terms=frozenset(t.term for t in score.tokens if start <= t.start and t.end <= end),
    )
