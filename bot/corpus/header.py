"""An article's YAML header, read safely and checked by a pydantic model.

The YAML is bounded (`MAX_HEADER_CHARS`), read with a loader that refuses aliases
(so an alias bomb cannot expand) and that reads only `true` / `false` as booleans
(YAML 1.1 would read `publisher: No` as false). The model then checks each field,
and every problem is told in French with its line in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

MAX_HEADER_CHARS = 20_000
_FIELD_LINE = "^{name}\\s*:"


# The longest each header field is shown: a page's 50 kB <title> must not become a
# 10,000-character header in every citation.
TITLE_CHARS, PUBLISHER_CHARS, AUTHOR_CHARS, URL_CHARS = 200, 100, 100, 2048


def bounded(text: str, limit: int) -> str:
    """`text` with its runs of whitespace made single, cut at the last word boundary
    before `limit` characters with « … » when longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:-–—") + "…"


class HeaderError(ValueError):
    """A header that cannot be read; the message says what to fix, in French."""


class ArticleHeader(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: str
    publisher: str
    language: str
    url: str | None = None
    date: dt.date | None = None
    title_is_descriptive: bool = False

    @field_validator("title", "publisher", "language", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("vide")
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("title", "publisher", "language")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("vide")
        return value

    @field_validator("title")
    @classmethod
    def _title_bounded(cls, value: str) -> str:
        return bounded(value, TITLE_CHARS)

    @field_validator("publisher")
    @classmethod
    def _publisher_bounded(cls, value: str) -> str:
        return bounded(value, PUBLISHER_CHARS)

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value):
            raise ValueError(f"« {bounded(value, 20)} » : un code de langue comme fr ou en")
        return value

    @field_validator("url", mode="before")
    @classmethod
    def _web_link(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        link = "".join(str(value).split())
        if len(link) > URL_CHARS:
            raise ValueError(f"lien de plus de {URL_CHARS} caractères (ou omettez-le s'il est inconnu)")
        if not re.match(r"^https?://[^/\s]+", link):
            raise ValueError("doit être un lien http:// ou https:// (ou être omise si elle est inconnue)")
        return link

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(
                f"« {value} » : écrivez-la AAAA-MM-JJ, ou omettez-la si elle est inconnue"
            ) from None


def _loader() -> Any:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, "les alias YAML (*nom) ne sont pas acceptés", event.start_mark
                )
            return super().compose_node(parent, index)

    # Only true / false are booleans: "no", "on", "off", "yes" stay text. Dates stay text
    # too, for the model to read and explain ("2024-13-01").
    kept_apart = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
    NoAliasLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in kept_apart]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    NoAliasLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return NoAliasLoader


def read_header(text: str, first_line: int = 2) -> ArticleHeader:
    """The header of an article; `first_line` is the file line where `text` starts."""
    import yaml

    if len(text) > MAX_HEADER_CHARS:
        raise HeaderError(f"en-tête trop long ({len(text)} caractères, au plus {MAX_HEADER_CHARS})")
    try:
        values = yaml.load(text, Loader=_loader()) or {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", ligne {mark.line + first_line}" if mark else ""
        hint = (
            " (un « : » dans une valeur ? mettez-la entre guillemets)"
            if "mapping values" in str(error)
            else ""
        )
        raise HeaderError(f"en-tête YAML invalide{where} : {error.problem}{hint}") from None
    except yaml.YAMLError as error:
        raise HeaderError(f"en-tête YAML invalide ({error.__class__.__name__})") from None
    if not isinstance(values, dict):
        raise HeaderError("en-tête invalide : attendu des lignes « clé: valeur »")
    try:
        return ArticleHeader.model_validate(values)
    except ValidationError as error:
        raise HeaderError(" ; ".join(_problem(p, text, first_line) for p in error.errors())) from None


def _problem(problem: Any, text: str, first_line: int) -> str:
    name = str(problem["loc"][0]) if problem["loc"] else "?"
    if problem["type"] == "missing":
        return f"champ obligatoire « {name} » manquant"
    found = re.search(_FIELD_LINE.format(name=re.escape(name)), text, re.MULTILINE)
    line = f" (ligne {text[: found.start()].count(chr(10)) + first_line})" if found else ""
    message = str(problem["msg"]).removeprefix("Value error, ")
    if problem["type"].startswith("bool"):
        message = "attendu true ou false"
    elif problem["type"].startswith("string"):
        message = "attendu du texte"
    return f"champ « {name} »{line} : {message}"
