"""A news page → an article of the corpus: fetched with limits, read by trafilatura.

Fetching (urllib): http and https only, one deadline for the whole fetch (connect,
redirects, headers, body: a page trickling a byte a second is cut off), a size cap, at most
`MAX_REDIRECTS` redirects (each checked the same way), HTML only. Every failure is a
`FetchError` with a French message. From chat (`allowed_address=is_public`), every
connection, redirects included, goes only to an address on the public internet: the
host is resolved, each of its addresses checked (private, loopback, link-local,
reserved, multicast: refused), and the connection made to the checked address itself,
so a name cannot resolve to another address between the check and the connection.
Extraction: trafilatura, the reference for news pages, keeps the article's text and
its metadata (title, site name, date, author, canonical URL); the page's language
comes from its `<html lang>` or else from the text (wordfreq's frequencies). Nothing is
invented: a field the page does not give stays out, and the date is never the fetch's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import ipaddress
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.corpus.header import AUTHOR_CHARS, PUBLISHER_CHARS, TITLE_CHARS, URL_CHARS, bounded

TIMEOUT_SECONDS = 20.0  # for the whole fetch: connect, redirects, headers and body
MAX_PAGE_BYTES = 5_000_000
MAX_REDIRECTS = 5
MIN_TEXT_CHARS = 400  # less is a stub (a paywall, a cookie wall), not an article
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """The page cannot become an article; the message says why, in French."""


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    publisher: str
    text: str
    url: str | None = None
    published: dt.date | None = None
    author: str | None = None
    language: str | None = None


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        _check_scheme(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check_scheme(url: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"seuls les liens http:// et https:// sont acceptés ({url})")


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]


def is_public(ip: IPAddress) -> bool:
    """On the public internet: not private, loopback, link-local, reserved nor multicast."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not ip.is_multicast


