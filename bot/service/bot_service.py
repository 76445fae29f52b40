"""The one door every platform asks through: cooldown, answer, log line, question log,
and the inbox of acknowledged questions.

Adapters call `BotService.answer` (off their event loop) and
`BotService.record_feedback`; the engine behind it can be swapped at any time by
the corpus reloader, atomically (one reference). An exception while answering
is logged with its traceback and becomes the French error reply.

Nothing acknowledged is lost: an adapter `receive`s a question before answering
it (pending in the question log), answers it inside `working()`, and `settle`s it
once the reply is delivered. On shutdown it stops taking questions, then
`drain`s: it waits up to `shutdown_seconds` for the questions still being
answered, and logs those it could not finish; they stay pending, and the next
start answers them (`pending`) within the platform's window.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from typing import Any, Protocol

from bot.answer import messages
from bot.answer.follow_up import reads_as_question
from bot.models import Query, Reply, ReplyKind
from bot.service.article_intake import ArticleIntake
from bot.service.community import HandOff
from bot.service.cooldown import Cooldown
from bot.service.health import LIVENESS_SECONDS, Health
from bot.service.question_log import QuestionLog
from bot.service.sharing import SharedAnswers

log = logging.getLogger("bot.questions")


class Answerer(Protocol):
    def answer(self, query: Query) -> Reply: ...


ANSWER_THREADS = 2


class BotService:
    def __init__(
        self,
        engine: Answerer,
        cooldown: Cooldown | None = None,
        question_log: QuestionLog | None = None,
        shutdown_seconds: float = 20.0,
        intake: ArticleIntake | None = None,
        liveness_seconds: float = LIVENESS_SECONDS,
    ) -> None:
        self.engine = engine
        self.intake = intake  # `/emad ajouter` from chat; None: not enabled
        self._cooldown = cooldown
        self._log = question_log
        self.shutdown_seconds = shutdown_seconds
        self.health = Health(liveness_seconds)
        self.hand_off = HandOff(question_log)  # what reaches the maintainers' channel
        self.shared = SharedAnswers()  # private answers offered « Partager dans le salon »
        if question_log is not None:
            self.health.unrecorded.set_function(lambda: question_log.unrecorded)
            self.health.unlogged.set_function(lambda: question_log.unlogged)
        # Recording a received question waits on no answer, and an answer on no page
        # fetch: each has its own threads. Answers are CPU work under the GIL: two
        # threads use both cores without starving the inbox's writes of the GIL.
        self._inbox_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="boite-de-reception")
        self._answer_pool = ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="reponses")
        self._working = 0
        self._idle: asyncio.Event | None = None

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
        self.health.questions.labels(query.platform, reply.kind.value).inc()
        self.health.latency.labels(query.platform).observe(latency_ms / 1000)
        question_id = None
        if self._log is not None and reply.kind is not ReplyKind.COOLDOWN:
            question_id = self._log.record(query, reply, latency_ms)
        fields = {
            "question_id": question_id, "platform": query.platform, "channel": query.channel,
            "kind": reply.kind.value, "citations": len(reply.citations), "latency_ms": round(latency_ms, 1),
        }  # fmt: skip
        log.info("question %s", " ".join(f"{k}={v}" for k, v in fields.items()), extra={"fields": fields})
        return reply if question_id is None else replace(reply, question_id=question_id)

    def _answer(self, query: Query) -> Reply:
        if query.thread and not query.earlier and self._log is not None:
            query = replace(query, earlier=tuple(self._log.earlier_questions(query)))
        try:
            return self.engine.answer(query)
        except Exception:
            log.exception("Échec de la réponse à une question (%s)", query.platform)
            return Reply(ReplyKind.ERROR, messages.ERROR)

    def record_reason(self, question_id: int, platform: str, user: str, reason: str) -> bool:
        """Record why a 👎 was given; `reason` is one of `messages.DISLIKE_REASONS`."""
        if reason not in messages.DISLIKE_REASONS or self._log is None:
            return False
        return self._log.feedback_reason(question_id, platform, user, reason)

    def record_choice(self, question_id: int, platform: str, user: str, position: int) -> bool:
        """« C'est celui-ci » under a hedged answer's citation `position` (from 0): a label
        for `emad-bot learn`; False if it could not be recorded."""
        return self._log is not None and self._log.label_window(question_id, platform, user, position)

    def passage(self, passage_id: str) -> Reply:
        """The whole passage a citation comes from, with its source (« Voir le passage »)."""
        show = getattr(self.engine, "passage", None)
        found = show(passage_id) if callable(show) else None
        return found if isinstance(found, Reply) else Reply(ReplyKind.NOT_FOUND, messages.PASSAGE_GONE)

    def record_feedback(self, question_id: int, platform: str, user: str, vote: int) -> bool:
        """Record 👍 (vote > 0) or 👎 against a logged question; False if it could not be."""
        recorded = self._log is not None and self._log.feedback(question_id, platform, user, vote)
        if recorded:
            self.health.feedback.labels("up" if vote > 0 else "down").inc()
        return recorded

    def follows_up(self, query: Query) -> bool:
        """Whether a message in a thread is a question to the bot, without a mention: the
        bot answered in that thread, and the message reads as a question or comes from
        whoever asked first there (people talking to each other are left alone)."""
        if self._log is None:
            return False
        askers = self._log.thread_askers(query)
        if not askers:
            return False
        if reads_as_question(query.text):
            return True
        return query.user is not None and self._log.user_hash(query.platform, query.user) == askers[0]

    # The inbox ---------------------------------------------------------------------

    async def reply_to(self, query: Query) -> Reply:
        """`answer`, from the event loop, on the answers' own threads."""
        return await asyncio.get_running_loop().run_in_executor(self._answer_pool, self.answer, query)

    async def take_in(self, platform: str, key: str, payload: dict[str, Any]) -> int | None:
        """`receive`, from the event loop, on the inbox's own threads: what a platform
        calls before it acknowledges a question."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._inbox_pool, self.receive, platform, key, payload)

    def receive(self, platform: str, key: str, payload: dict[str, Any]) -> int | None:
        """Note an acknowledged question; a ticket to `settle`, or None if this very
        question (same platform and key) was received before and must not be answered again."""
        return 0 if self._log is None else self._log.receive(platform, key, payload)

    def settle(self, ticket: int, state: str = "answered") -> None:
        if self._log is not None:
            self._log.settle(ticket, state)

    def received(self, platform: str, key: str) -> dict[str, Any] | None:
        """What was received under `key` (its payload), if anything."""
        return None if self._log is None else self._log.received(platform, key)

    def pending(self, platform: str) -> list[tuple[int, float, dict[str, Any]]]:
        return [] if self._log is None else self._log.pending(platform)

    @asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """Around the answering and delivery of one question, so `drain` waits for it."""
        if self._idle is None:
            self._idle = asyncio.Event()
        self._working += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._working -= 1
            if not self._working:
                self._idle.set()

    async def drain(self, platform: str) -> int:
        """Wait (up to `shutdown_seconds`) for the questions being answered; how many were
        left unfinished (logged: they stay pending and are answered at the next start)."""
        if self._working and self._idle is not None:
            log.info("Arrêt : %d question(s) en cours sur %s, attente (%g s au plus)",
                     self._working, platform, self.shutdown_seconds)  # fmt: skip
            with suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.shutdown_seconds)
        if self._working:
            log.warning("Arrêt : %d question(s) non terminée(s) sur %s ; elles seront répondues au "
                        "prochain démarrage", self._working, platform)  # fmt: skip
        return self._working
