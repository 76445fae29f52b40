"""How much of a question a passage answers, and whether the articles cover it at all.

Each concept of the question weighs what it says about the subject:

- a word the corpus uses weighs its IDF in the corpus (rare in the articles: specific);
- a word the corpus lacks but reaches in other words (a synonym, a related word, a
  close spelling) weighs the IDF of what it reaches;
- a word the corpus cannot reach weighs by how specific it is in French at large:
  wordfreq's Zipf frequency, from `COMMON_ZIPF` (as common as "tête", "origine":
  weighs `MIN_SHARE` of the highest IDF) down to `RARE_ZIPF` (weighs the highest IDF).

A word the corpus uses weighs at least `KNOWN_MIN_SHARE` of its IDF, however common.

A question holding such an unreachable word that is a name or rarer than
`RARE_ZIPF` ("Google", "Midjourney", "tatin") asks about something the articles
never mention: it is refused. So is a question whose passages share with it only
common words or a single loose relative: a passage is about the question when it
says one of its specific words (a name or a word less common than `COMMON_ZIPF`) in
its own words, a synonym or a close spelling, or `ANCHOR_CONCEPTS` of them in any
words, related ones included ("chiffres … attendu" met as "prévisions … prévu").
Otherwise a passage's coverage is the weight of the concepts it matches (× how sure
each match is) over the question's weight; the answer is
confident when sure matches (own words, lemmas, synonyms) cover `CONFIDENT_COVERAGE`
of it, and hedged otherwise (« voici les passages les plus proches »).
The thresholds were set on the development questions (../shared/eval), as a
whole, never for one question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.search.retrieval import Concept, PassageRetriever, ScoredPassage

COMMON_ZIPF = 5.5
RARE_ZIPF = 3.0
MIN_SHARE = 0.2
KNOWN_MIN_SHARE = 0.75  # the least a word the corpus uses weighs, × its IDF
CONFIDENT_COVERAGE = 0.8
CLOSEST_COVERAGE = 0.15
ANCHOR_MATCH = 0.6  # an own word, lemma, same stem, synonym or close spelling; not a related word
ANCHOR_CONCEPTS = 2  # specific words met in any words that anchor a passage as well
SURE_MATCH = 0.8  # own word, lemma, same stem or synonym: what confirms an answer


@dataclass(frozen=True)
class Weighing:
    """The weight of each concept, and the concepts that sink the question."""

    importance: tuple[float, ...]
    specificities: tuple[float, ...]
    can_anchor: tuple[bool, ...]  # a name, or a word less common than COMMON_ZIPF
    unknown_subjects: tuple[Concept, ...]

    @property
    def total(self) -> float:
        return sum(self.importance)

    def coverage(self, found: ScoredPassage) -> float:
        covered = sum(w * m for w, m in zip(self.importance, found.matched, strict=True))
        return covered / self.total if self.total else 0.0

    def boosted(self, concepts: Sequence[Concept]) -> list[Concept]:
        """The concepts, each counting in the ranking by how specific its word is."""
        return [replace(c, boost=s) for c, s in zip(concepts, self.specificities, strict=True)]

    def anchored(self, found: ScoredPassage) -> bool:
        """Whether the passage says at least one specific word of the question (or its
        synonym), or `ANCHOR_CONCEPTS` of them in any words, related ones included: one
        sharing only common words, or a single loose relative, is not about it."""
        specific = [match for match, anchor in zip(found.matched, self.can_anchor, strict=True) if anchor]
        return any(m >= ANCHOR_MATCH for m in specific) or sum(m > 0 for m in specific) >= ANCHOR_CONCEPTS

    def surely_covered(self, found: ScoredPassage) -> float:
        """Coverage counting only sure matches (not related words or close spellings)."""
        covered = sum(w for w, m in zip(self.importance, found.matched, strict=True) if m >= SURE_MATCH)
        return covered / self.total if self.total else 0.0


def weigh(concepts: Sequence[Concept], retriever: PassageRetriever) -> Weighing:
    vocabulary = retriever.vocabulary()
    highest = retriever.idf("")  # the IDF of a term in no passage: the highest there is
    importance, specificities, unknown = [], [], []
    for concept in concepts:
        own = [retriever.idf(t) for t in concept.asked if t in vocabulary]
        reached = [
            retriever.idf(t)
            for alternative in concept.alternatives
            for t in alternative.terms
            if t in vocabulary
        ]
        specific = specificity(concept)
        if own or reached:
            specific = max(specific, KNOWN_MIN_SHARE)
            importance.append(max(own or reached) * specific)
        else:
            importance.append(highest * specific)
            if concept.name or concept.zipf < RARE_ZIPF:
                unknown.append(concept)
        specificities.append(specific)
    can_anchor = tuple(c.name or c.zipf < COMMON_ZIPF for c in concepts)
    return Weighing(tuple(importance), tuple(specificities), can_anchor, tuple(unknown))


def specificity(concept: Concept) -> float:
    """From `MIN_SHARE` (a common French word) to 1 (a rare word or a name)."""
    if concept.name:
        return 1.0
    share = (COMMON_ZIPF - concept.zipf) / (COMMON_ZIPF - RARE_ZIPF)
    return min(1.0, max(MIN_SHARE, share))
