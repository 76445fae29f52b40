"""The saved index: reused while the corpus is unchanged, rebuilt when it changes."""

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.search.index_store import corpus_key
from tests.conftest import ArticleWriter, ask, engine_for


def test_an_unchanged_corpus_is_served_from_the_saved_index(
    corpus_dir: Path, write_article: ArticleWriter, caplog: pytest.LogCaptureFixture
) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Emad Mostaque a démissionné en mars 2024.")
    caplog.set_level(logging.INFO)
    first = ask(engine_for(corpus_dir), "Qui a financé Stability AI ?")
    assert "Index construit" in caplog.text
    caplog.clear()
    second = ask(engine_for(corpus_dir), "Qui a financé Stability AI ?")
    assert "Index construit" not in caplog.text  # loaded, not rebuilt
    assert second == first
    assert [p.name for p in (corpus_dir / ".index").iterdir()] == [corpus_key(corpus_dir)]


def test_a_changed_corpus_is_rebuilt(corpus_dir: Path, write_article: ArticleWriter) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Un texte sans rapport avec la question.")
    assert ask(engine_for(corpus_dir), "Qui est Gaspard ?").citations == ()
    write_article("c.md", "C", "Gaspard Lenoir est le nouveau trésorier de la startup.")
    reply = ask(engine_for(corpus_dir), "Qui est Gaspard ?")
    assert reply.citations[0].article.slug == "c"
    assert len(list((corpus_dir / ".index").iterdir())) == 1  # the old one is gone


def test_a_corrupt_saved_index_is_rebuilt(corpus_dir: Path, write_article: ArticleWriter) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Un texte sans rapport avec la question.")
    engine_for(corpus_dir)
    saved = corpus_dir / ".index" / corpus_key(corpus_dir)
    (saved / "meta.json").write_text("{pas du json")
    assert "Coatue" in ask(engine_for(corpus_dir), "Qui a financé ?").citations[0].snippet
    assert (saved / "meta.json").read_text().startswith("{")  # replaced by a good one
    engine_for(corpus_dir)
    assert "Coatue" in (saved / "passage_texts.txt").read_text()


def test_problems_are_still_reported_when_the_saved_index_serves(
    corpus_dir: Path, write_article: ArticleWriter, caplog: pytest.LogCaptureFixture
) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    (corpus_dir / "vide.md").write_text("")
    engine_for(corpus_dir)
    caplog.clear()
    engine_for(corpus_dir)
    assert "vide.md" in caplog.text


def test_the_key_follows_the_format_version_not_the_source_files(
    corpus_dir: Path, write_article: ArticleWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.search.index_store as store

    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    before = corpus_key(corpus_dir)
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: b"" if self.suffix == ".py" else read(self))
    assert corpus_key(corpus_dir) == before  # no source file is read: a wheel may ship none
    monkeypatch.setattr(store, "INDEX_FORMAT", store.INDEX_FORMAT + 1)
    assert corpus_key(corpus_dir) != before


def test_files_that_stat_the_same_are_not_read_again_and_any_edit_is_seen(
    corpus_dir: Path, write_article: ArticleWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.search.index_store as store

    monkeypatch.setattr(store, "RACY_NS", 0)  # these files were written just now
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Gaspard Lenoir est le nouveau trésorier de la startup.")
    engine_for(corpus_dir)
    key = corpus_key(corpus_dir)
    assert store.key_of_unchanged(corpus_dir / ".index", store.FileStats.of(corpus_dir)) == key
    opened = Path.open

    def no_article(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.suffix == ".md":
            raise PermissionError(f"{self.name} n'aurait pas dû être lu")
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_article)
    assert "Coatue" in ask(engine_for(corpus_dir), "Qui a financé ?").citations[0].snippet  # no .md read
    monkeypatch.setattr(Path, "open", opened)
    write_article("a.md", "A", "Sequoia et Benchmark ont financé Stability AI.")  # same size, new text
    assert "Sequoia" in ask(engine_for(corpus_dir), "Qui a financé ?").citations[0].snippet
    monkeypatch.setattr(store, "INDEX_FORMAT", store.INDEX_FORMAT + 1)  # another format: not that index
    assert store.key_of_unchanged(corpus_dir / ".index", store.FileStats.of(corpus_dir)) is None


def test_files_changed_within_two_seconds_are_read_again_at_the_next_start(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    import bot.search.index_store as store

    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    engine_for(corpus_dir)
    assert not (corpus_dir / ".index" / corpus_key(corpus_dir) / store.STATS_FILE).exists()


def test_the_corpus_words_are_read_only_when_a_question_needs_related_words(
    corpus_dir: Path, write_article: ArticleWriter, caplog: pytest.LogCaptureFixture
) -> None:
    """A question in the articles' own words reads no more of the saved index than it
    needs: its words for related-word look-ups are read (and found damaged) only when a
    question has a French word the articles lack."""
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Emad Mostaque a démissionné en mars 2024.")
    engine_for(corpus_dir)
    (corpus_dir / ".index" / corpus_key(corpus_dir) / "surfaces.json").write_text("{abîmé")
    engine = engine_for(corpus_dir)
    assert "Coatue" in ask(engine, "Qui a financé Stability AI ?").citations[0].snippet
    assert "Mots du corpus illisibles" not in caplog.text
    ask(engine, "Quelle est la nationalité d'Emad ?")  # a French word the articles lack
    assert "Mots du corpus illisibles" in caplog.text
