"""`emad-bot run`: every configured platform in one asyncio process.

SIGTERM or SIGINT stops every platform cleanly (connections closed, exit 0);
SIGHUP reloads the corpus. With no platform configured, it says which settings
would enable each, and opens the terminal chat instead.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from importlib.metadata import entry_points

from bot.bootstrap import Core, build_service, serving_settings
from bot.platforms import Platform, PlatformFactory, PlatformNotConfigured, PlatformSettingsError
from bot.reload import CorpusReloader
from bot.service import BotService

log = logging.getLogger(__name__)
NONE_CONFIGURED = "Aucune plateforme configurée. Pour en activer une, réglez (dans .env) :"
TERMINAL_INSTEAD = "En attendant, voici la session de terminal."


def configured_platforms(service: BotService) -> tuple[list[Platform], list[str]]:
    """The platforms the settings enable, and for the others what would enable them."""
    platforms: list[Platform] = []
    missing: list[str] = []
    for entry in entry_points(group="emad_bot.platforms"):
        factory: PlatformFactory = entry.load()
        try:
            platforms.append(factory(service))
        except PlatformNotConfigured as how_to:
            missing.append(str(how_to))
        except PlatformSettingsError as error:
            sys.exit(str(error))
    return platforms, missing


async def serve_all(reloader: CorpusReloader, service: BotService, platforms: list[Platform]) -> int:
    stop, hangup = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    loop.add_signal_handler(signal.SIGHUP, hangup.set)
    log.info("En service : %s", ", ".join(p.name for p in platforms))
    serving = {asyncio.create_task(p.serve(stop), name=p.name) for p in platforms}
    reloading = asyncio.create_task(reloader.watch(stop, hangup))
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait(serving | {stopped}, return_when=asyncio.FIRST_COMPLETED)
    failed = [task for task in done if task in serving and task.exception()]
    for task in failed:
        log.error("%s s'est arrêté sur une erreur", task.get_name(), exc_info=task.exception())
    stop.set()
    await asyncio.gather(*serving, reloading, stopped, return_exceptions=True)
    log.info("Arrêt terminé")
    return 1 if failed else 0


def run(core: Core, chat: Callable[[Core], int]) -> int:
    """Serve every configured platform; with none, explain and run `chat(core)`."""
    serving = serving_settings()
    service = build_service(serving, core.engine)
    platforms, missing = configured_platforms(service)
    if not platforms:
        print("\n".join([NONE_CONFIGURED, *(f"  - {line}" for line in missing), TERMINAL_INSTEAD]))
        return chat(core)
    return asyncio.run(serve_all(CorpusReloader(core, service, serving.watch_corpus), service, platforms))
