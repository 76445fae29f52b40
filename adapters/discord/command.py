"""`emad-bot discord [sync|invite]`: registered through an entry point; imports
discord.py only when it runs."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from pydantic import ValidationError

from bot.cli import settings_error
from bot.engine import AnswerEngine

NO_TOKEN = (
    "Discord n'est pas configuré : réglez DISCORD_TOKEN (onglet Bot du portail développeur "
    "Discord). Voir le README."
)
NO_APPLICATION_ID = "Réglez DISCORD_APPLICATION_ID (onglet General Information) ou DISCORD_TOKEN."
SYNCED = "Commande /emad synchronisée {where} ({count} commande(s))."


def register(commands: Any) -> None:
    parser = commands.add_parser("discord", help="servir Discord ; sync, invite")
    parser.add_argument(
        "action", nargs="?", choices=("run", "sync", "invite"), default="run",
        help="run (défaut) : servir ; sync : publier /emad ; invite : lien d'invitation",
    )  # fmt: skip
    parser.add_argument("--guild", type=int, help="sync : sur ce serveur seulement (immédiat)")
    parser.set_defaults(handler=run)


def _settings() -> Any:
    from adapters.discord.settings import DiscordSettings

    try:
        return DiscordSettings()
    except ValidationError as error:
        sys.exit(settings_error(error))


def run(engine: AnswerEngine, args: argparse.Namespace) -> int:
    import discord

    from adapters.discord.client import PERMISSIONS, EmadClient

    settings = _settings()
    if args.action == "invite":
        application_id = settings.resolved_application_id()
        if application_id is None:
            sys.exit(NO_APPLICATION_ID)
        scopes = ("bot", "applications.commands")
        print(discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=scopes))
        return 0
    if settings.token is None:
        sys.exit(NO_TOKEN)
    token = settings.token.get_secret_value()
    client = EmadClient(engine)

    async def sync() -> None:
        async with client:
            await client.login(token)
            guild = discord.Object(args.guild) if args.guild else None
            if guild is not None:
                client.tree.copy_global_to(guild=guild)
            synced = await client.tree.sync(guild=guild)
            where = f"sur le serveur {args.guild}" if guild else "globalement (jusqu'à 1 h)"
            print(SYNCED.format(where=where, count=len(synced)))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        async with client:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(client.close()))
            await client.start(token)

    try:
        asyncio.run(sync() if args.action == "sync" else serve())
    except discord.LoginFailure:
        sys.exit("Connexion à Discord refusée : DISCORD_TOKEN est invalide ou révoqué.")
    return 0
