"""`emad-bot add URL` (or `add PAGE.html --url URL`): a news article into the corpus.

It fetches and extracts the page (`bot.corpus.fetch`), refuses what does not belong
(not French unless `--lang` says so, already in the corpus by URL or by text, too
little text), shows a preview, asks for confirmation unless `--yes`, then writes
`corpus/NNN_<slug>.md` atomically (`bot.corpus.new_article`). From the command line
any address may be read (a maintainer's own machine); from chat, only public ones.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.corpus import new_article
from bot.corpus.articles import ArticleFileError
from bot.corpus.fetch import FetchError, extract, fetch, read_saved_page
from bot.corpus.new_article import checked_article, with_url
from bot.settings import BotSettings


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
        draft = extract(fetch(source, timeout=args.timeout or settings.fetch_seconds), source)
    if args.url:
        draft = with_url(draft, args.url)
    checked = checked_article(draft, settings.corpus_dir, settings.max_article_bytes, args.lang or "fr")
    print(checked.preview())
    if not args.yes and not _confirmed():
        return None
    return new_article.write_article(settings.corpus_dir, checked)


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        print("Pas de confirmation possible sans terminal : relancez avec --yes.", file=sys.stderr)
        return False
    return input("Ajouter cet article ? [o/N] ").strip().casefold() in ("o", "oui", "y", "yes")
