"""What a community admin decides: where the bot may post publicly, and which
questions reach the maintainers.

`ChannelRules` holds a platform's allow and deny lists (channel ids). `HandOff`
turns a refused question, or an answer someone voted 👎, into a short French notice
for the maintainers' channel, at most once a day per question (case and accents
folded): in the question log when there is one, so a restart does not announce it
again, else in memory. Each adapter escapes the question and adds where it was asked.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer import messages
from bot.models import Query, Reply, ReplyKind
from bot.service.question_log import QuestionLog

ANNOUNCED_AGAIN_AFTER = 24 * 3600.0
REMEMBERED_IN_MEMORY = 10_000  # questions announced, when there is no question log


def channel_ids(listed: str) -> frozenset[str]:
    """The ids of a comma-separated setting (`C0123, C0456`)."""
    return frozenset(part.strip() for part in listed.split(",") if part.strip())


@dataclass(frozen=True)
class ChannelRules:
    """Where public posts may go: anywhere but `denied`, and only in `allowed` if it is set."""

    allowed: frozenset[str] = frozenset()
    denied: frozenset[str] = frozenset()

    def may_post_in(self, *channels: str | None) -> bool:
        """Whether a public post may go in a channel (any of `channels`: a thread and its
        parent channel count as one place)."""
        known = [c for c in channels if c]
        if any(c in self.denied for c in known):
            return False
        return not self.allowed or any(c in self.allowed for c in known)

    def where_answered(self, here: str, show: Callable[[str], str]) -> str:
        """The private notice telling an asker where the bot answers, `here` naming the
        place they asked (« ici », a channel link); `show` draws a channel id as the
        platform's channel link (which pings nobody)."""
        open_to_all = sorted(self.allowed - self.denied)
        if not self.allowed:  # a deny list only: every other channel is open
            return messages.ANSWERS_ELSEWHERE.format(here=here)
        if not open_to_all:
            return messages.ANSWERS_NOWHERE_HERE.format(here=here)
        return messages.ANSWERS_ONLY_IN.format(here=here, channels=", ".join(show(c) for c in open_to_all))


def folded(question: str) -> str:
    """A question as the once-a-day rule compares it: case, accents and spacing folded."""
    decomposed = unicodedata.normalize("NFKD", question.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class HandOffNotice:
    """What the maintainers read, and where the question was asked (the platform's
    team, channel and thread ids, which each adapter turns into a link)."""

    text: str
    team: str | None = None
    channel: str | None = None
    thread: str | None = None


class HandOff:
    """Which questions reach the maintainers, and the notice they read (without the
    place it was asked, which each platform adds)."""

    def __init__(
        self, question_log: QuestionLog | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self._log, self._clock = question_log, clock
        self._announced: dict[str, float] = {}
        self._lock = threading.Lock()

    def for_refusal(self, query: Query, reply: Reply) -> HandOffNotice | None:
        """The notice for a refused question, if it is its first today."""
        if reply.kind is not ReplyKind.NOT_FOUND or not reply.question.strip():
            return None
        text = self._text(reply.question, messages.HAND_OFF_REFUSED, reply.kind.value)
        return HandOffNotice(text, query.team, query.channel, query.thread) if text else None

    def for_dislike(self, question_id: int, reason: str | None) -> HandOffNotice | None:
        """The notice for a 👎 on the logged question `question_id` (with its reason, a
        key of `messages.DISLIKE_REASONS`), if it is its first today."""
        asked = self._log.question(question_id) if self._log is not None else None
        if asked is None:
            return None
        question, kind, team, channel, thread = asked
        why = messages.DISLIKE_REASONS.get(reason or "", "raison non donnée")
        text = self._text(question, messages.HAND_OFF_DISLIKED.format(reason=why), kind)
        return HandOffNotice(text, team, channel, thread) if text else None

    def _text(self, question: str, headline: str, kind: str) -> str | None:
        if not question.strip() or not self._first_today(folded(question)):
            return None
        one_line = " ".join(question.split())
        return f"{headline} : « {one_line} » — {messages.REPLY_KIND_NAMES.get(kind, kind)}"

    def _first_today(self, key: str) -> bool:
        now = self._clock()
        if self._log is not None:
            first = self._log.announce_once(f"hand-off:{key}", now, ANNOUNCED_AGAIN_AFTER)
            if first is not None:
                return first
        with self._lock:  # no question log, or it is failing: this process remembers
            if now - self._announced.get(key, -ANNOUNCED_AGAIN_AFTER) < ANNOUNCED_AGAIN_AFTER:
                return False
            self._announced[key] = now
            if len(self._announced) > REMEMBERED_IN_MEMORY:
                self._forget(now)
            return True

    def _forget(self, now: float) -> None:
        for key in [k for k, at in self._announced.items() if now - at >= ANNOUNCED_AGAIN_AFTER]:
            del self._announced[key]
