"""« Partager dans le salon » under a private `/emad` answer: a click posts the same
answer publicly in its channel, headed « partagé par NAME » (a name, never a mention),
once, within the interaction's 15 minutes, and only where the channel lists allow."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from adapters.discord.asking import service_of
from adapters.discord.buttons import send_kwargs
from adapters.discord.community import community_of, places
from adapters.discord.translate import escape, reply_embed
from bot.answer import messages
from bot.models import Reply
from bot.service.bot_service import BotService

log = logging.getLogger(__name__)
SHARE_WINDOW_SECONDS = 15 * 60  # an interaction's token, and so its private reply, lasts this long


def with_share_button(
    service: BotService, kwargs: dict[str, Any], reply: Reply, channel: str
) -> dict[str, Any]:
    """A private answer's message with « Partager dans le salon » under it."""
    view = kwargs.get("view") or discord.ui.View(timeout=None)
    view.add_item(ShareButton(service.shared.offer(reply, channel)))
    return kwargs | {"view": view}


SHARE_ID = r"emad:partage:(?P<token>[\w-]+)"


class ShareButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=SHARE_ID):  # type: ignore[call-arg]
    """« Partager dans le salon » under a private answer: posts it publicly, once."""

    def __init__(self, token: str) -> None:
        super().__init__(
            discord.ui.Button(label=messages.SHARE_BUTTON, style=discord.ButtonStyle.primary, row=3,
                              custom_id=f"emad:partage:{token}")
        )  # fmt: skip
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ShareButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # the post may take > 3 s
        await interaction.followup.send(await self._share(interaction), ephemeral=True)

    async def _share(self, interaction: discord.Interaction) -> str:
        service, community = service_of(interaction.client), community_of(interaction.client)
        if service is None:
            return messages.SHARE_EXPIRED
        offer = service.shared.take(self.token, SHARE_WINDOW_SECONDS)
        if isinstance(offer, str):
            return offer
        if not community.rules.may_post_in(offer.channel, *places(interaction.channel)):
            return messages.SHARE_NOT_HERE
        header = escape(messages.SHARED_BY.format(name=interaction.user.display_name))
        try:
            channel = interaction.client.get_partial_messageable(int(offer.channel))
            await channel.send(header, allowed_mentions=discord.AllowedMentions.none(),
                               **send_kwargs(reply_embed(offer.reply)))  # fmt: skip
        except (discord.Forbidden, discord.NotFound) as error:
            log.warning("Discord : partage refusé dans %s (%s)", offer.channel, error)
            service.shared.give_back(self.token, offer)  # refused: nothing was posted
            return messages.SHARE_FAILED
        except Exception as error:  # a 5xx, a lost connection: it may be posted, never twice
            log.warning("Discord : partage incertain dans %s (%s)", offer.channel, error)
            return messages.SHARE_UNSURE
        return messages.SHARED
