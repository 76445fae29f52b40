"""How much each word of a question weighs, and whether the articles mention it at all.

Each concept of the question weighs what it says about the subject:

- a word the corpus uses weighs its IDF in the corpus (rare in the articles: specific);
- a word the corpus lacks but reaches in other words (a synonym, a related word, a
  close spelling) weighs the IDF of what it reaches;
- a word the corpus cannot reach weighs by how specific it is in French at large:
  wordfreq's Zipf frequency, from `COMMON_ZIPF` (as common as "tête", "origine":
  weighs `MIN_SHARE` of the highest IDF) down to `RARE_ZIPF` (weighs the highest IDF).

A word the corpus uses weighs at least `KNOWN_MIN_SHARE` of its IDF, however common.

A name no article reaches ("Google", "Midjourney"), or unreached rare words holding most
of the question's weight, means the question is about something the articles never
mention: it is refused. The rest is the learned selector's to weigh (`bot.selector`):
these weights, and whether a passage is anchored (it says a specific word of the
question in its own words, a synonym or a close spelling, or `ANCHOR_CONCEPTS` of them
in any words), are among its features.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.search.retrieval import Concept, PassageRetriever

COMMON_ZIPF = 5.5
RARE_ZIPF = 3.0
MIN_SHARE = 0.2
KNOWN_MIN_SHARE = 0.75  # the least a word the corpus uses weighs, × its IDF
ANCHOR_MATCH = 0.6  # an own word, lemma, same stem, synonym or close spelling; not a related word
ANCHOR_CONCEPTS = 2  # specific words met in any words that anchor a passage as well
UNKNOWN_MAJORITY = 0.5  # of the question's weight in words no article reaches: refused


@dataclass(frozen=True)
class Weighing:
    """The weight of each concept, and the concepts that sink the question."""

    concepts: tuple[Concept, ...]
    importance: tuple[float, ...]
    specificities: tuple[float, ...]
    can_anchor: tuple[bool, ...]  # a name, or a word less common than COMMON_ZIPF
    unknown_subjects: tuple[Concept, ...]

    @property
    def total(self) -> float:
        return sum(self.importance)

    @property
    def unknown_share(self) -> float:
        """The share of the question's weight in names or rare words no article reaches."""
        pairs = zip(self.concepts, self.importance, strict=True)
        unknown = sum(w for c, w in pairs if c in self.unknown_subjects)
        return unknown / self.total if self.total else 0.0

    def names_what_no_article_mentions(self) -> bool:
        """A name no article reaches ("Google", "Midjourney"), or rare words none reaches
        holding most of the question's weight ("azer qsdf wxcv"): refused. Measured on the
        labelled questions: 1 % of answerable ones refused, against 4.6 % when any rare
        unreached word refused (the learned confidence weighs the others)."""
        return any(c.name for c in self.unknown_subjects) or self.unknown_share >= UNKNOWN_MAJORITY

    def boosted(self, concepts: Sequence[Concept]) -> list[Concept]:
        """The concepts, each counting in the ranking by how specific its word is."""
        return [replace(c, boost=s) for c, s in zip(concepts, self.specificities, strict=True)]

    def anchored(self, matched: Sequence[float]) -> bool:
        """Whether the passage says at least one specific word of the question (or its
        synonym), or `ANCHOR_CONCEPTS` of them in any words, related ones included: one
        sharing only common words, or a single loose relative, is not about it."""
        specific = [match for match, anchor in zip(matched, self.can_anchor, strict=True) if anchor]
        return any(m >= ANCHOR_MATCH for m in specific) or sum(m > 0 for m in specific) >= ANCHOR_CONCEPTS


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
    return Weighing(tuple(concepts), tuple(importance), tuple(specificities), can_anchor, tuple(unknown))


def specificity(concept: Concept) -> float:
    """From `MIN_SHARE` (a common French word) to 1 (a rare word or a name)."""
    if concept.name:
        return 1.0
    share = (COMMON_ZIPF - concept.zipf) / (COMMON_ZIPF - RARE_ZIPF)
    return min(1.0, max(MIN_SHARE, share))
