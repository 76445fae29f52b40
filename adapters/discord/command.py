"""`emad-bot discord [sync|invite]`, and Discord's part in `emad-bot run`; imports
discord.py only when it runs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from bot.answer.core import Core
from bot.extras import require
from bot.service.bot_service import BotService
from bot.service.platforms import Platform, PlatformNotConfigured, PlatformSettingsError
from bot.settings import settings_error

log = logging.getLogger(__name__)
HOW_TO_ENABLE = "Discord : DISCORD_TOKEN (onglet Bot du portail développeur Discord)"
NO_APPLICATION_ID = "Réglez DISCORD_APPLICATION_ID (onglet General Information) ou DISCORD_TOKEN."
SYNCED = "Commande /emad synchronisée {where} ({count} commande(s))."
CLEARED = "Commande /emad retirée {where} ({count} commande(s) restante(s))."
LOGIN_REFUSED = "Connexion à Discord refusée : DISCORD_TOKEN est invalide ou révoqué."


def _settings() -> Any:
    from adapters.discord.settings import DiscordSettings

    try:
        return DiscordSettings()
    except ValidationError as error:
        raise PlatformSettingsError(settings_error(error)) from None


class DiscordPlatform:
    name = "Discord"

    def __init__(self, service: BotService, settings: Any) -> None:
        self._service, self._settings = service, settings

    def client(self) -> Any:
        import discord
        import yarl

        from adapters.discord.client import EmadClient
        from adapters.discord.community import Community

        discord.http.Route.BASE = self._settings.api_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self._settings.gateway_url)
        if self._settings.ask_channels and not self._settings.message_content:
            log.warning(
                "DISCORD_ASK_CHANNELS demande DISCORD_MESSAGE_CONTENT=true : salons de questions ignorés"
            )
        return EmadClient(
            self._service,
            message_content=self._settings.message_content,
            ask_channels=self._settings.ask_channel_ids,
            community=Community(
                self._settings.channel_rules,
                self._settings.maintainers_channel_id,
                self._settings.answers_for_asker_only,
            ),
        )

    async def serve(self, stop: asyncio.Event) -> None:
        import discord

        client = self.client()
        async with client:
            running = asyncio.create_task(client.start(self._settings.token.get_secret_value()))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            client.closing = True  # no new question; finish those in flight, then disconnect
            await self._service.drain("Discord")
            await client.close()
            stopping.cancel()
            try:
                await running  # re-raises a failed connection
            except discord.LoginFailure:
                raise PlatformSettingsError(LOGIN_REFUSED) from None


class _NoAnswers:
    """`discord sync` registers /emad and answers nothing: it needs no corpus."""

    def answer(self, query: Any) -> Any:
        raise RuntimeError("discord sync ne répond à aucune question")


def platform(service: BotService) -> Platform:
    """Discord as configured by the `DISCORD_*` settings (entry point for `emad-bot run`)."""
    settings = _settings()
    if settings.token is None:
        raise PlatformNotConfigured(HOW_TO_ENABLE)
    require("discord", "discord", "Discord")
    return DiscordPlatform(service, settings)


def register(commands: Any) -> None:
    parser = commands.add_parser("discord", help="servir Discord seulement ; sync, invite")
    parser.add_argument(
        "action", nargs="?", choices=("run", "sync", "invite"), default="run",
        help="run (défaut) : servir ; sync : publier /emad ; invite : lien d'invitation",
    )  # fmt: skip
    parser.add_argument("--guild", type=int, help="sync : sur ce serveur seulement (immédiat)")
    parser.add_argument(
        "--clear", action="store_true",
        help="sync : retirer /emad (du serveur avec --guild, sinon partout), par exemple après "
        "une synchronisation globale qui le fait apparaître deux fois",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(load: Callable[[], Core], args: argparse.Namespace) -> int:
    require("discord", "discord", f"emad-bot discord {args.action}")
    if args.action == "run":
        from bot.bootstrap import serve

        return serve(load(), only="discord")
    import discord

    from adapters.discord.client import PERMISSIONS
    from adapters.discord.slash import FrenchFirst

    try:
        settings = _settings()
    except PlatformSettingsError as error:
        sys.exit(str(error))
    if args.action == "invite":
        application_id = settings.resolved_application_id()
        if application_id is None:
            sys.exit(NO_APPLICATION_ID)
        scopes = ("bot", "applications.commands")
        print(discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=scopes))
        return 0
    if settings.token is None:
        sys.exit(f"Discord n'est pas configuré : réglez {HOW_TO_ENABLE}. Voir le README.")
    client = DiscordPlatform(BotService(_NoAnswers()), settings).client()  # registers /emad

    async def sync() -> None:
        async with client:
            await client.login(settings.token.get_secret_value())
            await client.tree.set_translator(FrenchFirst())
            guild = discord.Object(args.guild) if args.guild else None
            if args.clear:
                client.tree.clear_commands(guild=guild)
            elif guild is not None:
                client.tree.copy_global_to(guild=guild)
            synced = await client.tree.sync(guild=guild)
            where = f"sur le serveur {args.guild}" if guild else "globalement (jusqu'à 1 h)"
            print((CLEARED if args.clear else SYNCED).format(where=where, count=len(synced)))

    try:
        asyncio.run(sync())
    except discord.LoginFailure:
        sys.exit(LOGIN_REFUSED)
    return 0
