"""Slack, edge to edge: signed requests through the real Bolt app over HTTP on 127.0.0.1,
its Web API calls and `response_url`s received by a fake Slack on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

from adapters.slack.listeners import build_app
from adapters.slack.server import EVENTS_PATH, bound_port, serve, start_http, web_client
from adapters.slack.settings import SlackSettings
from bot.answer.engine import AnswerEngine
from bot.service.bot_service import BotService
from bot.service.cooldown import Cooldown
from bot.service.question_log import QuestionLog
from tests.conftest import ArticleWriter, BrokenEngine, engine_for, never_sure_engine
from tests.fake_slack import BOT_USER_ID, SIGNING_SECRET, FakeSlack, signed_headers

TRIGGERS = itertools.count(1)  # Slack gives each command its own trigger_id


@dataclass
class Harness:
    slack: FakeSlack
    events_url: str
    session: aiohttp.ClientSession

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> int:
        sent = {"Content-Type": content_type, **(headers or signed_headers(body))}
        async with self.session.post(self.events_url, data=body.encode(), headers=sent) as response:
            return response.status

    async def command(self, text: str, headers: dict[str, str] | None = None) -> int:
        body = urllib.parse.urlencode(
            {
                "token": "ignored", "team_id": "T1", "channel_id": "C1", "user_id": "U1",
                "command": "/emad", "text": text, "trigger_id": f"1.2.{next(TRIGGERS)}",
                "response_url": f"{self.slack.url}/respond/1",
            }
        )  # fmt: skip
        return await self.post(body, "application/x-www-form-urlencoded", headers)

    async def event(self, event: dict[str, Any], event_id: str = "Ev1", retry: int = 0) -> int:
        body = json.dumps(
            {"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
             "event_id": event_id, "event_time": int(time.time()), "event": event}
        )  # fmt: skip
        headers = signed_headers(body) | ({"X-Slack-Retry-Num": str(retry)} if retry else {})
        return await self.post(body, "application/json", headers)


def settings(**overrides: Any) -> SlackSettings:
    values: dict[str, Any] = {
        "bot_token": SecretStr("xoxb-test"), "signing_secret": SecretStr(SIGNING_SECRET),
        "host": "127.0.0.1", "port": 0,
    } | overrides  # fmt: skip
    return SlackSettings(_env_file=None, **values)


def as_service(core: Any) -> BotService:
    return core if isinstance(core, BotService) else BotService(core)


@asynccontextmanager
async def running(core: Any, **overrides: Any) -> AsyncIterator[Harness]:
    slack = await FakeSlack().start()
    configured = settings(api_url=f"{slack.url}/api/", **overrides)
    app = build_app(as_service(core), configured, web_client(configured))
    runner = await start_http(app, "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as session:
            yield Harness(slack, f"http://127.0.0.1:{bound_port(runner)}{EVENTS_PATH}", session)
    finally:
        await runner.cleanup()
        await slack.stop()


def scenario(engine: Any, body: Callable[[Harness], Awaitable[None]], **overrides: Any) -> None:
    async def main() -> None:
        async with running(engine, **overrides) as harness:
            await body(harness)

    asyncio.run(main())


def texts(blocks: list[dict[str, Any]]) -> str:
    found = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    found += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    return "\n".join(found)


def mention(text: str, ts: str = "1700000000.000100", **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": "C1"} | extra


def direct_message(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message", "channel_type": "im", "user": "U1", "text": text,
        "ts": "1700000000.000200", "channel": "D1",
    } | extra  # fmt: skip


def test_slash_command_is_acknowledged_then_answered_in_the_channel(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        assert await h.command("qui a financé Stability AI ?") == 200
        (response,) = await h.slack.wait_for("response_url")
        assert response.body["response_type"] == "in_channel"
        shown = texts(response.body["blocks"])
        assert "Coatue" in shown and "Lightspeed" in shown
        assert "*investisseurs*" in shown  # highlights in mrkdwn bold
        assert "Gate" in shown or "Developpez.com" in shown
        assert "passage " in shown and "Coatue" in response.body["text"]

    scenario(engine, body)


def test_answers_can_be_made_visible_to_the_asker_only(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        await h.command("qui a financé Stability AI ?")
        (response,) = await h.slack.wait_for("response_url")
        assert response.body["response_type"] == "ephemeral"

    scenario(engine, body, answers_for_asker_only=True)


def test_help_sources_and_a_bare_command_are_for_the_asker_only(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        for text in ("aide", "sources", ""):
            await h.command(text)
        responses = await h.slack.wait_for("response_url", count=3)
        assert {r.body["response_type"] for r in responses} == {"ephemeral"}
        shown = "\n".join(texts(r.body["blocks"]) for r in responses)
        assert "Commandes" in shown and "Developpez.com" in shown and "Posez-moi" in shown

    scenario(engine, body)


def test_a_mention_is_answered_in_a_thread_under_it(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        await h.event(mention(f"<@{BOT_USER_ID}> qui a financé Stability AI ?", ts="111.222"))
        (post,) = await h.slack.wait_for("chat.postMessage")
        assert post.body["channel"] == "C1" and post.body["thread_ts"] == "111.222"
        assert "Coatue" in texts(post.body["blocks"])

    scenario(engine, body)


def test_a_mention_inside_a_thread_is_answered_in_that_thread(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        await h.event(mention(f"<@{BOT_USER_ID}> qui a financé ?", ts="300.1", thread_ts="299.9"))
        (post,) = await h.slack.wait_for("chat.postMessage")
        assert post.body["thread_ts"] == "299.9"

    scenario(engine, body)


def test_a_direct_message_is_answered_and_bot_messages_are_ignored(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        await h.event(direct_message("qui a financé Stability AI ?", bot_id="BOTHER"), event_id="Ev1")
        await h.event(direct_message("qui a financé Stability AI ?", subtype="bot_message"), "Ev2")
        await h.event(direct_message("quand a-t-il démissionné ?"), event_id="Ev3")
        (post,) = await h.slack.wait_for("chat.postMessage")
        assert post.body["channel"] == "D1"
        assert "mars 2024" in texts(post.body["blocks"])
        await asyncio.sleep(0.2)
        assert len(h.slack.of("chat.postMessage", "chat.postEphemeral")) == 1

    scenario(engine, body)


def test_a_retried_event_is_answered_once(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        event = mention(f"<@{BOT_USER_ID}> qui a financé ?")
        assert await h.event(event, event_id="EvSame") == 200
        assert await h.event(event, event_id="EvSame", retry=1) == 200
        assert await h.event(event, event_id="EvSame", retry=2) == 200
        await h.slack.wait_for("chat.postMessage")
        await asyncio.sleep(0.3)
        assert len(h.slack.of("chat.postMessage")) == 1

    scenario(engine, body)


def test_forged_or_stale_requests_get_401_and_no_answer(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        forged = signed_headers("autre chose", secret="pas-le-bon")
        assert await h.command("qui a financé ?", headers=forged) == 401
        stale_body = urllib.parse.urlencode({"command": "/emad", "text": "qui a financé ?"})
        stale = signed_headers(stale_body, timestamp=int(time.time()) - 600)
        assert await h.post(stale_body, "application/x-www-form-urlencoded", stale) == 401
        await asyncio.sleep(0.2)
        assert h.slack.of("response_url", "chat.postMessage") == []

    scenario(engine, body)


def test_an_exception_in_the_core_gives_the_asker_an_error_and_serving_goes_on(
    engine: AnswerEngine, caplog: Any
) -> None:
    async def body(h: Harness) -> None:
        await h.command("panne")
        (error,) = await h.slack.wait_for("response_url")
        assert error.body["response_type"] == "ephemeral"
        assert "erreur" in texts(error.body["blocks"])
        await h.command("qui a financé Stability AI ?")
        responses = await h.slack.wait_for("response_url", count=2)
        assert "Coatue" in texts(responses[1].body["blocks"])

    scenario(BrokenEngine(engine), body)
    assert "index indisponible" in caplog.text  # logged with its traceback
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)


def test_corpus_and_user_text_never_ping_anyone(corpus_dir: Path, write_article: ArticleWriter) -> None:
    write_article(
        "piege.md",
        "Titre <!here> & co",
        "Le trésorier <!channel> a écrit à <@U999> & @everyone : démission immédiate.",
        url="https://exemple.fr/a?b=1&c=<2>",
    )
    write_article("autre.md", "Autre", "Rien à voir ici, un texte sans rapport.")
    unsafe = engine_for(corpus_dir)

    async def body(h: Harness) -> None:
        await h.event(direct_message("<!channel> trésorier démission <@U999>"))
        (post,) = await h.slack.wait_for("chat.postMessage")
        payload = json.dumps(post.body, ensure_ascii=False)
        assert "<!channel>" not in payload and "<!here>" not in payload and "<@U999>" not in payload
        assert "&lt;!channel&gt;" in texts(post.body["blocks"])  # shown, inert
        assert "&lt;!channel&gt;" in post.body["text"] and "&lt;@U999&gt;" in post.body["text"]
        assert "<https://exemple.fr/a?b=1&amp;c=%3C2%3E|Titre &lt;!here&gt; &amp; co>" in texts(
            post.body["blocks"]
        )

    scenario(unsafe, body)


def test_socket_mode_serves_commands_and_mentions(engine: AnswerEngine) -> None:
    async def main() -> None:
        slack = await FakeSlack().start()
        configured = settings(api_url=f"{slack.url}/api/", app_token=SecretStr("xapp-test"))
        stop = asyncio.Event()
        serving = asyncio.create_task(serve(BotService(engine), configured, stop))
        try:
            command = {
                "command": "/emad", "text": "qui a financé Stability AI ?", "user_id": "U1",
                "channel_id": "C1", "team_id": "T1", "response_url": f"{slack.url}/respond/9",
            }  # fmt: skip
            await slack.envelopes.put(
                {"envelope_id": "e1", "type": "slash_commands", "payload": command,
                 "accepts_response_payload": True}
            )  # fmt: skip
            (response,) = await slack.wait_for("response_url")
            assert "Coatue" in texts(response.body["blocks"])
            event = {"type": "event_callback", "event_id": "EvS", "team_id": "T1",
                     "event": mention(f"<@{BOT_USER_ID}> qui a financé ?", ts="5.5")}  # fmt: skip
            await slack.envelopes.put({"envelope_id": "e2", "type": "events_api", "payload": event})
            (post,) = await slack.wait_for("chat.postMessage")
            assert post.body["thread_ts"] == "5.5"
            acks = await slack.wait_for("socket_ack", count=2)
            acked = {call.body.get("envelope_id") for call in acks}
            assert {"e1", "e2"} <= acked
        finally:
            stop.set()
            await asyncio.wait_for(serving, 10)
            await slack.stop()

    asyncio.run(main())


async def click_button(h: Harness, element: dict[str, Any], actions: dict[str, Any]) -> None:
    """A user's click on `element` of the `actions` block, as Slack posts it, signed."""
    click = {
        "type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"},
        "api_app_id": "A1", "token": "x", "trigger_id": "1.2",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
        "channel": {"id": "C1"}, "response_url": f"{h.slack.url}/respond/2",
        "actions": [element | {"block_id": actions.get("block_id", "b"), "action_ts": "1.3"}],
    }  # fmt: skip
    body = urllib.parse.urlencode({"payload": json.dumps(click)})
    assert await h.post(body, "application/x-www-form-urlencoded") == 200


