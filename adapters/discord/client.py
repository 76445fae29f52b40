"""Discord's glue layer: the client, the `/emad` command, the mention/DM listener and
the 👍 / 👎 buttons. No answer logic lives here.

The client sends `AllowedMentions.none()` and uses the default intents: Discord
delivers the content of messages that mention the bot and of DMs without the
privileged message-content intent. Feedback buttons are `DynamicItem`s whose
`custom_id` carries the question id, so they keep working after a restart.

Each question is received into the inbox before it is answered and settled once
its reply is sent; at the next start (`on_ready`), what a stop or a crash left
behind is answered (`answer_pending`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import discord
from discord import app_commands

from adapters.discord.translate import DiscordMessage, question_from_message, reply_embed
from bot.answer import messages
from bot.models import Query, Reply
from bot.service.bot_service import BotService

log = logging.getLogger(__name__)

DEFER_AFTER_SECONDS = 2.0  # Discord allows 3 s to answer an interaction
COMMAND_DESCRIPTION = "Poser une question sur la saga Emad Mostaque / Stability AI"
QUESTION_DESCRIPTION = "Votre question, « aide » ou « sources »"
FEEDBACK_LABELS = {"up": "👍 Utile", "down": "👎 Pas utile"}
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,  # to reply to the message that asked
)


MESSAGE_WINDOW_SECONDS = 24 * 3600  # a pending message older than this is not answered any more
INTERACTION_WINDOW_SECONDS = 15 * 60  # Discord keeps an interaction's token this long


def query_of(payload: dict[str, Any]) -> Query:
    return Query(
        str(payload.get("text", "")),
        "discord",
        payload.get("user"),
        team=payload.get("guild"),
        channel=payload.get("channel"),
        thread=payload.get("thread"),
    )


async def answer(service: BotService, payload: dict[str, Any]) -> Reply:
    """The core's reply, computed off the event loop."""
    return await asyncio.to_thread(service.answer, query_of(payload))


async def receive(service: BotService, key: str, payload: dict[str, Any]) -> int | None:
    return await asyncio.to_thread(service.receive, "discord", key, payload)


FEEDBACK_ID = r"emad:avis:(?P<question>\d+):(?P<vote>up|down)"


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FEEDBACK_ID):  # type: ignore[call-arg]
    """👍 or 👎 under an answer; the question id and vote live in its custom_id."""

    def __init__(self, question_id: int, vote: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=FEEDBACK_LABELS[vote],
                style=discord.ButtonStyle.secondary,
                custom_id=f"emad:avis:{question_id}:{vote}",
            )
        )
        self.question_id, self.vote = question_id, vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        return cls(int(match["question"]), match["vote"])

    async def callback(self, interaction: discord.Interaction) -> None:
        service = getattr(interaction.client, "service", None)  # the EmadClient that got the click
        recorded = isinstance(service, BotService) and await asyncio.to_thread(
            service.record_feedback,
            self.question_id,
            "discord",
            str(interaction.user.id),
            1 if self.vote == "up" else -1,
        )
        text = messages.FEEDBACK_THANKS if recorded else messages.FEEDBACK_LOST
        await interaction.response.send_message(text, ephemeral=True)


def feedback_view(rendered: DiscordMessage) -> discord.ui.View | None:
    if rendered.feedback_for is None:
        return None
    view = discord.ui.View(timeout=None)
    for vote in FEEDBACK_LABELS:
        view.add_item(FeedbackButton(rendered.feedback_for, vote))
    return view


def _send_kwargs(rendered: DiscordMessage) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"embed": discord.Embed.from_dict(rendered.embed)}
    view = feedback_view(rendered)
    if view is not None:
        kwargs["view"] = view
    return kwargs


