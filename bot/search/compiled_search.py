"""The search's inner loops compiled by numba, for a serving bot.

`Bm25Retriever.search` in NumPy makes a few dozen calls per question; each is fast, but
between questions other work evicts the caches, and every call then pays for it. A
serving bot (`emad-bot run`, which starts once) loads these compiled loops instead: one
call per question, the same float64 additions in the same order, so the same scores to
the last bit and the same ranking (score, then passage). `emad-bot ask` does not import
numba (about 0.3 s): it answers one question and stops.

The machine code is cached on disk (numba's `cache=True`: next to this file, or in the
user's cache folder when the package folder is read-only), so only the first start after
an install compiles it.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

_SMALLEST = 5e-324  # the least positive float: a cut of it keeps every touched passage


@numba.njit(cache=True, nogil=True)
def _better(score: float, passage: int, than_score: float, than_passage: int) -> bool:
    return score > than_score or (score == than_score and passage < than_passage)


@numba.njit(cache=True, nogil=True)
def _sift_down(heap_scores: Any, heap_passages: Any, size: int) -> None:
    """Restore the heap whose root is the worst of the top (lowest score, then highest passage)."""
    i = 0
    while True:
        left, right, worst = 2 * i + 1, 2 * i + 2, i
        if left < size and _better(heap_scores[worst], heap_passages[worst], heap_scores[left],
                                   heap_passages[left]):  # fmt: skip
            worst = left
        if right < size and _better(heap_scores[worst], heap_passages[worst], heap_scores[right],
                                    heap_passages[right]):  # fmt: skip
            worst = right
        if worst == i:
            return
        heap_scores[i], heap_scores[worst] = heap_scores[worst], heap_scores[i]
        heap_passages[i], heap_passages[worst] = heap_passages[worst], heap_passages[i]
        i = worst


@numba.njit(cache=True, nogil=True)
def _sift_up(heap_scores: Any, heap_passages: Any, i: int) -> None:
    while i > 0:
        parent = (i - 1) // 2
        if not _better(heap_scores[parent], heap_passages[parent], heap_scores[i], heap_passages[i]):
            return
        heap_scores[i], heap_scores[parent] = heap_scores[parent], heap_scores[i]
        heap_passages[i], heap_passages[parent] = heap_passages[parent], heap_passages[i]
        i = parent


@numba.njit(cache=True, nogil=True)
def _offer(heap_scores: Any, heap_passages: Any, size: int, score: float, passage: int) -> int:
    """Put the passage in the top if it belongs there; the top's new size."""
    if size < len(heap_scores):
        heap_scores[size], heap_passages[size] = score, passage
        _sift_up(heap_scores, heap_passages, size)
        return size + 1
    if _better(score, passage, heap_scores[0], heap_passages[0]):
        heap_scores[0], heap_passages[0] = score, passage
        _sift_down(heap_scores, heap_passages, size)
    return size


@numba.njit(cache=True, nogil=True)
def _find(idx: Any, start: int, end: int, passage: int) -> int:
    """The position of `passage` in the ascending idx[start:end], or -1."""
    low, high = start, end
    while low < high:
        middle = (low + high) // 2
        if idx[middle] < passage:
            low = middle + 1
        else:
            high = middle
    return low if low < end and idx[low] == passage else -1


@numba.njit(cache=True, nogil=True)
def _postings(a: int, source: Any, passages: Any, weights: Any, extra_passages: Any,
              extra_weights: Any) -> tuple[Any, Any]:  # fmt: skip
    """The arrays alternative `a` is a slice of: the index's postings, or the phrases'."""
    return (passages, weights) if source[a] == 0 else (extra_passages, extra_weights)


@numba.njit(cache=True, nogil=True)
def search_kernel(
    passages: Any, weights: Any, extra_passages: Any, extra_weights: Any,
    source: Any, starts: Any, ends: Any, factors: Any, alternative_weights: Any,
    concept_ends: Any, total: Any, best: Any, limit: int, dense: bool, sample_size: int,
    dense_dis_max: float,
) -> tuple[Any, Any, Any]:  # fmt: skip
    """The top `limit` passages (score descending, then passage ascending), their scores,
    and per concept the weight of the alternative scoring best there.

    The question's alternatives come flattened, concept after concept (`concept_ends`:
    where each concept's end): alternative `a` is `passages[starts[a]:ends[a]]` with
    `weights` (`source[a]` 0: the index's postings) or the same slice of the extra arrays
    (1: a phrase's passages and mean weights), scored × `factors[a]`. Every weight and
    factor is positive; `total` and `best` are zero and are left zero. `dense`: the top is
    found in one pass over every passage; `dense_dis_max`: the postings past which a
    concept's bests are added in one such pass."""
    arrays = (source, passages, weights, extra_passages, extra_weights)
    _accumulate(arrays, starts, ends, factors, concept_ends, total, best, dense_dis_max)
    cut = _cut(arrays, starts, ends, total, limit, dense, sample_size)
    top_passages, top_scores = _top(arrays, starts, ends, total, limit, dense, cut)
    matched = _matched(arrays, starts, ends, factors, alternative_weights, concept_ends, top_passages)
    return top_passages, top_scores, matched


