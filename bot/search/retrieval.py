"""Passage retrieval behind a small interface: analysed concepts in, scored passages out.

A question is a list of `Concept`s, each a set of alternative ways a passage may
say it (the question's own words, their synonyms, a close spelling). A passage
scores, for each concept, its best alternative (a disjunction-max, so a passage
saying both "démission" and "départ" is not counted twice), and the concepts'
scores add up. Any implementation (rank-bm25 here, a search cluster later) only
has to give each term's BM25 weight in each passage.

IDF: rank-bm25's BM25Okapi floors negative IDFs at a fraction of the mean IDF,
which on a few dozen passages makes a term found in most passages outweigh a
rare one. We use Lucene's IDF, `ln(1 + (N - n + 0.5) / (n + 0.5))`: always
positive, and strictly decreasing in the document frequency n.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Alternative:
    """One way of saying a concept: all of `terms` must appear, scored × `weight`."""

    terms: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Concept:
    """One thing the question asks about. `asked` are the question's own terms;
    `word` is how the question wrote it, `zipf` how common that is in the
    question's language (wordfreq's scale, 0 = unknown), `name` whether it reads
    as a name. Retrieval uses the alternatives and `boost`; the rest weighs the concept."""

    asked: tuple[str, ...]
    alternatives: tuple[Alternative, ...]
    word: str = ""
    zipf: float = 0.0
    name: bool = False
    boost: float = 1.0  # × every alternative's score: how much the concept counts in the ranking


@dataclass(frozen=True)
class ScoredPassage:
    """A passage index, its BM25 score, and per concept the weight of what matched (0: none)."""

    index: int
    score: float
    matched: tuple[float, ...]


def lucene_idf(passage_count: int, document_frequency: int) -> float:
    return math.log(1 + (passage_count - document_frequency + 0.5) / (document_frequency + 0.5))


class PassageRetriever(Protocol):
    """What the answer logic needs from an index of passages."""

    @property
    def passage_count(self) -> int: ...

    def vocabulary(self) -> Collection[str]: ...

    def idf(self, term: str) -> float:
        """The term's IDF; for a term in no passage, the highest IDF the corpus allows."""
        ...

    def search(self, concepts: Sequence[Concept], limit: int) -> list[ScoredPassage]: ...

    def prepare(self) -> threading.Thread | None:
        """Make searches as fast as they can be from now on (a serving bot calls it once);
        the thread doing it in the background, if any, while searches go on."""
        ...
