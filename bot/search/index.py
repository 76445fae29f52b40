"""The searchable form of a corpus: its passages and a retriever over them."""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.corpus.passages import passages_of
from bot.models import Article, Passage
from bot.search.analysis import FrenchAnalyzer
from bot.search.bm25 import Bm25Retriever
from bot.search.retrieval import PassageRetriever

log = logging.getLogger(__name__)
PROGRESS_FROM = 5_000  # passages: a build this large shows a progress bar


@dataclass(frozen=True)
class PassageIndex:
    articles: tuple[Article, ...]
    passages: Sequence[Passage]
    retriever: PassageRetriever
    passage_counts: dict[str, int]  # article slug → number of passages


def build_index(articles: Sequence[Article], analyzer: FrenchAnalyzer) -> PassageIndex:
    """Cut every article into passages and index their analysed terms with BM25."""
    from tqdm import tqdm  # only a build shows progress

    started = time.perf_counter()
    indexed = [item for article in articles for item in passages_of(article)]
    quiet = len(indexed) < PROGRESS_FROM or not sys.stderr.isatty()
    items = tqdm(indexed, desc="Analyse des passages", unit=" passages", disable=quiet)
    retriever = Bm25Retriever.build([analyzer.terms(item.indexed_text) for item in items])
    log.info("Index construit : %d passages en %.2f s", len(indexed), time.perf_counter() - started)
    passages = tuple(item.passage for item in indexed)
    counts = Counter(passage.article.slug for passage in passages)
    return PassageIndex(tuple(articles), passages, retriever, dict(counts))
