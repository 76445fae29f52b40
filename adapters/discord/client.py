"""Discord's glue layer: the client, the `/emad` command, the mention/DM listener and
the 👍 / 👎 buttons. No answer logic lives here.

The client sends `AllowedMentions.none()` and uses the default intents: Discord
delivers the content of messages that mention the bot and of DMs without the
privileged message-content intent. Feedback buttons are `DynamicItem`s whose
`custom_id` carries the question id, so they keep working after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re
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


async def answer(service: BotService, text: str, user: int) -> Reply:
    """The core's reply, computed off the event loop."""
    return await asyncio.to_thread(service.answer, Query(text, "discord", str(user)))


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
        pending = asyncio.ensure_future(answer(service, question, interaction.user.id))
        done, _ = await asyncio.wait({pending}, timeout=DEFER_AFTER_SECONDS)
        if done:
            rendered = reply_embed(pending.result())
            await interaction.response.send_message(
                ephemeral=rendered.for_asker_only, **_send_kwargs(rendered)
            )
            return
        await interaction.response.defer(thinking=True)
        rendered = reply_embed(await pending)
        await interaction.followup.send(ephemeral=rendered.for_asker_only, **_send_kwargs(rendered))

    return emad


class EmadClient(discord.Client):
    """A discord.py client answering `/emad`, mentions and DMs through one service."""

    def __init__(self, service: BotService) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none())
        self.service = service
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(emad_command(service))
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FeedbackButton)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and all(user.id != self.user.id for user in message.mentions):
            return  # not `mentioned_in`: it is also true for @everyone
        reply = await answer(self.service, question_from_message(message.content), message.author.id)
        await message.reply(mention_author=False, **_send_kwargs(reply_embed(reply)))

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("Erreur de la commande /emad", exc_info=error)
        if not interaction.response.is_done():
            await interaction.response.send_message(messages.ERROR, ephemeral=True)
