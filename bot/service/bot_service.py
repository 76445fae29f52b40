"""The one door every platform asks through: cooldown, answer, log line, question log.

Adapters call `BotService.answer` (off their event loop) and
`BotService.record_feedback`; the engine behind it can be swapped at any time by
the corpus reloader, atomically (one reference). An exception while answering
is logged with its traceback and becomes the French error reply.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from typing import Protocol

from bot.answer import messages
from bot.models import Query, Reply, ReplyKind
from bot.service.cooldown import Cooldown
from bot.service.question_log import QuestionLog

log = logging.getLogger("bot.questions")


class Answerer(Protocol):
    def answer(self, query: Query) -> Reply: ...


class BotService:
    def __init__(
        self,
        engine: Answerer,
        cooldown: Cooldown | None = None,
        question_log: QuestionLog | None = None,
    ) -> None:
        self.engine = engine
        self._cooldown = cooldown
        self._log = question_log

    def answer(self, query: Query) -> Reply:
        started = time.perf_counter()
        wait = (
            self._cooldown.retry_after(f"{query.platform}:{query.user}")
            if (self._cooldown and query.user)
            else None
        )
        if wait is not None:
            reply = Reply(ReplyKind.COOLDOWN, messages.COOLDOWN.format(seconds=math.ceil(wait)))
        else:
            reply = self._answer(query)
        latency_ms = (time.perf_counter() - started) * 1000
        log.info("question platform=%s kind=%s citations=%d latency_ms=%.1f",
                 query.platform, reply.kind.value, len(reply.citations), latency_ms)  # fmt: skip
        if self._log is None or reply.kind is ReplyKind.COOLDOWN:
            return reply
        question_id = self._log.record(query.platform, query.user, reply, latency_ms)
        return replace(reply, question_id=question_id)

    def _answer(self, query: Query) -> Reply:
        try:
            return self.engine.answer(query)
        except Exception:
            log.exception("Échec de la réponse à une question (%s)", query.platform)
            return Reply(ReplyKind.ERROR, messages.ERROR)

    def record_feedback(self, question_id: int, platform: str, user: str, vote: int) -> bool:
        """Record 👍 (vote > 0) or 👎 against a logged question; False if it could not be."""
        return self._log is not None and self._log.feedback(question_id, platform, user, vote)
