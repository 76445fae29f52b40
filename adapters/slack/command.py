"""Slack's part in `emad-bot run`, and `emad-bot slack`; imports no SDK until it runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from bot.answer.core import Core
from bot.extras import require
from bot.service.bot_service import BotService
from bot.service.platforms import Platform, PlatformNotConfigured, PlatformSettingsError
from bot.settings import settings_error

HOW_TO_ENABLE = (
    "Slack : SLACK_BOT_TOKEN (xoxb-…) avec SLACK_APP_TOKEN (xapp-…, Socket Mode) "
    "ou avec SLACK_SIGNING_SECRET (mode HTTP)"
)


class SlackPlatform:
    name = "Slack"  # = adapters.slack.server.PLATFORM

    def __init__(self, service: BotService, settings: Any) -> None:
        self._service, self._settings = service, settings

    async def serve(self, stop: asyncio.Event) -> None:
        from adapters.slack.server import serve

        await serve(self._service, self._settings, stop)


def platform(service: BotService) -> Platform:
    """Slack as configured by the `SLACK_*` settings (entry point for `emad-bot run`)."""
    from adapters.slack.settings import SlackSettings

    try:
        settings = SlackSettings()
    except ValidationError as error:
        raise PlatformSettingsError(settings_error(error)) from None
    if settings.mode is None:
        raise PlatformNotConfigured(HOW_TO_ENABLE)
    require("slack_bolt", "slack", "Slack")
    return SlackPlatform(service, settings)


def register(commands: Any) -> None:
    parser = commands.add_parser("slack", help="servir Slack seulement ; manifest : le manifeste de l'app")
    parser.add_argument(
        "action", nargs="?", choices=("run", "manifest"), default="run",
        help="run (défaut) : servir ; manifest : afficher le manifeste de l'application Slack",
    )  # fmt: skip
    parser.add_argument(
        "--full", action="store_true",
        help="manifest : complet (salons de questions, suites sans mention, messages de groupe)",
    )  # fmt: skip
    parser.add_argument("--http", metavar="URL", help="manifest : mode HTTP, avec l'URL publique du bot")
    parser.set_defaults(handler=run)


def run(load: Callable[[], Core], args: argparse.Namespace) -> int:
    if args.action == "manifest":
        return _print_manifest(args.full, args.http)
    from bot.bootstrap import serve

    require("slack_bolt", "slack", "emad-bot slack")
    return serve(load(), only="slack")


def _print_manifest(full: bool, http_url: str | None) -> int:
    from adapters.slack.manifest import manifest_text

    if http_url is not None and not (http_url.startswith("https://") and len(http_url) > len("https://")):
        print("--http : Slack n'appelle qu'une URL https://… publique, celle qui mène au bot",
              file=sys.stderr)  # fmt: skip
        return 2
    sys.stdout.write(manifest_text(full, http_url))
    return 0
