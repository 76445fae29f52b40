"""Slack's translate layer: payload text → question, `Reply` → Block Kit. Pure functions.

Every text from the corpus or the user is escaped for mrkdwn (`&`, `<`, `>`), so a
`<!channel>` or `<@U…>` in a question or a snippet is shown, never acted on. Block
Kit's limits hold for any reply: 3,000 characters per section text, 50 blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.answer.messages import (
    CHOOSE_BUTTON,
    DISLIKE_ASK,
    DISLIKE_REASONS,
    SHARE_BUTTON,
    SHARED_BY,
    TIMELINE_MORE,
)
from bot.models import Article, Citation, Reply, ReplyKind, TimelineEntry

SECTION_TEXT_LIMIT = 3000
CONTEXT_TEXT_LIMIT = 2000
MAX_BLOCKS = 50
FALLBACK_TEXT_LIMIT = 3000
ELLIPSIS = "…"

UNKNOWN_LINK = "lien inconnu"
FEEDBACK_ACTION = re.compile(r"^emad_feedback_(up|down)$")
FEEDBACK_BUTTONS = (("up", "👍 Utile"), ("down", "👎 Pas utile"))
PASSAGE_ACTION = re.compile(r"^emad_passage_\d+$")
REASON_ACTION = re.compile(r"^emad_reason_(\w+)$")
CHOOSE_ACTION = re.compile(r"^emad_choose_(\d+)$")  # « C'est celui-ci » under a hedged answer's citation
SHARE_ACTION = "emad_share"  # « Partager dans le salon » under a private answer; its value is a token
PASSAGE_BUTTON = "📄 Voir le passage {number}"
PASSAGE = "passage {number}/{count}"

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True)
class SlackMessage:
    """What to post: Block Kit blocks, the escaped `text` fallback, who may see it."""

    blocks: list[dict[str, Any]]
    text: str
    for_asker_only: bool


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


_MARKUP = re.compile(r"<[@!][^>]*>|<#[A-Z0-9]+(?:\|([^>]*))?>")


def question_from_text(text: str) -> str:
    """The words of a question as Slack sends them: user, group and @channel
    mentions are markup, not words, and are dropped; a channel link keeps its name;
    `&amp;`, `&lt;`, `&gt;` become `&`, `<`, `>` again."""
    text = _MARKUP.sub(lambda match: f" {match.group(1) or ''} ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def _fit(text: str, limit: int) -> str:
    """Cut escaped mrkdwn to `limit`, never inside an entity, a link or a bold run."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    for opener, closer in (("&", ";"), ("<", ">")):
        start = cut.rfind(opener)
        if start != -1 and closer not in cut[start:]:
            cut = cut[:start]
    if cut.count("*") % 2:
        cut = cut[: cut.rfind("*")]
    return cut + ELLIPSIS


def highlighted(citation: Citation) -> str:
    """The snippet escaped for mrkdwn, its highlights in bold."""
    return citation.drawn(escape, "*", "*")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def source(article: Article) -> str:
    """Title linked to its URL when known, publisher, date: all escaped."""
    title = escape(_one_line(article.title).replace("|", "/"))
    url = article.link()
    if url:
        url = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
        title = f"<{escape(url)}|{title}>"
    else:
        title = f"{title} ({UNKNOWN_LINK})"
    return f"{title} — {', '.join(escape(_one_line(fact)) for fact in article.credits())}"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit(text, SECTION_TEXT_LIMIT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(text, CONTEXT_TEXT_LIMIT)}]}


def _citation_blocks(number: int, citation: Citation) -> list[dict[str, Any]]:
    where = PASSAGE.format(number=citation.passage_number, count=citation.passage_count)
    return [
        _section(f">{highlighted(citation)}"),
        _context(f"*[{number}]* {source(citation.article)} · {where}"),
    ]


def _timeline_blocks(entries: tuple[TimelineEntry, ...], room: int) -> list[dict[str, Any]]:
    """The events, a line each, packed into sections within Block Kit's limits; what
    does not fit is counted in a last line saying how to narrow it."""
    lines = [
        f"• *{escape(e.when)}* — {escape(e.sentence)} — _{escape(' ; '.join(a.publisher for a in e.articles))}_"  # noqa: E501
        for e in entries
    ]
    blocks: list[dict[str, Any]] = []
    current: list[str] = []
    shown = 0
    for line in lines:
        if len(line) > SECTION_TEXT_LIMIT:
            line = _fit(line, SECTION_TEXT_LIMIT)
        if current and len("\n".join([*current, line])) > SECTION_TEXT_LIMIT:
            if len(blocks) == room - 2:
                break
            blocks.append(_section("\n".join(current)))
            current = []
        current.append(line)
        shown += 1
    if current:
        blocks.append(_section("\n".join(current)))
    if shown < len(lines):
        blocks.append(_context(escape(TIMELINE_MORE.format(count=len(lines) - shown))))
    return blocks


