"""`/emad ajouter <lien>` on Slack, for the users listed in `SLACK_MAINTAINERS`.

The preview and its « Ajouter » / « Annuler » buttons go to the maintainer alone
(ephemeral, through the command's response_url); a click is checked again (only a
maintainer, only the one who proposed) before anything is written.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.settings import SlackSettings
from adapters.slack.translate import escape
from bot.service import article_intake
from bot.service.article_intake import IntakeError, Proposal, requested_url
from bot.service.bot_service import BotService

CONFIRM_ACTION = "emad_ajout_oui"
CANCEL_ACTION = "emad_ajout_non"


def confirmation_blocks(proposal: Proposal) -> list[dict[str, Any]]:
    button = {"type": "button", "value": proposal.token}
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{article_intake.ASK_CONFIRMATION}*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(proposal.preview)[:2900]}},
        {"type": "actions", "elements": [
            button | {"action_id": CONFIRM_ACTION, "style": "primary",
                      "text": {"type": "plain_text", "text": "Ajouter"}},
            button | {"action_id": CANCEL_ACTION, "text": {"type": "plain_text", "text": "Annuler"}},
        ]},
    ]  # fmt: skip


def refusal(service: BotService, settings: SlackSettings, user: str) -> str | None:
    """Why this user may not add an article, or None."""
    if service.intake is None:
        return article_intake.NOT_ENABLED
    if user not in settings.maintainer_ids:
        return article_intake.NOT_A_MAINTAINER
    return None


async def propose(
    service: BotService, settings: SlackSettings, command: dict[str, Any], respond: Any
) -> None:
    """Answer an « ajouter » command: a refusal, or the preview with its buttons, privately."""
    user = str(command.get("user_id", ""))
    url = requested_url(str(command.get("text", ""))) or ""
    why = refusal(service, settings, user) or (None if url else article_intake.USAGE)
    if why is not None or service.intake is None:
        await respond(text=why, response_type="ephemeral")
        return
    try:
        proposal = await asyncio.to_thread(service.intake.propose, url, f"slack:{user}")
    except IntakeError as error:
        await respond(text=escape(str(error)), response_type="ephemeral")
        return
    await respond(blocks=confirmation_blocks(proposal), text=article_intake.ASK_CONFIRMATION,
                  response_type="ephemeral")  # fmt: skip


def register(app: AsyncApp, service: BotService, settings: SlackSettings) -> None:
    """The two buttons' listeners."""

    async def decide(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, confirm: bool
    ) -> None:
        await ack()
        user = str(body.get("user", {}).get("id", ""))
        text = refusal(service, settings, user)
        if text is None and service.intake is not None:
            decision = service.intake.confirm if confirm else service.intake.cancel
            try:
                text = await asyncio.to_thread(decision, str(action.get("value", "")), f"slack:{user}")
            except IntakeError as error:
                text = str(error)
        await respond(text=escape(text or ""), response_type="ephemeral", replace_original=True)

    @app.action(CONFIRM_ACTION)
    async def on_confirm(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await decide(ack, body, action, respond, confirm=True)

    @app.action(CANCEL_ACTION)
    async def on_cancel(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await decide(ack, body, action, respond, confirm=False)
