"""The built index, saved beside the corpus and loaded at start while still valid.

The key is a hash of every article file (name and bytes), the analysis data
(stop words, boilerplate patterns), an explicit format version (bumped when the code
that turns articles into postings changes) with the libraries' versions, and the
BM25 parameters: any change to one of them means a rebuild. Reading every article
to hash it costs 0.3 s at 100,000 passages, so a saved index also records its files'
`stat` (name, size, modification and change times, inode), as git does: the next start
whose files stat the same uses that key without reading them. A cache that cannot be
read or written is logged and skipped; the bot still answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from bot.corpus.articles import MAX_ARTICLE_BYTES, CorpusProblem, article_files, read_article_bytes
from bot.data import DATA_DIR
from bot.models import Article, Passage
from bot.search import bm25
from bot.search.bm25 import Bm25Retriever
from bot.search.index import PassageIndex
from bot.search.spellings import SpellingIndex

log = logging.getLogger(__name__)
# Bump when the way articles become postings changes (cleaning, passages, analysis, BM25
# weights, what is saved): an index saved by another format is rebuilt, never misread.
INDEX_FORMAT = 8
_DATA = ("stopwords_fr.txt", "locutions_fr.txt", "boilerplate_fr.txt")
_LIBRARIES = ("PyStemmer", "selectolax", "rank-bm25")  # their versions change the postings too
STATS_FILE = "file_stats"
RACY_NS = 2_000_000_000  # a file changed less than 2 s before its stats are recorded is hashed again


def _library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=?")
    return " ".join(found)


def _settings_digest(max_bytes: int) -> Any:
    """A hash started with what the postings depend on besides the articles."""
    digest = hashlib.sha256(f"{INDEX_FORMAT} {bm25.K1} {bm25.B} {max_bytes} {_library_versions()}".encode())
    for name in _DATA:
        digest.update((DATA_DIR / name).read_bytes())
    return digest


def corpus_key(corpus_dir: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> str:
    """A fingerprint of everything the saved index depends on: the format version, the
    BM25 parameters and the versions of the libraries that shape the postings, the word
    lists, the size cap, each readable article's name and bytes, and the name and
    reason of each file left out. (Not the source files: an installed package may ship
    none, and the format version says what they would.)"""
    digest = _settings_digest(max_bytes)
    for found in article_files(corpus_dir, max_bytes):
        if isinstance(found, CorpusProblem):
            digest.update(f"{found.path.name}\0{found.reason}\0".encode())
            continue
        digest.update(found.name.encode() + b"\0")
        try:
            digest.update(read_article_bytes(found, max_bytes) + b"\0")
        except (OSError, ValueError) as error:
            digest.update(f"{error}\0".encode())  # the load will report it by name
    return str(digest.hexdigest()[:24])


@dataclass(frozen=True)
class FileStats:
    """The corpus's files as `stat` sees them (name, size, times, inode), hashed with
    what `corpus_key` hashes besides the bytes, and the newest time among them."""

    fingerprint: str
    newest_ns: int

    @classmethod
    def of(cls, corpus_dir: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> FileStats:
        digest = _settings_digest(max_bytes)
        digest.update(f"{corpus_dir.resolve()}\0".encode())
        newest = 0
        for found in article_files(corpus_dir, max_bytes):
            if isinstance(found, CorpusProblem):
                digest.update(f"{found.path.name}\0{found.reason}\0".encode())
                continue
            try:
                st = os.stat(found)
            except OSError as error:
                digest.update(f"{found.name}\0{error}\0".encode())
                continue
            digest.update(
                f"{found.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\0".encode()
            )
            newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        return cls(str(digest.hexdigest()), newest)


def key_of_unchanged(cache_dir: Path, stats: FileStats) -> str | None:
    """The key of a saved index whose corpus files have not changed since it recorded
    their stats (so no article needs reading to know it is still valid), if any."""
    for saved in sorted(cache_dir.iterdir()) if cache_dir.is_dir() else ():
        try:
            if (saved / STATS_FILE).read_text(encoding="utf-8") == stats.fingerprint:
                return saved.name
        except OSError:
            continue
    return None


def remember_stats(cache_dir: Path, key: str, corpus_dir: Path, stats: FileStats, max_bytes: int) -> None:
    """Record `stats` beside the saved index `key` (whose bytes were hashed after `stats`
    was taken), unless a file changed since, or so recently that a change in the same
    clock tick could go unseen (git's "racy" entries)."""
    directory = cache_dir / key
    if not (directory / "meta.json").is_file() or stats.newest_ns >= time.time_ns() - RACY_NS:
        return
    if FileStats.of(corpus_dir, max_bytes) != stats:
        return  # changed while it was hashed: the next start hashes again
    try:
        partial = directory / f".{STATS_FILE}.part"
        partial.write_text(stats.fingerprint, encoding="utf-8")
        os.replace(partial, directory / STATS_FILE)
    except OSError as error:
        log.warning("Empreinte des fichiers non enregistrée dans %s : %s", directory, error)


class SavedPassages(Sequence[Passage]):
    """Passages read from a saved index, each built only when a citation needs it (its
    text too: the texts are memory-mapped, and only a cited passage's bytes are decoded)."""

    def __init__(self, articles: tuple[Article, ...], directory: Path) -> None:
        self._articles = articles
        path = directory / "passage_texts.txt"
        self._texts = np.memmap(path, mode="r") if path.stat().st_size else np.zeros(0, np.uint8)
        self._text_offsets = np.load(directory / "passage_text_offsets.npy")
        self._article = np.load(directory / "passage_article.npy")
        self._number = np.load(directory / "passage_number.npy")
        self._sentence_offsets = np.load(directory / "passage_sentence_offsets.npy")
        self._sentences = np.load(directory / "passage_sentences.npy")
        # The instance's own cache, so that it goes with the index it describes (a cache
        # on the method would keep every index a reload replaced, and its arrays, alive).
        self._passage = lru_cache(maxsize=4_096)(self._read_passage)

    def __len__(self) -> int:
        return len(self._article)

    @overload
    def __getitem__(self, index: int) -> Passage: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Passage]: ...

    def __getitem__(self, index: int | slice) -> Passage | Sequence[Passage]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._passage(index % len(self))

    def _read_passage(self, index: int) -> Passage:
        article = self._articles[self._article[index]]
        number = int(self._number[index])
        first, last = self._sentence_offsets[index], self._sentence_offsets[index + 1]
        return Passage(
            id=f"{article.slug}-{number}",
            article=article,
            number=number,
            text=self._texts[self._text_offsets[index] : self._text_offsets[index + 1]].tobytes().decode(),
            sentences=tuple((int(s), int(e)) for s, e in self._sentences[first:last]),
        )

    def article_counts(self) -> dict[str, int]:
        counts = np.bincount(self._article, minlength=len(self._articles))
        return {article.slug: int(n) for article, n in zip(self._articles, counts, strict=True) if n}


