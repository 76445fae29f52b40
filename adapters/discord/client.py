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

from adapters.discord.adding import DecisionButton
from adapters.discord.asking import answer, query_of, receive
from adapters.discord.buttons import ChoiceButton, FeedbackButton, PassageButton, ReasonButton, send_kwargs
from adapters.discord.community import Community, hand_off, places, tell_where_answered
from adapters.discord.sharing import ShareButton
from adapters.discord.slash import FrenchFirst, emad_command
from adapters.discord.translate import question_from_message, reply_embed
from bot.answer import messages
from bot.models import Reply, ReplyKind
from bot.service.bot_service import BotService

log = logging.getLogger(__name__)

PLATFORM = "Discord"  # its name in emad-bot run and /healthz
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,  # to reply to the message that asked
    add_reactions=True,  # 🤷 ⏳ ⚠️ 📬 instead of a public notice
    create_public_threads=True,  # ask channels: a thread under each question
)


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
HEARTBEAT_ACK = re.compile(r'^\{\s*"op"\s*:\s*11\b')  # the gateway's answer to a heartbeat


def intents(message_content: bool = False) -> discord.Intents:
    """Only what the bot uses: guilds, messages in them, DMs (and content when asked)."""
    chosen = discord.Intents.none()
    chosen.guilds = chosen.guild_messages = chosen.dm_messages = True
    chosen.message_content = message_content
    return chosen