def emad_command(service: BotService) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(name="emad", description=COMMAND_DESCRIPTION)
    @app_commands.describe(question=QUESTION_DESCRIPTION)
    async def emad(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        if getattr(interaction.client, "closing", False):
            return  # stopping: no new question
        payload = {
            "kind": "command", "text": question, "user": str(interaction.user.id),
            "guild": str(interaction.guild_id) if interaction.guild_id else None,
            "channel": str(interaction.channel_id), "application": str(interaction.application_id),
            "token": interaction.token,
        }  # fmt: skip
        ticket = await receive(service, f"interaction:{interaction.id}", payload)
        if ticket is None:
            return
        async with service.working():
            pending = asyncio.ensure_future(answer(service, payload))
            done, _ = await asyncio.wait({pending}, timeout=DEFER_AFTER_SECONDS)
            if done:
                rendered = reply_embed(pending.result())
                await interaction.response.send_message(
                    ephemeral=rendered.for_asker_only, **_send_kwargs(rendered)
                )
            else:
                await interaction.response.defer(thinking=True)
                rendered = reply_embed(await pending)
                await interaction.followup.send(ephemeral=rendered.for_asker_only, **_send_kwargs(rendered))
            await asyncio.to_thread(service.settle, ticket)

    return emad


class EmadClient(discord.Client):
    """A discord.py client answering `/emad`, mentions and DMs through one service."""

    def __init__(self, service: BotService) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none())
        self.service = service
        self.closing = False  # set on stop: new questions are not taken, those in flight finish
        self._replayed = False
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(emad_command(service))
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FeedbackButton)

    async def on_ready(self) -> None:
        if not self._replayed:
            self._replayed = True
            await self.answer_pending()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or self.closing:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and all(user.id != self.user.id for user in message.mentions):
            return  # not `mentioned_in`: it is also true for @everyone
        payload = {
            "kind": "message", "text": question_from_message(message.content),
            "user": str(message.author.id), "guild": str(message.guild.id) if message.guild else None,
            "channel": str(message.channel.id), "message": str(message.id),
        }  # fmt: skip
        ticket = await receive(self.service, f"message:{message.id}", payload)
        if ticket is not None:
            await self._answer_message(payload, ticket)

    async def _answer_message(self, payload: dict[str, Any], ticket: int) -> None:
        async with self.service.working():
            reply = await answer(self.service, payload)
            channel = self.get_partial_messageable(int(payload["channel"]))
            asked = channel.get_partial_message(int(payload["message"]))
            try:
                await asked.reply(mention_author=False, **_send_kwargs(reply_embed(reply)))
            except discord.HTTPException:
                log.exception("Réponse Discord non livrée (question %s) : réessayée au redémarrage", ticket)
                return
            await asyncio.to_thread(self.service.settle, ticket)

    async def answer_pending(self) -> None:
        """At start: answer what a stop or a crash left unanswered, within Discord's
        windows (a message within a day, unless our reply to it is already there; a
        command within its 15-minute token), and mark the rest expired."""
        pending = await asyncio.to_thread(self.service.pending, "discord")
        answered = expired = 0
        for ticket, received_at, payload in pending:
            age = time.time() - received_at
            if payload["kind"] == "message" and age < MESSAGE_WINDOW_SECONDS:
                if await self._already_replied(payload):
                    await asyncio.to_thread(self.service.settle, ticket)
                    continue
                await self._answer_message(payload, ticket)
                answered += 1
            elif (
                payload["kind"] == "command"
                and age < INTERACTION_WINDOW_SECONDS
                and await self._follow_up(payload)
            ):
                await asyncio.to_thread(self.service.settle, ticket)
                answered += 1
            else:
                await asyncio.to_thread(self.service.settle, ticket, "expired")
                expired += 1
        if pending:
            log.info("Discord : %d question(s) en attente répondue(s), %d expirée(s)", answered, expired)

    async def _already_replied(self, payload: dict[str, Any]) -> bool:
        assert self.user is not None
        try:
            after: list[dict[str, Any]] = await self.http.logs_from(  # type: ignore[assignment]
                int(payload["channel"]), 100, after=int(payload["message"])
            )
        except discord.HTTPException as error:
            log.warning("Discord : impossible de vérifier la réponse à %s (%s) ; elle est envoyée",
                        payload["message"], error)  # fmt: skip
            return False
        return any(
            str(m.get("author", {}).get("id")) == str(self.user.id)
            and str((m.get("message_reference") or {}).get("message_id")) == payload["message"]
            for m in after
        )

    async def _follow_up(self, payload: dict[str, Any]) -> bool:
        """A command acknowledged (deferred) before the stop: its answer as a follow-up."""
        webhook = discord.Webhook.partial(int(payload["application"]), str(payload["token"]), client=self)
        async with self.service.working():
            rendered = reply_embed(await answer(self.service, payload))
            try:
                await webhook.send(ephemeral=rendered.for_asker_only, **_send_kwargs(rendered))
            except discord.HTTPException as error:
                log.warning("Discord : la commande en attente n'a pu être répondue (%s)", error)
                return False
        return True

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("Erreur de la commande /emad", exc_info=error)
        if not interaction.response.is_done():
            await interaction.response.send_message(messages.ERROR, ephemeral=True)
