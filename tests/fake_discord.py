"""A small fake of Discord's REST API on 127.0.0.1, recording each call, and raw
gateway payloads to feed through discord.py's own parsers."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_server import Call, RecordingServer

BOT_ID = "1100000000000000001"
APPLICATION_ID = BOT_ID
_ids = itertools.count(1_300_000_000_000_000_000)


def user(user_id: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "username": name, "discriminator": "0", "avatar": None,
            "global_name": name, "bot": bot}  # fmt: skip


BOT_USER = user(BOT_ID, "emad-bot", bot=True)
ASKER = user("1200000000000000002", "camille")


@dataclass
class FakeDiscord(RecordingServer):
    dispatches: asyncio.Queue[tuple[str, dict[str, Any]]] = field(default_factory=asyncio.Queue)
    posted: list[dict[str, Any]] = field(default_factory=list)  # messages now in the channels
    forbidden: set[str] = field(default_factory=set)  # channels where the bot may not post
    heartbeat_ms: int = 41250  # the interval HELLO asks for
    acknowledge_heartbeats: bool = True  # False: a gateway gone silent
    hold_replies: bool = False  # True: callbacks and posts are recorded, then never answered
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)  # GET /channels/<id> of threads

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._route)

    @staticmethod
    def _json(data: Any) -> web.Response:
        # discord.py parses JSON only when Content-Type is exactly application/json.
        return web.Response(body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})

    async def _route(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":  # a message with files: payload_json + files[n]
            form = await request.post()
            raw = str(form.get("payload_json", ""))
            files = {f.filename: f.file.read() for k, f in form.items() if k.startswith("files[")}  # type: ignore[union-attr]
        else:
            raw = await request.text()
        parsed = (
            json.loads(raw)
            if raw and request.content_type in ("application/json", "multipart/form-data")
            else {}
        )
        body = parsed if isinstance(parsed, dict) else {"items": parsed}
        if files:
            body["_files"] = files
        await self.record(f"{request.method} {path}", body)
        if path in {"/gateway", "/gateway/bot"}:
            return self._json(
                {"url": self.url.replace("http", "ws") + "/gateway", "shards": 1,
                 "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                                         "max_concurrency": 1}}
            )  # fmt: skip
        if path == "/users/@me":
            return self._json(BOT_USER)
        if path == "/users/@me/channels":  # a DM with the asker
            return self._json({"id": "7002", "type": 1, "recipients": [ASKER], "last_message_id": None})
        if request.method == "GET" and path.startswith("/users/"):
            return self._json(ASKER)
        if path == "/oauth2/applications/@me":
            return self._json(
                {"id": APPLICATION_ID, "name": "emad-bot", "description": "", "icon": None,
                 "bot_public": True, "bot_require_code_grant": False, "owner": ASKER,
                 "verify_key": "0", "flags": 0}
            )  # fmt: skip
        if request.method == "PUT" and path.endswith("/commands"):  # sync: echo the commands
            commands = json.loads(raw)
            return self._json([c | {"id": str(next(_ids)), "application_id": APPLICATION_ID,
                                    "version": "1"} for c in commands])  # fmt: skip
        if self.hold_replies and request.method == "POST" and (
            path.endswith(("/callback", "/messages")) or path.startswith("/webhooks/")
        ):
            await asyncio.Event().wait()  # the bot waits for an answer that never comes
        if path.endswith("/callback"):
            interaction_id = path.split("/")[2]
            return self._json({"interaction": {"id": interaction_id, "type": 2}})
        if request.method == "POST" and path.endswith("/threads"):  # a thread from a message
            metadata = {"archived": False, "locked": False, "auto_archive_duration": 1440,
                        "archive_timestamp": "2024-03-23T12:00:00+00:00"}  # fmt: skip
            thread = {"id": "8001", "type": 11, "guild_id": "4001", "name": body.get("name", ""),
                      "parent_id": path.split("/")[2], "owner_id": BOT_ID, "message_count": 0,
                      "member_count": 1, "thread_metadata": metadata}  # fmt: skip
            return self._json(thread)
        if (
            request.method == "POST"
            and path.startswith("/channels/")
            and path.split("/")[2] in self.forbidden
        ):
            error = {"message": "Missing Permissions", "code": 50013}
            return web.Response(status=403, body=json.dumps(error).encode(), content_type="application/json")
        if request.method == "POST" and (path.startswith("/webhooks/") or path.endswith("/messages")):
            channel = path.split("/")[2] if path.startswith("/channels/") else "3001"
            sent = message_payload("", channel_id=channel, author=BOT_USER) | body
            self.posted.append(sent)
            return self._json(sent)
        if request.method == "GET" and path.count("/") == 2 and path.startswith("/channels/"):
            channel_id = path.split("/")[2]  # a text channel of the server, or a thread of one
            return self._json(self.threads.get(channel_id) or {
                "id": channel_id, "type": 0, "guild_id": "4001", "name": "général", "position": 0,
                "permission_overwrites": [], "nsfw": False, "parent_id": None})  # fmt: skip
        if request.method == "GET" and path.startswith("/channels/") and path.endswith("/messages"):
            channel = path.split("/")[2]
            return self._json([m for m in self.posted if m["channel_id"] == channel])
        return self._json({})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """A gateway session: HELLO, READY after IDENTIFY, heartbeat ACKs, then the
        queued dispatches (MESSAGE_CREATE, INTERACTION_CREATE…) as text frames."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}})
        sequence = itertools.count(1)

        async def push() -> None:
            while True:
                event, data = await self.dispatches.get()
                await socket.send_json({"op": 0, "s": next(sequence), "t": event, "d": data})

        pusher: asyncio.Task[None] | None = None
        try:
            async for message in socket:
                if message.type != web.WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                await self.record(f"GATEWAY op {frame['op']}", frame.get("d") or {})
                if frame["op"] == 1 and self.acknowledge_heartbeats:
                    await socket.send_json({"op": 11})
                elif frame["op"] == 2:
                    ready = {"v": 10, "user": BOT_USER, "guilds": [], "session_id": "session",
                             "resume_gateway_url": self.url.replace("http", "ws") + "/gateway",
                             "application": {"id": APPLICATION_ID, "flags": 0}}  # fmt: skip
                    await socket.send_json({"op": 0, "s": next(sequence), "t": "READY", "d": ready})
                    pusher = asyncio.create_task(push())
        finally:
            if pusher:
                pusher.cancel()
        return socket

    def of(self, fragment: str) -> list[Call]:
        return self.matching(fragment)


