"""`emad-bot add`: a French news page into the corpus, from a small HTTP server on
127.0.0.1 serving the pages a maintainer meets (and the ones that go wrong)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

STORY = (
    "<p>Gaspard Lenoir, trésorier de la startup Stability AI depuis 2021, a été nommé directeur financier "
    "ce lundi, a annoncé l'entreprise dans un communiqué publié sur son site.</p>"
    "<p>Selon nos informations, les investisseurs réclamaient depuis plusieurs mois un responsable des "
    "comptes capable de rassurer les marchés après le départ du fondateur Emad Mostaque.</p>"
    "<p>Gaspard Lenoir a travaillé dix ans dans la banque avant de rejoindre la jeune pousse londonienne, "
    "où il a piloté la dernière levée de fonds auprès de plusieurs fonds américains.</p>"
)


def page(body: str, *, lang: str = "fr", date: str | None = "2024-04-02", canonical: str = "") -> bytes:
    meta = f'<meta property="article:published_time" content="{date}T09:00:00+02:00">' if date else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>Gaspard Lenoir nommé directeur financier | Le Quotidien Tech</title>
<meta property="og:site_name" content="Le Quotidien Tech">
<meta property="og:title" content="Gaspard Lenoir nommé directeur financier">{meta}{link}
<script type="application/ld+json">{{"@type": "NewsArticle",
"headline": "Gaspard Lenoir nommé directeur financier"}}</script>
</head><body><nav><a href="/">Accueil</a> <a href="/tech">Tech</a> <a href="/monde">Monde</a></nav>
<div class="pub">Publicité : abonnez-vous pour 1 € par mois !</div>
<article><h1>Gaspard Lenoir nommé directeur financier</h1>{body}</article>
<section class="comments"><h2>Commentaires</h2><p>Super article, merci !</p></section>
<footer>© Le Quotidien Tech — Mentions légales</footer></body></html>""".encode()


class Pages(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = f"http://127.0.0.1:{self.server.server_port}"
        routes: dict[str, tuple[int, str, bytes]] = {
            "/article.html": (200, "text/html; charset=utf-8", page(STORY, canonical=f"{url}/article.html")),
            "/copie.html": (200, "text/html; charset=utf-8", page(STORY, canonical=f"{url}/copie.html")),
            "/sans-date.html": (200, "text/html; charset=utf-8", page(STORY, date=None)),
            "/abonnes.html": (200, "text/html; charset=utf-8", page("<p>Article réservé aux abonnés.</p>")),
            "/english.html": (200, "text/html", page(
                "<p>" + "Gaspard Lenoir was appointed chief financial officer on Monday. " * 8 + "</p>",
                lang="en")),
            "/doc.pdf": (200, "application/pdf", b"%PDF-1.4"),
            "/enorme.html": (200, "text/html", b"<p>" + b"mot " * 1_600_000 + b"</p>"),
        }  # fmt: skip
        if self.path == "/lent.html":
            time.sleep(3)
        if self.path == "/boucle":
            self.send_response(302)
            self.send_header("Location", "/boucle")
            self.end_headers()
            return
        status, kind, body = routes.get(self.path, (404, "text/html", b"<p>introuvable</p>"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder, ignore=shutil.ignore_patterns(".index"))
    return folder


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
