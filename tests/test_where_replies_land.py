"""Nothing private is ever posted publicly: every reply kind, asked every way, on both
platforms, through the real Bolt and discord.py pipelines against the local fakes."""

from __future__ import annotations

import asyncio
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from bot.models import ReplyKind
from bot.service.bot_service import BotService
from bot.service.question_log import QuestionLog
from tests.conftest import KindEngine
from tests.fake_discord import BOT_USER, FakeDiscord, message_payload, slash_command_payload
from tests.test_discord import scenario as discord_scenario
from tests.test_slack import Harness, mention, texts, thread_reply
from tests.test_slack import scenario as slack_scenario

PUBLIC = [ReplyKind.ANSWER, ReplyKind.CLOSEST]
PRIVATE = [k for k in ReplyKind if k not in PUBLIC and k is not ReplyKind.PASSAGE]


def test_every_kind_that_is_not_an_answer_has_a_quiet_form_on_discord() -> None:
    from adapters.discord.client import REACTIONS

    assert set(REACTIONS) | set(PUBLIC) == set(ReplyKind)


def test_on_slack_only_answers_are_public_by_command_mention_or_follow_up(tmp_path: Path) -> None:
    service = BotService(KindEngine(), question_log=QuestionLog(tmp_path / "q.sqlite3"))

    async def body(h: Harness) -> None:
        for number, kind in enumerate(PUBLIC + PRIVATE):
            await h.command(f"question {kind.value}")
            (response,) = (await h.slack.wait_for("response_url", count=number + 1))[number:]
            assert response.body["response_type"] == ("in_channel" if kind in PUBLIC else "ephemeral"), kind
        thread = "1700000000.000100"
        await h.event(mention(f"<@UBOT> question {ReplyKind.ANSWER.value}", ts=thread), "Ev0")
        await h.slack.wait_for("chat.postMessage")
        for number, kind in enumerate(PRIVATE + PUBLIC, start=1):
            asked = mention(f"<@UBOT> question {kind.value}", ts=f"1700000001.{number:06d}")
            followed = thread_reply(f"et ça ? {kind.value}", f"1700000002.{number:06d}", thread_ts=thread)
            await h.event(asked, f"EvM{number}")
            await h.event(followed, f"EvF{number}")
        await h.slack.wait_for("chat.postMessage", "chat.postEphemeral", count=1 + 2 * len(PRIVATE + PUBLIC))
        await asyncio.sleep(0.3)
        public = [c for c in h.slack.of("chat.postMessage")]
        private = [c for c in h.slack.of("chat.postEphemeral")]
        assert len(public) == 1 + 2 * len(PUBLIC) and len(private) == 2 * len(PRIVATE)
        assert all(any(f"réponse {k.value}" in texts(c.body["blocks"]) for k in PUBLIC) for c in public)
        assert all(any(f"réponse {k.value}" in texts(c.body["blocks"]) for k in PRIVATE) for c in private)

    slack_scenario(service, body)


def test_on_discord_only_answers_are_public_by_command_mention_or_reply(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    service = BotService(KindEngine(), question_log=QuestionLog(tmp_path / "q.sqlite3"))

    async def body(fake: FakeDiscord, client: Any) -> None:
        for number, kind in enumerate(PUBLIC + PRIVATE):
            client._connection.parse_interaction_create(slash_command_payload(f"question {kind.value}"))
            (callback,) = (await fake.wait_for("/callback", count=number + 1))[number:]
            private = bool(callback.body["data"].get("flags", 0) & 64)
            assert private == (kind not in PUBLIC), kind
        first = message_payload(f"<@{BOT_USER['id']}> question answer", mentions=[BOT_USER])
        client._connection.parse_message_create(first)
        await fake.wait_for("POST /channels/3001/messages")
        ours = message_payload("", author=BOT_USER) | {
            "message_reference": {"message_id": first["id"], "channel_id": "3001"}
        }
        asked: dict[str, ReplyKind] = {}
        for kind in PRIVATE + PUBLIC:
            by_mention = message_payload(f"<@{BOT_USER['id']}> question {kind.value}", mentions=[BOT_USER])
            by_reply = message_payload(f"et ça ? {kind.value}", mentions=[BOT_USER]) | {
                "message_reference": {"message_id": ours["id"], "channel_id": "3001"},
                "referenced_message": ours, "type": 19,
            }  # fmt: skip
            for message in (by_mention, by_reply):
                asked[message["id"]] = kind
                client._connection.parse_message_create(message)
        await fake.wait_for("POST /channels/3001/messages", count=1 + 2 * len(PUBLIC))
        await fake.wait_for("/reactions/", count=2 * len(PRIVATE))
        await asyncio.sleep(0.3)
        in_channel = fake.of("POST /channels/3001/messages")[1:]
        answered = {str(c.body["message_reference"]["message_id"]) for c in in_channel}
        assert {asked[m] for m in answered} <= set(PUBLIC) and len(answered) == 2 * len(PUBLIC)
        reacted = {
            c.path.split("/")[4]: urllib.parse.unquote(c.path.split("/")[6]) for c in fake.of("/reactions/")
        }
        assert {asked[m] for m in reacted} == set(PRIVATE)

    discord_scenario(service, body, monkeypatch)
