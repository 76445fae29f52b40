"""`emad-bot slack`: registered through an entry point; imports no SDK until it runs."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from pydantic import ValidationError

from bot.cli import settings_error
from bot.engine import AnswerEngine

HOW_TO_ENABLE = (
    "Slack n'est pas configuré : réglez SLACK_BOT_TOKEN (xoxb-…) avec SLACK_APP_TOKEN "
    "(xapp-…, Socket Mode), ou avec SLACK_SIGNING_SECRET (mode HTTP). Voir le README."
)


def register(commands: Any) -> None:
    parser = commands.add_parser("slack", help="servir Slack (Socket Mode ou HTTP)")
    parser.set_defaults(handler=run)


def run(engine: AnswerEngine, args: argparse.Namespace) -> int:
    from adapters.slack.server import serve
    from adapters.slack.settings import SlackSettings

    try:
        settings = SlackSettings()
    except ValidationError as error:
        sys.exit(settings_error(error))
    if settings.mode is None:
        sys.exit(HOW_TO_ENABLE)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(engine, settings, stop)

    asyncio.run(main())
    return 0
