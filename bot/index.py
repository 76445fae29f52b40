"""The searchable form of a corpus: its passages and a retriever over them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis import FrenchAnalyzer
from bot.bm25 import Bm25Retriever
from bot.models import Article, Passage
from bot.passages import passages_of
from bot.retrieval import PassageRetriever


@dataclass(frozen=True)
class PassageIndex:
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    retriever: PassageRetriever
    passage_counts: dict[str, int]  # article slug → number of passages


def build_index(articles: Sequence[Article], analyzer: FrenchAnalyzer) -> PassageIndex:
    """Cut every article into passages and index their analysed terms with BM25."""
    indexed = [item for article in articles for item in passages_of(article)]
    retriever = Bm25Retriever.build([analyzer.terms(item.indexed_text) for item in indexed])
    passages = tuple(item.passage for item in indexed)
    counts = Counter(passage.article.slug for passage in passages)
    return PassageIndex(tuple(articles), passages, retriever, dict(counts))
