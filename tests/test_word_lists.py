"""The general French word lists: the same answers as wordfreq and simplemma, kept in
the user's cache folder once, and still there when that folder cannot be written."""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import pytest
import simplemma
import wordfreq

from bot.bootstrap import prepared_core
from bot.models import Query
from bot.search import lexicon, word_vectors
from bot.search import word_lists as word_lists_module
from bot.search.word_lists import WordLists, cache_folder, word_lists, wordfreq_bands
from bot.search.word_vectors import RelatedTerms
from bot.settings import BotSettings
from tests.conftest import ROOT


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder, and no table or look-up remembered by this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    caches = (word_lists, lexicon.lemma, lexicon.zipf, lexicon._zipf_of_word, lexicon.with_accents)
    for cached in caches:
        cached.cache_clear()
    yield tmp_path / "cache"
    for cached in caches:
        cached.cache_clear()


def test_frequencies_and_lemmas_are_the_packages_own(fresh_cache: Path) -> None:
    words = [w for band in wordfreq_bands("fr") for w in band]
    for word in [*random.Random(7).sample(words, 300), "tête", "nationalité", "cramait", "qsdfqsdf"]:
        assert lexicon.zipf(word) == wordfreq.zipf_frequency(word, "fr", wordlist="large"), word
        assert lexicon.lemma(word) == simplemma.lemmatize(word, lang="fr"), word
    assert lexicon.zipf("board", "en") == wordfreq.zipf_frequency("board", "en", wordlist="large")
    assert lexicon.zipf("conseil administration") == wordfreq.zipf_frequency(
        "conseil administration", "fr", wordlist="large"
    )
    assert lexicon.with_accents("annee") == "année" and lexicon.with_accents("bien") == "bien"


def test_the_lists_are_saved_once_then_read_from_the_cache(fresh_cache: Path) -> None:
    built = word_lists()
    folder = cache_folder()
    assert folder.is_relative_to(fresh_cache) and folder.is_dir()
    saved = WordLists.load(folder)
    for word in ("tête", "démission", "stability"):
        assert saved.band(word, "fr") == built.band(word, "fr")
    assert saved.lemma("cramait") == built.lemma("cramait") == "cramer"
    assert saved.accented("preside") == built.accented("preside")
    word_lists.cache_clear()
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert word_lists().lemma("bossait") == "bosser"
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before  # read, not rebuilt


def test_tables_of_other_package_versions_are_dropped(fresh_cache: Path) -> None:
    stale = cache_folder().parent / "v1_wordfreq-0.0_simplemma-0.0"
    stale.mkdir(parents=True)
    (stale / "strings.txt").write_text("old")
    word_lists()
    assert [p.name for p in cache_folder().parent.iterdir()] == [cache_folder().name]


def test_a_damaged_cache_is_rebuilt(fresh_cache: Path) -> None:
    word_lists()
    folder = cache_folder()
    (folder / "lemma_keys.npy").write_bytes(b"not an array")
    word_lists.cache_clear()
    assert word_lists().lemma("cramait") == "cramer"
    word_lists.cache_clear()
    assert WordLists.load(folder).lemma("cramait") == "cramer"  # saved again, whole


def test_a_cache_folder_that_cannot_be_written_only_costs_time(fresh_cache: Path) -> None:
    fresh_cache.write_text("a file where the cache folder should be")  # fails for root too
    assert word_lists().lemma("cramait") == "cramer"  # built in memory
    assert fresh_cache.is_file()


def test_a_served_engine_reads_nothing_more_on_its_first_question(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a serving bot swaps in has read the word lists and the corpus's word vectors:
    its first asker, with a word the articles lack, waits no longer than the next."""
    engine = prepared_core(BotSettings.ignoring_env_file(corpus_dir=ROOT / "corpus")).engine

    def no_more_reading(*_: object) -> None:
        raise AssertionError("read after start")

    for name in ("build_word_lists", "cache_folder"):
        monkeypatch.setattr(word_lists_module, name, no_more_reading)
    monkeypatch.setattr(word_vectors, "_vocab_dir", no_more_reading)  # the vector table
    monkeypatch.setattr(RelatedTerms, "_matrix", cached_property(no_more_reading))  # corpus vectors
    reply = engine.answer(Query("Quelle est la nationalité du patron de Stability ?"))
    assert reply.kind.cites
