"""Discord, edge to edge: raw gateway payloads through discord.py's own parsers, and
what reached a fake Discord REST API on 127.0.0.1. Nothing connects to Discord."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord.client import EmadClient, intents
from adapters.discord.pending import answer_pending
from adapters.discord.translate import escape
from bot.answer.engine import AnswerEngine
from bot.models import Query, Reply
from bot.service.bot_service import BotService
from bot.service.cooldown import Cooldown
from bot.service.question_log import QuestionLog
from tests.conftest import BrokenEngine, never_sure_engine
from tests.fake_discord import (
    ASKER,
    BOT_USER,
    FakeDiscord,
    button_click_payload,
    message_payload,
    slash_command_payload,
)

NO_PINGS = {"parse": [], "replied_user": False}


@pytest.fixture(autouse=True)
def discord_at_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """No request may leave for discord.com: a test that forgets the fake fails to connect."""
    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")


def scenario(
    engine: Any,
    body: Callable[[FakeDiscord, EmadClient], Awaitable[None]],
    monkeypatch: pytest.MonkeyPatch,
    **client_options: Any,
) -> None:
    async def main() -> None:
        fake = await FakeDiscord().start()
        monkeypatch.setattr(discord.http.Route, "BASE", f"{fake.url}/api/v10")
        service = engine if isinstance(engine, BotService) else BotService(engine)
        client = EmadClient(service, **client_options)
        try:
            await client.login("MTAwMA.fake.token")
            await body(fake, client)
        finally:
            await client.close()
            await fake.stop()

    asyncio.run(main())


def embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f["name"] + "\n" + f["value"] for f in embed.get("fields", [])]
    return "\n".join(parts)


def test_slash_command_answers_with_a_cited_embed(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        (callback,) = await fake.wait_for("/callback")
        assert callback.body["type"] == 4  # answered within the deadline, not deferred
        data = callback.body["data"]
        assert not data.get("flags", 0) & 64  # public
        shown = embed_text(data["embeds"][0])
        assert "Coatue" in shown and "Lightspeed" in shown
        assert "**investisseurs**" in shown
        assert "Gate" in shown or "Developpez.com" in shown
        assert data["allowed_mentions"]["parse"] == []

    scenario(engine, body, monkeypatch)


def test_help_and_sources_are_shown_only_to_the_asker(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("aide"))
        client._connection.parse_interaction_create(slash_command_payload("sources", guild=False))
        callbacks = await fake.wait_for("/callback", count=2)
        assert all(c.body["data"]["flags"] & 64 for c in callbacks)
        shown = "\n".join(embed_text(c.body["data"]["embeds"][0]) for c in callbacks)
        assert "Commandes" in shown and "Developpez.com" in shown

    scenario(engine, body, monkeypatch)


def test_a_mention_is_answered_as_a_reply_without_pinging_its_author(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        asked = message_payload(f"<@{BOT_USER['id']}> qui a financé Stability AI ?", mentions=[BOT_USER])
        client._connection.parse_message_create(asked)  # type: ignore[arg-type]
        (sent,) = await fake.wait_for("POST /channels/3001/messages")
        assert str(sent.body["message_reference"]["message_id"]) == asked["id"]
        assert sent.body["allowed_mentions"] == NO_PINGS
        assert "Coatue" in embed_text(sent.body["embeds"][0])

    scenario(engine, body, monkeypatch)


def test_a_direct_message_is_answered(engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        dm = message_payload("quand a-t-il démissionné ?", channel_id="7001", guild_id=None)
        client._connection.parse_message_create(dm)  # type: ignore[arg-type]
        (sent,) = await fake.wait_for("POST /channels/7001/messages")
        assert "mars 2024" in embed_text(sent.body["embeds"][0])
        assert sent.body["allowed_mentions"]["parse"] == []

    scenario(engine, body, monkeypatch)


def test_everyone_bots_and_unmentioned_messages_are_ignored(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        parse = client._connection.parse_message_create
        parse(message_payload("@everyone qui a financé ?", mention_everyone=True))  # type: ignore[arg-type]
        parse(message_payload("qui a financé ?"))  # type: ignore[arg-type]
        other_bot = {**BOT_USER, "id": "1234", "username": "autre-bot"}
        parse(message_payload(f"<@{BOT_USER['id']}> qui ?", author=other_bot, mentions=[BOT_USER]))  # type: ignore[arg-type]
        parse(message_payload("moi-même", channel_id="7001", guild_id=None, author=BOT_USER))  # type: ignore[arg-type]
        parse(message_payload(f"<@{BOT_USER['id']}> aide", mentions=[BOT_USER]))  # type: ignore[arg-type]
        await fake.wait_for("/reactions/")
        await asyncio.sleep(0.2)
        (only,) = fake.of("POST /channels/")  # the help asked for, sent to the asker's DMs
        assert only.path == "POST /channels/7002/messages" and "Aide" in embed_text(only.body["embeds"][0])

    scenario(engine, body, monkeypatch)


def test_an_everyone_inside_a_question_never_pings(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        pings = "@everyone <@&1400000000000000004> <@1200000000000000002>"
        text = f"<@{BOT_USER['id']}> {pings} qui a financé Stability AI ?"
        client._connection.parse_message_create(message_payload(text, mentions=[BOT_USER]))  # type: ignore[arg-type]
        (sent,) = await fake.wait_for("/messages")
        assert sent.body["allowed_mentions"] == NO_PINGS
        assert "Coatue" in embed_text(sent.body["embeds"][0])

    scenario(engine, body, monkeypatch)


def test_an_exception_in_the_core_gives_an_ephemeral_error_and_the_client_goes_on(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("panne"))
        (error,) = await fake.wait_for("/callback")
        assert error.body["data"]["flags"] & 64
        assert "erreur" in embed_text(error.body["data"]["embeds"][0])
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        callbacks = await fake.wait_for("/callback", count=2)
        assert "Coatue" in embed_text(callbacks[1].body["data"]["embeds"][0])

    scenario(BrokenEngine(engine), body, monkeypatch)
    assert any(r.exc_info and "index indisponible" in str(r.exc_info[1]) for r in caplog.records)


class SlowEngine(BrokenEngine):
    def answer(self, query: Query) -> Reply:
        time.sleep(0.5)
        return super().answer(query)


def test_a_slow_public_answer_is_deferred_privately_then_posted_in_the_channel(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.discord.slash.DEFER_AFTER_SECONDS", 0.05)

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        payload = slash_command_payload("qui a financé Stability AI ?")
        client._connection.parse_interaction_create(payload)
        (callback,) = await fake.wait_for("/callback")
        assert callback.body["type"] == 5 and callback.body["data"]["flags"] & 64  # a private "réfléchit…"
        (posted,) = await fake.wait_for("POST /channels/3001/messages")
        assert "Coatue" in embed_text(posted.body["embeds"][0])
        assert posted.body["allowed_mentions"]["parse"] == []
        await fake.wait_for(
            f"DELETE /webhooks/{payload['application_id']}/{payload['token']}/messages/@original"
        )
        assert not fake.of(f"POST /webhooks/{payload['application_id']}")  # nothing public as a follow-up

    scenario(SlowEngine(engine), body, monkeypatch)


def test_a_slow_private_reply_stays_private(engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.discord.slash.DEFER_AFTER_SECONDS", 0.05)

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        payload = slash_command_payload("la recette de la tarte tatin")
        client._connection.parse_interaction_create(payload)
        (follow_up,) = await fake.wait_for(f"POST /webhooks/{payload['application_id']}/{payload['token']}")
        assert "Rien trouvé" in embed_text(follow_up.body["embeds"][0])
        assert not fake.of("POST /channels/3001/messages")  # never in the channel

    scenario(SlowEngine(engine), body, monkeypatch)


class SlowBrokenEngine(SlowEngine):
    def answer(self, query: Query) -> Reply:
        time.sleep(0.5)
        raise RuntimeError("index indisponible")


def test_an_error_after_a_defer_is_said_privately_not_left_thinking(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.discord.slash.DEFER_AFTER_SECONDS", 0.05)

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        payload = slash_command_payload("qui a financé Stability AI ?")
        client._connection.parse_interaction_create(payload)
        (follow_up,) = await fake.wait_for(f"POST /webhooks/{payload['application_id']}/{payload['token']}")
        assert "erreur" in str(follow_up.body).casefold()

    scenario(SlowBrokenEngine(engine), body, monkeypatch)


def test_in_a_channel_a_mention_gets_an_answer_or_a_reaction_never_a_public_notice(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BotService(engine, Cooldown(2, 60))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        parse = client._connection.parse_message_create
        asked = [
            message_payload(f"<@{BOT_USER['id']}> {text}", mentions=[BOT_USER])
            for text in ("la recette de la tarte tatin", "aide", "qui a financé Stability AI ?")
        ]
        for message in asked:
            parse(message)  # type: ignore[arg-type]
            await asyncio.sleep(0.2)
        await fake.wait_for("/reactions/", count=3)
        reactions = {
            c.path.split("/")[4]: urllib.parse.unquote(c.path.split("/")[6]) for c in fake.of("/reactions/")
        }
        assert reactions == {
            asked[0]["id"]: "🤷",
            asked[1]["id"]: "📬",
            asked[2]["id"]: "⏳",
        }  # the 3rd: cooldown
        public = fake.of("POST /channels/3001/messages")
        assert public == []  # nothing but answers is posted in the channel
        (dm,) = fake.of("POST /channels/7002/messages")  # the help went to the asker's DMs
        assert "Aide" in embed_text(dm.body["embeds"][0])

    scenario(service, body, monkeypatch)


def test_a_reply_to_an_answer_is_a_follow_up_with_the_first_question_as_context(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    service = BotService(engine, question_log=QuestionLog(tmp_path / "q.sqlite3"))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        parse = client._connection.parse_message_create
        first = message_payload(f"<@{BOT_USER['id']}> Qui a financé Stability AI ?", mentions=[BOT_USER])
        parse(first)  # type: ignore[arg-type]
        await fake.wait_for("POST /channels/3001/messages")
        ours = message_payload("", author=BOT_USER) | {
            "message_reference": {"message_id": first["id"], "channel_id": "3001"}
        }
        for text, count in (("et ils ont fait quoi ensuite ?", 2), ("quand ?", 3)):
            reply = message_payload(text, mentions=[BOT_USER]) | {
                "message_reference": {"message_id": ours["id"], "channel_id": "3001"},
                "referenced_message": ours, "type": 19,
            }  # fmt: skip
            parse(reply)  # type: ignore[arg-type]
            sent = await fake.wait_for("POST /channels/3001/messages", count=count)
            ours = message_payload("", author=BOT_USER) | {
                "message_reference": {"message_id": reply["id"], "channel_id": "3001"}
            }
        second, third = (embed_text(s.body["embeds"][0]) for s in sent[1:])
        assert "Coatue" in second or "Lightspeed" in second
        assert "2022" in third or "2023" in third

    scenario(service, body, monkeypatch)


def test_only_three_intents_and_no_live_channel_links() -> None:
    chosen = intents()
    assert chosen == discord.Intents(guilds=True, guild_messages=True, dm_messages=True)
    assert intents(message_content=True).message_content
    assert "<#123456789012345678>" not in escape("voir <#123456789012345678> et </emad:42>")


def test_feedback_buttons_under_an_answer_record_the_vote(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    service = BotService(engine, question_log=QuestionLog(tmp_path / "q.sqlite3"))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        (answer,) = await fake.wait_for("/callback")
        buttons = answer.body["data"]["components"][0]["components"]
        assert [b["label"] for b in buttons] == ["👍 Utile", "👎 Pas utile"]
        shown = message_payload("", author=BOT_USER) | {
            "embeds": answer.body["data"]["embeds"],
            "components": answer.body["data"]["components"],
        }
        click = button_click_payload(buttons[0]["custom_id"], shown)
        client._connection.parse_interaction_create(click)
        thanks = (await fake.wait_for("/callback", count=2))[1]
        assert thanks.body["data"]["flags"] & 64 and "Merci" in thanks.body["data"]["content"]

    scenario(service, body, monkeypatch)
    stats = QuestionLog(tmp_path / "q.sqlite3").stats()
    assert stats.most_asked == [("qui a financé stability ai ?", 1)] and stats.worst_rated == []


def test_a_flooding_user_is_told_to_slow_down_and_others_are_answered(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BotService(engine, Cooldown(2, 60))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        for _ in range(3):
            client._connection.parse_interaction_create(slash_command_payload("qui a financé ?"))
        callbacks = await fake.wait_for("/callback", count=3)
        titles = sorted(c.body["data"]["embeds"][0]["title"] for c in callbacks)
        assert titles == ["Ce que disent les articles"] * 2 + ["Doucement"]
        (slowed,) = [c for c in callbacks if c.body["data"]["embeds"][0]["title"] == "Doucement"]
        assert slowed.body["data"]["flags"] & 64  # only the flooding user sees it
        other = {**BOT_USER, "id": "1500000000000000005", "username": "alex", "bot": False}
        asked = message_payload(f"<@{BOT_USER['id']}> qui a financé ?", author=other, mentions=[BOT_USER])
        client._connection.parse_message_create(asked)  # type: ignore[arg-type]
        (reply,) = await fake.wait_for("/messages")
        assert reply.body["embeds"][0]["title"] == "Ce que disent les articles"

    scenario(service, body, monkeypatch)


def test_at_start_what_a_crash_left_pending_is_answered_once(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = QuestionLog(tmp_path / "q.sqlite3")
    owed = {"kind": "message", "text": "qui a financé Stability AI ?", "user": "7", "channel": "3001",
            "message": "1300000000000000111"}  # fmt: skip
    replied = owed | {"message": "1300000000000000222"}
    stale = {
        "kind": "command",
        "text": "qui ?",
        "user": "7",
        "channel": "3001",
        "application": "1",
        "token": "t",
    }
    for key, payload in (("a", owed), ("b", replied), ("c", stale)):
        log.receive("discord", key, payload)
    sqlite3.connect(tmp_path / "q.sqlite3").execute(
        "UPDATE inbox SET received_at = received_at - 3600 WHERE key = 'c'"
    ).connection.commit()  # past the interaction token's 15 minutes

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        fake.posted.append(  # our reply to the second one went out before the crash
            message_payload("", author=BOT_USER) | {"message_reference": {"message_id": replied["message"]}}
        )
        await answer_pending(client)
        sent = fake.of("POST /channels/3001/messages")
        assert len(sent) == 1 and str(sent[0].body["message_reference"]["message_id"]) == owed["message"]
        assert "Coatue" in str(sent[0].body["embeds"])
        assert not fake.of("/webhooks/")  # the stale command is not answered
        assert log.pending("discord") == []

    scenario(BotService(engine, question_log=log), body, monkeypatch)


def test_a_dislike_asks_why_and_a_citation_shows_its_whole_passage_privately(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    service = BotService(engine, question_log=QuestionLog(tmp_path / "q.sqlite3"))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        (answer,) = await fake.wait_for("/callback")
        votes, passages, *_ = (row["components"] for row in answer.body["data"]["components"])
        assert passages[0]["label"] == "📄 Voir le passage 1"
        shown = message_payload("", author=BOT_USER) | {
            "embeds": answer.body["data"]["embeds"], "components": answer.body["data"]["components"],
        }  # fmt: skip
        client._connection.parse_interaction_create(button_click_payload(votes[1]["custom_id"], shown))
        asked = (await fake.wait_for("/callback", count=2))[1].body["data"]
        assert asked["flags"] & 64 and "Qu'est-ce qui n'allait pas" in asked["content"]
        reasons = asked["components"][0]["components"]
        assert [b["label"] for b in reasons] == ["Hors sujet", "Incomplet", "Mauvaise source", "Autre"]
        asking = message_payload("", author=BOT_USER) | {"components": asked["components"], "flags": 64}
        client._connection.parse_interaction_create(button_click_payload(reasons[1]["custom_id"], asking))
        await fake.wait_for("/callback", count=3)
        client._connection.parse_interaction_create(button_click_payload(passages[0]["custom_id"], shown))
        whole = (await fake.wait_for("/callback", count=4))[3].body["data"]
        assert whole["flags"] & 64 and whole["embeds"][0]["title"] == "Le passage"
        cited = answer.body["data"]["embeds"][0]["fields"][0]["value"]
        assert "Coatue" in cited and "Coatue" in embed_text(whole["embeds"][0])

    scenario(service, body, monkeypatch)
    assert QuestionLog(tmp_path / "q.sqlite3").stats().reasons == [("incomplet", 1)]


def test_the_question_option_offers_example_questions(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        typing = slash_command_payload("")
        typing["type"] = 4  # APPLICATION_COMMAND_AUTOCOMPLETE
        typing["data"]["options"] = [{"name": "question", "type": 3, "value": "financé", "focused": True}]
        client._connection.parse_interaction_create(typing)
        (offered,) = await fake.wait_for("/callback")
        assert offered.body["type"] == 8  # autocomplete choices
        assert [c["value"] for c in offered.body["data"]["choices"]] == ["Qui a financé Stability AI ?"]

    scenario(engine, body, monkeypatch)


def test_a_channel_that_refuses_the_answer_sends_it_to_the_asker_privately(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        fake.forbidden.add("3001")
        asked = message_payload(f"<@{BOT_USER['id']}> qui a financé Stability AI ?", mentions=[BOT_USER])
        client._connection.parse_message_create(asked)  # type: ignore[arg-type]
        (dm,) = await fake.wait_for("POST /channels/7002/messages")
        assert "pas pu répondre dans ce salon" in dm.body["content"] and "Coatue" in embed_text(
            dm.body["embeds"][0]
        )

    scenario(engine, body, monkeypatch)


def test_an_ask_channel_answers_each_message_in_a_thread_made_for_it(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def main() -> None:
        fake = await FakeDiscord().start()
        monkeypatch.setattr(discord.http.Route, "BASE", f"{fake.url}/api/v10")
        client = EmadClient(BotService(engine), message_content=True, ask_channels=frozenset({3001}))
        try:
            await client.login("MTAwMA.fake.token")
            client._connection.parse_message_create(message_payload("Qui a financé Stability AI ?"))  # type: ignore[arg-type]
            client._connection.parse_message_create(
                message_payload("sans mention ailleurs", channel_id="3002")
            )  # type: ignore[arg-type]
            (made,) = await fake.wait_for("/threads")
            assert made.body["name"] == "Qui a financé Stability AI ?"
            (answer,) = await fake.wait_for("POST /channels/8001/messages")
            assert "Coatue" in embed_text(answer.body["embeds"][0])
            await asyncio.sleep(0.2)
            assert not fake.of("POST /channels/3002") and not fake.of("POST /channels/3001/messages ")
        finally:
            await client.close()
            await fake.stop()

    asyncio.run(main())


def _thread(thread_id: str, parent_id: str, owner_id: str) -> dict[str, Any]:
    return {"id": thread_id, "type": 11, "guild_id": "4001", "parent_id": parent_id, "owner_id": owner_id,
            "name": "Une question", "message_count": 1, "member_count": 1,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "locked": False,
                                "archive_timestamp": "2024-03-23T12:00:00+00:00"}}  # fmt: skip


def test_forum_posts_our_threads_and_our_role_are_questions_other_threads_are_not(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ask channels on, a new post in an ask forum, a message in a thread the bot
    made, and a mention of the bot's managed role are answered; a thread of someone else
    outside the ask channels is left alone."""
    guild = {
        "id": "4001", "name": "Serveur", "owner_id": ASKER["id"], "member_count": 2,
        "roles": [{"id": "4001", "name": "@everyone", "permissions": "0", "position": 0, "color": 0,
                   "hoist": False, "managed": False, "mentionable": False},
                  {"id": "6001", "name": "emad-bot", "permissions": "0", "position": 1, "color": 0,
                   "hoist": False, "managed": True, "mentionable": True, "tags": {"bot_id": BOT_USER["id"]}}],
        "channels": [{"id": "3001", "type": 0, "name": "général", "position": 0, "permission_overwrites": []},
                     {"id": "3005", "type": 15, "name": "questions", "position": 1,
                      "permission_overwrites": [], "available_tags": []}],
        "threads": [_thread("9001", "3005", ASKER["id"]), _thread("9002", "3001", BOT_USER["id"]),
                    _thread("9003", "3001", ASKER["id"])],
    }  # fmt: skip

    async def main() -> None:
        fake = await FakeDiscord().start()
        monkeypatch.setattr(discord.http.Route, "BASE", f"{fake.url}/api/v10")
        client = EmadClient(BotService(engine), message_content=True, ask_channels=frozenset({3005}))
        try:
            await client.login("MTAwMA.fake.token")
            client._connection.parse_guild_create(guild)  # type: ignore[arg-type]
            forum_post = message_payload("Qui a financé Stability AI ?", channel_id="9001") | {"id": "9001"}
            client._connection.parse_message_create(forum_post)  # type: ignore[arg-type]
            (in_forum,) = await fake.wait_for("POST /channels/9001/messages")
            assert "Coatue" in embed_text(in_forum.body["embeds"][0])
            client._connection.parse_message_create(
                message_payload("Et qui dirige Stability AI ?", channel_id="9002")
            )  # type: ignore[arg-type]
            (in_ours,) = await fake.wait_for("POST /channels/9002/messages")
            assert in_ours.body["allowed_mentions"] == NO_PINGS
            by_role = message_payload("<@&6001> Quand Emad a-t-il démissionné ?") | {
                "mention_roles": ["6001"]
            }
            client._connection.parse_message_create(by_role)  # type: ignore[arg-type]
            (by_role_answer,) = await fake.wait_for("POST /channels/3001/messages")
            assert by_role_answer.body["allowed_mentions"] == NO_PINGS
            client._connection.parse_message_create(message_payload("Qui a financé ?", channel_id="9003"))  # type: ignore[arg-type]
            await asyncio.sleep(0.3)
            assert not fake.of("/channels/9003")  # not ours, not an ask channel: not a word
        finally:
            await client.close()
            await fake.stop()

    asyncio.run(main())


def test_cest_celui_ci_under_a_hedged_answer_becomes_a_label(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "q.sqlite3"
    service = BotService(never_sure_engine(), question_log=QuestionLog(path))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload("qui a financé Stability AI ?"))
        (answer,) = await fake.wait_for("/callback")
        rows = answer.body["data"]["components"]
        choices = [b for row in rows for b in row["components"] if b["custom_id"].startswith("emad:choix:")]
        assert [b["label"] for b in choices] == [f"✅ C'est celui-ci ({n})" for n in (1, 2, 3)]
        shown = message_payload("", author=BOT_USER) | {
            "embeds": answer.body["data"]["embeds"], "components": rows,
        }  # fmt: skip
        client._connection.parse_interaction_create(button_click_payload(choices[2]["custom_id"], shown))
        thanks = (await fake.wait_for("/callback", count=2))[1]
        assert thanks.body["data"]["flags"] & 64 and "Merci" in thanks.body["data"]["content"]

    scenario(service, body, monkeypatch)
    ((question, windows, votes),) = QuestionLog(path).window_labels()
    assert question == "qui a financé Stability AI ?" and votes == {2: 1.0} and len(windows) == 3
