"""Cut cleaned articles into sentence-aligned passages of a few sentences.

Each paragraph is split into sentences, then into balanced groups of at most
`MAX_SENTENCES` sentences and about `MAX_CHARS` characters, so a passage never
straddles two paragraphs. A short paragraph with no final punctuation is a
section heading: it is not a passage, but its words are indexed with the
passage that follows it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.models import Article, Passage

MAX_SENTENCES = 5
MAX_CHARS = 500
_HEADING_MAX_CHARS = 120

# A sentence ends at . ! ? or …, maybe followed by closing quotes, then a space
# and something that can start a sentence. Abbreviations are excluded below.
_BOUNDARY = re.compile(r"(?<=[.!?…])[»”\"')\]]*\s+(?=[«“\"(\[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:M|MM|Mme|Mmes|Mlle|Dr|Pr|St|Ste|etc|cf|p|av|J\.-C|n°|vol|éd|fig)|\b[A-Z]"
    r"|(?:^|[/:]\s)\d{1,2})\.$"  # initials, and list numbers such as "/ 1."
)


@dataclass(frozen=True)
class IndexedPassage:
    """A passage and the text its index terms come from (its heading included)."""

    passage: Passage
    indexed_text: str


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """Offsets of the sentences of `paragraph`, whitespace between them excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        candidate = paragraph[start : match.start()].rstrip("»”\"')] ")
        if _ABBREVIATION.search(candidate):
            continue
        end = match.start() + len(match.group().rstrip())
        spans.append((start, end))
        start = match.end()
    if paragraph[start:].strip():
        spans.append((start, len(paragraph.rstrip())))
    return spans


def _is_heading(paragraph: str) -> bool:
    return len(paragraph) <= _HEADING_MAX_CHARS and not paragraph.rstrip().endswith(
        (".", "!", "?", "…", "»", "”", '"', ":", ")")
    )


def _groups(sentences: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    total = sentences[-1][1] - sentences[0][0]
    count = max(math.ceil(len(sentences) / MAX_SENTENCES), math.ceil(total / MAX_CHARS))
    count = min(count, len(sentences))
    size = len(sentences) / count
    for index in range(count):
        group = sentences[round(index * size) : round((index + 1) * size)]
        if group:
            yield group


def passages_of(article: Article) -> list[IndexedPassage]:
    """The article's passages in order, numbered from 1, with ids `slug-N`."""
    result: list[IndexedPassage] = []
    heading = ""
    for paragraph in article.body.split("\n"):
        if _is_heading(paragraph):
            heading = f"{heading} {paragraph}".strip()
            continue
        sentences = split_sentences(paragraph)
        if not sentences:
            continue
        for group in _groups(sentences):
            start, end = group[0][0], group[-1][1]
            number = len(result) + 1
            passage = Passage(
                id=f"{article.slug}-{number}",
                article=article,
                number=number,
                text=paragraph[start:end],
                sentences=tuple((s - start, e - start) for s, e in group),
            )
            result.append(IndexedPassage(passage, f"{heading}\n{passage.text}".strip()))
            heading = ""
    return result
