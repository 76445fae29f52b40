"""Slack's part of fitting the community: the private notice where the bot does not
post, the hand-off to the maintainers' channel, « Partager dans le salon », and the
scopes a configured feature lacks. Nothing here pings anyone: questions are escaped,
channels are shown as `<#C…>` links, the sharer by name, never as `<@U…>`."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.settings import SlackSettings
from adapters.slack.translate import escape, reply_message, shared_message
from bot.answer import messages
from bot.service.bot_service import BotService
from bot.service.community import HandOffNotice

log = logging.getLogger(__name__)
SHARE_WINDOW_SECONDS = 30 * 60  # a private answer's response_url, and its button, last this long
HISTORY_SCOPES = {"channels:history", "groups:history"}


def in_dm(channel: object) -> bool:
    """Whether a Slack conversation id is a DM (D…), where the channel lists do not apply."""
    return str(channel or "").startswith("D")


def channel_link(channel: str) -> str:
    return f"<#{channel}>"


async def tell_where_answered(
    client: AsyncWebClient, settings: SlackSettings, payload: dict[str, Any]
) -> None:
    """A mention where the bot does not post: the asker alone is told where it answers."""
    try:
        await client.chat_postEphemeral(
            channel=payload["channel"], user=payload["user"], thread_ts=payload.get("thread_ts"),
            text=settings.channel_rules.where_answered("ici", channel_link),
        )  # fmt: skip
    except SlackApiError as error:
        log.info("Slack : avis privé non envoyé dans %s (%s)",
                 payload.get("channel"), error.response.get("error"))  # fmt: skip


async def hand_off(client: AsyncWebClient, settings: SlackSettings, notice: HandOffNotice | None) -> None:
    """Post `notice` in the maintainers' channel, with where it was asked. A failure is
    logged and affects nothing else."""
    if notice is None or not settings.maintainers_channel:
        return  # (callers ask for a notice only when the channel is set: no day's slot is used)
    try:
        where = await _place(client, notice)
        await client.chat_postMessage(
            channel=settings.maintainers_channel.strip(),
            text=f"{escape(notice.text)}\n{messages.HAND_OFF_WHERE.format(where=where)}",
            unfurl_links=False, unfurl_media=False,
        )  # fmt: skip
    except Exception as error:  # the answer is given already; the hand-off is a courtesy
        log.warning("Slack : annonce aux mainteneurs non envoyée (%s)", error)


async def _place(client: AsyncWebClient, notice: HandOffNotice) -> str:
    if not notice.channel or in_dm(notice.channel):
        return messages.HAND_OFF_IN_DM
    if notice.thread:
        try:
            found = await client.chat_getPermalink(channel=notice.channel, message_ts=notice.thread)
            if found.get("permalink"):  # Slack links do not nest: the channel, then the link
                return f"dans {channel_link(notice.channel)} (<{found['permalink']}|voir le message>)"
        except SlackApiError:
            pass
    return f"dans {channel_link(notice.channel)}"


async def share(
    service: BotService, client: AsyncWebClient, settings: SlackSettings, body: dict[str, Any], token: str
) -> str:
    """« Partager dans le salon » clicked: post the offered answer publicly, headed by
    the sharer's name; the French notice for the clicker."""
    offer = service.shared.take(token, SHARE_WINDOW_SECONDS)
    if isinstance(offer, str):
        return offer
    if not settings.channel_rules.may_post_in(offer.channel):
        return messages.SHARE_NOT_HERE
    user = body.get("user", {})
    name = str(user.get("name") or user.get("username") or "quelqu'un")
    shown = shared_message(reply_message(offer.reply), name)
    try:
        await client.chat_postMessage(
            channel=offer.channel, thread_ts=offer.thread, blocks=shown.blocks, text=shown.text,
            unfurl_links=False, unfurl_media=False,
        )  # fmt: skip
    except SlackApiError as error:
        if error.response.status_code >= 500:
            log.warning("Slack : partage incertain dans %s (%s)", offer.channel, error)
            return messages.SHARE_UNSURE  # it may be posted: never twice
        log.warning("Slack : partage refusé dans %s (%s)", offer.channel, error.response.get("error"))
        service.shared.give_back(token, offer)  # refused: nothing was posted
        return messages.SHARE_FAILED
    except Exception as error:  # a lost connection, a timeout: it may be posted
        log.warning("Slack : partage incertain dans %s (%s)", offer.channel, error)
        return messages.SHARE_UNSURE
    return messages.SHARED


async def name_missing_scopes(client: AsyncWebClient, settings: SlackSettings) -> None:
    """At start: log once each configured feature the token's scopes do not allow
    (the minimal manifest leaves them out)."""
    try:
        found = await client.auth_test()
    except Exception as error:
        log.warning("Slack : auth.test a échoué (%s) ; permissions non vérifiées", error)
        return
    granted = {s.strip() for s in str(found.headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
    if not granted:
        return  # Slack did not say
    if settings.ask_channel_ids and not granted & HISTORY_SCOPES:
        log.warning(
            "Slack : SLACK_ASK_CHANNELS est configuré mais le jeton n'a ni channels:history ni "
            "groups:history ; ces salons resteront sans réponse. Installez le manifeste complet "
            "(emad-bot slack manifest --full)."
        )
    if not granted & HISTORY_SCOPES:
        log.info("Slack : manifeste minimal (sans channels:history) ; les suites sans mention dans les fils "
                 "ne sont pas reçues, seules les mentions le sont")  # fmt: skip
    if "mpim:history" not in granted:
        log.info("Slack : sans mpim:history, les messages de groupe sans mention ne sont pas reçus")
