"""The saga in order (« chronologie »): every dated sentence of the articles, by date.

Each event is a verbatim sentence with its source; the same event told by two
articles (the same date, sentences sharing most of their words) is shown once with
both sources. `chronologie 2024` keeps one year, `chronologie démission` the events
whose sentence says the words (or their synonyms, as a question would).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.corpus.dates import When
from bot.models import Article, TimelineEntry
from bot.search.analysis import FrenchAnalyzer, term_overlap
from bot.search.index import PassageIndex
from bot.search.retrieval import Concept

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
        sentence = passage.text[start:end]
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
            when.label(), shortened(sentence, str(when.year)), tuple(articles), tuple(ids), when.sort_key()
        )
        for when, _, sentence, articles, ids in grouped
    )
