"""Pick the verbatim sentence or two of a passage that best answer the question.

A snippet is one or two consecutive sentences of the passage, at most
`MAX_SNIPPET_CHARS` characters; a longer sentence is cut at word boundaries
around its first matched word, with "…" where text was left out. Highlights are
offsets into the snippet, so each adapter draws them in its own syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.analysis import FrenchAnalyzer, Token
from bot.models import Passage, Span

MAX_SNIPPET_CHARS = 300
ELLIPSIS = "…"
_CONTEXT_BEFORE = 60
_WORD_START = re.compile(r"(?<!\S)\S")


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[Span, ...]
    terms: frozenset[str]


def _window_score(tokens: list[Token], start: int, end: int, weights: Mapping[str, float]) -> float:
    found = {t.term for t in tokens if start <= t.start and t.end <= end and t.term in weights}
    return sum(weights[term] for term in found)


def _cut(text: str, start: int, end: int, focus: int) -> tuple[int, int]:
    """A window of `text[start:end]` of at most the snippet budget, at word boundaries."""
    budget = MAX_SNIPPET_CHARS - 2 * len(ELLIPSIS)
    begin = max(start, min(focus - _CONTEXT_BEFORE, end - budget))
    if begin > start:
        next_word = _WORD_START.search(text, begin, end)
        begin = next_word.start() if next_word else begin
    stop = min(end, begin + budget)
    if stop < end:
        stop = text.rfind(" ", begin, stop + 1)
        stop = stop if stop > begin else begin + budget
    return begin, len(text[:stop].rstrip())


def make_snippet(passage: Passage, analyzer: FrenchAnalyzer, weights: Mapping[str, float]) -> Snippet:
    """The best snippet of `passage` for terms weighted by how much they matter."""
    text = passage.text
    tokens = analyzer.tokens(text)
    sentences = passage.sentences
    windows = [(s, e) for s, e in sentences]
    windows += [(a[0], b[1]) for a, b in zip(sentences, sentences[1:], strict=False)]
    fitting = [w for w in windows if w[1] - w[0] <= MAX_SNIPPET_CHARS] or list(sentences)
    start, end = max(
        fitting, key=lambda w: (_window_score(tokens, *w, weights), -(w[1] - w[0]), -w[0])
    )
    prefix = suffix = ""
    if end - start > MAX_SNIPPET_CHARS:
        matched = [t.start for t in tokens if start <= t.start < end and t.term in weights]
        cut_start, cut_end = _cut(text, start, end, matched[0] if matched else start)
        prefix = ELLIPSIS if cut_start > start else ""
        suffix = ELLIPSIS if cut_end < end else ""
        start, end = cut_start, cut_end
    shift = len(prefix) - start
    highlighted = [t for t in tokens if start <= t.start and t.end <= end and t.term in weights]
    return Snippet(
        text=prefix + text[start:end] + suffix,
        highlights=tuple(Span(t.start + shift, t.end + shift) for t in highlighted),
        terms=frozenset(t.term for t in tokens if start <= t.start and t.end <= end),
    )
