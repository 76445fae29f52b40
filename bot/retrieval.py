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
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

Weights = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Alternative:
    """One way of saying a concept: all of `terms` must appear, scored × `weight`."""

    terms: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Concept:
    """One thing the question asks about. `asked` are the question's own terms."""

    asked: tuple[str, ...]
    alternatives: tuple[Alternative, ...]


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


class _LuceneIdfBM25(BM25Okapi):
    """rank-bm25's Okapi BM25 with Lucene's positive, monotonic IDF."""

    document_frequencies: dict[str, int]

    def _calc_idf(self, nd: dict[str, int]) -> None:
        self.document_frequencies = dict(nd)
        self.idf = {term: lucene_idf(self.corpus_size, n) for term, n in nd.items()}
        self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)


def combine_concepts(
    concepts: Sequence[Concept],
    term_weights: dict[str, Weights],
    passage_count: int,
    limit: int,
) -> list[ScoredPassage]:
    """Dis-max over each concept's alternatives, summed over concepts; the top `limit`.

    `term_weights` maps each known term to its BM25 weight in every passage.
    A passage matching no concept is never returned.
    """
    total = np.zeros(passage_count)
    matched = np.zeros((len(concepts), passage_count))
    for row, concept in enumerate(concepts):
        best = np.zeros(passage_count)
        for alternative in concept.alternatives:
            if not all(term in term_weights for term in alternative.terms):
                continue
            vectors = np.stack([term_weights[term] for term in alternative.terms])
            present = (vectors > 0).all(axis=0)
            score = vectors.mean(axis=0) * alternative.weight * present
            better = score > best
            best = np.where(better, score, best)
            matched[row] = np.where(better, alternative.weight, matched[row])
        total += best
    candidates = np.flatnonzero(total > 0)
    if len(candidates) > limit:
        candidates = candidates[np.argpartition(-total[candidates], limit - 1)[:limit]]
    ordered = sorted(candidates.tolist(), key=lambda index: (-total[index], index))
    return [
        ScoredPassage(index, float(total[index]), tuple(float(w) for w in matched[:, index]))
        for index in ordered
    ]


class RankBm25Retriever:
    """Okapi BM25 over analysed passages, scored by rank-bm25."""

    def __init__(self, passage_terms: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75):
        if not passage_terms:
            raise ValueError("aucun passage à indexer : le corpus est vide")
        self._bm25 = _LuceneIdfBM25([list(terms) for terms in passage_terms], k1=k1, b=b)

    @property
    def passage_count(self) -> int:
        return int(self._bm25.corpus_size)

    def vocabulary(self) -> Collection[str]:
        return self._bm25.document_frequencies.keys()

    def idf(self, term: str) -> float:
        n = self._bm25.document_frequencies.get(term, 0)
        return lucene_idf(self.passage_count, n)

    def search(self, concepts: Sequence[Concept], limit: int) -> list[ScoredPassage]:
        terms = {
            term
            for concept in concepts
            for alternative in concept.alternatives
            for term in alternative.terms
            if term in self._bm25.document_frequencies
        }
        weights = {term: np.asarray(self._bm25.get_scores([term])) for term in terms}
        return combine_concepts(concepts, weights, self.passage_count, limit)
