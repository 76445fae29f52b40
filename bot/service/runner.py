"""`emad-bot run` (and `emad-bot slack` / `discord`): platforms in one asyncio process.

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

from bot.service import systemd
from bot.service.bot_service import BotService
from bot.service.health import serve_health
from bot.service.platforms import Platform, PlatformFactory, PlatformNotConfigured, PlatformSettingsError
from bot.service.reload import CorpusReloader

log = logging.getLogger(__name__)
NONE_CONFIGURED = "Aucune plateforme configurée. Pour en activer une, réglez (dans .env) :"
TERMINAL_INSTEAD = "En attendant, voici la session de terminal."
SEE_README = "Voir le README."


def configured_platforms(service: BotService, only: str | None = None) -> tuple[list[Platform], list[str]]:
    """The platforms the settings enable (or just `only`), and what would enable the others."""
    platforms: list[Platform] = []
    missing: list[str] = []
    for entry in entry_points(group="emad_bot.platforms"):
        if only is not None and entry.name != only:
            continue
        factory: PlatformFactory = entry.load()
        try:
            platforms.append(factory(service))
        except PlatformNotConfigured as how_to:
            missing.append(str(how_to))
        except PlatformSettingsError as error:
            sys.exit(str(error))
    return platforms, missing


async def serve_all(reloader: CorpusReloader, platforms: list[Platform]) -> int:
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
    systemd.notify("STOPPING=1")
    failed = [task for task in done if task in serving and task.exception()]
    for task in failed:
        error = task.exception()
        if isinstance(error, PlatformSettingsError):  # a refused token: the message says it all
            log.error("%s s'est arrêté : %s", task.get_name(), error)
        else:
            log.error("%s s'est arrêté sur une erreur", task.get_name(), exc_info=error)
    stop.set()
    await asyncio.gather(*serving, reloading, stopped, return_exceptions=True)
    log.info("Arrêt terminé")
    return 1 if failed else 0


def run(
    service: BotService,
    reloader: CorpusReloader,
    chat: Callable[[], int] | None = None,
    only: str | None = None,
    health: tuple[str, int] | None = None,
    before_serving: Callable[[], object] | None = None,
) -> int:
    """Serve every configured platform (or only the one named), and `/healthz` and
    `/metrics` on `health` (host, port) if given, calling `before_serving()` first (the
    compiled search starts compiling). With no platform configured, explain what to set,
    then run `chat()` if given, else stop."""
    platforms, missing = configured_platforms(service, only)
    service.health.expect(p.name for p in platforms)
    server = serve_health(service.health, *health) if health else None
    try:
        return _serve_or_chat(reloader, platforms, missing, chat, before_serving)
    finally:
        if server is not None:
            server.shutdown()


def _nothing_to_read() -> bool:
    """Standard input is no terminal and ends before any line (/dev/null, a closed pipe):
    the terminal chat would answer nothing. Piped questions are still read."""
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        return True
    if stdin.isatty():
        return False
    buffer = getattr(stdin, "buffer", None)
    return buffer is not None and hasattr(buffer, "peek") and not buffer.peek(1)


def _serve_or_chat(
    reloader: CorpusReloader,
    platforms: list[Platform],
    missing: list[str],
    chat: Callable[[], int] | None,
    before_serving: Callable[[], object] | None = None,
) -> int:
    if not platforms:
        hints = [*(f"  - {line}" for line in missing)]
        if chat is None or _nothing_to_read():  # a service manager's /dev/null: fail, to be seen
            sys.exit("\n".join([NONE_CONFIGURED, *hints, SEE_README]))
        print("\n".join([NONE_CONFIGURED, *hints, TERMINAL_INSTEAD]))
        return chat()
    if before_serving is not None:
        before_serving()
    return asyncio.run(serve_all(reloader, platforms))
