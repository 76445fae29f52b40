"""`emad-bot add URL` (or `add PAGE.html --url URL`): a news article into the corpus.

It fetches and extracts the page (`bot.corpus.fetch`), refuses what does not belong
(not French unless `--lang` says so, already in the corpus by URL or by text, too
little text), shows a preview, asks for confirmation unless `--yes`, then writes
`corpus/NNN_<slug>.md` atomically (a temporary name, then a rename: a running bot
never reads half a file). The header holds only what the page states.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

from bot.corpus.articles import ArticleFileError, load_corpus, parse_article
from bot.corpus.fetch import ArticleDraft, FetchError, extract, fetch, read_saved_page
from bot.corpus.passages import passages_of
from bot.models import Article
from bot.settings import BotSettings

SAME_TEXT = 0.8  # share of paragraphs in common: the same article already there
PREVIEW_LINES = 3


def add_article(args: argparse.Namespace, settings: BotSettings) -> int:
    try:
        path = write_article(args, settings)
    except (FetchError, ArticleFileError) as error:
        print(f"Article non ajouté : {error}", file=sys.stderr)
        return 1
    if path is None:
        print("Article non ajouté.")
        return 1
    print(f"Ajouté : {path}")
    if os.environ.get("BOT_WATCH_CORPUS", "true").casefold() in ("0", "false", "no", "non"):
        print("Un emad-bot run en cours ne surveille pas le corpus : envoyez-lui SIGHUP pour le servir.")
    else:
        print("Un emad-bot run en cours le sert dès maintenant (il surveille le dossier du corpus).")
    return 0


def write_article(args: argparse.Namespace, settings: BotSettings) -> Path | None:
    source = str(args.source)
    if Path(source).is_file():
        draft = extract(read_saved_page(Path(source)), args.url)
    else:
        draft = extract(fetch(source, timeout=args.timeout), source)
    if args.url:
        draft = _with_url(draft, args.url)
    wanted = (args.lang or "fr").casefold()
    if draft.language != wanted:
        raise FetchError(
            f"la page n'est pas en {'français' if wanted == 'fr' else wanted} "
            f"(langue : {draft.language or '?'}) ; --lang {draft.language or 'xx'} pour l'ajouter quand même"
        )
    corpus_dir = settings.corpus_dir
    corpus_dir.mkdir(parents=True, exist_ok=True)
    existing = load_corpus(corpus_dir, settings.max_article_bytes).articles
    text = article_text(draft)
    article = parse_article("nouveau", text)
    _refuse_duplicates(article, existing)
    print(_preview(article))
    if not args.yes and not _confirmed():
        return None
    return _write_atomically(corpus_dir, _file_name(corpus_dir, draft.title), text)


def _with_url(draft: ArticleDraft, url: str) -> ArticleDraft:
    return ArticleDraft(
        draft.title, draft.publisher, draft.text, url, draft.published, draft.author, draft.language
    )


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


def _refuse_duplicates(article: Article, existing: tuple[Article, ...]) -> None:
    mine = _comparable(article.body)
    for other in existing:
        if article.link() and other.link() and article.link() == other.link():
            raise FetchError(f"déjà dans le corpus : {other.slug}.md (même lien)")
        theirs = _comparable(other.body)
        if mine and len(mine & theirs) >= SAME_TEXT * len(mine):
            raise FetchError(f"déjà dans le corpus : {other.slug}.md (même texte)")


def _preview(article: Article) -> str:
    lines = article.body.splitlines()[:PREVIEW_LINES]
    known = [article.publisher, article.published.isoformat() if article.published else "date inconnue"]
    return "\n".join(
        [f"« {article.title} » — {', '.join(known)}", f"lien : {article.link() or 'inconnu'}",
         *(f"  {line[:200]}" for line in lines), f"{len(passages_of(article))} passage(s)"]
    )  # fmt: skip


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        print("Pas de confirmation possible sans terminal : relancez avec --yes.", file=sys.stderr)
        return False
    return input("Ajouter cet article ? [o/N] ").strip().casefold() in ("o", "oui", "y", "yes")


def _file_name(corpus_dir: Path, title: str) -> str:
    numbers = [int(m.group(1)) for p in corpus_dir.glob("*.md") if (m := re.match(r"(\d+)_", p.name))]
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:50].rstrip("-") or "article"
    return f"{max(numbers, default=-1) + 1:03d}_{slug}.md"


def _write_atomically(corpus_dir: Path, name: str, text: str) -> Path:
    final = corpus_dir / name
    handle, temporary = tempfile.mkstemp(dir=corpus_dir, prefix=".ajout-", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, final)  # the watcher sees the whole file or none
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return final
