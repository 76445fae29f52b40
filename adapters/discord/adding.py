"""`/emad question:ajouter <lien>` on Discord, for members with the Manage Server permission.

The preview and its « Ajouter » / « Annuler » buttons are ephemeral (the maintainer
alone sees them); the fetch runs after a private defer, as it may take seconds. The
buttons carry the proposal's token; a click is checked again (the permission, and the
maintainer who proposed) before anything is written. A proposal lives in memory:
after a restart its buttons say it expired.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord

from adapters.discord.translate import escape
from bot.service import article_intake
from bot.service.article_intake import IntakeError, Proposal
from bot.service.bot_service import BotService

DECISION_ID = r"emad:ajout:(?P<choice>oui|non):(?P<token>[\w-]+)"
LABELS = {"oui": "Ajouter", "non": "Annuler"}


def refusal(service: Any, interaction: discord.Interaction) -> str | None:
    """Why this member may not add an article here, or None."""
    if not isinstance(service, BotService) or service.intake is None:
        return article_intake.NOT_ENABLED
    if interaction.guild_id is None or not interaction.permissions.manage_guild:
        return article_intake.NOT_A_MAINTAINER
    return None


class DecisionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=DECISION_ID):  # type: ignore[call-arg]
    """« Ajouter » or « Annuler » under a proposed article."""

    def __init__(self, token: str, choice: str) -> None:
        style = discord.ButtonStyle.success if choice == "oui" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(label=LABELS[choice], style=style, custom_id=f"emad:ajout:{choice}:{token}")
        )
        self.token, self.choice = token, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DecisionButton:
        return cls(match["token"], match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        service = getattr(interaction.client, "service", None)
        text = refusal(service, interaction)
        if text is not None or not isinstance(service, BotService) or service.intake is None:
            await interaction.response.send_message(text, ephemeral=True)
            return
        decide = service.intake.confirm if self.choice == "oui" else service.intake.cancel
        try:
            text = await asyncio.to_thread(decide, self.token, f"discord:{interaction.user.id}")
        except IntakeError as error:
            text = str(error)
        await interaction.response.edit_message(content=escape(text), embed=None, view=None)


def confirmation(proposal: Proposal) -> dict[str, Any]:
    """The ephemeral message: the preview in an embed, and the two buttons."""
    preview = "\n".join(escape(line) for line in proposal.preview.splitlines())
    view = discord.ui.View(timeout=None)
    for choice in LABELS:
        view.add_item(DecisionButton(proposal.token, choice))
    embed = discord.Embed(title=article_intake.ASK_CONFIRMATION, description=preview[:4000])
    return {"embed": embed, "view": view}


async def propose(interaction: discord.Interaction, service: BotService, url: str) -> None:
    """Answer an « ajouter » command: a refusal, or (after a private defer) the preview."""
    why = refusal(service, interaction) or (None if url else article_intake.USAGE)
    if why is not None or service.intake is None:
        await interaction.response.send_message(why, ephemeral=True)
        return
    await interaction.response.defer(thinking=True, ephemeral=True)
    try:
        proposal = await asyncio.to_thread(service.intake.propose, url, f"discord:{interaction.user.id}")
    except IntakeError as error:
        await interaction.followup.send(escape(str(error)), ephemeral=True)
        return
    await interaction.followup.send(ephemeral=True, **confirmation(proposal))
