"""rank-bm25's Okapi BM25, answered from precomputed postings.

The model is rank-bm25's: `BM25Okapi` counts the terms and lengths, with its k1
and b, and Lucene's IDF (see `bot.search.retrieval`). rank-bm25 then scores a question
by looping over every passage; instead, each term's BM25 weight in each passage
that holds it is computed once, at indexing, into NumPy arrays (postings). A
question costs time in proportion to the passages that contain its terms, and
gives the same scores as `BM25Okapi.get_scores`.
"""

from __future__ import annotations

import bisect
import importlib.util
import logging
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.retrieval import Alternative, Concept, ScoredPassage, lucene_idf

K1 = 1.5
B = 0.75
DENSE_SAMPLE = 4096  # scores sampled to find the top's cut in a question touching most passages
# Beyond this share of the passages touched, one pass over every score finds the top
# faster than gathering the touched ones (whose reads miss the cache at 1M passages).
DENSE_TOP_SHARE = 0.125
# A concept whose alternatives' postings outnumber this share of the passages adds its
# best alternatives with one pass over every passage's score (measured at 1M passages).
DENSE_DIS_MAX_SHARE = 0.1
_EMPTY_INDEX = np.zeros(0, dtype=np.int32)
_EMPTY_WEIGHTS = np.zeros(0)
log = logging.getLogger(__name__)
Postings = tuple[npt.NDArray[np.int32], npt.NDArray[np.float64], float]  # passages, scores, weight


def lucene_idf_bm25(corpus: list[list[str]], k1: float = K1, b: float = B) -> Any:
    """rank-bm25's Okapi BM25 with Lucene's positive, monotonic IDF. (rank-bm25 is
    imported here, at indexing only: answering from saved postings does not need it.)"""
    from rank_bm25 import BM25Okapi

    class LuceneIdfBM25(BM25Okapi):  # type: ignore[misc]
        def _calc_idf(self, nd: dict[str, int]) -> None:
            self.idf = {term: lucene_idf(self.corpus_size, n) for term, n in nd.items()}
            self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)

    return LuceneIdfBM25(corpus, k1=k1, b=b)


