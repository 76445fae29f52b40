"""New articles without a restart: a change under `corpus/` (or SIGHUP) rebuilds the
index in the background and swaps it in atomically.

A new or edited file that cannot be read leaves the current index serving, and
the error names the file. watchfiles batches bursts of changes (an editor's
save, a `git pull`) into one rebuild.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

from bot.answer.core import Core
from bot.service.bot_service import BotService
from bot.settings import BotSettings, StartupError

log = logging.getLogger(__name__)


class CorpusReloader:
    def __init__(
        self,
        core: Core,
        service: BotService,
        build_core: Callable[[BotSettings], Core],
        watch: bool = True,
    ) -> None:
        self._settings: BotSettings = core.settings
        self._build_core = build_core
        self._watch = watch
        self._known_problems = {problem.path.name for problem in core.problems}
        self._service = service
        self._lock = asyncio.Lock()

    async def reload(self) -> bool:
        """Rebuild from the corpus and swap the new engine in; False if it was refused."""
        async with self._lock:
            started = time.perf_counter()
            try:
                core = await asyncio.to_thread(self._build_core, self._settings)
            except StartupError as error:
                log.error("Rechargement refusé, l'index actuel continue de servir : %s", error)
                return False
            broken = [p for p in core.problems if p.path.name not in self._known_problems]
            if broken:
                for problem in broken:
                    log.error("Rechargement refusé, l'index actuel continue de servir : %s", problem)
                return False
            self._service.engine = core.engine  # one reference: questions see old or new
            self._known_problems = {problem.path.name for problem in core.problems}
            log.info("Index rechargé : %d article(s) en %.2f s", len(core.engine.index.articles),
                     time.perf_counter() - started)  # fmt: skip
            return True

    async def watch(self, stop: asyncio.Event, hangup: asyncio.Event) -> None:
        """Reload on every batch of article changes, and on each `hangup`, until `stop`."""
        tasks = [asyncio.create_task(self._on_hangup(stop, hangup))]
        if self._watch:
            tasks.append(asyncio.create_task(self._on_changes(stop)))
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _on_hangup(self, stop: asyncio.Event, hangup: asyncio.Event) -> None:
        while not stop.is_set():
            await hangup.wait()
            hangup.clear()
            await self.reload()

    async def _on_changes(self, stop: asyncio.Event) -> None:
        from watchfiles import awatch

        corpus = self._settings.corpus_dir.resolve()

        def is_article(_: object, path: str) -> bool:
            return path.endswith(".md") and Path(path).parent == corpus

        async for _ in awatch(corpus, watch_filter=is_article, stop_event=stop):
            await self.reload()
