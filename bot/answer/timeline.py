"""The saga in order (« chronologie »): every dated sentence of the articles, by date.

Each event is a verbatim sentence with its source, and the next sentence of its passage
when the dated one names no one and the next does, both within an answer window's 300
characters ("en 2023, ses propres investisseurs se sont retournés contre lui. Coatue et
Lightspeed… ont exigé qu'il quitte ses fonctions."); the same event told by two
articles (the same date, sentences sharing most of their words) is shown once with
both sources. `chronologie 2024` keeps one year, `chronologie démission` the events
whose sentence says the words (or their synonyms, as a question would).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.corpus.dates import When
from bot.corpus.passages import split_sentences
from bot.models import Article, Passage, TimelineEntry
from bot.search.analysis import FrenchAnalyzer, term_overlap
from bot.search.index import PassageIndex
from bot.search.retrieval import Concept
from bot.selector.answer_types import names_in
from bot.selector.features import MAX_WINDOW_CHARS

MAX_SENTENCE_CHARS = 220
SAME_EVENT = 0.5  # share of their terms two sentences of the same date must have in common
ELLIPSIS = "…"


def shortened(sentence: str, anchor: str = "", limit: int = MAX_SENTENCE_CHARS) -> str:
    """The sentence, or a stretch of it cut at word boundaries around `anchor` (its date:
    "…selon une estimation de Bloomberg datant d'octobre 2023, qui…")."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence
    at = max(sentence.find(anchor), 0) if anchor else 0
    start = max(0, min(at - limit // 2, len(sentence) - limit))
    if start:
        space = sentence.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = start + limit - 2 * len(ELLIPSIS)
    if end < len(sentence):
        space = sentence.rfind(" ", start, end)
        end = space if space > at else end
    prefix = ELLIPSIS if start else ""
    suffix = ELLIPSIS if end < len(sentence) else ""
    return prefix + sentence[start:end].strip(" ,;:") + suffix


def with_actors(passage: Passage, start: int, end: int) -> int:
    """Where the event's text ends: after the next sentence when the dated sentence
    names no one (no name but its first word) and the next one does."""
    if names_in(passage.text[start:end]):
        return end
    following = next((s for s in passage.sentences if s[0] >= end), None)
    if following is None or following[1] - start > MAX_WINDOW_CHARS or not names_in(
        passage.text[following[0] : following[1]]
    ):
        return end
    return following[1]


def _limit(text: str) -> int:
    """An event of two sentences is a window (up to 300 characters, never cut); one long
    sentence is cut around its date to `MAX_SENTENCE_CHARS`."""
    return MAX_WINDOW_CHARS if len(split_sentences(text)) > 1 else MAX_SENTENCE_CHARS


def timeline(
    index: PassageIndex, analyzer: FrenchAnalyzer, year: int | None = None, words: Sequence[Concept] = ()
) -> tuple[TimelineEntry, ...]:
    """The events of `index` in date order, filtered by `year` and by `words` (each concept
    must be said, by one of its alternatives, in the event's sentence)."""
    grouped: list[tuple[When, frozenset[str], str, list[Article], list[str]]] = []
    for passage_number, start, end, event_year, month, day in index.events.tolist():
        if year is not None and event_year != year:
            continue
        passage = index.passages[passage_number]
        sentence = passage.text[start:with_actors(passage, start, end)]
        terms = frozenset(analyzer.terms(sentence))
        if not all(any(set(a.terms) <= terms for a in c.alternatives) for c in words):
            continue
        when = When(event_year, month or None, day or None)
        same = next(  # the same event told by another article
            (
                g
                for g in grouped
                if g[0] == when and passage.article not in g[3] and term_overlap(g[1], terms) >= SAME_EVENT
            ),
            None,
        )
        if same is None:
            grouped.append((when, terms, sentence, [passage.article], [passage.id]))
        else:
            same[3].append(passage.article)
            same[4].append(passage.id)
    grouped.sort(key=lambda g: g[0].sort_key())
    return tuple(
        TimelineEntry(
            when.label(), shortened(sentence, str(when.year), _limit(sentence)), tuple(articles), tuple(ids),
            when.sort_key(),
        )
        for when, _, sentence, articles, ids in grouped
    )
