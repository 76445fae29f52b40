"""`/emad question:<texte>`: French texts (English for English clients), example
questions as autocomplete, and an answer that keeps private what is private on the
slow path too."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord import adding
from adapters.discord.asking import answer, query_of, receive
from adapters.discord.buttons import send_kwargs
from adapters.discord.community import community_of, hand_off, places
from adapters.discord.sharing import with_share_button
from adapters.discord.translate import reply_embed
from bot.answer import messages
from bot.extras import installed
from bot.models import Reply, ReplyKind
from bot.service.article_intake import requested_url
from bot.service.bot_service import BotService

log = logging.getLogger(__name__)
PICTURE_NAME = "chronologie.png"

DEFER_AFTER_SECONDS = 2.0  # Discord allows 3 s to answer an interaction
COMMAND_DESCRIPTION = "Poser une question sur la saga Emad Mostaque / Stability AI"
QUESTION_DESCRIPTION = "Votre question, « aide » ou « sources »"
# Shown to members whose Discord is not in French (the bot still answers in French).
ENGLISH = {
    COMMAND_DESCRIPTION: "Ask about the Emad Mostaque / Stability AI saga (answers in French)",
    QUESTION_DESCRIPTION: "Your question, « aide » (help) or « sources »",
    "question": "question",
}
AUTOCOMPLETE_CHOICES = 25  # Discord's limit


class FrenchFirst(app_commands.Translator):
    """The command's texts are French; members with Discord in English see them in English."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale in (discord.Locale.american_english, discord.Locale.british_english):
            return ENGLISH.get(string.message)
        return None


def emad_command(service: BotService) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(name="emad", description=app_commands.locale_str(COMMAND_DESCRIPTION))
    @app_commands.describe(question=app_commands.locale_str(QUESTION_DESCRIPTION))
    async def emad(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        if getattr(interaction.client, "closing", False):
            return  # stopping: no new question
        url = requested_url(question)
        if url is not None:
            await adding.propose(interaction, service, url)  # a maintainer's, not a question
            return
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
            pending = asyncio.ensure_future(_answer_with_picture(service, payload))
            done, _ = await asyncio.wait({pending}, timeout=DEFER_AFTER_SECONDS)
            reply: Reply | None
            if done:
                reply, picture = pending.result()
                private, shown = _shown(service, interaction, reply, picture)
                await interaction.response.send_message(ephemeral=private, **shown)
            else:
                reply = await _answer_after_defer(service, interaction, pending)
            await asyncio.to_thread(service.settle, ticket)
            community = community_of(interaction.client)
            if reply is not None and community.maintainers_channel is not None:
                notice = await asyncio.to_thread(service.hand_off.for_refusal, query_of(payload), reply)
                await hand_off(interaction.client, community, notice)

    @emad.autocomplete("question")
    async def examples(interaction: discord.Interaction, typed: str) -> list[app_commands.Choice[str]]:
        """Example questions as the member types: those holding what is typed, else all."""
        wanted = typed.casefold().strip()
        offered = [q for q in messages.EXAMPLE_QUESTIONS if wanted in q.casefold()] or list(
            messages.EXAMPLE_QUESTIONS
        )
        return [app_commands.Choice(name=q[:100], value=q) for q in offered[:AUTOCOMPLETE_CHOICES]]

    return emad


async def _answer_with_picture(service: BotService, payload: dict[str, Any]) -> tuple[Reply, bytes | None]:
    """The reply, and for a timeline its picture (drawn off the event loop)."""
    reply = await answer(service, payload)
    if reply.kind is not ReplyKind.TIMELINE or not reply.timeline or not installed("matplotlib"):
        return reply, None  # without the `picture` extra, the timeline is sent as a list
    from bot.answer.timeline_picture import timeline_png

    try:
        return reply, await asyncio.to_thread(timeline_png, reply.timeline)
    except Exception:
        log.exception("Image de la chronologie non dessinée ; la liste part seule")
        return reply, None


def with_picture(kwargs: dict[str, Any], picture: bytes | None) -> dict[str, Any]:
    """The message with the timeline's picture attached and shown in its embed."""
    if picture is None:
        return kwargs
    kwargs["embed"].set_image(url=f"attachment://{PICTURE_NAME}")
    return kwargs | {"file": discord.File(io.BytesIO(picture), filename=PICTURE_NAME)}


def _shown(
    service: BotService, interaction: discord.Interaction, reply: Reply, picture: bytes | None
) -> tuple[bool, dict[str, Any]]:
    """Whether the reply is for the asker alone, and the message: private where the
    settings or the channel lists say so; a private answer in a server channel that
    allows public posts gets « Partager dans le salon »."""
    community, rendered = community_of(interaction.client), reply_embed(reply)
    in_server, channel = interaction.guild_id is not None, str(interaction.channel_id)
    here = in_server and not community.rules.may_post_in(channel, *places(interaction.channel))
    private = rendered.for_asker_only or here or community.answers_for_asker_only
    shown = with_picture(send_kwargs(rendered), picture)
    if here:
        shown["content"] = messages.ANSWERED_PRIVATELY_HERE
    elif private and reply.kind.cites and in_server:
        shown = with_share_button(service, shown, reply, channel)
    return private, shown


async def _answer_after_defer(
    service: BotService,
    interaction: discord.Interaction,
    pending: asyncio.Future[tuple[Reply, bytes | None]],
) -> Reply | None:
    """The slow path. The first follow-up takes the defer's visibility, so the defer is
    private: a private reply follows it; a public answer is posted in the channel and
    the private "réfléchit…" is removed."""
    await interaction.response.defer(thinking=True, ephemeral=True)
    try:
        reply, picture = await pending
        private, shown = _shown(service, interaction, reply, picture)
    except Exception:
        log.exception("Erreur de la commande /emad après l'attente")
        await interaction.followup.send(messages.ERROR, ephemeral=True)
        return None
    channel: Any = interaction.channel
    if channel is None and interaction.channel_id is not None:
        channel = interaction.client.get_partial_messageable(interaction.channel_id)
    if private or not isinstance(channel, discord.abc.Messageable):
        await interaction.followup.send(ephemeral=True, **shown)
        return reply
    await channel.send(**shown)
    await interaction.delete_original_response()
    return reply
