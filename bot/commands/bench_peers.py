"""The retrievers the benchmark times beside the bot's, each at its best configuration.

Every peer indexes the same analysed token lists and answers the same flat term lists
(the bot's own question analysis, its concepts' asked terms), top 10:
- the bot's own search on those very terms (`bot_on_the_same_terms`): the like-for-like
  comparison; the benchmark times the bot with its whole concepts (synonyms, related
  words, close spellings as dis-max alternatives) apart;
- bm25s (the `bench` extra), Lucene's BM25 like ours, with its numba backend (compiled
  and warmed up before timing, questions given as token ids, one thread) and with its
  NumPy backend;
- a SciPy CSR product: the bot's own postings as a term × passage matrix, the question
  as a sparse row vector;
- rank-bm25's `get_scores` (whole-corpus loop), up to `RANK_BM25_UP_TO` passages.

`build` returns the peer's query function; the benchmark measures the memory it keeps.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bot.search.bm25 import K1, B, Bm25Retriever, lucene_idf_bm25
from bot.search.retrieval import Alternative, Concept

TOP = 10
RANK_BM25_UP_TO = 100_000
Query = Callable[[Sequence[str]], Any]
Batch = Callable[[Sequence[Sequence[str]]], Any]


class Peer:
    """A built peer: one question at a time (`query`), and many in one call (`batch`)."""

    def __init__(self, query: Query, batch: Batch | None = None) -> None:
        self.query = query
        self.batch = batch or (lambda questions: [query(q) for q in questions])


def _top(scores: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
    top = np.argpartition(-scores, TOP - 1)[:TOP] if len(scores) > TOP else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return top if ids is None else ids[top]


def warm_up_bm25s() -> None:
    """Import bm25s and compile its numba kernels once, before anything is measured."""
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # no build logs among the numbers
    numba_peer, _ = build_bm25s([["un", "deux"], ["deux", "trois"]] * 10)
    numba_peer.query(["deux"])


def build_bm25s(docs: list[list[str]]) -> tuple[Peer, Peer]:
    """bm25s with numba (token ids, warmed up) and the same index on its NumPy backend."""
    import bm25s

    numba_model = bm25s.BM25(k1=K1, b=B, method="lucene", backend="numba")
    numba_model.index(docs, show_progress=False)
    numpy_model = copy.copy(numba_model)
    numpy_model.backend = "numpy"
    vocabulary: dict[str, int] = numba_model.vocab_dict

    def ids(terms: Sequence[str]) -> list[int]:
        return [vocabulary[t] for t in terms if t in vocabulary]

    def numba_batch(questions: Sequence[Sequence[str]]) -> Any:
        known = [found for found in map(ids, questions) if found]  # nothing known: no search
        return numba_model.retrieve(known, k=TOP, show_progress=False, n_threads=1) if known else None

    numba_peer = Peer(lambda terms: numba_batch([terms]), numba_batch)

    def numpy_query(terms: Sequence[str]) -> Any:
        known = ids(terms)
        return (
            numpy_model.retrieve([known], k=TOP, show_progress=False, backend_selection="numpy")
            if known
            else None
        )

    return numba_peer, Peer(numpy_query)


def build_scipy_csr(retriever: Bm25Retriever) -> Peer:
    """The bot's postings as a SciPy CSR matrix, rows = terms; a question is a sparse row."""
    from scipy.sparse import csr_matrix

    rows = {term: row for row, term in enumerate(retriever.vocabulary())}
    offsets, passages, weights = retriever._offsets, retriever._passages, retriever._weights
    matrix = csr_matrix(
        (np.array(weights), np.array(passages), np.array(offsets)),
        shape=(len(rows), retriever.passage_count),
    )

    def query(terms: Sequence[str]) -> Any:
        cols = [rows[t] for t in terms if t in rows]
        if not cols:
            return np.zeros(0, dtype=np.int32)
        vector = csr_matrix((np.ones(len(cols)), (np.zeros(len(cols), dtype=np.int32), cols)),
                            shape=(1, len(rows)))  # fmt: skip
        scores = vector @ matrix
        return _top(scores.data, scores.indices)

    return Peer(query)


def bot_on_the_same_terms(retriever: Bm25Retriever) -> Peer:
    """The bot's own search given exactly what the peers get: each asked term alone, no
    synonym, related word or close spelling (so no dis-max), the same BM25 sum."""

    def query(terms: Sequence[str]) -> Any:
        return retriever.search([Concept((t,), (Alternative((t,)),)) for t in terms], TOP)

    return Peer(query)


def build_rank_bm25(docs: list[list[str]]) -> Peer:
    model = lucene_idf_bm25(docs)
    return Peer(lambda terms: _top(model.get_scores(list(terms))))
