"""A small fake of Slack's Web API and `response_url`s on 127.0.0.1, recording each call."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from tests.fake_server import Call, RecordingServer

BOT_USER_ID = "UBOT"
SIGNING_SECRET = "0123456789abcdef0123456789abcdef"  # the shape of a real one


@dataclass
class FakeSlack(RecordingServer):
    envelopes: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    posted: list[dict[str, Any]] = field(default_factory=list)  # messages now in the channels
    post_delay: float = 0.0  # seconds before chat.postMessage answers (the message is posted first)
    post_failure: int | None = None  # an HTTP status chat.postMessage answers instead, posting nothing
    rate_limited: int = 0  # how many chat.postMessage calls still get a 429 (Retry-After: 1)
    not_in: set[str] = field(default_factory=set)  # channels the bot is not in
    drop_after_post: int = 0  # how many chat.postMessage calls post, then lose the connection
    scopes: str | None = None  # what auth.test says the token may do (X-OAuth-Scopes), if anything

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # conversations.replies / history
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/socket", self._socket)

    async def _record(self, method: str, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        body: dict[str, Any] = dict(request.query)  # the SDK sends some arguments as parameters
        if request.method == "GET":
            pass
        elif request.content_type == "application/json":
            body |= json.loads(raw or "{}")
        else:
            body |= {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
            if isinstance(body.get("blocks"), str):
                body["blocks"] = json.loads(body["blocks"])
        await self.record(method, body)
        return body

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._record(method, request)
        result: dict[str, Any] = {"ok": True}
        if method in {"chat.postMessage", "chat.postEphemeral"} and body.get("channel") in self.not_in:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        if method == "conversations.open":
            result["channel"] = {"id": "D" + str(body.get("users", "?"))}
        if method == "chat.postMessage":
            if self.rate_limited:
                self.rate_limited -= 1
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
                )
            if self.post_failure is not None:
                return web.json_response({"ok": False, "error": "fatal_error"}, status=self.post_failure)
            message = {"ts": f"{time.time():.6f}", "user": BOT_USER_ID, "bot_id": "BBOT"}
            self.posted.append(message | {"channel": body.get("channel"), "thread_ts": body.get("thread_ts")})
            await asyncio.sleep(self.post_delay)
            if self.drop_after_post:  # posted, but the answer never reaches the bot
                self.drop_after_post -= 1
                assert request.transport is not None
                request.transport.close()
                raise ConnectionResetError("réponse perdue")
        if method in {"conversations.replies", "conversations.history"}:
            thread = body.get("ts")
            result["messages"] = [
                m for m in self.posted
                if m["channel"] == body.get("channel") and (thread is None or m["thread_ts"] == thread)
            ]  # fmt: skip
        if method == "auth.test":
            result |= {"user_id": BOT_USER_ID, "bot_id": "BBOT", "team_id": "T1", "user": "emad"}
            if self.scopes is not None:
                return web.json_response(result, headers={"X-OAuth-Scopes": self.scopes})
        if method == "chat.getPermalink":
            result["permalink"] = f"https://exemple.slack.com/archives/{body.get('channel')}/p{body.get('message_ts')}"
        if method in {"chat.postMessage", "chat.postEphemeral"}:
            result |= {"ts": f"{time.time():.6f}", "channel": "C1"}
        if method == "apps.connections.open":
            result |= {"url": self.url.replace("http", "ws") + "/socket"}
        return web.json_response(result)

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record("response_url", request)
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, push the queued envelopes, record the acks."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})

        async def push() -> None:
            while True:
                await socket.send_json(await self.envelopes.get())

        pusher = asyncio.create_task(push())
        try:
            async for message in socket:
                if message.type == web.WSMsgType.TEXT:
                    await self.record("socket_ack", json.loads(message.data))
        finally:
            pusher.cancel()
        return socket

    def of(self, *methods: str) -> list[Call]:
        return [call for call in self.calls if call.method in methods]


def signed_headers(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Headers Slack sends: the request timestamp and its signature."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