@numba.njit(cache=True, nogil=True)
def _accumulate(arrays: Any, starts: Any, ends: Any, factors: Any, concept_ends: Any, total: Any,
                best: Any, dense_dis_max: float) -> None:  # fmt: skip
    """Each concept's best alternative per passage, added into `total` concept by concept."""
    first = 0
    for c in range(len(concept_ends)):
        last = concept_ends[c]
        if last - first == 1:  # no dis-max to take: its passages are distinct
            idx, w = _postings(first, *arrays)
            factor = factors[first]
            for j in range(starts[first], ends[first]):
                total[idx[j]] += w[j] * factor
        elif last - first > 1:
            # The first concept's bests go straight into the zero totals (0.0 + x is x):
            # synonym groups come first, and theirs are the longest postings.
            into = total if first == 0 else best
            postings = 0
            for a in range(first, last):
                idx, w = _postings(a, *arrays)
                factor = factors[a]
                postings += ends[a] - starts[a]
                for j in range(starts[a], ends[a]):
                    into[idx[j]] = max(into[idx[j]], w[j] * factor)  # no branch to mispredict
            if first > 0 and postings > dense_dis_max:  # one pass in order over all (+ 0.0 where none)
                for p in range(len(total)):
                    total[p] += best[p]
                    best[p] = 0.0
            elif first > 0:
                for a in range(first, last):  # each passage's best adds once: then it is zeroed
                    idx, _ = _postings(a, *arrays)
                    for j in range(starts[a], ends[a]):
                        total[idx[j]] += best[idx[j]]
                        best[idx[j]] = 0.0
        first = last


@numba.njit(cache=True, nogil=True)
def _cut(arrays: Any, starts: Any, ends: Any, total: Any, limit: int, dense: bool,
         sample_size: int) -> float:  # fmt: skip
    """A score at least `limit` passages reach (the `limit`-th best of a sample of distinct
    passages), so that only the few at or above it enter the top: a branch taken for most
    passages would be mispredicted at every other one."""
    if dense:
        sample = total[:: max(1, len(total) // sample_size)].copy()
    else:
        widest = 0
        for a in range(len(starts)):
            if ends[a] - starts[a] > ends[widest] - starts[widest]:
                widest = a
        idx, _ = _postings(widest, *arrays)
        step = max(1, (ends[widest] - starts[widest]) // sample_size)
        chosen = idx[starts[widest] : ends[widest] : step]  # one alternative's: distinct
        sample = np.empty(len(chosen))
        for i in range(len(chosen)):
            sample[i] = total[chosen[i]]
    if len(sample) < limit:
        return _SMALLEST
    return max(_SMALLEST, float(np.partition(sample, len(sample) - limit)[len(sample) - limit]))


@numba.njit(cache=True, nogil=True)
def _top(arrays: Any, starts: Any, ends: Any, total: Any, limit: int, dense: bool,
         cut: float) -> tuple[Any, Any]:  # fmt: skip
    """The passages scoring at least `cut`, best first, at most `limit`; `total` zeroed."""
    heap_scores = np.empty(limit)
    heap_passages = np.empty(limit, dtype=np.int64)
    size = 0
    if dense:  # most passages touched: one pass over all, in order
        for p in range(len(total)):
            score = total[p]
            total[p] = 0.0
            if score >= cut:
                size = _offer(heap_scores, heap_passages, size, score, p)
    else:  # each touched passage once: its score is zeroed when first read
        for a in range(len(starts)):
            idx, _ = _postings(a, *arrays)
            for j in range(starts[a], ends[a]):
                p = idx[j]
                score = total[p]
                total[p] = 0.0
                if score >= cut:
                    size = _offer(heap_scores, heap_passages, size, score, p)
    top_scores, top_passages = heap_scores[:size].copy(), heap_passages[:size].copy()
    for i in range(1, size):  # best first: a few passages, an insertion sort
        score, passage, k = top_scores[i], top_passages[i], i
        while k > 0 and _better(score, passage, top_scores[k - 1], top_passages[k - 1]):
            top_scores[k], top_passages[k] = top_scores[k - 1], top_passages[k - 1]
            k -= 1
        top_scores[k], top_passages[k] = score, passage
    return top_passages, top_scores


@numba.njit(cache=True, nogil=True)
def _matched(arrays: Any, starts: Any, ends: Any, factors: Any, alternative_weights: Any,
             concept_ends: Any, top_passages: Any) -> Any:  # fmt: skip
    """Per top passage and concept, the weight of the alternative scoring best there (0: none)."""
    matched = np.zeros((len(top_passages), len(concept_ends)))
    first = 0
    for c in range(len(concept_ends)):
        last = concept_ends[c]
        for i in range(len(top_passages)):
            best_value = 0.0
            for a in range(first, last):
                idx, w = _postings(a, *arrays)
                j = _find(idx, starts[a], ends[a], top_passages[i])
                if j >= 0 and w[j] * factors[a] > best_value:
                    best_value = w[j] * factors[a]
                    matched[i, c] = alternative_weights[a]
        first = last
    return matched
