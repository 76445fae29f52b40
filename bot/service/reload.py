"""New articles without a restart: a change under `corpus/` (or SIGHUP) rebuilds the
index in the background and swaps it in atomically.

Every readable article is served, new ones included; a file that cannot be read
is left out and named in the log (a file still being written is picked up when
its next change completes it). Only a corpus with no readable article at all
leaves the current index serving. The watcher survives any error: it logs it
and keeps watching. watchfiles batches bursts of changes (an editor's save, a
`git pull`) into one rebuild.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path

from bot.answer.core import Core
from bot.service.bot_service import BotService
from bot.settings import BotSettings, StartupError

log = logging.getLogger(__name__)
WATCH_RETRY_SECONDS = 5.0


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
                self._service.health.reloads.labels("refused").inc()
                return False
            for problem in core.problems:
                if problem.path.name not in self._known_problems:
                    log.error("Article ignoré au rechargement : %s", problem)
            self._service.engine = core.engine  # one reference: questions see old or new
            self._service.health.reloads.labels("done").inc()
            self._service.health.index_loaded(len(core.engine.index.passages))
            self._known_problems = {problem.path.name for problem in core.problems}
            log.info("Index rechargé : %d article(s) en %.2f s", len(core.engine.index.articles),
                     time.perf_counter() - started)  # fmt: skip
            del core
            # The replaced engine's caches hold references to it (a cache belongs to what it
            # describes): the cycle collector frees them now, not at its next distant turn.
            await asyncio.to_thread(gc.collect)
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
            await self._reload_surviving()

    async def _reload_surviving(self) -> None:
        try:
            await self.reload()
        except Exception:
            log.exception("Rechargement du corpus en échec ; l'index actuel continue de servir")

    async def _on_changes(self, stop: asyncio.Event) -> None:
        from watchfiles import awatch

        corpus = self._settings.corpus_dir.resolve()

        def is_article(_: object, path: str) -> bool:
            return path.endswith(".md") and Path(path).parent == corpus

        while not stop.is_set():
            try:
                async for _ in awatch(corpus, watch_filter=is_article, stop_event=stop):
                    await self._reload_surviving()
            except Exception:
                log.exception("Surveillance du corpus interrompue ; reprise dans %g s", WATCH_RETRY_SECONDS)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), WATCH_RETRY_SECONDS)
