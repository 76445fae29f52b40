"""What the fake platform servers share: an aiohttp app on 127.0.0.1 (port 0) that
records each call and lets a test wait for the calls it expects."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    """One request the fake received: what was called (method or path) and its body."""

    path: str
    body: dict[str, Any]

    @property
    def method(self) -> str:
        return self.path


@dataclass
class RecordingServer:
    calls: list[Call] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    runner: web.AppRunner | None = None
    url: str = ""

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> Any:
        app = web.Application()
        self.routes(app)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    async def record(self, path: str, body: dict[str, Any]) -> None:
        async with self.changed:
            self.calls.append(Call(path, body))
            self.changed.notify_all()

    def matching(self, *fragments: str) -> list[Call]:
        return [call for call in self.calls if any(f in call.path for f in fragments)]

    async def wait_for(self, *fragments: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """The calls matching any of `fragments`, once there are at least `count`."""
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: len(self.matching(*fragments)) >= count), timeout
            )
        return self.matching(*fragments)
