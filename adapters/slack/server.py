"""Connecting to Slack: Socket Mode (no public URL) or HTTP with signed requests.

HTTP mode serves `POST /slack/events` with aiohttp; Bolt verifies each request's
signature and timestamp, and answers 401 to a forged or stale one. At start the
questions left pending by a stop or a crash are answered; at stop, no new
question is taken, and those being answered are finished first.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.community import name_missing_scopes
from adapters.slack.listeners import answer_pending, build_app
from adapters.slack.settings import SlackSettings
from bot.service.bot_service import BotService
from bot.service.platforms import PlatformSettingsError

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
PLATFORM = "Slack"  # its name in emad-bot run and /healthz


def web_client(settings: SlackSettings) -> AsyncWebClient:
    """The Web API client, retrying a 429 after its Retry-After (Slack did nothing), so a
    busy Slack delays an answer rather than losing it. A lost connection or a 5xx is not
    retried blindly here: the message may have been posted (`listeners.deliver` looks
    in the thread before posting again)."""
    from slack_sdk.http_retry.async_handler import AsyncRetryHandler
    from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    retries: list[AsyncRetryHandler] = [AsyncRateLimitErrorRetryHandler(max_retry_count=3)]
    return AsyncWebClient(token=token, base_url=settings.api_url, retry_handlers=retries)


async def start_http(app: AsyncApp, host: str, port: int) -> web.AppRunner:
    """Serve Slack's requests on `host:port`; the caller cleans the runner up."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    server = web.Application()
    server.router.add_post(EVENTS_PATH, events)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise PlatformSettingsError(
            f"SLACK_PORT : impossible d'écouter sur {host}:{port} ({error.strerror}) ; "
            "un autre programme l'utilise-t-il ? Choisissez un autre port."
        ) from None
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port the server listens on (useful when asked for port 0)."""
    for site in runner.sites:
        server = site._server  # aiohttp exposes no public accessor
        if isinstance(server, asyncio.base_events.Server):
            return int(server.sockets[0].getsockname()[1])
    raise RuntimeError("serveur Slack non démarré")


async def serve(service: BotService, settings: SlackSettings, stop: asyncio.Event) -> None:
    """Run the Slack adapter in the mode the settings enable until `stop` is set."""
    client = web_client(settings)
    app = build_app(service, settings, client)
    replay = asyncio.create_task(_start(service, client, settings))
    if settings.mode == "socket" and settings.app_token:
        handler = AsyncSocketModeHandler(app, settings.app_token.get_secret_value(), web_client=client)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack connecté en Socket Mode")
        service.health.set_connected(PLATFORM, True)
        listening = asyncio.create_task(_hear_pongs(service, handler.client))
        try:
            await stop.wait()
        finally:
            listening.cancel()
            service.health.set_connected(PLATFORM, False)
            await handler.close_async()  # type: ignore[no-untyped-call]  # no new questions
            await _finish(service, replay)
        return
    runner = await start_http(app, settings.host, settings.port)
    log.info("Slack en mode HTTP sur http://%s:%d%s", settings.host, bound_port(runner), EVENTS_PATH)
    service.health.set_connected(PLATFORM, True)
    try:
        await stop.wait()
    finally:
        service.health.set_connected(PLATFORM, False)
        await runner.cleanup()  # no new questions
        await _finish(service, replay)


async def _start(service: BotService, client: AsyncWebClient, settings: SlackSettings) -> None:
    """Once connected: name what the token's scopes leave out, then answer what a stop
    or a crash left pending."""
    await name_missing_scopes(client, settings)
    await answer_pending(service, client, settings)


async def _hear_pongs(service: BotService, socket_client: Any) -> None:
    """Tell the health each time Socket Mode's ping got its pong (the client's own
    `last_ping_pong_time`, checked at its ping interval)."""
    seen = None
    while True:
        await asyncio.sleep(getattr(socket_client, "ping_interval", 5))
        last = getattr(socket_client, "last_ping_pong_time", None)
        if last is not None and last != seen:
            seen = last
            service.health.heard(PLATFORM)


async def _finish(service: BotService, replay: asyncio.Task[None]) -> None:
    """Finish what was acknowledged (bounded by the service's shutdown time)."""
    await service.drain("Slack")
    if not replay.done():
        replay.cancel()
    await asyncio.gather(replay, return_exceptions=True)
