"""Slack's glue layer: the Bolt app and its listeners. No answer logic lives here.

Bolt runs each listener before it answers Slack's request (`process_before_response`),
and a listener only records what it received, then hands the work to a background task:
so a question is committed to the inbox before Slack (or the Socket Mode envelope) is
told it arrived, and a SIGKILL right after the acknowledgement loses nothing. `/emad` is
acknowledged within Slack's 3 s, then answered through the command's `response_url`. A
mention is answered in a thread under it (or in its thread); a DM is answered in the
conversation. Other bots' messages are ignored (Bolt already ignores the bot's own), and
a re-delivered event (same `event_id`, `X-Slack-Retry-Num`) is answered once; so is a
mention inside a DM, which Slack sends twice (the same channel and ts). 👍 / 👎 under an
answer are recorded against its question.

Each question is received into the inbox before it is answered and settled once
its reply is delivered; `answer_pending` answers, at the next start, those a stop
or a crash left behind (a command within its response_url's 30 minutes, a message
within a day), after checking that no reply of ours is already in their thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import adding
from adapters.slack.community import hand_off, in_dm, share, tell_where_answered
from adapters.slack.settings import SlackSettings
from adapters.slack.translate import (
    CHOOSE_ACTION,
    FEEDBACK_ACTION,
    MAX_BLOCKS,
    PASSAGE_ACTION,
    REASON_ACTION,
    SHARE_ACTION,
    SlackMessage,
    chosen_window,
    escape,
    feedback_vote,
    question_from_text,
    reasons_message,
    reply_message,
    with_share_button,
)
from bot.answer import messages
from bot.models import Query, Reply
from bot.service.article_intake import requested_url
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


NO_ACCESS = frozenset({"not_in_channel", "channel_not_found"})
MESSAGE_WINDOW_SECONDS = 24 * 3600  # a pending message older than this is not answered any more
RESPONSE_URL_WINDOW_SECONDS = 30 * 60  # Slack keeps a command's response_url this long


def query_of(payload: dict[str, Any]) -> Query:
    thread = payload.get("thread_ts") or (payload.get("ts") if payload["kind"] == "mention" else None)
    return Query(
        question_from_text(str(payload.get("text", ""))),
        "slack",
        payload.get("user"),
        team=payload.get("team"),
        channel=payload.get("channel"),
        thread=thread,
    )


async def answer(service: BotService, payload: dict[str, Any]) -> Reply:
    """The core's reply, computed off the event loop."""
    return await service.reply_to(query_of(payload))


async def deliver(client: AsyncWebClient, payload: dict[str, Any], message: SlackMessage) -> None:
    """Post a reply where its question was asked: through the command's response_url,
    in the thread of a mention, or in the DM."""
    if payload["kind"] == "command":
        from slack_sdk.webhook.async_client import AsyncWebhookClient

        response = await AsyncWebhookClient(str(payload["response_url"])).send(
            blocks=message.blocks,
            text=message.text,
            response_type="ephemeral" if message.for_asker_only else "in_channel",
        )
        if response.status_code >= 400:
            raise RuntimeError(f"response_url a répondu {response.status_code}")
        return
    thread = payload.get("thread_ts") or (payload["ts"] if payload["kind"] == "mention" else None)
    common: dict[str, Any] = {
        "channel": payload["channel"],
        "blocks": message.blocks,
        "text": message.text,
        "thread_ts": thread,
    }
    try:
        if message.for_asker_only:
            await client.chat_postEphemeral(user=payload["user"], **common)
        else:
            await _post_once(client, payload, common)
    except SlackApiError as error:
        if error.response.get("error") not in {"not_in_channel", "channel_not_found"} or not payload.get(
            "user"
        ):
            raise
        await _answer_in_private(client, payload, message)


POST_ATTEMPTS = 3


