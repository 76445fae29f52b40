"""At start, what a stop or a crash left unanswered on Discord, within its windows: a
message within a day (unless our reply to it is already there), a `/emad` as a
follow-up within its 15-minute token; the rest are marked expired."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.asking import answer
from adapters.discord.buttons import send_kwargs
from adapters.discord.translate import reply_embed

if TYPE_CHECKING:
    from adapters.discord.client import EmadClient

log = logging.getLogger(__name__)
MESSAGE_WINDOW_SECONDS = 24 * 3600
INTERACTION_WINDOW_SECONDS = 15 * 60


async def answer_pending(client: EmadClient) -> None:
    service = client.service
    pending = await asyncio.to_thread(service.pending, "discord")
    answered = expired = 0
    for ticket, received_at, payload in pending:
        age = time.time() - received_at
        if payload["kind"] == "message" and age < MESSAGE_WINDOW_SECONDS:
            if await _already_replied(client, payload):
                await asyncio.to_thread(service.settle, ticket)
                continue
            await client.answer_message(payload, ticket)
            answered += 1
        elif (
            payload["kind"] == "command"
            and age < INTERACTION_WINDOW_SECONDS
            and await _follow_up(client, payload, ticket)
        ):
            answered += 1
        else:
            await asyncio.to_thread(service.settle, ticket, "expired")
            expired += 1
    if pending:
        log.info("Discord : %d question(s) en attente répondue(s), %d expirée(s)", answered, expired)


async def _already_replied(client: EmadClient, payload: dict[str, Any]) -> bool:
    """Whether we already posted our reply: a reply to the question, or (in the thread
    made for it) any message of ours."""
    assert client.user is not None
    where = payload.get("reply_in") or payload["channel"]
    try:
        after: list[dict[str, Any]] = await client.http.logs_from(  # type: ignore[assignment]
            int(where), 100, after=int(payload["message"])
        )
    except discord.HTTPException as error:
        log.warning("Discord : impossible de vérifier la réponse à %s (%s) ; elle est envoyée",
                    payload["message"], error)  # fmt: skip
        return False
    ours = [m for m in after if str(m.get("author", {}).get("id")) == str(client.user.id)]
    if payload.get("reply_in"):
        return bool(ours)
    return any(str((m.get("message_reference") or {}).get("message_id")) == payload["message"] for m in ours)


async def _follow_up(client: EmadClient, payload: dict[str, Any], ticket: int) -> bool:
    """A command acknowledged (deferred) before the stop: its answer as a follow-up,
    settled within the same unit of work (a stop waits for both)."""
    webhook = discord.Webhook.partial(int(payload["application"]), str(payload["token"]), client=client)
    async with client.service.working():
        rendered = reply_embed(await answer(client.service, payload))
        community = client.community
        in_server = bool(payload.get("guild"))  # the channel lists in force now, as for a new /emad
        private = rendered.for_asker_only or community.answers_for_asker_only or (
            in_server and not community.rules.may_post_in(str(payload.get("channel")))
        )
        try:
            await webhook.send(ephemeral=private, **send_kwargs(rendered))
        except discord.HTTPException as error:
            log.warning("Discord : la commande en attente n'a pu être répondue (%s)", error)
            return False
        await asyncio.to_thread(client.service.settle, ticket)
    return True
