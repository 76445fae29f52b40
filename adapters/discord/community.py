"""Discord's part of fitting the community: channel lists and the hand-off to the
maintainers' channel. Nothing here pings anyone: the client sends
`AllowedMentions.none()`, questions are escaped, and channels are shown as `<#id>`
links."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.translate import escape
from bot.answer import messages
from bot.service.community import ChannelRules, HandOffNotice

log = logging.getLogger(__name__)
JUMP_URL = "https://discord.com/channels/{guild}/{channel}/{message}"  # a message's link


@dataclass(frozen=True)
class Community:
    """The `DISCORD_*` choices of a server's admins."""

    rules: ChannelRules = field(default_factory=ChannelRules)
    maintainers_channel: int | None = None
    answers_for_asker_only: bool = False


def community_of(client: discord.Client) -> Community:
    """The community settings of the client that got an interaction (defaults if none)."""
    found = getattr(client, "community", None)
    return found if isinstance(found, Community) else Community()


def places(channel: Any) -> tuple[str, ...]:
    """A channel's id, and its parent's for a thread (a thread counts as its channel)."""
    parent = getattr(channel, "parent_id", None)
    return (str(getattr(channel, "id", "")), *([str(parent)] if parent else []))


def channel_link(channel: str) -> str:
    return f"<#{channel}>"


async def tell_where_answered(
    client: discord.Client, community: Community, user_id: int, channel: str
) -> None:
    """A mention in `channel`, where the bot does not post: the asker is told where it
    answers, in a DM; if their DMs are closed, nothing (never a public notice)."""
    try:
        user = await client.fetch_user(user_id)
        await user.send(community.rules.where_answered(f"dans {channel_link(channel)}", channel_link))
    except discord.HTTPException:
        log.info("Discord : avis privé non envoyé à %s (DM fermés)", user_id)


async def hand_off(client: discord.Client, community: Community, notice: HandOffNotice | None) -> None:
    """Post `notice` in the maintainers' channel, with where it was asked. A failure is
    logged and affects nothing else."""
    if notice is None or community.maintainers_channel is None:
        return  # (callers ask for a notice only when the channel is set: no day's slot is used)
    if not notice.team or not notice.channel:
        where = messages.HAND_OFF_IN_DM
    elif notice.thread and notice.thread != notice.channel:  # the conversation's first message
        link = JUMP_URL.format(guild=notice.team, channel=notice.channel, message=notice.thread)
        where = f"dans {channel_link(notice.channel)} : {link}"
    else:  # `/emad`, or a thread (its link is the channel's)
        where = f"dans {channel_link(notice.channel)}"
    try:
        channel = client.get_partial_messageable(community.maintainers_channel)
        await channel.send(
            f"{escape(notice.text)}\n{messages.HAND_OFF_WHERE.format(where=where)}",
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except Exception as error:  # the answer is given already; the hand-off is a courtesy
        log.warning("Discord : annonce aux mainteneurs non envoyée (%s)", error)
