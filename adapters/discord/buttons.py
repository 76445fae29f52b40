"""The buttons under an answer: 👍 / 👎 (a 👎 asks why), « Voir le passage », and under
the closest passages « C'est celui-ci » (which one answered: a label for `emad-bot learn`).

They are `DynamicItem`s whose `custom_id` carries what they act on (the question id,
the passage id), so they keep working after a restart; what they show is for the
clicker alone.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord

from adapters.discord.asking import service_of
from adapters.discord.community import community_of, hand_off
from adapters.discord.translate import DiscordMessage, reply_embed
from bot.answer import messages

FEEDBACK_LABELS = {"up": "👍 Utile", "down": "👎 Pas utile"}
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
        service = service_of(interaction.client)
        recorded = service is not None and await asyncio.to_thread(
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
        service = service_of(interaction.client)
        recorded = service is not None and await asyncio.to_thread(
            service.record_reason, self.question_id, "discord", str(interaction.user.id), self.reason
        )
        text = messages.FEEDBACK_THANKS if recorded else messages.FEEDBACK_LOST
        await interaction.response.send_message(text, ephemeral=True)
        community = community_of(interaction.client)
        if recorded and service is not None and community.maintainers_channel is not None:
            notice = await asyncio.to_thread(service.hand_off.for_dislike, self.question_id, self.reason)
            await hand_off(interaction.client, community, notice)


CHOICE_ID = r"emad:choix:(?P<question>\d+):(?P<position>\d+)"


class ChoiceButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CHOICE_ID):  # type: ignore[call-arg]
    """« C'est celui-ci » under a hedged answer: its citation `position` (from 0) answered."""

    def __init__(self, question_id: int, position: int) -> None:
        super().__init__(
            discord.ui.Button(label=messages.CHOOSE_BUTTON.format(number=position + 1),
                              style=discord.ButtonStyle.success, row=2,
                              custom_id=f"emad:choix:{question_id}:{position}")
        )  # fmt: skip
        self.question_id, self.position = question_id, position

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ChoiceButton:
        return cls(int(match["question"]), int(match["position"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        service = service_of(interaction.client)
        recorded = service is not None and await asyncio.to_thread(
            service.record_choice, self.question_id, "discord", str(interaction.user.id), self.position
        )
        text = messages.CHOICE_THANKS if recorded else messages.FEEDBACK_LOST
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
        service = service_of(interaction.client)
        if service is None:
            await interaction.response.send_message(messages.FEEDBACK_LOST, ephemeral=True)
            return
        rendered = reply_embed(await asyncio.to_thread(service.passage, self.passage_id))
        await interaction.response.send_message(ephemeral=True, **send_kwargs(rendered))


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
    if rendered.hedged:
        for position in range(len(rendered.passages)):
            view.add_item(ChoiceButton(rendered.feedback_for, position))
    return view


def send_kwargs(rendered: DiscordMessage) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"embed": discord.Embed.from_dict(rendered.embed)}
    view = feedback_view(rendered)
    if view is not None:
        kwargs["view"] = view
    return kwargs
