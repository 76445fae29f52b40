"""Load the articles under `corpus/`: a YAML header, then the body as published.

A file that cannot be read (not UTF-8, empty, no header, a header field missing
or malformed, too big) is reported by name with what is wrong, and the other
articles still load. Only regular files are read: a folder, a FIFO or a device
named `*.md` is reported, never opened; a symbolic link is followed only to a
regular file (inside or outside `corpus/`), and a broken one is reported.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.corpus.header import HeaderError, read_header
from bot.models import Article

MAX_ARTICLE_BYTES = 2_000_000  # default of BOT_MAX_ARTICLE_BYTES


@dataclass(frozen=True)
class CorpusProblem:
    """Why one corpus file was left out, in French, for the maintainer."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path.name} : {self.reason}"


@dataclass(frozen=True)
class Corpus:
    articles: tuple[Article, ...]
    problems: tuple[CorpusProblem, ...]


class ArticleFileError(ValueError):
    """An article file that cannot be loaded; the message says how to fix it."""


def _split_header(text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ArticleFileError(
            "en-tête manquant : le fichier doit commencer par une ligne « --- », "
            "les métadonnées (title, publisher, language…), puis une autre ligne « --- »"
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise ArticleFileError("en-tête non fermé : ajoutez une ligne « --- » après les métadonnées")


def parse_article(slug: str, text: str) -> Article:
    """Build an article from a file's text; raises `ArticleFileError` with the reason."""
    if not text.strip():
        raise ArticleFileError("fichier vide")
    from bot.corpus.cleaning import clean_body  # only when articles are (re)indexed

    header_text, raw_body = _split_header(text)
    try:
        header = read_header(header_text)
    except HeaderError as error:
        raise ArticleFileError(str(error)) from None
    body = clean_body(raw_body, header.title)
    if not body:
        raise ArticleFileError("aucun texte après l'en-tête (ou seulement du texte d'éditeur)")
    return Article(
        slug=slug,
        title=header.title,
        publisher=header.publisher,
        language=header.language,
        body=body,
        url=header.url,
        published=header.date,
        title_is_descriptive=header.title_is_descriptive,
    )


def article_files(directory: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> Iterator[Path | CorpusProblem]:
    """Each `*.md` entry of `directory`, sorted by name: the path of a readable regular
    file, or the problem that keeps it out. Nothing is opened here."""
    for path in sorted(directory.glob("*.md"), key=lambda path: path.name):  # (not Path's slow <)
        try:
            target = os.stat(path)  # follows a symbolic link
        except FileNotFoundError:
            yield CorpusProblem(path, "lien symbolique cassé : sa cible n'existe pas")
            continue
        except OSError as error:
            yield CorpusProblem(path, f"illisible ({error.strerror})")
            continue
        if stat.S_ISDIR(target.st_mode):
            yield CorpusProblem(path, "est un dossier, pas un article")
        elif not stat.S_ISREG(target.st_mode):
            yield CorpusProblem(path, "n'est pas un fichier ordinaire (tube, périphérique…) : ignoré")
        elif target.st_size > max_bytes:
            size, most = target.st_size / 1e6, max_bytes / 1e6
            yield CorpusProblem(
                path, f"trop gros ({size:.1f} Mo ; au plus {most:.1f} Mo, BOT_MAX_ARTICLE_BYTES)"
            )
        else:
            yield path


def read_article_bytes(path: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> bytes:
    """The file's bytes, never more than `max_bytes` + 1 (a file may grow after its check)."""
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ArticleFileError(f"trop gros (au plus {max_bytes / 1e6:.1f} Mo, BOT_MAX_ARTICLE_BYTES)")
    return data


def load_article(path: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> Article:
    try:
        text = read_article_bytes(path, max_bytes).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArticleFileError(
            f"n'est pas en UTF-8 (octet invalide à la position {error.start}) : "
            "réenregistrez le fichier en UTF-8"
        ) from None
    except OSError as error:
        raise ArticleFileError(f"illisible ({error.strerror})") from None
    return parse_article(path.stem, text.removeprefix("\ufeff"))


def load_corpus(directory: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> Corpus:
    """Every `*.md` article under `directory`, sorted by file name, and the files left out."""
    articles: list[Article] = []
    problems: list[CorpusProblem] = []
    for found in article_files(directory, max_bytes):
        if isinstance(found, CorpusProblem):
            problems.append(found)
            continue
        try:
            articles.append(load_article(found, max_bytes))
        except ArticleFileError as error:
            problems.append(CorpusProblem(found, str(error)))
    return Corpus(tuple(articles), tuple(problems))
