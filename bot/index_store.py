"""The built index, saved beside the corpus and loaded at start while still valid.

The key is a hash of every article file (name and bytes), the analysis data
(stop words, boilerplate patterns), the code that turns articles into postings,
and the BM25 parameters: any change to one of them means a rebuild. A cache that
cannot be read or written is logged and skipped; the bot still answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot import bm25
from bot.bm25 import Bm25Retriever
from bot.corpus import CorpusProblem
from bot.data import DATA_DIR
from bot.index import PassageIndex, index_of
from bot.models import Article, Passage

log = logging.getLogger(__name__)
INDEX_FORMAT = 1
_CODE = ("analysis.py", "bm25.py", "cleaning.py", "corpus.py", "passages.py")  # in bot/
_DATA = ("stopwords_fr.txt", "boilerplate_fr.txt")


def corpus_key(corpus_dir: Path) -> str:
    """A fingerprint of everything the saved index depends on."""
    digest = hashlib.sha256(f"{INDEX_FORMAT} {bm25.K1} {bm25.B}".encode())
    for name in _CODE:
        digest.update(Path(__file__).with_name(name).read_bytes())
    for name in _DATA:
        digest.update((DATA_DIR / name).read_bytes())
    for path in sorted(corpus_dir.glob("*.md")):
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _article_record(article: Article) -> dict[str, Any]:
    record = asdict(article)
    record["published"] = article.published.isoformat() if article.published else None
    return record


def _article_from(record: dict[str, Any]) -> Article:
    published = record.pop("published")
    return Article(**record, published=dt.date.fromisoformat(published) if published else None)


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
        meta = {
            "articles": [_article_record(a) for a in index.articles],
            "passages": [[slugs[p.article.slug], p.number, p.text, p.sentences] for p in index.passages],
            "problems": [[str(problem.path), problem.reason] for problem in problems],
        }
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        index.retriever.save(staging)
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
        articles = tuple(_article_from(record) for record in meta["articles"])
        loaded = tuple(
            Passage(
                id=f"{articles[a].slug}-{number}",
                article=articles[a],
                number=number,
                text=text,
                sentences=tuple((s, e) for s, e in sentences),
            )
            for a, number, text, sentences in meta["passages"]
        )
        retriever = Bm25Retriever.load(directory, passage_count=len(loaded))
        problems = tuple(CorpusProblem(Path(path), reason) for path, reason in meta["problems"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("Index enregistré illisible (%s) : reconstruction", error)
        return None
    return index_of(articles, loaded, retriever), problems