def _fallback(reply: Reply) -> str:
    lines = [reply.notice or "", reply.text]
    if reply.citations:
        first = reply.citations[0]
        lines.append(f"« {first.snippet} » — {first.title}, {first.publisher}")
    lines += [f"• {example}" for example in reply.examples]
    return _fit(escape("\n".join(line for line in lines if line)), FALLBACK_TEXT_LIMIT)


def _button(action_id: str, label: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value[:2000],
    }


def _feedback_block(question_id: int, citations: tuple[Citation, ...], hedged: bool) -> dict[str, Any]:
    """👍 / 👎, then « Voir le passage » for each citation (shown to the clicker alone);
    under a hedged answer, « C'est celui-ci » for each citation too."""
    votes = [_button(f"emad_feedback_{vote}", label, str(question_id)) for vote, label in FEEDBACK_BUTTONS]
    passages = [
        _button(f"emad_passage_{n}", PASSAGE_BUTTON.format(number=n), c.passage_id)
        for n, c in enumerate(citations, start=1)
    ]
    choices = [
        _button(f"emad_choose_{n}", CHOOSE_BUTTON.format(number=n), str(question_id))
        for n in range(1, len(citations) + 1)
    ] if hedged else []  # fmt: skip
    return {"type": "actions", "elements": (votes + passages + choices)[:25]}


def chosen_window(action: dict[str, Any]) -> tuple[int, int] | None:
    """(question id, citation position from 0) from a « C'est celui-ci » click, or None."""
    match = CHOOSE_ACTION.match(str(action.get("action_id", "")))
    value = str(action.get("value", ""))
    if not match or not value.isdigit() or int(match.group(1)) < 1:
        return None
    return int(value), int(match.group(1)) - 1


def reasons_message(question_id: int) -> SlackMessage:
    """After a 👎: why? (hors sujet, incomplet, mauvaise source, autre)."""
    buttons = [
        _button(f"emad_reason_{key}", label, str(question_id)) for key, label in DISLIKE_REASONS.items()
    ]
    blocks = [_section(escape(DISLIKE_ASK)), {"type": "actions", "elements": buttons}]
    return SlackMessage(blocks, DISLIKE_ASK, True)


def feedback_vote(action: dict[str, Any]) -> tuple[int, int] | None:
    """(question id, +1 or -1) from a clicked feedback button, or None if malformed."""
    match = FEEDBACK_ACTION.match(str(action.get("action_id", "")))
    value = str(action.get("value", ""))
    if not match or not value.isdigit():
        return None
    return int(value), 1 if match.group(1) == "up" else -1


def reply_message(reply: Reply, *, answers_for_asker_only: bool = False) -> SlackMessage:
    """The Slack message for a reply. Help, sources, "nothing found" and errors are
    for the asker only; answers are public unless the setting says otherwise."""
    blocks: list[dict[str, Any]] = []
    if reply.notice:
        blocks.append(_context(f":warning: {escape(reply.notice)}"))
    blocks.append(_section(escape(reply.text)))
    for number, citation in enumerate(reply.citations, start=1):
        blocks += _citation_blocks(number, citation)
    if reply.articles:
        blocks.append(_section("\n".join(f"• {source(a)}" for a in reply.articles)))
    if reply.examples:
        blocks.append(_section("\n".join(f"• {escape(e)}" for e in reply.examples)))
    blocks += _timeline_blocks(reply.timeline, MAX_BLOCKS - 1 - len(blocks))
    blocks = blocks[: MAX_BLOCKS - 1]
    if reply.kind.cites and reply.question_id is not None:
        blocks.append(_feedback_block(reply.question_id, reply.citations, reply.kind is ReplyKind.CLOSEST))
    private = not reply.kind.cites or answers_for_asker_only
    return SlackMessage(blocks, _fallback(reply), private)


def with_share_button(message: SlackMessage, token: str) -> SlackMessage:
    """A private answer with « Partager dans le salon » under it."""
    share = {"type": "actions", "elements": [_button(SHARE_ACTION, SHARE_BUTTON, token)]}
    return SlackMessage([*message.blocks[: MAX_BLOCKS - 1], share], message.text, message.for_asker_only)


def shared_message(message: SlackMessage, name: str) -> SlackMessage:
    """A shared answer, public, headed « partagé par NAME » (a name, never a mention)."""
    header = _context(escape(SHARED_BY.format(name=name)))
    return SlackMessage([header, *message.blocks[: MAX_BLOCKS - 1]], message.text, False)
