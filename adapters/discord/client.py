"""Discord's glue layer: the client, the `/emad` command and the mention/DM listener.

No answer logic lives here. The client sends `AllowedMentions.none()` and uses the
default intents: Discord delivers the content of messages that mention the bot
and of DMs without the privileged message-content intent.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from adapters.discord.translate import question_from_message, reply_embed
from bot import messages
from bot.engine import AnswerEngine
from bot.models import Query, Reply, ReplyKind

log = logging.getLogger(__name__)

DEFER_AFTER_SECONDS = 2.0  # Discord allows 3 s to answer an interaction
COMMAND_DESCRIPTION = "Poser une question sur la saga Emad Mostaque / Stability AI"
QUESTION_DESCRIPTION = "Votre question, « aide » ou « sources »"
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,  # to reply to the message that asked
)


async def answer(engine: AnswerEngine, text: str) -> Reply:
    """The core's reply, computed off the event loop; an exception becomes the error reply."""
    try:
        return await asyncio.to_thread(engine.answer, Query(text, platform="discord"))
    except Exception:
        log.exception("Échec de la réponse à une question Discord")
        return Reply(ReplyKind.ERROR, messages.ERROR)


def emad_command(engine: AnswerEngine) -> app_commands.Command[app_commands.Group, ..., None]:
    @app_commands.command(name="emad", description=COMMAND_DESCRIPTION)
    @app_commands.describe(question=QUESTION_DESCRIPTION)
    async def emad(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        pending = asyncio.ensure_future(answer(engine, question))
        done, _ = await asyncio.wait({pending}, timeout=DEFER_AFTER_SECONDS)
        if done:
            message = reply_embed(pending.result())
            await interaction.response.send_message(
                embed=discord.Embed.from_dict(message.embed), ephemeral=message.for_asker_only
            )
            return
        await interaction.response.defer(thinking=True)
        message = reply_embed(await pending)
        await interaction.followup.send(
            embed=discord.Embed.from_dict(message.embed), ephemeral=message.for_asker_only
        )

    return emad


class EmadClient(discord.Client):
    """A discord.py client answering `/emad`, mentions and DMs from one engine."""

    def __init__(self, engine: AnswerEngine) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none())
        self.engine = engine
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(emad_command(engine))
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and all(user.id != self.user.id for user in message.mentions):
            return  # not `mentioned_in`: it is also true for @everyone
        question = question_from_message(message.content)
        rendered = reply_embed(await answer(self.engine, question))
        await message.reply(embed=discord.Embed.from_dict(rendered.embed), mention_author=False)

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("Erreur de la commande /emad", exc_info=error)
        if not interaction.response.is_done():
            await interaction.response.send_message(messages.ERROR, ephemeral=True)