def logged_service(engine: AnswerEngine, path: Path, questions_per_minute: int = 5) -> BotService:
    return BotService(engine, Cooldown(questions_per_minute, 60), QuestionLog(path))


def test_feedback_buttons_under_an_answer_record_the_vote(engine: AnswerEngine, tmp_path: Path) -> None:
    service = logged_service(engine, tmp_path / "q.sqlite3")

    async def body(h: Harness) -> None:
        await h.command("qui a financé Stability AI ?")
        (response,) = await h.slack.wait_for("response_url")
        (actions,) = [b for b in response.body["blocks"] if b["type"] == "actions"]
        down = next(e for e in actions["elements"] if "👎" in e["text"]["text"])
        await click_button(h, down, actions)
        thanks = (await h.slack.wait_for("response_url", count=2))[1]
        assert thanks.body["response_type"] == "ephemeral" and "Merci" in thanks.body["text"]

    scenario(service, body)
    assert QuestionLog(tmp_path / "q.sqlite3").stats().worst_rated == [("qui a financé Stability AI ?", 0, 1)]


def test_a_flooding_user_gets_a_private_notice_and_others_are_answered(
    engine: AnswerEngine, tmp_path: Path
) -> None:
    service = logged_service(engine, tmp_path / "q.sqlite3", questions_per_minute=2)

    async def body(h: Harness) -> None:
        for event_id in ("E1", "E2", "E3"):
            await h.event(mention(f"<@{BOT_USER_ID}> qui a financé ?", ts=f"1.{event_id}"), event_id=event_id)
        await h.event(mention(f"<@{BOT_USER_ID}> qui a financé ?", ts="2.0", user="U2"), event_id="E4")
        await h.slack.wait_for("chat.postMessage", count=3)
        (notice,) = await h.slack.wait_for("chat.postEphemeral")
        assert notice.body["user"] == "U1" and "Réessayez" in texts(notice.body["blocks"])

    scenario(service, body)


