"""Slack's glue layer: the Bolt app and its listeners. No answer logic lives here.

`/emad` is acknowledged at once (Slack allows 3 s), then answered through the
command's `response_url`. A mention is answered in a thread under it (or in its
thread); a DM is answered in the conversation. Other bots' messages are ignored
(Bolt already ignores the bot's own), and a re-delivered event (same `event_id`,
`X-Slack-Retry-Num`) is answered once. 👍 / 👎 under an answer are recorded
against its question.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.settings import SlackSettings
from adapters.slack.translate import (
    FEEDBACK_ACTION,
    SlackMessage,
    feedback_vote,
    question_from_text,
    reply_message,
)
from bot.answer import messages
from bot.models import Query, Reply
from bot.service.bot_service import BotService

log = logging.getLogger(__name__)
SEEN_EVENTS_KEPT = 10_000


class SeenEvents:
    """The ids of the last events handled, to answer each question once."""

    def __init__(self, size: int = SEEN_EVENTS_KEPT) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


async def answer(service: BotService, text: str, user: str | None) -> Reply:
    """The core's reply, computed off the event loop."""
    return await asyncio.to_thread(service.answer, Query(question_from_text(text), "slack", user))


def build_app(service: BotService, settings: SlackSettings, client: AsyncWebClient) -> AsyncApp:
    """The Bolt app with `/emad`, `app_mention` and DM listeners registered."""
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
    app = AsyncApp(client=client, signing_secret=secret or "", process_before_response=False)
    seen = SeenEvents()
    private_answers = settings.answers_for_asker_only

    @app.middleware
    async def answer_each_event_once(
        body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not seen.first_time(event_id):
            log.info("Événement Slack %s déjà traité : ignoré", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return None

    @app.command("/emad")
    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        reply = await answer(service, command.get("text", ""), command.get("user_id"))
        message = reply_message(reply, answers_for_asker_only=private_answers)
        await respond(
            blocks=message.blocks,
            text=message.text,
            response_type="ephemeral" if message.for_asker_only else "in_channel",
        )

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("bot_id"):
            return
        reply = await answer(service, event.get("text", ""), event.get("user"))
        message = reply_message(reply, answers_for_asker_only=private_answers)
        thread = event.get("thread_ts") or event["ts"]
        await _post(client, event, message, thread)

    @app.event("message")
    async def on_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        reply = await answer(service, event.get("text", ""), event.get("user"))
        message = reply_message(reply)
        await _post(client, event, SlackMessage(message.blocks, message.text, False), event.get("thread_ts"))

    @app.action(FEEDBACK_ACTION)
    async def on_feedback(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        vote = feedback_vote(action)
        user = body.get("user", {}).get("id", "")
        recorded = vote is not None and await asyncio.to_thread(
            service.record_feedback, vote[0], "slack", user, vote[1]
        )
        text = messages.FEEDBACK_THANKS if recorded else messages.FEEDBACK_LOST
        await respond(text=text, response_type="ephemeral", replace_original=False)

    @app.error
    async def on_error(error: Exception) -> None:
        log.error("Erreur dans l'application Slack", exc_info=error)

    return app


async def _post(
    client: AsyncWebClient, event: dict[str, Any], message: SlackMessage, thread: str | None
) -> None:
    common: dict[str, Any] = {
        "channel": event["channel"],
        "blocks": message.blocks,
        "text": message.text,
        "thread_ts": thread,
    }
    if message.for_asker_only:
        await client.chat_postEphemeral(user=event["user"], **common)
    else:
        await client.chat_postMessage(unfurl_links=False, unfurl_media=False, **common)
