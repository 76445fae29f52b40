"""`emad-bot add`: a French news page into the corpus, from a small HTTP server on
127.0.0.1 serving the pages a maintainer meets (and the ones that go wrong)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.news_site import STORY, page


def bot(corpus: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "BOT_CORPUS_DIR": str(corpus), "BOT_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip


def header_of(path: Path) -> dict[str, object]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1]))


def test_a_french_news_page_becomes_an_article_the_bot_answers_from(site: str, corpus: Path) -> None:
    added = bot(corpus, "add", f"{site}/article.html", "--yes")
    assert added.returncode == 0, added.stderr
    (path,) = [p for p in corpus.glob("*.md") if p.name.startswith("002_")]
    assert path.name == "002_gaspard-lenoir-nomme-directeur-financier.md"
    assert header_of(path) == {
        "title": "Gaspard Lenoir nommé directeur financier", "publisher": "Le Quotidien Tech",
        "language": "fr", "url": f"{site}/article.html", "date": "2024-04-02",
    }  # fmt: skip
    body = path.read_text(encoding="utf-8")
    assert "trésorier de la startup" in body
    assert "Publicité" not in body and "Super article" not in body and "Accueil" not in body
    assert "passage(s)" in added.stdout and "Le Quotidien Tech" in added.stdout  # the preview
    asked = bot(corpus, "ask", "Qui est le nouveau directeur financier ?")
    assert "Lenoir" in asked.stdout, asked.stderr


def test_a_page_without_a_date_gets_no_date_and_a_saved_page_keeps_the_given_link(
    site: str, corpus: Path, tmp_path: Path
) -> None:
    assert bot(corpus, "add", f"{site}/sans-date.html", "--yes").returncode == 0
    (path,) = corpus.glob("002_*.md")
    assert "date" not in header_of(path)  # never the day it was fetched
    path.unlink()
    saved = tmp_path / "page.html"
    saved.write_bytes(page(STORY, date=None))
    added = bot(corpus, "add", str(saved), "--url", "https://www.exemple.fr/lenoir", "--yes")
    assert added.returncode == 0, added.stderr
    (path,) = corpus.glob("002_*.md")
    assert header_of(path)["url"] == "https://www.exemple.fr/lenoir"


@pytest.mark.parametrize(
    ("page_path", "says"),
    [
        ("/absent", "erreur HTTP 404"),
        ("/lent.html", "n'a pas répondu en 1 s"),
        ("/goutte.html", "n'a pas répondu en 1 s"),  # a byte every 0.2 s: each read is quick, the page is not
        ("/goutte-en-tete.html", "n'a pas répondu en 1 s"),
        ("/doc.pdf", "ce n'est pas une page web"),
        ("/enorme.html", "page trop grande"),
        ("/boucle", "trop de redirections"),
        ("/abonnes.html", "trop peu de texte"),
        ("/english.html", "n'est pas en français (langue : en)"),
    ],
)
def test_each_page_that_cannot_be_added_says_why_and_writes_nothing(
    site: str, corpus: Path, page_path: str, says: str
) -> None:
    before = sorted(p.name for p in corpus.iterdir())
    added = bot(corpus, "add", f"{site}{page_path}", "--yes", "--timeout", "1")
    assert added.returncode == 1 and says in added.stderr, added.stderr
    assert sorted(p.name for p in corpus.iterdir()) == before  # nothing written, nothing half-written


def test_an_article_already_in_the_corpus_is_refused_by_link_or_by_text(site: str, corpus: Path) -> None:
    assert bot(corpus, "add", f"{site}/article.html", "--yes").returncode == 0
    again = bot(corpus, "add", f"{site}/article.html", "--yes")
    assert again.returncode == 1 and "déjà dans le corpus" in again.stderr and "même lien" in again.stderr
    copy = bot(corpus, "add", f"{site}/copie.html", "--yes")
    assert copy.returncode == 1 and "même texte" in copy.stderr


def test_another_language_is_added_when_asked_and_ftp_is_refused(site: str, corpus: Path) -> None:
    assert bot(corpus, "add", f"{site}/english.html", "--yes", "--lang", "en").returncode == 0
    ftp = bot(corpus, "add", "ftp://127.0.0.1/article.html", "--yes")
    assert ftp.returncode == 1 and "http:// et https://" in ftp.stderr


def test_without_yes_and_without_a_terminal_nothing_is_added(site: str, corpus: Path) -> None:
    added = bot(corpus, "add", f"{site}/article.html")
    assert added.returncode == 1 and "--yes" in added.stderr and not list(corpus.glob("002_*.md"))