def message_payload(
    content: str,
    *,
    channel_id: str = "3001",
    guild_id: str | None = "4001",
    author: dict[str, Any] = ASKER,
    mentions: list[dict[str, Any]] | None = None,
    mention_everyone: bool = False,
) -> dict[str, Any]:
    payload = {
        "id": str(next(_ids)), "channel_id": channel_id, "author": author, "content": content,
        "timestamp": "2024-03-23T12:00:00+00:00", "edited_timestamp": None, "tts": False,
        "mention_everyone": mention_everyone, "mentions": mentions or [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": False, "type": 0, "flags": 0,
    }  # fmt: skip
    if guild_id:
        payload["guild_id"] = guild_id
    return payload


def slash_command_payload(question: str, *, guild: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(next(_ids)), "application_id": APPLICATION_ID, "type": 2,
        "token": f"jeton-{next(_ids)}", "version": 1, "channel_id": "3001", "locale": "fr",
        "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {},
        "attachment_size_limit": 8_388_608, "context": 0,
        "data": {"id": "5001", "name": "emad", "type": 1,
                 "options": [{"name": "question", "type": 3, "value": question}]},
    }  # fmt: skip
    if guild:
        payload |= {
            "guild_id": "4001", "guild_locale": "fr",
            "channel": {"id": "3001", "type": 0, "guild_id": "4001", "name": "général", "position": 0,
                        "permission_overwrites": [], "nsfw": False, "parent_id": None},
            "member": {"user": ASKER, "roles": [], "joined_at": "2024-01-01T00:00:00+00:00",
                       "deaf": False, "mute": False, "permissions": "0", "flags": 0},
        }  # fmt: skip
    else:
        payload |= {"user": ASKER, "channel": {"id": "3001", "type": 1, "recipients": [ASKER]}}
    return payload


def button_click_payload(custom_id: str, message: dict[str, Any]) -> dict[str, Any]:
    """A click on a button of `message`, as the gateway's INTERACTION_CREATE."""
    payload = slash_command_payload("")
    payload |= {"type": 3, "message": message,
                "data": {"custom_id": custom_id, "component_type": 2}}  # fmt: skip
    return payload
