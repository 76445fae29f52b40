"""The searchable form of a corpus: its passages and a retriever over them."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.corpus.dates import dates_in
from bot.corpus.passages import IndexedPassage, passages_of
from bot.models import Article, Passage
from bot.search.analysis import FrenchAnalyzer
from bot.search.bm25 import Bm25Retriever
from bot.search.retrieval import PassageRetriever
from bot.search.spellings import SpellingIndex

log = logging.getLogger(__name__)
PROGRESS_FROM = 5_000  # passages: a build this large shows a progress bar
SURFACES_PER_TERM = 3
# A cheap first look: a passage without a year nor a relative date has no event.
_MAY_HOLD_A_DATE = re.compile(r"(?:19|20)\d\d|derni|cette ann|\b[Ee]n [a-zéû]+\b|juillet|ao[uû]t")


@dataclass(frozen=True)
class PassageIndex:
    articles: tuple[Article, ...]
    passages: Sequence[Passage]
    retriever: PassageRetriever
    passage_counts: dict[str, int]  # article slug → number of passages
    # term → the lower-case words of the corpus that analyse to it, most frequent first
    surfaces: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    spellings: SpellingIndex | None = None  # close spellings of the vocabulary, built with it
    # dated sentences: rows of (passage, start, end, year, month or 0, day or 0)
    events: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros((0, 6), dtype=np.int32))


def build_index(articles: Sequence[Article], analyzer: FrenchAnalyzer) -> PassageIndex:
    """Cut every article into passages and index their analysed terms with BM25."""
    started = time.perf_counter()
    index = index_analysed(articles, AnalysedCorpus.of(articles, analyzer))
    log.info("Index construit : %d passages en %.2f s", len(index.passages), time.perf_counter() - started)
    return index


@dataclass(frozen=True)
class AnalysedCorpus:
    """Every passage of the articles, with its analysed terms and their surface words."""

    indexed: list[IndexedPassage]
    passage_terms: list[list[str]]
    words: dict[str, Counter[str]]  # term → the lower-case words that analyse to it, counted

    @classmethod
    def of(cls, articles: Sequence[Article], analyzer: FrenchAnalyzer) -> AnalysedCorpus:
        from tqdm import tqdm  # only a build shows progress

        indexed = [item for article in articles for item in passages_of(article)]
        quiet = len(indexed) < PROGRESS_FROM or not sys.stderr.isatty()
        items = tqdm(indexed, desc="Analyse des passages", unit=" passages", disable=quiet)
        words: defaultdict[str, Counter[str]] = defaultdict(Counter)
        passage_terms = []
        for item in items:
            tokens = analyzer.tokens(item.indexed_text)
            passage_terms.append([token.term for token in tokens])
            for token in tokens:
                words[token.term][item.indexed_text[token.start : token.end].casefold()] += 1
        return cls(indexed, passage_terms, dict(words))


def index_analysed(articles: Sequence[Article], analysed: AnalysedCorpus) -> PassageIndex:
    retriever = Bm25Retriever.build(analysed.passage_terms)
    surfaces = {
        term: tuple(word for word, _ in counts.most_common(SURFACES_PER_TERM))
        for term, counts in analysed.words.items()
    }
    passages = tuple(item.passage for item in analysed.indexed)
    counts = Counter(passage.article.slug for passage in passages)
    spellings = SpellingIndex.build(retriever.vocabulary())
    events = dated_sentences(passages)
    return PassageIndex(tuple(articles), passages, retriever, dict(counts), surfaces, spellings, events)


def dated_sentences(passages: Sequence[Passage]) -> npt.NDArray[np.int32]:
    """Every sentence that gives a date (relative ones only if the article's date is known)."""
    rows = [
        (number, start, end, when.year, when.month or 0, when.day or 0)
        for number, passage in enumerate(passages)
        if _MAY_HOLD_A_DATE.search(passage.text)
        for start, end in passage.sentences
        for when in dates_in(passage.text[start:end], passage.article.published)
    ]
    return np.array(rows, dtype=np.int32).reshape(-1, 6)
