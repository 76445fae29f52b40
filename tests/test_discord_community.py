"""Discord in a community: channel allow / deny lists, the hand-off to the maintainers'
channel and « Partager dans le salon ». Raw gateway payloads through discord.py's own
parsers; what reached the fake Discord REST API on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord.client import EmadClient
from adapters.discord.community import Community
from adapters.discord.pending import answer_pending
from bot.answer import messages
from bot.answer.engine import AnswerEngine
from bot.service.bot_service import BotService
from bot.service.community import ChannelRules, channel_ids
from bot.service.question_log import QuestionLog
from bot.service.sharing import SharedAnswers
from tests.conftest import KindEngine
from tests.fake_discord import (
    BOT_USER,
    FakeDiscord,
    button_click_payload,
    message_payload,
    slash_command_payload,
)
from tests.test_discord import discord_at_loopback  # noqa: F401  (autouse: no request leaves loopback)
from tests.test_discord import scenario as on_discord

NO_PINGS = {"parse": []}
MAINTAINERS = "9001"


def scenario(
    service: BotService,
    body: Callable[[FakeDiscord, EmadClient], Awaitable[None]],
    monkeypatch: pytest.MonkeyPatch,
    **community: Any,
) -> None:
    on_discord(service, body, monkeypatch, community=Community(**community))


def mention(text: str, channel_id: str = "3001") -> dict[str, Any]:
    return message_payload(f"<@{BOT_USER['id']}> {text}", mentions=[BOT_USER], channel_id=channel_id)


def command_in(question: str, channel_id: str = "3001") -> dict[str, Any]:
    payload = slash_command_payload(question)
    payload["channel_id"] = channel_id
    payload["channel"] = payload["channel"] | {"id": channel_id}
    return payload


def logged(engine: Any, tmp_path: Path) -> BotService:
    return BotService(engine, question_log=QuestionLog(tmp_path / "q.sqlite3"))


def rules(allowed: str = "", denied: str = "") -> ChannelRules:
    return ChannelRules(channel_ids(allowed), channel_ids(denied))


def test_outside_the_allowed_channels_a_mention_gets_a_dm_saying_where_to_ask(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_message_create(mention("qui a financé Stability AI ?"))  # type: ignore[arg-type]
        (notice,) = await fake.wait_for("POST /channels/7002/messages")  # the asker's DMs
        assert "<#3002>" in notice.body["content"] and "/emad" in notice.body["content"]
        allowed = mention("qui a financé Stability AI ?", channel_id="3002")
        client._connection.parse_message_create(allowed)  # type: ignore[arg-type]
        (answer,) = await fake.wait_for("POST /channels/3002/messages")
        assert str(answer.body["message_reference"]["message_id"]) == allowed["id"]
        assert fake.of("/channels/3001/") == []  # not a message, not a reaction

    scenario(BotService(engine), body, monkeypatch, rules=rules(allowed="3002"))


def test_a_denied_channel_answers_emad_to_the_asker_alone_without_a_share_button(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(command_in("qui a financé Stability AI ?"))
        (answer,) = await fake.wait_for("/callback")
        data = answer.body["data"]
        assert data["flags"] & 64 and data["content"] == messages.ANSWERED_PRIVATELY_HERE
        assert "Coatue" in str(data["embeds"])
        assert "emad:partage" not in str(data.get("components"))
        client._connection.parse_message_create(mention("qui a financé ?"))  # type: ignore[arg-type]
        await fake.wait_for("POST /channels/7002/messages")  # the DM notice
        dm = message_payload("qui a financé Stability AI ?", channel_id="7001", guild_id=None)
        client._connection.parse_message_create(dm)  # type: ignore[arg-type]
        await fake.wait_for("POST /channels/7001/messages")  # DMs are unaffected
        assert fake.of("POST /channels/3001/") == []

    scenario(BotService(engine), body, monkeypatch, rules=rules(denied="3001"))


def test_a_refused_question_reaches_the_maintainers_once_a_day_and_pings_nobody(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pings = "@everyone @here <@&1400000000000000004> <@1200000000000000002>"

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        first = mention(f"{pings} Qui a Créé l'Opéra not_found")
        client._connection.parse_message_create(first)  # type: ignore[arg-type]
        (handed,) = await fake.wait_for(f"POST /channels/{MAINTAINERS}/messages")
        content = handed.body["content"]
        assert handed.body["allowed_mentions"] == NO_PINGS
        assert "Question sans réponse fiable" in content and "Qui a Créé l" in content
        assert "@everyone" not in content and "<@&" not in content and "<@1" not in content
        assert content.endswith(f"posée dans <#3001> : https://discord.com/channels/4001/3001/{first['id']}")
        again = mention(f"{pings} qui a cree l'OPERA not_found")  # folded: the same question
        client._connection.parse_message_create(again)  # type: ignore[arg-type]
        client._connection.parse_message_create(mention("Une autre not_found"))  # type: ignore[arg-type]
        await fake.wait_for("/reactions/", count=3)  # each asker has their 🤷
        await service.drain("test")  # and every hand-off is done
        announced = fake.of(f"POST /channels/{MAINTAINERS}/messages")
        assert len(announced) == 2 and "Une autre" in announced[1].body["content"]

    service = logged(KindEngine(), tmp_path)
    scenario(service, body, monkeypatch, maintainers_channel=int(MAINTAINERS))


def test_a_dislike_with_its_reason_reaches_the_maintainers(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        (answer,) = await fake.wait_for("/callback")
        votes = answer.body["data"]["components"][0]["components"]
        shown = message_payload("", author=BOT_USER) | {"components": answer.body["data"]["components"]}
        client._connection.parse_interaction_create(button_click_payload(votes[1]["custom_id"], shown))
        asked = (await fake.wait_for("/callback", count=2))[1].body["data"]
        incomplete = asked["components"][0]["components"][1]
        asking = message_payload("", author=BOT_USER) | {"components": asked["components"], "flags": 64}
        client._connection.parse_interaction_create(button_click_payload(incomplete["custom_id"], asking))
        (handed,) = await fake.wait_for(f"POST /channels/{MAINTAINERS}/messages")
        assert "👎 : Incomplet" in handed.body["content"] and "qui a financé" in handed.body["content"]
        assert "dans <#3001>" in handed.body["content"] and handed.body["allowed_mentions"] == NO_PINGS

    scenario(logged(engine, tmp_path), body, monkeypatch, maintainers_channel=int(MAINTAINERS))


def test_a_maintainers_channel_that_refuses_the_post_changes_no_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    service = logged(KindEngine(), tmp_path)

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        fake.forbidden.add(MAINTAINERS)
        client._connection.parse_interaction_create(command_in("rien à voir not_found"))
        (answer,) = await fake.wait_for("/callback")
        assert answer.body["data"]["flags"] & 64  # the asker has their reply
        await fake.wait_for(f"POST /channels/{MAINTAINERS}/messages")  # tried (and refused), after settling
        assert await asyncio.to_thread(service.pending, "discord") == []

    scenario(service, body, monkeypatch, maintainers_channel=int(MAINTAINERS))


def test_a_private_answer_is_shared_once_headed_by_its_sharer_without_a_ping(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        (answer,) = await fake.wait_for("/callback")
        data = answer.body["data"]
        assert data["flags"] & 64
        buttons = [b for row in data["components"] for b in row["components"]]
        (share,) = [b for b in buttons if b["custom_id"].startswith("emad:partage:")]
        assert share["label"] == messages.SHARE_BUTTON
        shown = message_payload("", author=BOT_USER) | {"components": data["components"], "flags": 64}
        client._connection.parse_interaction_create(button_click_payload(share["custom_id"], shown))
        (posted,) = await fake.wait_for("POST /channels/3001/messages")
        assert posted.body["content"] == "partagé par camille" and posted.body["allowed_mentions"] == NO_PINGS
        assert "Coatue" in str(posted.body["embeds"])
        (told,) = await fake.wait_for("POST /webhooks/")  # after a private « réfléchit… »
        assert told.body["flags"] & 64 and told.body["content"] == messages.SHARED
        client._connection.parse_interaction_create(button_click_payload(share["custom_id"], shown))
        again = (await fake.wait_for("POST /webhooks/", count=2))[1].body
        assert again["content"] == messages.SHARE_ALREADY
        assert len(fake.of("POST /channels/3001/messages")) == 1

    scenario(BotService(engine), body, monkeypatch, answers_for_asker_only=True)


def test_an_answer_older_than_the_interaction_window_is_not_shared(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    service = BotService(engine)
    service.shared = SharedAnswers(clock=lambda: now[0])

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        (answer,) = await fake.wait_for("/callback")
        data = answer.body["data"]
        (share,) = [b for row in data["components"] for b in row["components"] if "partage" in b["custom_id"]]
        now[0] += 16 * 60  # past an interaction's 15 minutes
        shown = message_payload("", author=BOT_USER) | {"components": data["components"], "flags": 64}
        client._connection.parse_interaction_create(button_click_payload(share["custom_id"], shown))
        (told,) = await fake.wait_for("POST /webhooks/")
        assert told.body["content"] == messages.SHARE_EXPIRED
        assert fake.of("POST /channels/3001/messages") == []

    scenario(service, body, monkeypatch, answers_for_asker_only=True)


def test_the_settings_reach_the_client_and_a_denied_ask_channel_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters.discord.command import DiscordPlatform
    from adapters.discord.settings import DiscordSettings

    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", None)  # restored after
    configured = DiscordSettings(
        _env_file=None, token="MTAwMA.fake.token", api_url="http://127.0.0.1:9/api/v10",  # type: ignore[arg-type]
        allow_channels="3002, 3003", deny_channels="3003", maintainers_channel=MAINTAINERS,
        answers_for_asker_only=True,
    )  # fmt: skip
    client = DiscordPlatform(BotService(KindEngine()), configured).client()
    assert client.community == Community(rules(allowed="3002,3003", denied="3003"), int(MAINTAINERS), True)
    with pytest.raises(ValueError, match="DISCORD_ASK_CHANNELS"):
        DiscordSettings(_env_file=None, ask_channels="3003", deny_channels="3003")
    with pytest.raises(ValueError, match="DISCORD_MAINTAINERS_CHANNEL"):
        DiscordSettings(_env_file=None, maintainers_channel="#mainteneurs")


def test_a_thread_counts_as_its_channel_even_when_discord_s_cache_has_neither(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        fake.threads["8005"] = {
            "id": "8005", "type": 11, "guild_id": "4001", "name": "fil", "parent_id": "3001",
            "owner_id": "1200000000000000002", "message_count": 1, "member_count": 1,
            "thread_metadata": {"archived": False, "locked": False, "auto_archive_duration": 1440,
                                "archive_timestamp": "2024-03-23T12:00:00+00:00"},
        }  # fmt: skip
        client._connection.parse_message_create(mention("qui a financé ?", channel_id="8005"))  # type: ignore[arg-type]
        (notice,) = await fake.wait_for("POST /channels/7002/messages")  # a DM to the asker
        assert "dans <#8005>" in notice.body["content"]
        assert "Mentionnez-moi dans un autre salon" in notice.body["content"]  # a deny list only
        assert fake.of("POST /channels/8005/") == [] and fake.of("PUT /channels/8005/") == []

    scenario(BotService(engine), body, monkeypatch, rules=rules(denied="3001"))


def test_a_mention_left_pending_in_a_channel_denied_since_gets_only_the_dm(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    question_log = QuestionLog(tmp_path / "q.sqlite3")  # received before the lists: no "places"
    asked = {"kind": "message", "text": "qui a financé ?", "user": "1200000000000000002", "guild": "4001",
             "channel": "3001", "message": "1300000000000000999", "thread": "1300000000000000999",
             "dm": False}  # fmt: skip
    assert question_log.receive("discord", "message:1300000000000000999", asked)
    service = BotService(engine, question_log=question_log)

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        await answer_pending(client)
        (notice,) = fake.of("POST /channels/7002/messages")
        assert "dans <#3001>" in notice.body["content"]
        assert fake.of("POST /channels/3001/") == [] and service.pending("discord") == []

    scenario(service, body, monkeypatch, rules=rules(denied="3001"))
