"""Pick the verbatim sentence or two of a passage that best answer the question.

A snippet is one or two consecutive sentences of the passage, at most
`MAX_SNIPPET_CHARS` characters; a longer sentence is cut at word boundaries
around its best-matching stretch, with "…" where text was left out. A window
holding the kind of answer the question expects (a date for "quand") is
preferred. Highlights are offsets into the snippet, so each adapter draws them
in its own syntax.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.answer.answer_types import AnswerType
from bot.models import Passage, Span
from bot.search.analysis import FrenchAnalyzer, Token

MAX_SNIPPET_CHARS = 300
ELLIPSIS = "…"
_CONTEXT_BEFORE = 40
_WORD_START = re.compile(r"(?<!\S)\S")


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[Span, ...]
    terms: frozenset[str]


class _Scorer:
    """Scores a stretch of the passage by the distinct matched terms it holds."""

    def __init__(
        self,
        text: str,
        tokens: Sequence[Token],
        weights: Mapping[str, float],
        expected: AnswerType | None,
    ) -> None:
        self.text, self.tokens, self.weights, self.expected = text, tokens, weights, expected
        self.bonus = max(weights.values(), default=0.0)

    def matched(self, start: int, end: int) -> list[Token]:
        return [t for t in self.tokens if start <= t.start and t.end <= end and t.term in self.weights]

    def __call__(self, window: tuple[int, int]) -> tuple[float, int, int]:
        start, end = window
        score = sum(self.weights[term] for term in {t.term for t in self.matched(start, end)})
        if score and self.expected is not None and self.expected(self.text[start:end]):
            score += self.bonus
        return (score, -(end - start), -start)


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
    weights: Mapping[str, float],
    expected: AnswerType | None = None,
) -> Snippet:
    """The best snippet of `passage` for terms weighted by how much they matter."""
    text, sentences = passage.text, passage.sentences
    score = _Scorer(text, analyzer.passage_tokens(text), weights, expected)
    windows = list(sentences) + [(a[0], b[1]) for a, b in itertools.pairwise(sentences)]
    fitting = [w for w in windows if w[1] - w[0] <= MAX_SNIPPET_CHARS]
    start, end = max(fitting or sentences, key=score)
    prefix = suffix = ""
    if end - start > MAX_SNIPPET_CHARS:
        anchors = [start] + [max(start, t.start - _CONTEXT_BEFORE) for t in score.matched(start, end)]
        cut_start, cut_end = max((_word_window(text, a, end) for a in anchors), key=score)
        prefix = ELLIPSIS if cut_start > start else ""
        suffix = ELLIPSIS if cut_end < end else ""
        start, end = cut_start, cut_end
    shift = len(prefix) - start
    return Snippet(
        text=prefix + text[start:end] + suffix,
        highlights=tuple(Span(t.start + shift, t.end + shift) for t in score.matched(start, end)),
        terms=frozenset(t.term for t in score.tokens if start <= t.start and t.end <= end),
    )
