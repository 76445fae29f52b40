"""Close spellings from the symmetric-delete index saved with the postings."""

from pathlib import Path

import pytest

from bot.search.spellings import SpellingIndex
from tests.conftest import ArticleWriter, ask, engine_for


def test_typos_reach_the_corpus_term_one_edit_away_or_an_ending_away() -> None:
    index = SpellingIndex.build(["mostaqu", "ommer", "lightspeed", "schellingai", "coatu", "munich"])
    assert index.same_sound("mostak") == ["mostaqu"]  # the same pronunciation key
    assert index.closest("omer") == ["ommer"]
    assert index.closest("lightsped") == ["lightspeed"]
    assert index.closest("scheling") == ["schellingai"]  # the stemmer cut "ai"
    assert index.closest("xyzzy") == [] and index.closest("ab") == []


def test_the_index_loads_back_from_disk_identical(tmp_path: Path) -> None:
    letters = "bdfgjlmnprstvz"
    words = [f"mo{a}{b}{c}e" for a in letters for b in letters for c in letters] + ["lenoir", "laforte"]
    SpellingIndex.build(words).save(tmp_path)
    loaded = SpellingIndex.load(tmp_path)
    assert loaded.closest("lafort") == ["laforte"] and loaded.same_sound("lenoir") == ["lenoir"]
    assert "mobdfe" in loaded.closest("mobdfa") and len(words) > 2700


def test_a_saved_index_answers_typos_without_building_anything(
    corpus_dir: Path, write_article: ArticleWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_article("a.md", "A", "Gaspard Lenoir est le nouveau trésorier de la startup.")
    engine_for(corpus_dir)  # builds and saves
    assert (next((corpus_dir / ".index").iterdir()) / "spelling_delete_hashes.npy").is_file()

    def no_build(*_: object) -> SpellingIndex:
        raise AssertionError("built at start or on a question")

    monkeypatch.setattr(SpellingIndex, "build", classmethod(no_build))
    reply = ask(engine_for(corpus_dir), "Qui est Gaspard Lenoar ?")
    assert reply.citations and "Lenoir" in reply.citations[0].snippet
