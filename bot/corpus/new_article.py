"""An extracted page → a checked corpus file, written atomically.

Shared by `emad-bot add` and the chat's `/emad ajouter`: the language check, the
duplicate check (same link, or most paragraphs the same), the preview a maintainer
confirms, and the write (a temporary name, then a rename: a running bot never reads
half a file). The header holds only what the page states.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from bot.corpus.articles import load_corpus, parse_article
from bot.corpus.fetch import ArticleDraft, FetchError
from bot.corpus.passages import passages_of
from bot.models import Article

SAME_TEXT = 0.8  # share of paragraphs in common: the same article already there
PREVIEW_LINES = 3


@dataclass(frozen=True)
class CheckedArticle:
    article: Article  # as the corpus will read it
    text: str  # the file: YAML header, then the body

    def preview(self) -> str:
        """Title, publisher, date, link, first lines and passage count."""
        article = self.article
        lines = article.body.splitlines()[:PREVIEW_LINES]
        known = [article.publisher, article.published.isoformat() if article.published else "date inconnue"]
        return "\n".join(
            [f"« {article.title} » — {', '.join(known)}", f"lien : {article.link() or 'inconnu'}",
             *(f"  {line[:200]}" for line in lines), f"{len(passages_of(article))} passage(s)"]
        )  # fmt: skip


def with_url(draft: ArticleDraft, url: str) -> ArticleDraft:
    return replace(draft, url=url)


def checked_article(draft: ArticleDraft, corpus_dir: Path, max_article_bytes: int,
                    language: str = "fr") -> CheckedArticle:  # fmt: skip
    """The corpus file for `draft`, or a `FetchError` if it is not in `language` or is
    already in the corpus."""
    wanted = language.casefold()
    if draft.language != wanted:
        raise FetchError(
            f"la page n'est pas en {'français' if wanted == 'fr' else wanted} "
            f"(langue : {draft.language or '?'}) ; --lang {draft.language or 'xx'} pour l'ajouter quand même"
        )
    text = article_text(draft)
    checked = CheckedArticle(parse_article("nouveau", text), text)
    refuse_duplicates(checked.article, corpus_dir, max_article_bytes)
    return checked


def article_text(draft: ArticleDraft) -> str:
    """The corpus file: a YAML header of what the page states, then the text."""
    import yaml

    header: dict[str, object] = {
        "title": draft.title,
        "publisher": draft.publisher,
        "language": draft.language,
    }
    if draft.url:
        header["url"] = draft.url
    if draft.published:
        header["date"] = draft.published.isoformat()
    if draft.author:
        header["author"] = draft.author
    dumped = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, default_style='"')
    return f"---\n{dumped}---\n{draft.text}\n"


def _comparable(text: str) -> set[str]:
    return {" ".join(p.casefold().split()) for p in text.splitlines() if len(p.split()) > 4}


def refuse_duplicates(article: Article, corpus_dir: Path, max_article_bytes: int) -> None:
    """A `FetchError` if the corpus already holds this article (same link or same text)."""
    existing = load_corpus(corpus_dir, max_article_bytes).articles if corpus_dir.is_dir() else ()
    mine = _comparable(article.body)
    for other in existing:
        if article.link() and other.link() and article.link() == other.link():
            raise FetchError(f"déjà dans le corpus : {other.slug}.md (même lien)")
        theirs = _comparable(other.body)
        if mine and len(mine & theirs) >= SAME_TEXT * len(mine):
            raise FetchError(f"déjà dans le corpus : {other.slug}.md (même texte)")


def write_article(corpus_dir: Path, checked: CheckedArticle) -> Path:
    """`corpus/NNN_<slug>.md`, written whole or not at all."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    final = corpus_dir / _file_name(corpus_dir, checked.article.title)
    handle, temporary = tempfile.mkstemp(dir=corpus_dir, prefix=".ajout-", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(checked.text)
        os.replace(temporary, final)  # the watcher sees the whole file or none
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return final


def _file_name(corpus_dir: Path, title: str) -> str:
    numbers = [int(m.group(1)) for p in corpus_dir.glob("*.md") if (m := re.match(r"(\d+)_", p.name))]
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:50].rstrip("-") or "article"
    return f"{max(numbers, default=-1) + 1:03d}_{slug}.md"
