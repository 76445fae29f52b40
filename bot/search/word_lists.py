"""General French word lists, read in milliseconds: hashed, sorted, memory-mapped.

`bot.search.lexicon` needs four tables: wordfreq's frequency of each word (French and
English), the usual accented spelling of each plain one, and simplemma's lemma of each
form. Read from the two packages into dicts they take 0.35 s, most of a one-shot
`emad-bot ask`. So they are turned, once per installed version of the packages, into
NumPy arrays: each word's 64-bit BLAKE2b hash, sorted, beside its value (a frequency
band, or a row of a string table), saved in the user's cache folder (platformdirs:
`$XDG_CACHE_HOME/emad-bot/word-lists/` on Linux). A later process maps them and finds a
word by bisection; no dict is built. If the folder cannot be written, the tables are
built in memory for the process, as they were before.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)
FORMAT = 1  # bump when what is saved changes
_TABLES = ("zipf_fr", "zipf_en", "accented", "lemma")


def word_key(word: str) -> np.uint64:
    """The word's 64-bit BLAKE2b hash (two of 600,000 words meet with odds of 1 in 10^8)."""
    return np.uint64(int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little"))


@dataclass(frozen=True)
class HashedTable:
    """Sorted word hashes and one integer value per word."""

    keys: npt.NDArray[np.uint64]
    values: npt.NDArray[np.int32]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int]]) -> HashedTable:
        """From (word, value) pairs; a word met again keeps its first value."""
        seen: dict[np.uint64, int] = {}
        for word, value in pairs:
            seen.setdefault(word_key(word), value)
        keys = np.fromiter(seen.keys(), dtype=np.uint64, count=len(seen))
        values = np.fromiter(seen.values(), dtype=np.int32, count=len(seen))
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], values[order])

    def get(self, word: str) -> int | None:
        key = word_key(word)
        i = int(np.searchsorted(self.keys, key))
        return int(self.values[i]) if i < len(self.keys) and self.keys[i] == key else None


@dataclass(frozen=True)
class WordLists:
    """The four tables; `strings` holds the accented spellings and lemmas."""

    tables: dict[str, HashedTable]
    strings: list[str]

    def band(self, word: str, language: str) -> int | None:
        """wordfreq's frequency band of the word (band i: -i centibels), or None."""
        table = self.tables.get(f"zipf_{language}")
        return table.get(word) if table else None

    def accented(self, plain: str) -> str | None:
        row = self.tables["accented"].get(plain)
        return None if row is None else self.strings[row]

    def lemma(self, form: str) -> str | None:
        """simplemma's dictionary lemma of the form, tried as typed then capitalised (as
        simplemma's own look-up does: "etat" → "État" → "état")."""
        row = self.tables["lemma"].get(form)
        if row is None:
            row = self.tables["lemma"].get(form.lower() if form[:1].isupper() else form.capitalize())
        return None if row is None else self.strings[row]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True)
        for name, table in self.tables.items():
            np.save(directory / f"{name}_keys.npy", table.keys)
            np.save(directory / f"{name}_values.npy", table.values)
        (directory / "strings.txt").write_text("\n".join(self.strings), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> WordLists:
        def mapped(name: str, dtype: type[np.generic]) -> Any:
            array = np.load(directory / name, mmap_mode="r").view(np.ndarray)
            if array.dtype != dtype or array.ndim != 1:
                raise ValueError(f"{name} : {array.dtype} {array.shape}")
            return array

        tables = {}
        for name in _TABLES:
            table = HashedTable(mapped(f"{name}_keys.npy", np.uint64), mapped(f"{name}_values.npy", np.int32))
            if len(table.keys) != len(table.values):
                raise ValueError(f"{name} : clés et valeurs de longueurs différentes")
            tables[name] = table
        return cls(tables, (directory / "strings.txt").read_text(encoding="utf-8").split("\n"))


def wordfreq_bands(language: str) -> list[list[str]]:
    """wordfreq's word list for `language`, read straight from its data file (importing
    wordfreq compiles its tokenizer: 0.17 s): words by band, the most frequent first."""
    import msgpack

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return []
    data = Path(spec.submodule_search_locations[0]) / "data" / f"large_{language}.msgpack.gz"
    header, *bands = msgpack.unpackb(gzip.decompress(data.read_bytes()), raw=False)
    if header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"format de liste wordfreq inattendu : {header}")
    return [list(words) for words in bands]


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def build_word_lists() -> WordLists:
    """The four tables, from the installed wordfreq and simplemma (about 1 s)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    strings: list[str] = []
    rows: dict[str, int] = {}

    def row_of(text: str) -> int:
        row = rows.get(text)
        if row is None:
            row = rows[text] = len(strings)
            strings.append(text)
        return row

    french = wordfreq_bands("fr")
    tables = {
        "zipf_fr": HashedTable.of((w, band) for band, words in enumerate(french) for w in words),
        "zipf_en": HashedTable.of(
            (w, band) for band, words in enumerate(wordfreq_bands("en")) for w in words
        ),
    }
    accented = [(_plain(w), w) for words in french for w in words if not w.isascii()]
    tables["accented"] = HashedTable.of((plain, row_of(w)) for plain, w in accented)
    lemmas = DefaultDictionaryFactory().get_dictionary("fr")
    tables["lemma"] = HashedTable.of((form, row_of(lemma)) for form, lemma in lemmas.items())
    return WordLists(tables, strings)


def cache_folder() -> Path:
    """Where this version's tables are kept: a new wordfreq or simplemma gets new ones."""
    import platformdirs

    versions = "_".join(
        f"{package}-{importlib.metadata.version(package)}" for package in ("wordfreq", "simplemma")
    )
    return platformdirs.user_cache_path("emad-bot") / "word-lists" / f"v{FORMAT}_{versions}"


@lru_cache(maxsize=1)
def word_lists() -> WordLists:
    """The tables, mapped from the cache, or built (and saved there, if it can be)."""
    folder = cache_folder()
    if folder.is_dir():
        try:
            return WordLists.load(folder)
        except (OSError, ValueError) as error:
            log.warning("Listes de mots en cache illisibles (%s) : reconstruites", error)
            shutil.rmtree(folder, ignore_errors=True)
    lists = build_word_lists()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
            lists.save(Path(scratch) / "tables")
            os.replace(Path(scratch) / "tables", folder)  # whole, or not at all
    except OSError as error:  # a read-only home; another process saved them first
        log.debug("Listes de mots gardées en mémoire seulement : %s", error)
        return lists
    for other in folder.parent.iterdir():  # those of packages no longer installed
        if other != folder and other.name.startswith("v") and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    return lists
