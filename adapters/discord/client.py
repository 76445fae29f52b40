"""Discord's glue layer: the client, the `/emad` command, the message listener and the
👍 / 👎 buttons. No answer logic lives here.

The client sends `AllowedMentions.none()` and asks for three intents only (guilds,
guild messages, DMs): Discord delivers the content of messages that mention the
bot (a reply to the bot pings it by default) and of DMs without the privileged
message-content intent, which `DISCORD_MESSAGE_CONTENT` adds for ask channels and
threads. A mention of the bot's managed role counts as a mention.

Quiet in public: in a server channel only answers (confident or hedged) are
posted; a mention that gets nothing, a cooldown or an error gets a reaction on the
question (🤷, ⏳, ⚠️), and help, sources or small talk go to the asker's DMs (📬).
`/emad` keeps private what is private on its slow path too: it defers privately,
and posts a public answer as a message of the channel.

Feedback buttons are `DynamicItem`s whose `custom_id` carries the question id, so
they keep working after a restart. Each question is received into the inbox
before it is answered and settled once its reply is sent; at the next start
(`on_ready`), `adapters.discord.pending` answers what a stop or a crash left behind.
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
from bot.models import Query, Reply, ReplyKind
from bot.service.bot_service import BotService

log = logging.getLogger(__name__)

PLATFORM = "Discord"  # its name in emad-bot run and /healthz
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


FEEDBACK_LABELS = {"up": "👍 Utile", "down": "👎 Pas utile"}
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,  # to reply to the message that asked
    add_reactions=True,  # 🤷 ⏳ ⚠️ 📬 instead of a public notice
    create_public_threads=True,  # ask channels: a thread under each question
)


MESSAGE_WINDOW_SECONDS = 24 * 3600  # a pending message older than this is not answered any more
INTERACTION_WINDOW_SECONDS = 15 * 60  # Discord keeps an interaction's token this long


REACTIONS = {
    ReplyKind.NOT_FOUND: "🤷",
    ReplyKind.COOLDOWN: "⏳",
    ReplyKind.ERROR: "⚠️",
    ReplyKind.HELP: "📬",
    ReplyKind.SOURCES: "📬",
    ReplyKind.SMALL_TALK: "📬",
    ReplyKind.TIMELINE: "📬",
    ReplyKind.PASSAGE: "📬",
}
SENT_TO_DMS = frozenset(
    {ReplyKind.HELP, ReplyKind.SOURCES, ReplyKind.SMALL_TALK, ReplyKind.TIMELINE, ReplyKind.PASSAGE}
)
THREAD_NAME_CHARS = 90


def intents(message_content: bool = False) -> discord.Intents:
    """Only what the bot uses: guilds, messages in them, DMs (and content when asked)."""
    chosen = discord.Intents.none()
    chosen.guilds = chosen.guild_messages = chosen.dm_messages = True
    chosen.message_content = message_content
    return chosen


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
        if recorded and self.vote == "down":  # why? (only the clicker sees it)
            view = discord.ui.View(timeout=None)
            for reason in messages.DISLIKE_REASONS:
                view.add_item(ReasonButton(self.question_id, reason))
            await interaction.response.send_message(messages.DISLIKE_ASK, view=view, ephemeral=True)
            return
        text = messages.FEEDBACK_THANKS if recorded else messages.FEEDBACK_LOST
        await interaction.response.send_message(text, ephemeral=True)


REASON_ID = r"emad:raison:(?P<question>\d+):(?P<reason>\w+)"


class ReasonButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=REASON_ID):  # type: ignore[call-arg]
    """Why a 👎: hors sujet, incomplet, mauvaise source, autre."""

    def __init__(self, question_id: int, reason: str) -> None:
        label = messages.DISLIKE_REASONS.get(reason, reason)
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                              custom_id=f"emad:raison:{question_id}:{reason}")
        )  # fmt: skip
        self.question_id, self.reason = question_id, reason

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReasonButton:
        return cls(int(match["question"]), match["reason"])

    async def callback(self, interaction: discord.Interaction) -> None:
        service = getattr(interaction.client, "service", None)
        recorded = isinstance(service, BotService) and await asyncio.to_thread(
            service.record_reason, self.question_id, "discord", str(interaction.user.id), self.reason
        )
        text = messages.FEEDBACK_THANKS if recorded else messages.FEEDBACK_LOST
        await interaction.response.send_message(text, ephemeral=True)


PASSAGE_ID = r"emad:passage:(?P<passage>.+)"
CUSTOM_ID_CHARS = 100  # Discord's limit


class PassageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PASSAGE_ID):  # type: ignore[call-arg]
    """« Voir le passage » under a citation: the whole passage, to the clicker alone."""

    def __init__(self, passage_id: str, number: int = 0) -> None:
        label = f"📄 Voir le passage {number}" if number else "📄 Voir le passage"
        custom_id = f"emad:passage:{passage_id}"
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id, row=1)
        )
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PassageButton:
        return cls(match["passage"])

    async def callback(self, interaction: discord.Interaction) -> None:
        service = getattr(interaction.client, "service", None)
        if not isinstance(service, BotService):
            await interaction.response.send_message(messages.FEEDBACK_LOST, ephemeral=True)
            return
        rendered = reply_embed(await asyncio.to_thread(service.passage, self.passage_id))
        await interaction.response.send_message(ephemeral=True, **_send_kwargs(rendered))


def feedback_view(rendered: DiscordMessage) -> discord.ui.View | None:
    """👍 / 👎, and a « Voir le passage » per citation (a second row)."""
    if rendered.feedback_for is None:
        return None
    view = discord.ui.View(timeout=None)
    for vote in FEEDBACK_LABELS:
        view.add_item(FeedbackButton(rendered.feedback_for, vote))
    for number, passage_id in enumerate(rendered.passages, start=1):
        if len(f"emad:passage:{passage_id}") <= CUSTOM_ID_CHARS:
            view.add_item(PassageButton(passage_id, number))
    return view


def _send_kwargs(rendered: DiscordMessage) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"embed": discord.Embed.from_dict(rendered.embed)}
    view = feedback_view(rendered)
    if view is not None:
        kwargs["view"] = view
    return kwargs


def emad_command(service: BotService) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(name="emad", description=app_commands.locale_str(COMMAND_DESCRIPTION))
    @app_commands.describe(question=app_commands.locale_str(QUESTION_DESCRIPTION))
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
                await _answer_after_defer(interaction, pending)
            await asyncio.to_thread(service.settle, ticket)

    @emad.autocomplete("question")
    async def examples(interaction: discord.Interaction, typed: str) -> list[app_commands.Choice[str]]:
        """Example questions as the member types: those holding what is typed, else all."""
        wanted = typed.casefold().strip()
        offered = [q for q in messages.EXAMPLE_QUESTIONS if wanted in q.casefold()] or list(
            messages.EXAMPLE_QUESTIONS
        )
        return [app_commands.Choice(name=q[:100], value=q) for q in offered[:AUTOCOMPLETE_CHOICES]]

    return emad


async def _answer_after_defer(interaction: discord.Interaction, pending: asyncio.Future[Reply]) -> None:
    """The slow path. The first follow-up takes the defer's visibility, so the defer is
    private: a private reply follows it; a public answer is posted in the channel and
    the private "réfléchit…" is removed."""
    await interaction.response.defer(thinking=True, ephemeral=True)
    try:
        rendered = reply_embed(await pending)
    except Exception:
        log.exception("Erreur de la commande /emad après l'attente")
        await interaction.followup.send(messages.ERROR, ephemeral=True)
        return
    channel: Any = interaction.channel
    if channel is None and interaction.channel_id is not None:
        channel = interaction.client.get_partial_messageable(interaction.channel_id)
    if rendered.for_asker_only or not isinstance(channel, discord.abc.Messageable):
        await interaction.followup.send(ephemeral=True, **_send_kwargs(rendered))
        return
    await channel.send(**_send_kwargs(rendered))
    await interaction.delete_original_response()


class EmadClient(discord.Client):
    """A discord.py client answering `/emad`, mentions, DMs, ask channels and the bot's
    threads through one service."""

    def __init__(
        self,
        service: BotService,
        *,
        message_content: bool = False,
        ask_channels: frozenset[int] = frozenset(),
    ) -> None:
        super().__init__(intents=intents(message_content), allowed_mentions=discord.AllowedMentions.none())
        self.service = service
        self.closing = False  # set on stop: new questions are not taken, those in flight finish
        self._replayed = False
        self._reads_all = message_content
        self._ask_channels = ask_channels
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(emad_command(service))
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FeedbackButton, ReasonButton, PassageButton)
        await self.tree.set_translator(FrenchFirst())

    async def on_connect(self) -> None:
        self.service.health.set_connected(PLATFORM, True)

    async def on_resumed(self) -> None:
        self.service.health.set_connected(PLATFORM, True)

    async def on_disconnect(self) -> None:
        self.service.health.set_connected(PLATFORM, False)

    async def on_ready(self) -> None:
        self.service.health.set_connected(PLATFORM, True)
        if not self._replayed:
            self._replayed = True
            from adapters.discord.pending import answer_pending

            await answer_pending(self)

    def _is_for_us(self, message: discord.Message) -> bool:
        assert self.user is not None
        if isinstance(message.channel, discord.DMChannel):
            return True
        if any(user.id == self.user.id for user in message.mentions):  # not `mentioned_in`: @everyone
            return True
        if message.guild is not None and any(
            role.tags is not None and role.tags.bot_id == self.user.id for role in message.role_mentions
        ):
            return True  # the bot's managed role
        if not self._reads_all:
            return False
        channel = message.channel
        if isinstance(channel, discord.Thread):
            forum_post = channel.parent_id in self._ask_channels and message.id == channel.id
            return forum_post or channel.owner_id == self.user.id  # a forum post, or our thread
        return channel.id in self._ask_channels

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or self.closing or not self._is_for_us(message):
            return
        payload = {
            "kind": "message", "text": question_from_message(message.content),
            "user": str(message.author.id), "guild": str(message.guild.id) if message.guild else None,
            "channel": str(message.channel.id), "message": str(message.id),
            "thread": await self._conversation(message),
            "dm": isinstance(message.channel, discord.DMChannel),
        }  # fmt: skip
        if message.channel.id in self._ask_channels and not isinstance(message.channel, discord.Thread):
            name = str(payload["text"])[:THREAD_NAME_CHARS] or "Question"
            thread = await message.create_thread(name=name, auto_archive_duration=1440)
            payload |= {"reply_in": str(thread.id), "channel": str(thread.id), "thread": str(thread.id)}
        ticket = await receive(self.service, f"message:{message.id}", payload)
        if ticket is not None:
            await self.answer_message(payload, ticket)

    async def _conversation(self, message: discord.Message) -> str:
        """The conversation a message belongs to: its thread, or the first question of the
        reply chain it continues (a reply to one of our answers), or itself."""
        if isinstance(message.channel, discord.Thread):
            return str(message.channel.id)
        reference = message.reference
        ours = reference.resolved if reference else None
        if (
            isinstance(ours, discord.Message)
            and self.user
            and ours.author.id == self.user.id
            and ours.reference
        ):
            earlier = await asyncio.to_thread(
                self.service.received, "discord", f"message:{ours.reference.message_id}"
            )
            return str((earlier or {}).get("thread") or ours.reference.message_id)
        return str(message.id)

    async def answer_message(self, payload: dict[str, Any], ticket: int) -> None:
        """Answer a received message where it was asked; settled once sent."""
        async with self.service.working():
            reply = await answer(self.service, payload)
            try:
                await self._deliver(payload, reply)
            except discord.HTTPException:
                log.exception("Réponse Discord non livrée (question %s) : réessayée au redémarrage", ticket)
                return
            await asyncio.to_thread(self.service.settle, ticket)

    async def _deliver(self, payload: dict[str, Any], reply: Reply) -> None:
        rendered = reply_embed(reply)
        if payload.get("reply_in"):
            thread = self.get_partial_messageable(int(payload["reply_in"]))
            await thread.send(**_send_kwargs(rendered))
            return
        channel = self.get_partial_messageable(int(payload["channel"]))
        asked = channel.get_partial_message(int(payload["message"]))
        if reply.kind.cites or payload.get("dm"):  # an answer, or anything in a DM
            await asked.reply(mention_author=False, **_send_kwargs(rendered))
            return
        if reply.kind in SENT_TO_DMS:
            try:
                user = await self.fetch_user(int(payload["user"]))
                await user.send(**_send_kwargs(rendered))
            except discord.HTTPException:
                log.info("Discord : DM refusé par %s ; réaction seulement", payload["user"])
        await asked.add_reaction(REACTIONS[reply.kind])

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("Erreur de la commande /emad", exc_info=error)
        if interaction.response.is_done():
            await interaction.followup.send(messages.ERROR, ephemeral=True)
        else:
            await interaction.response.send_message(messages.ERROR, ephemeral=True)
