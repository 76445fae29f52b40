"""A small news site on 127.0.0.1 serving the pages a maintainer meets when adding an
article (and the ones that go wrong), for `emad-bot add` and the chat's `/emad ajouter`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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
        if self.path in ("/goutte.html", "/goutte-en-tete.html"):  # a byte every 0.2 s, for 2 minutes
            self._trickle(headers_too=self.path == "/goutte-en-tete.html")
            return
        if self.path.startswith("/vers/"):  # a redirect to another host: /vers/<host:port>/<path>
            self.send_response(302)
            self.send_header("Location", "http://" + self.path.removeprefix("/vers/"))
            self.end_headers()
            return
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


    def _trickle(self, headers_too: bool) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 600\r\n\r\n"
        body = b"<p>" + b"x" * 597
        data = head + body if headers_too else body
        if not headers_too:
            self.wfile.write(head)
            self.wfile.flush()
        try:
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the reader gave up: as it should


@contextmanager
def news_site(host: str = "127.0.0.1") -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[str]:
    with news_site() as url:
        yield url