class EmadClient(discord.Client):
    """A discord.py client answering `/emad`, mentions, DMs, ask channels and the bot's
    threads through one service."""

    def __init__(
        self,
        service: BotService,
        *,
        message_content: bool = False,
        ask_channels: frozenset[int] = frozenset(),
        community: Community | None = None,
    ) -> None:
        super().__init__(
            intents=intents(message_content), allowed_mentions=discord.AllowedMentions.none(),
            enable_debug_events=True,  # the gateway's raw frames: its heartbeat ACKs say it is alive
        )  # fmt: skip
        self.service = service
        self.closing = False  # set on stop: new questions are not taken, those in flight finish
        self._replayed = False
        self._reads_all = message_content
        self._ask_channels = ask_channels
        self.community = community or Community()
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(emad_command(service))
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.add_dynamic_items(
            FeedbackButton, ReasonButton, PassageButton, ChoiceButton, DecisionButton, ShareButton
        )
        await self.tree.set_translator(FrenchFirst())

    async def on_socket_raw_receive(self, message: str) -> None:
        if HEARTBEAT_ACK.search(message):
            self.service.health.heard(PLATFORM)

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

    def _mentions_us(self, message: discord.Message) -> bool:
        assert self.user is not None
        if any(user.id == self.user.id for user in message.mentions):  # not `mentioned_in`: @everyone
            return True
        return message.guild is not None and any(
            role.tags is not None and role.tags.bot_id == self.user.id for role in message.role_mentions
        )  # the bot's managed role

    def _is_for_us(self, message: discord.Message) -> bool:
        if isinstance(message.channel, discord.DMChannel) or self._mentions_us(message):
            return True
        if not self._reads_all or self.user is None:
            return False
        channel = message.channel
        if isinstance(channel, discord.Thread):
            forum_post = channel.parent_id in self._ask_channels and message.id == channel.id
            return forum_post or channel.owner_id == self.user.id  # a forum post, or our thread
        return channel.id in self._ask_channels

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or self.closing or not self._is_for_us(message):
            return
        dm = isinstance(message.channel, discord.DMChannel)
        where = () if dm else await self._places(message.channel)
        if not dm and not (where and self.community.rules.may_post_in(*where)):
            if self._mentions_us(message):  # the asker alone is told where the bot answers
                await tell_where_answered(self, self.community, message.author.id, str(message.channel.id))
            return  # ask channels and threads outside the lists stay quiet
        payload = {
            "kind": "message", "text": question_from_message(message.content),
            "user": str(message.author.id), "guild": _guild_id(message),
            "channel": str(message.channel.id), "message": str(message.id),
            "thread": await self._conversation(message),
            "dm": dm, "places": list(where),
        }  # fmt: skip
        if message.channel.id in self._ask_channels and not isinstance(message.channel, discord.Thread):
            name = str(payload["text"])[:THREAD_NAME_CHARS] or "Question"
            # Through the REST call itself: it needs no cached guild.
            made = await self.http.start_thread_with_message(
                message.channel.id, message.id, name=name, auto_archive_duration=1440
            )
            thread = str(made["id"])
            payload |= {"reply_in": thread, "channel": thread, "thread": thread}
        ticket = await receive(self.service, f"message:{message.id}", payload)
        if ticket is not None:
            await self.answer_message(payload, ticket)

    async def _places(self, channel: Any) -> tuple[str, ...]:
        """The ids the channel lists judge a post in `channel` by: itself, and its parent
        for a thread. A channel Discord's cache does not hold is looked up when the lists
        are set; () if that fails (then no public post)."""
        rules, known = self.community.rules, isinstance(channel, discord.Thread | discord.abc.GuildChannel)
        if known or not (rules.allowed or rules.denied):
            return places(channel)
        try:
            return places(await self.fetch_channel(channel.id))
        except Exception as error:  # not found, no access, an unknown kind of channel
            log.warning("Discord : salon %s inconnu (%s), pas de réponse publique", channel.id, error)
            return ()

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
            asked_in = payload.get("places") or [payload.get("channel")]
            if not payload.get("dm") and not self.community.rules.may_post_in(*asked_in):
                # Received before the channel lists changed (a restart): the asker is told where.
                await tell_where_answered(self, self.community, int(payload["user"]), str(payload["channel"]))
                await asyncio.to_thread(self.service.settle, ticket)
                return
            reply = await answer(self.service, payload)
            try:
                await self._deliver(payload, reply)
            except discord.HTTPException as error:
                log.error("Réponse Discord non livrée (question %s, salon %s) : %s",
                          reply.question_id or ticket, payload.get("channel"), error)  # fmt: skip
                if not await self._tell_privately(payload, reply):
                    return  # still pending: answered at the next start
            await asyncio.to_thread(self.service.settle, ticket)
            if self.community.maintainers_channel is not None:
                notice = await asyncio.to_thread(self.service.hand_off.for_refusal, query_of(payload), reply)
                await hand_off(self, self.community, notice)

    async def _tell_privately(self, payload: dict[str, Any], reply: Reply) -> bool:
        """The channel refused our reply (a missing permission…): the asker gets it in a DM."""
        try:
            user = await self.fetch_user(int(payload["user"]))
            await user.send(content=messages.CANNOT_POST_HERE, **send_kwargs(reply_embed(reply)))
        except (discord.HTTPException, KeyError, ValueError):
            return False
        return True

    async def _deliver(self, payload: dict[str, Any], reply: Reply) -> None:
        rendered = reply_embed(reply)
        if payload.get("reply_in"):
            thread = self.get_partial_messageable(int(payload["reply_in"]))
            await thread.send(**send_kwargs(rendered))
            return
        channel = self.get_partial_messageable(int(payload["channel"]))
        asked = channel.get_partial_message(int(payload["message"]))
        if reply.kind.cites or payload.get("dm"):  # an answer, or anything in a DM
            await asked.reply(mention_author=False, **send_kwargs(rendered))
            return
        if reply.kind in SENT_TO_DMS:
            try:
                user = await self.fetch_user(int(payload["user"]))
                await user.send(**send_kwargs(rendered))
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


def _guild_id(message: discord.Message) -> str | None:
    """The server a message was sent in (known from its channel when the server is not
    cached), or None in a DM."""
    found = message.guild.id if message.guild else getattr(message.channel, "guild_id", None)
    return str(found) if found else None