class Bm25Retriever:
    """Okapi BM25 over analysed passages; implements `bot.search.retrieval.PassageRetriever`."""

    def __init__(
        self,
        terms: Sequence[str],
        offsets: npt.NDArray[np.int64],
        passages: npt.NDArray[np.int32],
        weights: npt.NDArray[np.float64],
        passage_count: int,
    ) -> None:
        self._rows = {term: row for row, term in enumerate(terms)}
        self._terms = list(terms)
        self._offsets, self._passages, self._weights = offsets, passages, weights
        self._passage_count = passage_count
        self._unknown_idf = lucene_idf(passage_count, 0)
        self._local = threading.local()
        self._kernel: Any = None  # `bot.search.compiled_search.search_kernel`, once compiled

    @classmethod
    def build(cls, passage_terms: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> Bm25Retriever:
        """Count with rank-bm25, then store each term's weight in each passage."""
        if not passage_terms:
            raise ValueError("aucun passage à indexer : le corpus est vide")
        model = lucene_idf_bm25([list(terms) for terms in passage_terms], k1=k1, b=b)
        terms = sorted(model.idf)
        rows = {term: row for row, term in enumerate(terms)}
        counts = np.zeros(len(terms) + 1, dtype=np.int64)
        for frequencies in model.doc_freqs:
            for term in frequencies:
                counts[rows[term] + 1] += 1
        offsets = np.cumsum(counts)
        cursor = offsets[:-1].copy()
        passages = np.empty(int(offsets[-1]), dtype=np.int32)
        weights = np.empty(int(offsets[-1]))
        for index, (frequencies, length) in enumerate(zip(model.doc_freqs, model.doc_len, strict=True)):
            norm = k1 * (1 - b + b * length / model.avgdl)
            for term, tf in frequencies.items():
                row = rows[term]
                passages[cursor[row]] = index
                weights[cursor[row]] = model.idf[term] * tf * (k1 + 1) / (tf + norm)
                cursor[row] += 1
        return cls(terms, offsets, passages, weights, model.corpus_size)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "offsets.npy", self._offsets)
        np.save(directory / "passages.npy", self._passages)
        np.save(directory / "weights.npy", self._weights)
        (directory / "terms.txt").write_text("\n".join(self._terms), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, passage_count: int) -> Bm25Retriever:
        """Load saved postings; the arrays are memory-mapped, so start-up reads little."""
        terms = (directory / "terms.txt").read_text(encoding="utf-8").split("\n")

        def mapped(name: str) -> Any:
            # A plain ndarray view of the mapping: slicing a memmap costs a subclass each time.
            return np.load(directory / name, mmap_mode="r").view(np.ndarray)

        return cls(terms, mapped("offsets.npy"), mapped("passages.npy"), mapped("weights.npy"), passage_count)

    def prepare(self) -> threading.Thread | None:
        """Switch to the compiled loops (`bot.search.compiled_search`, the `fast` extra) once
        they are ready: numba compiles them in a background thread (13-24 s the first time
        after an install, a fraction of a second from its disk cache), logged, while the
        NumPy search answers. Same results either way. Without numba: None, NumPy stays."""
        if importlib.util.find_spec("numba") is None:
            return None
        thread = threading.Thread(target=self._compile, name="compilation-recherche", daemon=True)
        thread.start()
        return thread

    def _compile(self) -> None:
        started = time.perf_counter()
        log.info("Compilation de la recherche rapide (numba)…")
        try:
            from bot.search.compiled_search import search_kernel

            if self._terms:  # compiled (or loaded from the disk cache) here, not at a question
                concepts = [Concept(("",), (Alternative((self._terms[0],)),))]
                total, best = np.zeros(self._passage_count), np.zeros(self._passage_count)
                if self._compiled_search(search_kernel, concepts, 1, total, best) is None:
                    raise RuntimeError("la recherche compilée n'a rien rendu")
        except Exception:  # the NumPy search goes on answering
            log.exception("Recherche rapide indisponible : la recherche NumPy continue")
            return
        self._kernel = search_kernel
        log.info("Recherche rapide prête en %.1f s", time.perf_counter() - started)

    @property
    def passage_count(self) -> int:
        return self._passage_count

    def vocabulary(self) -> Collection[str]:
        return self._rows.keys()

    def terms_starting_with(self, prefix: str) -> Sequence[str]:
        """The terms with this prefix, from the sorted term list (no scan)."""
        start = bisect.bisect_left(self._terms, prefix)
        return self._terms[start : bisect.bisect_left(self._terms, prefix + "\uffff")]

    def idf(self, term: str) -> float:
        row = self._rows.get(term)
        if row is None:
            return self._unknown_idf
        return lucene_idf(self._passage_count, int(self._offsets[row + 1] - self._offsets[row]))

    def postings(self, term: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """The passages holding `term`, ascending, and its BM25 weight in each."""
        row = self._rows.get(term)
        if row is None:
            return _EMPTY_INDEX, _EMPTY_WEIGHTS
        start, end = self._offsets[row], self._offsets[row + 1]
        return self._passages[start:end], self._weights[start:end]

    def search(self, concepts: Sequence[Concept], limit: int) -> list[ScoredPassage]:
        """Dis-max over each concept's alternatives, summed over concepts; the top `limit`.

        Scores accumulate (`ufunc.at`) into two dense per-thread arrays (the total, and one
        concept's best alternative), touching only the passages in the question's
        postings: no sort of the postings, no `np.unique`. A concept whose alternatives'
        postings are many (`DENSE_DIS_MAX_SHARE` of the passages) adds its best ones in
        one pass over every score rather than three over its postings. The top is ranked
        only among the passages at or above a cut found from a sample (of the touched
        passages, or of all the scores when `DENSE_TOP_SHARE` of them are touched). Only
        the top passages get their per-concept matches looked up, afterwards.
        """
        total, best = self._scratch()
        kernel = self._kernel
        if kernel is not None:
            compiled = self._compiled_search(kernel, concepts, limit, total, best)
            if compiled is not None:
                return compiled
        found = [self._alternative_postings(concept) for concept in concepts]
        positive = all(weight > 0 for alternatives in found for _, _, weight in alternatives) and all(
            c.boost > 0 for c in concepts
        )
        touched: list[npt.NDArray[np.int32]] = []
        dense = False  # a concept's best alternatives were added to every passage's score
        for alternatives in found:
            if not alternatives:
                continue
            if len(alternatives) == 1:  # no dis-max to take: its passages are distinct
                idx, score, _ = alternatives[0]
                np.add.at(total, idx, score)  # NumPy 2's fast path: 3× `total[idx] += score`
                touched.append(idx)
                continue
            for idx, score, _ in alternatives:
                np.maximum.at(best, idx, score)
            postings = sum(len(idx) for idx, _, _ in alternatives)
            if positive and postings > DENSE_DIS_MAX_SHARE * self._passage_count:
                np.add(total, best, out=total)  # one pass over all passages (+ 0.0 where none)
                best.fill(0.0)  # instead of three over the alternatives' postings
                dense = True
                continue
            for idx, _, _ in alternatives:  # each passage's best adds once: then it is zeroed
                np.add.at(total, idx, best[idx])
                best[idx] = 0.0
            touched.append(np.concatenate([idx for idx, _, _ in alternatives]))
        if not touched and not dense:
            return []
        if dense or (positive and sum(len(t) for t in touched) > DENSE_TOP_SHARE * self._passage_count):
            passages, top_scores = _top_of_dense(total, limit)  # most of the corpus: one pass over all
        else:
            passages, top_scores = _top_of(
                touched[0] if len(touched) == 1 else np.concatenate(touched), total, limit
            )
        matched = [self._matched(alternatives, passages) for alternatives in found]
        per_passage = np.stack(matched, axis=1).tolist() if matched else [[] for _ in passages]
        return [
            ScoredPassage(index, score, tuple(weights))
            for index, score, weights in zip(passages.tolist(), top_scores.tolist(), per_passage, strict=True)
        ]

    def _compiled_search(
        self, kernel: Any, concepts: Sequence[Concept], limit: int,
        total: npt.NDArray[np.float64], best: npt.NDArray[np.float64],
    ) -> list[ScoredPassage] | None:  # fmt: skip
        """`search` in one compiled call; None (search in NumPy) if a weight is not positive."""
        source, starts, ends, factors, weights, concept_ends = [], [], [], [], [], []
        extra_passages: list[npt.NDArray[np.int32]] = []
        extra_scores: list[npt.NDArray[np.float64]] = []
        extra_at = 0
        for concept in concepts:
            for alternative in concept.alternatives:
                factor = alternative.weight * concept.boost
                if factor <= 0:
                    return None
                if len(alternative.terms) == 1:
                    row = self._rows.get(alternative.terms[0])
                    if row is None:
                        continue
                    start, end = int(self._offsets[row]), int(self._offsets[row + 1])
                    source.append(0)
                else:  # a phrase: its passages and mean scores, as the NumPy search has them
                    common, mean = self._phrase(alternative.terms)
                    if not len(common):
                        continue
                    extra_passages.append(common)
                    extra_scores.append(mean)
                    start, end = extra_at, extra_at + len(common)
                    extra_at = end
                    source.append(1)
                starts.append(start)
                ends.append(end)
                factors.append(factor)
                weights.append(alternative.weight)
            concept_ends.append(len(source))
        if not source:
            return []
        touched = sum(e - s for e, s in zip(ends, starts, strict=True))
        extra_idx = np.concatenate(extra_passages) if extra_passages else np.zeros(0, dtype=np.int32)
        extra_w = np.concatenate(extra_scores) if extra_scores else np.zeros(0)
        extra_w = extra_w.astype(self._weights.dtype, copy=False)
        if not self._passages.flags.writeable:  # both sources of one type, for numba
            extra_idx.setflags(write=False)
            extra_w.setflags(write=False)
        passages, scores, matched = kernel(
            self._passages, self._weights, extra_idx, extra_w,
            np.array(source, dtype=np.int8), np.array(starts, dtype=np.int64),
            np.array(ends, dtype=np.int64), np.array(factors), np.array(weights),
            np.array(concept_ends, dtype=np.int64), total, best, limit,
            touched > DENSE_TOP_SHARE * self._passage_count, DENSE_SAMPLE,
            DENSE_DIS_MAX_SHARE * self._passage_count,
        )  # fmt: skip
        return [
            ScoredPassage(index, score, tuple(m))
            for index, score, m in zip(passages.tolist(), scores.tolist(), matched.tolist(), strict=True)
        ]

    def _scratch(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Two zeroed arrays of one score per passage, this thread's own (questions are
        answered in several threads); each search leaves them zeroed."""
        arrays: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = getattr(
            self._local, "arrays", None
        )
        if arrays is None:
            arrays = (np.zeros(self._passage_count), np.zeros(self._passage_count))
            self._local.arrays = arrays
        return arrays

    @staticmethod
    def _matched(alternatives: list[Postings], passages: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
        """Per passage, the weight of the alternative that scores best there (0: none)."""
        if not alternatives:
            return np.zeros(len(passages))
        if len(alternatives) == 1:  # no best to choose: present or not
            idx, score, alternative_weight = alternatives[0]
            position = np.minimum(np.searchsorted(idx, passages), len(idx) - 1)
            return np.where((idx[position] == passages) & (score[position] > 0), alternative_weight, 0.0)
        best_score = np.zeros(len(passages))
        weight = np.zeros(len(passages))
        for idx, score, alternative_weight in alternatives:
            position = np.minimum(np.searchsorted(idx, passages), len(idx) - 1)
            present = idx[position] == passages
            here = np.where(present, score[position], 0.0)
            better = present & (here > best_score)
            best_score = np.where(better, here, best_score)
            weight = np.where(better, alternative_weight, weight)
        return weight

    def _alternative_postings(self, concept: Concept) -> list[Postings]:
        """Each alternative's passages (ascending), its score in each, and its weight."""
        found: list[Postings] = []
        for alternative in concept.alternatives:
            common, mean = self._phrase(alternative.terms)
            if not len(common):
                continue
            factor = alternative.weight * concept.boost  # 1 for a name's own word: no pass to make
            found.append((common, mean if factor == 1.0 else mean * factor, alternative.weight))
        return found

    def _phrase(self, terms: Sequence[str]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """The passages holding all of `terms` (ascending), and the mean of their weights there."""
        lists = [self.postings(term) for term in terms]
        common = lists[0][0]
        for idx, _ in lists[1:]:
            common = np.intersect1d(common, idx, assume_unique=True)
        if len(lists) == 1:
            return lists[0]
        if not len(common):
            return common, _EMPTY_WEIGHTS
        return common, np.mean([w[np.searchsorted(idx, common)] for idx, w in lists], axis=0)


def _ranked(passages: npt.NDArray[Any], scores: npt.NDArray[np.float64], limit: int) -> npt.NDArray[np.intp]:
    """Positions of the top `limit` by score, then by passage; every passage scoring the
    last one's score competes at the cut, by passage."""
    top = np.arange(len(scores))
    if len(top) > limit:
        top = np.argpartition(-scores, limit - 1)[:limit]  # (k-th from the end: a far worse p99)
        cut = scores[top].min()
        if np.count_nonzero(scores == cut) > np.count_nonzero(scores[top] == cut):
            top = np.union1d(top, np.flatnonzero(scores == cut))
    ranked: npt.NDArray[np.intp] = top[np.lexsort((passages[top], -scores[top]))][:limit]
    return ranked


def _distinct(passages: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Sorted, once each (a sort: NumPy 2's hashing `np.unique` is slower on these sizes)."""
    ordered = np.sort(passages)
    if not len(ordered):
        return ordered
    kept: npt.NDArray[np.int32] = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    return kept


def _top_of(touched: npt.NDArray[np.int32], total: npt.NDArray[np.float64],
            limit: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:  # fmt: skip
    """The top of the touched passages (a passage may be listed more than once); their
    scores in `total` are zeroed. The `limit`-th best of the distinct passages in an evenly
    spaced sample of `DENSE_SAMPLE` is a cut that at least `limit` passages reach, so the
    whole top, ties included, scores at or above it: only those are ranked."""
    reaching = touched
    sampled = _distinct(touched[:: max(1, len(touched) // DENSE_SAMPLE)])
    if len(sampled) > limit:
        values = total[sampled]
        cut = np.partition(values, len(values) - limit)[len(values) - limit]
        reaching = touched[total[touched] >= cut]
    candidates = _distinct(reaching)
    scores = total[candidates]
    total[touched] = 0.0
    top = _ranked(candidates, scores, limit)
    return candidates[top], scores[top]


def _top_of_dense(
    total: npt.NDArray[np.float64], limit: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
    """The top of the whole score array (every touched passage scores above 0); zeroed after.

    A partition of a million scores costs 5 ms; instead, the `limit`-th best of an evenly
    spaced sample of `DENSE_SAMPLE` scores is a cut that at least `limit` scores reach
    (those sampled), so every passage of the top, ties included, scores at or above it:
    only those few thousand are ranked."""
    sample = total[:: max(1, len(total) // DENSE_SAMPLE)]
    cut = np.partition(sample, len(sample) - limit)[len(sample) - limit] if len(sample) > limit else 0.0
    candidates = np.flatnonzero(total >= cut) if cut > 0 else np.flatnonzero(total)
    scores = total[candidates]
    total.fill(0.0)
    top = _ranked(candidates, scores, limit)
    return candidates[top].astype(np.int32), scores[top]
