"""The core's vocabulary: articles, passages, and the `Query` → `Reply` contract.

Everything here is a frozen dataclass with no behaviour beyond derived values, so
adapters can depend on it without depending on how answers are found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Article:
    """One news article from `corpus/`, with the metadata its header gives."""

    slug: str
    title: str
    publisher: str
    language: str
    body: str
    url: str | None = None
    published: dt.date | None = None
    title_is_descriptive: bool = False

    def credits(self) -> list[str]:
        """What is known of its source, in French, nothing invented: the publisher,
        the date when known, and whether the title is ours."""
        known = [self.publisher]
        if self.published:
            known.append(self.published.strftime("%d/%m/%Y"))
        if self.title_is_descriptive:
            known.append("titre descriptif")
        return known

    def link(self) -> str | None:
        """The article's URL if it is a usable http(s) link."""
        url = "".join((self.url or "").split())
        return url if url.startswith(("http://", "https://")) else None


@dataclass(frozen=True)
class Passage:
    """A few consecutive sentences of one article, the unit the index ranks.

    `text` is verbatim from the cleaned article; `number` is the passage's place
    in the article, from 1; `sentences` are the sentence offsets within `text`.
    """

    id: str
    article: Article
    number: int
    text: str
    sentences: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Span:
    """A highlighted range `[start, end)` of a snippet, drawn by each adapter."""

    start: int
    end: int


@dataclass(frozen=True)
class Citation:
    """A verbatim snippet of a passage, with where it comes from."""

    snippet: str
    highlights: tuple[Span, ...]
    passage_id: str
    passage_number: int
    passage_count: int
    score: float
    article: Article
    window: tuple[int, int] = (0, 0)  # the cited sentences' offsets in the passage (labels from users)

    def drawn(self, escape: Callable[[str], str], before: str, after: str) -> str:
        """The snippet with each piece escaped for a platform and each highlight
        wrapped in that platform's markers (`**…**`, `*…*`, ANSI bold…)."""
        parts, cursor = [], 0
        for span in self.highlights:
            parts.append(escape(self.snippet[cursor : span.start]))
            parts.append(before + escape(self.snippet[span.start : span.end]) + after)
            cursor = span.end
        parts.append(escape(self.snippet[cursor:]))
        return "".join(parts)

    @property
    def title(self) -> str:
        return self.article.title

    @property
    def publisher(self) -> str:
        return self.article.publisher

    @property
    def url(self) -> str | None:
        return self.article.url

    @property
    def published(self) -> dt.date | None:
        return self.article.published


class ReplyKind(StrEnum):
    """What a reply is. `ANSWER` is confident; `CLOSEST` cites the nearest passages
    with a warning that they may not answer exactly; `SMALL_TALK` answers a greeting,
    thanks or a question about the bot, without citations."""

    ANSWER = "answer"
    CLOSEST = "closest"
    NOT_FOUND = "not_found"
    SMALL_TALK = "small_talk"
    HELP = "help"
    SOURCES = "sources"
    PASSAGE = "passage"  # a whole passage, asked for with « Voir le passage »
    TIMELINE = "timeline"  # the saga in order (« chronologie »)
    ERROR = "error"
    COOLDOWN = "cooldown"

    @property
    def cites(self) -> bool:
        """An answer, confident or hedged: posted publicly, with feedback buttons."""
        return self in (ReplyKind.ANSWER, ReplyKind.CLOSEST)


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event: its date in French ("mars 2024"), the sentence that dates it
    (verbatim, shortened at a word boundary if long), the articles that tell it, and
    its date as numbers (year, month, day; 0 where the article does not say)."""

    when: str
    sentence: str
    articles: tuple[Article, ...]
    passage_ids: tuple[str, ...]
    on: tuple[int, int, int]


@dataclass(frozen=True)
class Query:
    """What a user asked, from where (``"terminal"``, ``"slack"``, ``"discord"``) and who
    (the platform's user id, for the cooldown and the question log); `team` (Slack
    workspace or Discord server), `channel` and `thread` say which conversation, and
    `earlier` holds its previous questions, for a follow-up ("et quand ?")."""

    text: str
    platform: str = "terminal"
    user: str | None = None
    team: str | None = None
    channel: str | None = None
    thread: str | None = None
    earlier: tuple[str, ...] = ()  # the conversation's earlier questions, oldest first


@dataclass(frozen=True)
class Reply:
    """What the core answers: a kind, a French message, and the evidence.

    `text` is the message to show above the citations (or alone); `notice` is an
    extra remark such as "question tronquée"; `articles` is filled for `SOURCES`;
    `examples` are suggested questions for `HELP` and `NOT_FOUND`; `question_id` is
    the question's entry in the question log, for 👍 / 👎 feedback.
    """

    kind: ReplyKind
    text: str
    citations: tuple[Citation, ...] = ()
    articles: tuple[Article, ...] = ()
    examples: tuple[str, ...] = ()
    notice: str | None = None
    question: str = ""
    question_id: int | None = None
    timeline: tuple[TimelineEntry, ...] = ()  # for TIMELINE, in date order