def _checked_address(host: str, port: int, allowed: AddressPolicy) -> tuple[str, int]:
    """The first address of `host`, if `allowed` accepts every one of them."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"page injoignable ({host} : {error.strerror})") from None
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        if not allowed(ip):
            raise FetchError(
                f"adresse non publique refusée ({host} → {ip}) : depuis le chat, seuls les sites publics "
                "sont lus"
            )
    return str(found[0][4][0]), port


class _Deadline:
    """One overall deadline for a fetch (connect, redirects, headers and body): when it
    passes, every socket of the fetch is shut down, so a page that trickles a byte a
    second (each read within urllib's per-read timeout) still ends."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _guarded_handlers(
    allowed: AddressPolicy | None, deadline: _Deadline
) -> tuple[urllib.request.BaseHandler, ...]:
    """urllib handlers whose every connection is watched by `deadline` and, with
    `allowed`, goes to a checked address, and only there."""

    def connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        where = _checked_address(*address, allowed) if allowed else address
        return deadline.watch(socket.create_connection(where, timeout, source_address))

    class GuardedHTTPConnection(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class GuardedHTTPSConnection(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect  # TLS still checks the host's own name

    class GuardedHTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(GuardedHTTPConnection, req)

    class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(GuardedHTTPSConnection, req, context=getattr(self, "_context", None))

    return GuardedHTTPHandler(), GuardedHTTPSHandler()


def fetch(url: str, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_PAGE_BYTES,
          allowed_address: AddressPolicy | None = None) -> str:  # fmt: skip
    """The HTML of `url`, decoded, within `timeout` seconds overall (connect, redirects,
    headers and body); a `FetchError` saying what went wrong otherwise.
    `allowed_address` (`is_public` from chat): the addresses any connection may go to."""
    _check_scheme(url)
    deadline = _Deadline(timeout)
    opener = urllib.request.build_opener(_LimitedRedirects(), *_guarded_handlers(allowed_address, deadline))
    request = urllib.request.Request(url, headers={"User-Agent": "emad-bot (ajout d'article)"})
    late = FetchError(f"la page n'a pas répondu en {timeout:g} s")
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in HTML_TYPES:
                raise FetchError(
                    f"ce n'est pas une page web (type {kind}) : enregistrez-la et donnez le fichier .html"
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(_too_large(max_bytes))
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = response.read1(65_536)  # what has arrived: a trickle cannot hold a read
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if deadline.expired:
                raise late
            body = b"".join(chunks)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as error:
        if error.code in (301, 302, 303, 307, 308):
            raise FetchError(f"trop de redirections (plus de {MAX_REDIRECTS}) : une boucle ?") from None
        raise FetchError(f"la page a répondu une erreur HTTP {error.code} ({error.reason})") from None
    except (TimeoutError, http.client.HTTPException, ConnectionError) as error:
        if deadline.expired or isinstance(error, TimeoutError):
            raise late from None
        raise FetchError(f"page injoignable ({error})") from None
    except urllib.error.URLError as error:
        if deadline.expired or isinstance(error.reason, TimeoutError | socket.timeout):
            raise late from None
        raise FetchError(f"page injoignable ({error.reason})") from None
    finally:
        deadline.cancel()
    if len(body) > max_bytes:
        raise FetchError(_too_large(max_bytes))
    return str(body.decode(charset, errors="replace"))


def _too_large(max_bytes: int) -> str:
    return f"page trop grande (plus de {max_bytes / 1e6:g} Mo)"


_LANG = re.compile(r"<html\b[^>]*\blang\s*=\s*[\"']?([a-zA-Z]{2,3})", re.IGNORECASE)


def extract(html: str, url: str | None = None) -> ArticleDraft:
    """The article of a page: its text and what the page says of itself."""
    import trafilatura

    found = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False,
        # only a date the page states as its own, never one guessed from its text or URL
        date_extraction_params={"extensive_search": False, "original_date": True},
    )  # fmt: skip
    values: dict[str, Any] = (
        {} if found is None else (found.as_dict() if hasattr(found, "as_dict") else found)
    )
    text = (values.get("text") or "").strip()
    if len(text) < MIN_TEXT_CHARS:
        raise FetchError(
            f"trop peu de texte ({len(text)} caractères) : une page d'abonnement ou d'accueil ? "
            "Enregistrez la page depuis le navigateur et donnez le fichier .html"
        )
    title = (values.get("title") or "").strip()
    if not title:
        raise FetchError("la page ne donne pas de titre")
    publisher = (values.get("sitename") or values.get("hostname") or "").strip()
    if not publisher:
        raise FetchError("la page ne dit pas quel site la publie : donnez --url avec le lien de l'article")
    date = values.get("date")
    language = _LANG.search(html)
    link = values.get("url") or url or None
    author = values.get("author") or None
    return ArticleDraft(
        title=bounded(title, TITLE_CHARS),
        publisher=bounded(publisher, PUBLISHER_CHARS),
        text=text,
        url=link if link is None or len(link) <= URL_CHARS else None,
        published=dt.date.fromisoformat(date[:10]) if date else None,
        author=bounded(author, AUTHOR_CHARS) if author else None,
        language=language.group(1).lower() if language else _language_of(text),
    )


def _language_of(text: str) -> str | None:
    """The language most of the text's words belong to, by wordfreq's frequencies (a
    page's text is long enough for that to be sure); None when no word is known."""
    from wordfreq import zipf_frequency
    from wordfreq.tokens import simple_tokenize

    words = simple_tokenize(text[:2000])
    scores = {lang: sum(zipf_frequency(w, lang) for w in words) for lang in ("fr", "en", "de", "es", "it")}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] > 0 else None


def read_saved_page(path: Path) -> str:
    """A page saved from a browser (for paywalled articles)."""
    data = path.read_bytes()
    if len(data) > MAX_PAGE_BYTES:
        raise FetchError(_too_large(MAX_PAGE_BYTES))
    return data.decode("utf-8", errors="replace")
