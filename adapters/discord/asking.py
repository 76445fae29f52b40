"""How Discord questions reach the core: a received payload → `Query` → `Reply`."""

from __future__ import annotations

from typing import Any

from bot.models import Query, Reply
from bot.service.bot_service import BotService


def query_of(payload: dict[str, Any]) -> Query:
    return Query(
        str(payload.get("text", "")),
        "discord",
        payload.get("user"),
        team=payload.get("guild"),
        channel=payload.get("channel"),
        thread=payload.get("thread"),
    )


def service_of(client: object) -> BotService | None:
    """The service of the client that got an interaction (a button click), if any."""
    found = getattr(client, "service", None)
    return found if isinstance(found, BotService) else None


async def answer(service: BotService, payload: dict[str, Any]) -> Reply:
    """The core's reply, computed off the event loop."""
    return await service.reply_to(query_of(payload))


async def receive(service: BotService, key: str, payload: dict[str, Any]) -> int | None:
    return await service.take_in("discord", key, payload)