def thread_reply(
    text: str, ts: str, user: str = "U1", thread_ts: str = "1700000000.000100"
) -> dict[str, Any]:
    return {"type": "message", "channel_type": "channel", "user": user, "text": text, "ts": ts,
            "channel": "C1", "thread_ts": thread_ts}  # fmt: skip


def test_a_conversation_goes_on_in_the_thread_without_mentions(engine: AnswerEngine, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.event(mention("<@UBOT> Qui a financé Stability AI ?"), "Ev1")
        await h.slack.wait_for("chat.postMessage")
        await h.event(thread_reply("et ils ont fait quoi ensuite ?", "1700000000.000200"), "Ev2")
        await h.slack.wait_for("chat.postMessage", count=2)
        await h.event(thread_reply("quand ?", "1700000000.000300"), "Ev3")
        posts = await h.slack.wait_for("chat.postMessage", count=3)
        assert all(p.body["thread_ts"] == "1700000000.000100" for p in posts)
        first, second, third = (texts(p.body["blocks"]) for p in posts)
        assert "Coatue" in first
        assert "Coatue" in second or "Lightspeed" in second  # the first question's context
        assert "2022" in third or "2023" in third  # "quand ?" about the funding: a date
        await h.event(thread_reply("<!channel> on déjeune où ?", "1700000000.000400", user="U2"), "Ev4")
        await h.event(thread_reply("moi je trouve ça bien", "1700000000.000500", user="U3"), "Ev5")
        await asyncio.sleep(0.5)
        assert len(h.slack.of("chat.postMessage")) == 3 + 1  # U2 asked (a "?"), U3 talked to people
        hostile = texts(h.slack.of("chat.postMessage")[-1].body["blocks"])
        assert "<!channel>" not in hostile

    scenario(logged_service(engine, tmp_path / "q.sqlite3", questions_per_minute=100), body)


def test_an_ask_channel_answers_every_top_level_message_in_a_thread(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        asked = {"type": "message", "channel_type": "channel", "user": "U1", "channel": "CASK",
                 "text": "Qui a financé Stability AI ?", "ts": "1700000000.000900"}  # fmt: skip
        await h.event(asked, "Ev1")
        await h.event(asked | {"channel": "COTHER", "ts": "1700000000.000901"}, "Ev2")
        (post,) = await h.slack.wait_for("chat.postMessage")
        await asyncio.sleep(0.3)
        assert post.body["channel"] == "CASK" and post.body["thread_ts"] == "1700000000.000900"
        assert len(h.slack.of("chat.postMessage")) == 1  # other channels need a mention

    scenario(engine, body, ask_channels="CASK, CASK2")


def test_a_rate_limited_answer_is_retried_after_retry_after_and_sent_once(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        h.slack.rate_limited = 1
        await h.event(mention("<@UBOT> qui a financé Stability AI ?"))
        calls = await h.slack.wait_for("chat.postMessage", count=2, timeout=15)
        await asyncio.sleep(0.3)
        assert len(calls) == 2 and len(h.slack.posted) == 1  # a 429, then the answer, once

    scenario(engine, body)


def test_a_channel_the_bot_is_not_in_gets_the_answer_in_a_dm_saying_how_to_invite(
    engine: AnswerEngine,
) -> None:
    async def body(h: Harness) -> None:
        h.slack.not_in.add("C1")
        await h.event(mention("<@UBOT> qui a financé Stability AI ?"))
        (opened,) = await h.slack.wait_for("conversations.open")
        assert opened.body["users"] == "U1", opened.body
        dm = [c for c in await h.slack.wait_for("chat.postMessage", count=2) if c.body["channel"] == "DU1"]
        assert "/invite @emad-bot" in texts(dm[0].body["blocks"]) and "Coatue" in texts(dm[0].body["blocks"])

    scenario(engine, body)


def test_a_dislike_asks_why_and_a_citation_shows_its_whole_passage_privately(
    engine: AnswerEngine, tmp_path: Path
) -> None:
    service = logged_service(engine, tmp_path / "q.sqlite3")

    def click(h: Harness, action: dict[str, Any], number: int) -> str:
        payload = {
            "type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
            "token": "x", "trigger_id": "1.2", "channel": {"id": "C1"},
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
            "response_url": f"{h.slack.url}/respond/{number}",
            "actions": [action | {"block_id": "b", "action_ts": "1.3"}],
        }  # fmt: skip
        return urllib.parse.urlencode({"payload": json.dumps(payload)})

    async def body(h: Harness) -> None:
        await h.command("qui a financé Stability AI ?")
        (response,) = await h.slack.wait_for("response_url")
        (actions,) = [b for b in response.body["blocks"] if b["type"] == "actions"]
        labels = [e["text"]["text"] for e in actions["elements"]]
        assert labels[:3] == ["👍 Utile", "👎 Pas utile", "📄 Voir le passage 1"]
        await h.post(click(h, actions["elements"][1], 2), "application/x-www-form-urlencoded")
        asked = (await h.slack.wait_for("response_url", count=2))[1].body
        assert asked["response_type"] == "ephemeral" and "Qu'est-ce qui n'allait pas" in asked["text"]
        incomplete = next(e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]
                          if e["text"]["text"] == "Incomplet")  # fmt: skip
        await h.post(click(h, incomplete, 3), "application/x-www-form-urlencoded")
        await h.slack.wait_for("response_url", count=3)
        await h.post(click(h, actions["elements"][2], 4), "application/x-www-form-urlencoded")
        whole = (await h.slack.wait_for("response_url", count=4))[3].body
        assert whole["response_type"] == "ephemeral" and "Le passage entier" in texts(whole["blocks"])
        assert "Coatue" in texts(whole["blocks"])

    scenario(service, body)
    assert QuestionLog(tmp_path / "q.sqlite3").stats().reasons == [("incomplet", 1)]


def test_a_follow_up_after_a_restart_still_has_its_thread_and_context(
    engine: AnswerEngine, tmp_path: Path
) -> None:
    database = tmp_path / "q.sqlite3"

    async def before(h: Harness) -> None:
        await h.event(mention("<@UBOT> Qui a financé Stability AI ?"), "Ev1")
        await h.slack.wait_for("chat.postMessage")

    async def after(h: Harness) -> None:  # a new app, a new service: only the question log remains
        await h.event(thread_reply("quand ?", "1700000000.000300"), "Ev2")
        (post,) = await h.slack.wait_for("chat.postMessage")
        assert post.body["thread_ts"] == "1700000000.000100"
        assert "2022" in texts(post.body["blocks"]) or "2023" in texts(post.body["blocks"])

    scenario(logged_service(engine, database, questions_per_minute=100), before)
    scenario(logged_service(engine, database, questions_per_minute=100), after)


def test_cest_celui_ci_under_a_hedged_answer_becomes_a_label(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    service = logged_service(never_sure_engine(), path)

    async def body(h: Harness) -> None:
        await h.command("qui a financé Stability AI ?")
        (response,) = await h.slack.wait_for("response_url")
        (actions,) = [b for b in response.body["blocks"] if b["type"] == "actions"]
        choices = [e for e in actions["elements"] if e["action_id"].startswith("emad_choose_")]
        assert [e["text"]["text"] for e in choices] == [f"✅ C'est celui-ci ({n})" for n in (1, 2, 3)]
        await click_button(h, choices[1], actions)
        thanks = (await h.slack.wait_for("response_url", count=2))[1]
        assert thanks.body["response_type"] == "ephemeral" and "Merci" in thanks.body["text"]

    scenario(service, body)
    ((question, windows, votes),) = QuestionLog(path).window_labels()
    assert question == "qui a financé Stability AI ?" and votes == {1: 1.0}
    assert len(windows) == 3 and all(end > start for _, start, end in windows)


def test_a_reply_posted_but_whose_answer_was_lost_is_not_posted_again(engine: AnswerEngine) -> None:
    """Slack posts the reply and the connection drops before its answer: the bot looks in
    the thread, finds its reply, and posts nothing more (a blind retry posted it twice)."""

    async def body(h: Harness) -> None:
        h.slack.drop_after_post = 1
        await h.event(mention(f"<@{BOT_USER_ID}> qui a financé Stability AI ?"))
        await h.slack.wait_for("conversations.replies", timeout=30)  # it looked before trying again
        second = mention(f"<@{BOT_USER_ID}> qui dirige Stability AI ?", ts="1700000001.000100")
        await h.event(second, event_id="Ev2")
        await h.slack.wait_for("chat.postMessage", count=2, timeout=30)  # the next question's reply
        threads = [m["thread_ts"] for m in h.slack.posted]
        assert threads.count("1700000000.000100") == 1, threads

    scenario(engine, body)
