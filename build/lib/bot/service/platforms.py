"""How a chat platform plugs into `emad-bot run`, without the core importing it.

Each platform names a factory in the `emad_bot.platforms` entry points
(pyproject.toml). The factory reads the platform's own settings and returns a
`Platform`, or raises `PlatformNotConfigured` (saying which settings would
enable it) or `PlatformSettingsError` (naming the malformed setting).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from bot.service.bot_service import BotService


class PlatformNotConfigured(Exception):
    """The platform's settings are absent; the message says which would enable it."""


class PlatformSettingsError(Exception):
    """A platform setting is malformed; the message names it, in French."""


class Platform(Protocol):
    name: str

    async def serve(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then close every connection."""
        ...


PlatformFactory = Callable[[BotService], Platform]
