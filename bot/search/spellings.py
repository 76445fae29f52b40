"""Close spellings of the corpus's terms in constant time, built with the index.

A question word the corpus does not know may be a typo of a term it does ("Mostak",
"Omer", "Lightsped"). Terms are compared on a rough French pronunciation key
("mostaqu" and "mostak" share "mostak"); two keys within one edit share a string
obtained by deleting at most one character from each (a symmetric-delete index, as in
SymSpell). Each key's deletes are hashed (64-bit BLAKE2b) into one sorted NumPy array,
saved beside the postings and memory-mapped: a look-up hashes the word's few deletes
and binary-searches them, the same cost at 1,000 or 1,000,000 terms, and nothing is
built on the first question after start.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

_SOUND_RULES = (
    (re.compile(r"qu|ck|c(?=[aou]|$)"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
)
MIN_KEY_LENGTH = 3  # shorter keys are too ambiguous to correct
LONG_KEY = 8  # from this length a key may be two edits away
MAX_PREFIXED = 50  # keys beginning with the word's key, looked at


def sound_key(term: str) -> str:
    """A rough French pronunciation key: "mostaqu" and "mostak" share "mostak"."""
    for pattern, replacement in _SOUND_RULES:
        term = pattern.sub(replacement, term)
    return term


def _deletes(key: str) -> set[str]:
    return {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class SpellingIndex:
    """The corpus's terms by sound key, and the deletes of every key."""

    def __init__(
        self,
        keys: list[str],
        term_offsets: npt.NDArray[np.int64],
        terms: list[str],
        delete_hashes: npt.NDArray[np.uint64],
        delete_keys: npt.NDArray[np.int32],
    ) -> None:
        self._keys, self._term_offsets, self._terms = keys, term_offsets, terms
        self._delete_hashes, self._delete_keys = delete_hashes, delete_keys

    @classmethod
    def build(cls, vocabulary: Iterable[str]) -> SpellingIndex:
        by_key: defaultdict[str, list[str]] = defaultdict(list)
        for term in vocabulary:
            by_key[sound_key(term)].append(term)
        keys = sorted(by_key)
        terms = [term for key in keys for term in sorted(by_key[key])]
        offsets = np.cumsum([0, *(len(by_key[key]) for key in keys)], dtype=np.int64)
        pairs = sorted(
            (_hash(delete), number)
            for number, key in enumerate(keys)
            if len(key) >= MIN_KEY_LENGTH
            for delete in _deletes(key)
        )
        hashes = np.array([h for h, _ in pairs], dtype=np.uint64)
        owners = np.array([n for _, n in pairs], dtype=np.int32)
        return cls(keys, offsets, terms, hashes, owners)

    def save(self, directory: Path) -> None:
        (directory / "spelling_keys.txt").write_text("\n".join(self._keys), encoding="utf-8")
        (directory / "spelling_terms.txt").write_text("\n".join(self._terms), encoding="utf-8")
        np.save(directory / "spelling_term_offsets.npy", self._term_offsets)
        np.save(directory / "spelling_delete_hashes.npy", self._delete_hashes)
        np.save(directory / "spelling_delete_keys.npy", self._delete_keys)

    @classmethod
    def load(cls, directory: Path) -> SpellingIndex:
        def lines(name: str) -> list[str]:
            text = (directory / name).read_text(encoding="utf-8")
            return text.split("\n") if text else []

        def mapped(name: str) -> npt.NDArray[np.generic]:
            array: npt.NDArray[np.generic] = np.load(directory / name, mmap_mode="r").view(np.ndarray)
            return array

        return cls(
            lines("spelling_keys.txt"),
            mapped("spelling_term_offsets.npy"),  # type: ignore[arg-type]
            lines("spelling_terms.txt"),
            mapped("spelling_delete_hashes.npy"),  # type: ignore[arg-type]
            mapped("spelling_delete_keys.npy"),  # type: ignore[arg-type]
        )

    def _terms_of(self, number: int) -> list[str]:
        return self._terms[int(self._term_offsets[number]) : int(self._term_offsets[number + 1])]

    def same_sound(self, term: str) -> list[str]:
        """The corpus terms that sound like `term` (the same key)."""
        key = sound_key(term)
        number = bisect.bisect_left(self._keys, key)
        if number < len(self._keys) and self._keys[number] == key:
            return self._terms_of(number)
        return []

    def closest(self, term: str) -> list[str]:
        """The corpus terms whose key is closest to `term`'s: one edit (two for a long
        key, when each side has lost one character, or when the corpus key only adds an
        ending), the closest only."""
        from rapidfuzz.distance import Levenshtein

        key = sound_key(term)
        if len(key) < MIN_KEY_LENGTH or not len(self._delete_hashes):
            return []
        wanted = np.array(sorted(_hash(delete) for delete in _deletes(key)), dtype=np.uint64)
        starts = np.searchsorted(self._delete_hashes, wanted, side="left")
        ends = np.searchsorted(self._delete_hashes, wanted, side="right")
        candidates = {int(k) for s, e in zip(starts, ends, strict=True) for k in self._delete_keys[s:e]}
        # A longer key this one begins ("scheling" for "schelingai": an ending the stemmer cut).
        first = bisect.bisect_left(self._keys, key)
        last = bisect.bisect_left(self._keys, key + "\uffff", lo=first)
        candidates.update(
            n for n in range(first, min(last, first + MAX_PREFIXED)) if len(self._keys[n]) <= len(key) + 2
        )
        most = 1 if len(key) < LONG_KEY else 2
        near = [(d, n) for n in candidates if (d := Levenshtein.distance(key, self._keys[n])) <= most]
        if not near:
            return []
        best = min(d for d, _ in near)
        return [t for d, n in sorted(near) if d == best for t in self._terms_of(n)]
