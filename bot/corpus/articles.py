"""Load the articles under `corpus/`: a YAML header, then the body as published.

A file that cannot be read (not UTF-8, empty, no header, a required field
missing, a malformed date) is reported by name with what is wrong, and the
other articles still load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.models import Article

REQUIRED_FIELDS = ("title", "publisher", "language")


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


def _parse_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ArticleFileError(
            f"date illisible « {value} » : écrivez-la AAAA-MM-JJ, ou omettez-la si elle est inconnue"
        ) from None


def parse_article(slug: str, text: str) -> Article:
    """Build an article from a file's text; raises `ArticleFileError` with the reason."""
    if not text.strip():
        raise ArticleFileError("fichier vide")
    import yaml  # only when articles are (re)indexed, not when a saved index serves

    from bot.corpus.cleaning import clean_body

    header_text, raw_body = _split_header(text)
    try:
        header = yaml.safe_load(header_text) or {}
    except yaml.YAMLError as error:
        raise ArticleFileError(f"en-tête YAML invalide ({error.__class__.__name__})") from None
    if not isinstance(header, dict):
        raise ArticleFileError("en-tête invalide : attendu des lignes « clé: valeur »")
    missing = [name for name in REQUIRED_FIELDS if not str(header.get(name) or "").strip()]
    if missing:
        raise ArticleFileError(f"champ(s) obligatoire(s) manquant(s) dans l'en-tête : {', '.join(missing)}")
    title = str(header["title"]).strip()
    body = clean_body(raw_body, title)
    if not body:
        raise ArticleFileError("aucun texte après l'en-tête (ou seulement du texte d'éditeur)")
    url = str(header.get("url") or "").strip() or None
    return Article(
        slug=slug,
        title=title,
        publisher=str(header["publisher"]).strip(),
        language=str(header["language"]).strip(),
        body=body,
        url=url,
        published=_parse_date(header.get("date")),
        title_is_descriptive=bool(header.get("title_is_descriptive", False)),
    )


def load_article(path: Path) -> Article:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArticleFileError(
            f"n'est pas en UTF-8 (octet invalide à la position {error.start}) : "
            "réenregistrez le fichier en UTF-8"
        ) from None
    except OSError as error:
        raise ArticleFileError(f"illisible ({error.strerror})") from None
    return parse_article(path.stem, text.removeprefix("\ufeff"))


def load_corpus(directory: Path) -> Corpus:
    """Every `*.md` article under `directory`, sorted by file name, and the files left out."""
    articles: list[Article] = []
    problems: list[CorpusProblem] = []
    for path in sorted(directory.glob("*.md")):
        try:
            articles.append(load_article(path))
        except ArticleFileError as error:
            problems.append(CorpusProblem(path, str(error)))
    return Corpus(tuple(articles), tuple(problems))
