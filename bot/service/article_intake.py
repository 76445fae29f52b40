"""`/emad ajouter <lien>` from chat: a maintainer proposes an article, confirms, it is served.

Off unless `BOT_CHAT_ADD` is set; who is a maintainer is the platform's to say (Slack:
`SLACK_MAINTAINERS`; Discord: the Manage Server permission). `propose` fetches the page
(public addresses only, unless `BOT_ADD_ALLOW_PRIVATE_ADDRESSES`), extracts and checks
it like `emad-bot add`, and keeps the result under a random token for
`PROPOSAL_SECONDS`; the platform shows the preview privately with a confirm button
carrying the token. `confirm` re-checks the corpus (another maintainer may have added
the same article meanwhile) and writes the file atomically; the corpus watcher then
serves it. Only the maintainer who proposed may confirm or cancel.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.corpus.articles import ArticleFileError
from bot.corpus.fetch import AddressPolicy, FetchError, extract, fetch, is_public
from bot.corpus.new_article import CheckedArticle, checked_article, refuse_duplicates, write_article

log = logging.getLogger(__name__)
PROPOSAL_SECONDS = 15 * 60
# « ajouter » alone, or followed by one link (a question that starts with the verb is a question)
ADD_COMMAND = re.compile(r"^\s*[/!]?ajouter\s*(?P<url>(?:<?\w+://|[\w-]+\.[\w.-]+/?)\S*)?\s*$", re.IGNORECASE)

NOT_ENABLED = "L'ajout d'articles depuis le chat n'est pas activé sur ce bot."
NOT_A_MAINTAINER = "Seuls les mainteneurs du bot peuvent ajouter un article."
USAGE = "Donnez le lien de l'article : `/emad ajouter https://…`"
READING = "Je lis la page…"
EXPIRED = "Cette proposition a expiré ou a déjà été traitée : relancez `/emad ajouter <lien>`."
NOT_YOURS = "Seul le mainteneur qui a proposé cet article peut le confirmer."
CANCELLED = "Ajout annulé : rien n'a été écrit."
ASK_CONFIRMATION = "Ajouter cet article au corpus ?"
BUSY = "Je lis déjà {count} page(s) : réessayez dans un moment."


class IntakeError(Exception):
    """The article is not added; the message says why, in French, for the maintainer."""


def requested_url(text: str) -> str | None:
    """The link of an « ajouter <lien> » command ("" when it lacks one); None: not one."""
    found = ADD_COMMAND.match(text)
    if found is None:
        return None
    url = (found["url"] or "").strip("<>").split("|")[0]  # Slack writes <https://…|label>
    return url if "://" in url or not url else f"https://{url}"


@dataclass(frozen=True)
class Proposal:
    token: str
    maintainer: str  # platform:user id
    checked: CheckedArticle
    expires_at: float

    @property
    def preview(self) -> str:
        return self.checked.preview()


class ArticleIntake:
    def __init__(self, corpus_dir: Path, max_article_bytes: int, *, allow_private_addresses: bool = False,
                 watching: bool = True, proposal_seconds: float = PROPOSAL_SECONDS,
                 fetch_seconds: float = 20.0, at_once: int = 2) -> None:  # fmt: skip
        self._corpus_dir, self._max_bytes = corpus_dir, max_article_bytes
        self._fetch_seconds, self._at_once = fetch_seconds, at_once
        self._reading = threading.BoundedSemaphore(at_once)  # pages read at once; more are refused
        self._allowed: AddressPolicy | None = None if allow_private_addresses else is_public
        self._watching = watching
        self._seconds = proposal_seconds
        self._proposals: dict[str, Proposal] = {}
        self._lock = threading.Lock()  # platforms call from worker threads

    def propose(self, url: str, maintainer: str) -> Proposal:
        """Fetch, extract and check the page (blocking: call it off the event loop)."""
        if not url:
            raise IntakeError(USAGE)
        if not self._reading.acquire(blocking=False):
            raise IntakeError(BUSY.format(count=self._at_once))
        try:
            html = fetch(url, timeout=self._fetch_seconds, allowed_address=self._allowed)
            checked = checked_article(extract(html, url), self._corpus_dir, self._max_bytes)
        except (FetchError, ArticleFileError) as error:
            raise IntakeError(f"Article non ajouté : {error}") from None
        finally:
            self._reading.release()
        proposal = Proposal(secrets.token_urlsafe(12), maintainer, checked, time.time() + self._seconds)
        with self._lock:
            now = time.time()
            self._proposals = {t: p for t, p in self._proposals.items() if p.expires_at > now}
            self._proposals[proposal.token] = proposal
        return proposal

    def _take(self, token: str, maintainer: str) -> Proposal:
        with self._lock:
            proposal = self._proposals.get(token)
            if proposal is None or proposal.expires_at <= time.time():
                self._proposals.pop(token, None)
                raise IntakeError(EXPIRED)
            if proposal.maintainer != maintainer:
                raise IntakeError(NOT_YOURS)
            del self._proposals[token]
        return proposal

    def confirm(self, token: str, maintainer: str) -> str:
        """Write the proposed article; what to tell the maintainer."""
        proposal = self._take(token, maintainer)
        try:
            refuse_duplicates(proposal.checked.article, self._corpus_dir, self._max_bytes)
            path = write_article(self._corpus_dir, proposal.checked)
        except (FetchError, OSError) as error:
            raise IntakeError(f"Article non ajouté : {error}") from None
        log.info("Article ajouté depuis le chat par %s : %s (%s)", maintainer, path.name,
                 proposal.checked.article.link() or "sans lien")  # fmt: skip
        served = (
            "le bot le sert dans quelques secondes"
            if self._watching
            else "le bot ne surveille pas le corpus : envoyez-lui SIGHUP pour le servir"
        )
        return f"Ajouté : {path.name} (« {proposal.checked.article.title} ») ; {served}."

    def cancel(self, token: str, maintainer: str) -> str:
        self._take(token, maintainer)
        return CANCELLED
