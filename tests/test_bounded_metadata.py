"""A page's or a header's metadata is bounded: a 50 kB <title> is not a 10,000-character
header shown in every citation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus.articles import load_corpus
from bot.corpus.fetch import extract
from bot.corpus.header import TITLE_CHARS, HeaderError, bounded, read_header
from tests.conftest import article_text
from tests.news_site import STORY, page

HUGE = " ".join(["Stability"] * 6000)  # about 60 kB


def test_a_long_text_is_cut_on_a_word_boundary_with_an_ellipsis() -> None:
    cut = bounded("Emad Mostaque quitte la direction de Stability AI", 30)
    assert cut == "Emad Mostaque quitte la…" and len(cut) <= 30
    assert bounded("court", 30) == "court"


def test_an_article_with_a_huge_title_is_served_with_a_bounded_one(tmp_path: Path) -> None:
    title = " ".join(["Stability"] * 1500)  # 15 kB: a header still under its 20,000 characters
    (tmp_path / "long.md").write_text(article_text(title, "Emad Mostaque a quitté Stability AI en 2024."))
    (article,) = load_corpus(tmp_path, 2_000_000).articles
    assert len(article.title) <= TITLE_CHARS and article.title.endswith("…")


def test_a_page_with_a_huge_title_gives_a_bounded_draft() -> None:
    html = page(STORY).decode().replace("Gaspard Lenoir nommé directeur financier | Le Quotidien Tech", HUGE)
    html = html.replace('content="Gaspard Lenoir nommé directeur financier"', f'content="{HUGE}"')
    html = html.replace("<h1>Gaspard Lenoir nommé directeur financier</h1>", f"<h1>{HUGE}</h1>")
    draft = extract(html, "https://quotidien-tech.example/lenoir")
    assert len(draft.title) <= TITLE_CHARS and len(draft.publisher) <= 100


def test_a_link_longer_than_any_browser_takes_is_named(tmp_path: Path) -> None:
    with pytest.raises(HeaderError, match="url"):
        read_header(f'title: "T"\npublisher: P\nlanguage: fr\nurl: https://x.example/{"a" * 3000}\n')