class SavedSurfaces(Mapping[str, tuple[str, ...]]):
    """The corpus's words for each term, parsed on first use: only a question word the
    corpus lacks needs them (its related words), and parsing takes 0.03 s at 100,000
    passages."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @cached_property
    def _surfaces(self) -> dict[str, tuple[str, ...]]:
        try:
            saved = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            log.warning("Mots du corpus illisibles (%s) : pas de mots apparentés", error)
            return {}
        return {term: tuple(words) for term, words in saved.items()}

    def __getitem__(self, term: str) -> tuple[str, ...]:
        return self._surfaces[term]

    def __iter__(self) -> Iterator[str]:
        return iter(self._surfaces)

    def __len__(self) -> int:
        return len(self._surfaces)


def _article(record: dict[str, Any], body: str) -> Article:
    published = record["published"]
    return Article(
        **(record | {"body": body, "published": dt.date.fromisoformat(published) if published else None})
    )


def _offsets(texts: Sequence[str | bytes]) -> npt.NDArray[np.int64]:
    return np.cumsum([0, *map(len, texts)], dtype=np.int64)


def save_index(index: PassageIndex, problems: tuple[CorpusProblem, ...], cache_dir: Path, key: str) -> None:
    """Write the index under `cache_dir/key`, atomically, and drop older keys."""
    if not isinstance(index.retriever, Bm25Retriever):
        return
    if (cache_dir / key / "meta.json").is_file():
        return  # another process saved this very index
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".tmp-"))
        slugs = {article.slug: n for n, article in enumerate(index.articles)}
        articles = [asdict(article) | {"body": None} for article in index.articles]
        for record, article in zip(articles, index.articles, strict=True):
            record["published"] = article.published.isoformat() if article.published else None
        meta = {"articles": articles, "problems": [[str(p.path), p.reason] for p in problems]}
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        bodies = [article.body for article in index.articles]
        (staging / "bodies.txt").write_text("".join(bodies), encoding="utf-8")
        np.save(staging / "body_offsets.npy", _offsets(bodies))
        texts = [passage.text.encode("utf-8") for passage in index.passages]
        (staging / "passage_texts.txt").write_bytes(b"".join(texts))
        np.save(staging / "passage_text_offsets.npy", _offsets(texts))  # in bytes: decoded one by one
        np.save(
            staging / "passage_article.npy",
            np.array([slugs[p.article.slug] for p in index.passages], dtype=np.int32),
        )
        np.save(staging / "passage_number.npy", np.array([p.number for p in index.passages], dtype=np.int32))
        spans = [span for passage in index.passages for span in passage.sentences]
        np.save(staging / "passage_sentences.npy", np.array(spans, dtype=np.int32).reshape(-1, 2))
        counts = np.cumsum([0, *(len(p.sentences) for p in index.passages)], dtype=np.int64)
        np.save(staging / "passage_sentence_offsets.npy", counts)
        index.retriever.save(staging)
        surfaces = json.dumps(index.surfaces, ensure_ascii=False)
        (staging / "surfaces.json").write_text(surfaces, encoding="utf-8")
        if index.spellings is not None:
            index.spellings.save(staging)
        np.save(staging / "events.npy", index.events)
        staging.rename(cache_dir / key)  # atomic: a reader sees all of it or none
    except OSError as error:
        log.warning("Index non enregistré dans %s : %s", cache_dir, error)
    for other in cache_dir.iterdir() if cache_dir.is_dir() else ():
        if other.name != key:
            shutil.rmtree(other, ignore_errors=True)


def load_index(cache_dir: Path, key: str) -> tuple[PassageIndex, tuple[CorpusProblem, ...]] | None:
    """The saved index for `key`, or None if there is none (or it cannot be read)."""
    directory = cache_dir / key
    if not (directory / "meta.json").is_file():
        return None
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        bodies = (directory / "bodies.txt").read_text(encoding="utf-8")
        body_offsets = np.load(directory / "body_offsets.npy")
        articles = tuple(
            _article(record, bodies[body_offsets[n] : body_offsets[n + 1]])
            for n, record in enumerate(meta["articles"])
        )
        passages = SavedPassages(articles, directory)
        retriever = Bm25Retriever.load(directory, passage_count=len(passages))
        problems = tuple(CorpusProblem(Path(path), reason) for path, reason in meta["problems"])
        surfaces = SavedSurfaces(directory / "surfaces.json")
        spellings = SpellingIndex.load(directory)
        events = np.load(directory / "events.npy")
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        log.warning("Index enregistré illisible (%s) : reconstruction", error)
        shutil.rmtree(directory, ignore_errors=True)
        return None
    counts = passages.article_counts()
    return PassageIndex(articles, passages, retriever, counts, surfaces, spellings, events), problems