async def _post_once(client: AsyncWebClient, payload: dict[str, Any], common: dict[str, Any]) -> None:
    """chat.postMessage, exactly once: after an error whose outcome is unknown (a lost
    connection, a timeout, a 5xx), the thread is searched for our reply before posting
    again, so a retry never posts the answer twice."""
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            await client.chat_postMessage(unfurl_links=False, unfurl_media=False, **common)
            return
        except (TimeoutError, aiohttp.ClientError, ConnectionError, SlackApiError) as error:
            unknown = not isinstance(error, SlackApiError) or error.response.status_code >= 500
            if not unknown or attempt == POST_ATTEMPTS:
                raise
            log.warning("Slack : envoi incertain (%s) ; je regarde s'il est arrivé", error)
            await asyncio.sleep(attempt)  # Slack may take a moment to show what it posted
            if await _already_replied(client, payload, await client.auth_test()):
                return


async def _answer_in_private(client: AsyncWebClient, payload: dict[str, Any], message: SlackMessage) -> None:
    """The bot cannot post where it was asked: the answer goes to the asker in a DM,
    with how to invite the bot."""
    log.warning("Slack : pas accès au salon %s ; réponse envoyée en privé", payload.get("channel"))
    opened = await client.conversations_open(users=payload["user"])
    notice = {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(messages.NOT_IN_CHANNEL)}]}
    await client.chat_postMessage(
        channel=opened["channel"]["id"],
        blocks=[notice, *message.blocks][:MAX_BLOCKS],
        text=f"{messages.NOT_IN_CHANNEL}\n{message.text}",
        unfurl_links=False,
        unfurl_media=False,
    )


async def handle(
    service: BotService, client: AsyncWebClient, payload: dict[str, Any], ticket: int, settings: SlackSettings
) -> None:
    """Answer one received question and deliver the reply; settled once delivered.
    A delivery that fails is logged and stays pending, for the next start. A refused
    question is then announced to the maintainers."""
    async with service.working():
        if payload["kind"] == "mention" and not _may_post(settings, payload):
            # Received before the channel lists changed (a restart): the asker is told where.
            await tell_where_answered(client, settings, payload)
            await asyncio.to_thread(service.settle, ticket)
            return
        reply = await answer(service, payload)
        message = _message_for(service, payload, reply, settings)
        try:
            await deliver(client, payload, message)
        except Exception:
            log.exception(
                "Réponse Slack non livrée (question %s) : elle sera réessayée au redémarrage", ticket
            )
            return
        await asyncio.to_thread(service.settle, ticket)
        if settings.maintainers_channel:
            notice = await asyncio.to_thread(service.hand_off.for_refusal, query_of(payload), reply)
            await hand_off(client, settings, notice)


def _may_post(settings: SlackSettings, payload: dict[str, Any]) -> bool:
    """Whether a public post may go where `payload` was asked (a DM: always)."""
    return in_dm(payload.get("channel")) or settings.channel_rules.may_post_in(payload.get("channel"))


def _message_for(
    service: BotService, payload: dict[str, Any], reply: Reply, settings: SlackSettings
) -> SlackMessage:
    """The reply as posted: private where the settings or the channel lists say so, and
    then, for an answer, with « Partager dans le salon » if the channel allows it."""
    if payload["kind"] == "dm":
        message = reply_message(reply)
        return SlackMessage(message.blocks, message.text, False)  # a DM is private already
    here = not _may_post(settings, payload)  # /emad where the bot does not post publicly
    message = reply_message(reply, answers_for_asker_only=settings.answers_for_asker_only or here)
    if here:
        notice = {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": escape(messages.ANSWERED_PRIVATELY_HERE)}],
        }
        message = SlackMessage([notice, *message.blocks][:MAX_BLOCKS], message.text, True)
    elif message.for_asker_only and reply.kind.cites and not in_dm(payload.get("channel", "D")):
        thread = payload.get("thread_ts") or (payload.get("ts") if payload["kind"] == "mention" else None)
        message = with_share_button(message, service.shared.offer(reply, str(payload["channel"]), thread))
    return message


async def receive(service: BotService, key: str, payload: dict[str, Any]) -> int | None:
    return await service.take_in("slack", key, payload)


