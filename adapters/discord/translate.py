"""Discord's translate layer: message text → question, `Reply` → embed. Pure functions.

Corpus and user text is escaped for Discord markdown and mentions, so no snippet
or question can ping anyone or break the formatting (the client also sends
`AllowedMentions.none()`). discord.py does not enforce Discord's limits; this
renderer does, for any reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from discord.utils import escape_markdown, escape_mentions

from bot.answer.messages import TIMELINE_MORE
from bot.models import Article, Citation, Reply, ReplyKind

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
MAX_FIELDS = 25
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
ELLIPSIS = "…"
COLOUR = 0x7C3AED

TITLES = {
    ReplyKind.ANSWER: "Ce que disent les articles",
    ReplyKind.CLOSEST: "Les passages les plus proches",
    ReplyKind.SMALL_TALK: "emad-bot",
    ReplyKind.NOT_FOUND: "Rien trouvé",
    ReplyKind.HELP: "Aide",
    ReplyKind.SOURCES: "Sources",
    ReplyKind.PASSAGE: "Le passage",
    ReplyKind.TIMELINE: "Chronologie",
    ReplyKind.ERROR: "Erreur",
    ReplyKind.COOLDOWN: "Doucement",
}
UNKNOWN_LINK = "lien inconnu"
PASSAGE = "passage {number}/{count}"


@dataclass(frozen=True)
class DiscordMessage:
    """An embed as Discord's JSON, whether only the asker should see it, and the
    question id to put 👍 / 👎 buttons for (answers only)."""

    embed: dict[str, Any]
    for_asker_only: bool
    feedback_for: int | None = None
    passages: tuple[str, ...] = ()  # the cited passages' ids, for « Voir le passage »
    hedged: bool = False  # the closest passages: « C'est celui-ci » under each


_LIVE_LINKS = re.compile(r"<(?=[#/])")  # <#channel> and </command:id> would render as links


def escape(text: str) -> str:
    """Markdown, mentions and channel links made inert; line breaks folded (a snippet
    is one line)."""
    inert = escape_mentions(escape_markdown(re.sub(r"\s+", " ", text)))
    return _LIVE_LINKS.sub("<\u200b", inert)


_PLATFORM_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:|t:)\d+(?::\w)?>|@(?:everyone|here)\b")


def question_from_message(content: str) -> str:
    """The words of a question: mentions of users, roles, channels, @everyone,
    custom emoji and timestamps are Discord markup, not words, and are dropped."""
    return " ".join(_PLATFORM_MARKUP.sub(" ", content).split())


def _fit(text: str, limit: int) -> str:
    """Cut escaped markdown to `limit`, never leaving a lone backslash or open bold."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    cut = cut[: len(cut) - trailing % 2]
    if cut.count("**") % 2:
        cut = cut[: cut.rfind("**")]
    return cut + ELLIPSIS


def highlighted(citation: Citation) -> str:
    """The snippet escaped for Discord markdown, its highlights in bold."""
    return citation.drawn(escape, "**", "**")


def source(article: Article) -> str:
    """Title linked to its URL when known, publisher, date: all escaped."""
    title = escape(article.title).replace("]", "\\]")  # escape_markdown handles "["
    url = article.link()
    if url:
        url = url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
        title = f"[{title}](<{url}>)"
    else:
        title = f"{title} ({UNKNOWN_LINK})"
    return f"{title} — {', '.join(escape(fact) for fact in article.credits())}"


def _citation_field(number: int, citation: Citation) -> dict[str, Any]:
    where = PASSAGE.format(number=citation.passage_number, count=citation.passage_count)
    footer = f"\n{source(citation.article)} · {where}"
    quote = _fit(f"> {highlighted(citation)}", FIELD_VALUE_LIMIT - min(len(footer), 600))
    return {
        "name": _fit(f"[{number}]", FIELD_NAME_LIMIT),
        "value": _fit(quote + footer, FIELD_VALUE_LIMIT),
        "inline": False,
    }


def _size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
    )


def _timeline_lines(reply: Reply, room: int) -> list[str]:
    """The events, a line each, as many as the description holds; the rest counted."""
    lines: list[str] = []
    for number, entry in enumerate(reply.timeline):
        sources = escape(" ; ".join(a.publisher for a in entry.articles))
        line = f"• **{escape(entry.when)}** — {escape(entry.sentence)} — *{sources}*"
        more = TIMELINE_MORE.format(count=len(reply.timeline) - number)
        if len("\n".join([*lines, line])) + len(more) + 2 > room:
            return [*lines, escape(more)]
        lines.append(line)
    return lines


def reply_embed(reply: Reply) -> DiscordMessage:
    """The embed for a reply. Everything but an answer is for the asker only."""
    lines = [f"⚠️ {escape(reply.notice)}"] if reply.notice else []
    lines.append(escape(reply.text))
    lines += [f"• {source(article)}" for article in reply.articles]
    lines += [f"• {escape(example)}" for example in reply.examples]
    lines += _timeline_lines(reply, DESCRIPTION_LIMIT - len("\n".join(lines)) - 1)
    embed: dict[str, Any] = {
        "title": _fit(TITLES[reply.kind], TITLE_LIMIT),
        "description": _fit("\n".join(lines), DESCRIPTION_LIMIT),
        "color": COLOUR,
    }
    fields = [_citation_field(n, c) for n, c in enumerate(reply.citations, start=1)][:MAX_FIELDS]
    embed["fields"] = fields
    while fields and _size(embed) > EMBED_TOTAL_LIMIT:
        fields.pop()
    if _size(embed) > EMBED_TOTAL_LIMIT:
        embed["description"] = _fit(embed["description"], EMBED_TOTAL_LIMIT - len(embed["title"]))
    answered = reply.kind.cites
    passages = tuple(c.passage_id for c in reply.citations[: len(fields)]) if answered else ()
    hedged = reply.kind is ReplyKind.CLOSEST
    return DiscordMessage(embed, not answered, reply.question_id if answered else None, passages, hedged)