def message_payload(kind: str, event: dict[str, Any], team: Any) -> dict[str, Any]:
    return {
        "kind": kind, "text": event.get("text", ""), "user": event.get("user"), "team": team,
        "channel": event.get("channel"), "ts": event.get("ts"), "thread_ts": event.get("thread_ts"),
    }  # fmt: skip


def build_app(service: BotService, settings: SlackSettings, client: AsyncWebClient) -> AsyncApp:
    """The Bolt app with `/emad`, `app_mention` and DM listeners registered."""
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
    app = AsyncApp(client=client, signing_secret=secret or "", process_before_response=True)
    seen = SeenEvents()
    background: set[asyncio.Task[None]] = set()

    def later(work: Awaitable[None]) -> None:
        """Run `work` after Slack is answered (the inbox already holds its question)."""
        task = asyncio.ensure_future(work)
        background.add(task)
        task.add_done_callback(background.discard)

    ask_channels = settings.ask_channel_ids

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
        if requested_url(str(command.get("text", ""))) is not None:
            await ack()
            later(adding.propose(service, settings, command, respond))  # a maintainer's, not a question
            return
        payload = {
            "kind": "command", "text": command.get("text", ""), "user": command.get("user_id"),
            "team": command.get("team_id"), "channel": command.get("channel_id"),
            "response_url": command.get("response_url"),
        }  # fmt: skip
        key = f"command:{command.get('trigger_id') or uuid.uuid4()}"
        ticket = await receive(service, key, payload)  # committed before the acknowledgement
        await ack()
        if ticket is not None:
            later(handle(service, client, payload, ticket, settings))

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("bot_id"):
            return
        payload = message_payload("mention", event, body.get("team_id"))
        if not _may_post(settings, payload):
            later(tell_where_answered(client, settings, payload))  # the asker alone is told where
            return
        # A mention in a DM also comes as a DM message: the same channel and ts, answered once.
        ticket = await receive(service, f"{event.get('channel')}:{event.get('ts')}", payload)
        if ticket is not None:
            later(handle(service, client, payload, ticket, settings))

    @app.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        team = body.get("team_id")
        in_thread = event.get("thread_ts") not in (None, event.get("ts"))
        if event.get("channel_type") == "im":
            payload = message_payload("dm", event, team)
        elif not _may_post(settings, message_payload("mention", event, team)):
            return  # no public post here: follow-ups and ask channels stay quiet
        elif in_thread and await asyncio.to_thread(
            service.follows_up, query_of(message_payload("mention", event, team))
        ):
            payload = message_payload("mention", event, team)  # a follow-up, answered in its thread
        elif not in_thread and event.get("channel") in ask_channels:
            payload = message_payload("mention", event, team)  # an ask channel: a thread under it
        else:
            return  # people talking: the bot stays quiet
        # A mention also comes as a message (and a DM mention as both): one key, one answer.
        ticket = await receive(service, f"{event.get('channel')}:{event.get('ts')}", payload)
        if ticket is not None:
            later(handle(service, client, payload, ticket, settings))

    def after_ack(work: Callable[[dict[str, Any], dict[str, Any], Any], Awaitable[None]]) -> Any:
        """A button's listener: acknowledged at once, its work (a write, a reply to the
        clicker) done after Slack is answered."""

        async def listener(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
            await ack()
            later(work(body, action, respond))

        return listener

    async def on_feedback(body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        vote = feedback_vote(action)
        user = body.get("user", {}).get("id", "")
        recorded = vote is not None and await asyncio.to_thread(
            service.record_feedback, vote[0], "slack", user, vote[1]
        )
        if recorded and vote is not None and vote[1] < 0:
            why = reasons_message(vote[0])
            await respond(blocks=why.blocks, text=why.text, response_type="ephemeral", replace_original=False)
            return
        text = messages.FEEDBACK_THANKS if recorded else messages.FEEDBACK_LOST
        await respond(text=text, response_type="ephemeral", replace_original=False)

    async def on_choice(body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        chosen = chosen_window(action)
        user = body.get("user", {}).get("id", "")
        recorded = chosen is not None and await asyncio.to_thread(
            service.record_choice, chosen[0], "slack", user, chosen[1]
        )
        text = messages.CHOICE_THANKS if recorded else messages.FEEDBACK_LOST
        await respond(text=text, response_type="ephemeral", replace_original=False)

    async def on_reason(body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        found = REASON_ACTION.match(str(action.get("action_id", "")))
        value, user = str(action.get("value", "")), body.get("user", {}).get("id", "")
        recorded = (
            bool(found)
            and value.isdigit()
            and await asyncio.to_thread(
                service.record_reason, int(value), "slack", user, found.group(1) if found else ""
            )
        )
        text = messages.FEEDBACK_THANKS if recorded else messages.FEEDBACK_LOST
        await respond(text=text, response_type="ephemeral", replace_original=True)
        if recorded and settings.maintainers_channel:
            reason = found.group(1) if found else None
            notice = await asyncio.to_thread(service.hand_off.for_dislike, int(value), reason)
            await hand_off(client, settings, notice)

    async def on_share(body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        text = await share(service, client, settings, body, str(action.get("value", "")))
        await respond(text=text, response_type="ephemeral", replace_original=False)

    async def on_passage(body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        shown = reply_message(await asyncio.to_thread(service.passage, str(action.get("value", ""))))
        await respond(blocks=shown.blocks, text=shown.text, response_type="ephemeral", replace_original=False)

    for pattern, work in ((FEEDBACK_ACTION, on_feedback), (CHOOSE_ACTION, on_choice),
                          (REASON_ACTION, on_reason), (PASSAGE_ACTION, on_passage),
                          (SHARE_ACTION, on_share)):  # fmt: skip
        app.action(pattern)(after_ack(work))

    adding.register(app, service, settings)

    @app.error
    async def on_error(error: Exception) -> None:
        log.error("Erreur dans l'application Slack", exc_info=error)

    return app


async def answer_pending(service: BotService, client: AsyncWebClient, settings: SlackSettings) -> None:
    """At start: answer the questions acknowledged before a stop or a crash and never
    answered, within Slack's windows, unless a reply is already in their thread."""
    pending = await asyncio.to_thread(service.pending, "slack")
    if not pending:
        return
    me = await client.auth_test()
    answered = expired = 0
    for ticket, received_at, payload in pending:
        window = RESPONSE_URL_WINDOW_SECONDS if payload["kind"] == "command" else MESSAGE_WINDOW_SECONDS
        if time.time() - received_at > window:
            await asyncio.to_thread(service.settle, ticket, "expired")
            expired += 1
            continue
        if payload["kind"] != "command" and await _already_replied(client, payload, me):
            await asyncio.to_thread(service.settle, ticket)
            continue
        await handle(service, client, payload, ticket, settings)
        answered += 1
    log.info("Slack : %d question(s) en attente répondue(s), %d trop ancienne(s) (expirée(s))",
             answered, expired)  # fmt: skip


async def _already_replied(client: AsyncWebClient, payload: dict[str, Any], me: Any) -> bool:
    """Whether the bot already posted after the question, in its thread (or its DM)."""
    thread = payload.get("thread_ts") or (payload["ts"] if payload["kind"] == "mention" else None)
    try:
        if thread:
            found = await client.conversations_replies(channel=payload["channel"], ts=thread, limit=200)
        else:
            found = await client.conversations_history(channel=payload["channel"], oldest=payload["ts"])
    except Exception as error:
        log.warning("Slack : impossible de vérifier la réponse à %s (%s) ; elle est envoyée",
                    payload.get("ts"), error)  # fmt: skip
        return False
    ours = {me.get("user_id"), me.get("bot_id")}
    posted: list[dict[str, Any]] = found.get("messages", [])
    return any(
        (m.get("user") in ours or m.get("bot_id") in ours) and float(m.get("ts", 0)) > float(payload["ts"])
        for m in posted
    )
