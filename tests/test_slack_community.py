"""Slack in a community: channel allow / deny lists, the hand-off to the maintainers'
channel, « Partager dans le salon », group DMs and the scopes a feature lacks. Signed
requests through the real Bolt app, a fake Slack on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.listeners import answer_pending
from adapters.slack.server import serve, web_client
from bot.answer import messages
from bot.answer.engine import AnswerEngine
from bot.service.bot_service import BotService
from bot.service.question_log import QuestionLog
from bot.service.sharing import SharedAnswers
from tests.conftest import KindEngine
from tests.fake_slack import FakeSlack
from tests.test_slack import Harness, click_button, direct_message, mention, scenario, settings, texts

PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U2>", "<!subteam")
TYPED_PINGS = "&lt;!channel&gt; &lt;!here&gt; &lt;@U2&gt;"  # what Slack sends when someone types them


def logged(engine: Any, tmp_path: Path) -> BotService:
    return BotService(engine, question_log=QuestionLog(tmp_path / "q.sqlite3"))


def in_channel(h: Harness, channel: str) -> list[dict[str, Any]]:
    return [call.body for call in h.slack.of("chat.postMessage") if call.body.get("channel") == channel]


def test_outside_the_allowed_channels_a_mention_gets_only_a_private_notice(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        assert await h.event(mention("<@UBOT> qui a financé Stability AI ?", channel="C2"), "Ev1") == 200
        (notice,) = await h.slack.wait_for("chat.postEphemeral")
        assert notice.body["user"] == "U1" and notice.body["channel"] == "C2"
        assert "<#C1>" in notice.body["text"] and "/emad" in notice.body["text"]
        await h.event(mention("<@UBOT> qui a financé Stability AI ?", ts="2.0"), "Ev2")  # C1: allowed
        (answer,) = await h.slack.wait_for("chat.postMessage")
        assert answer.body["channel"] == "C1" and answer.body["thread_ts"] == "2.0"
        assert in_channel(h, "C2") == []

    scenario(engine, body, allow_channels="C1")


def test_a_denied_channel_gets_no_public_post_but_dms_and_emad_still_answer(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        await h.event(mention("<@UBOT> qui a financé Stability AI ?"), "Ev1")  # C1 is denied
        (notice,) = await h.slack.wait_for("chat.postEphemeral")
        assert "Je ne réponds pas publiquement ici" in notice.body["text"]
        await h.event(direct_message("qui a financé Stability AI ?"), "Ev2")
        (dm,) = await h.slack.wait_for("chat.postMessage")
        assert dm.body["channel"] == "D1" and "Coatue" in texts(dm.body["blocks"])
        await h.command("qui a financé Stability AI ?")  # /emad in C1: answered, to the asker alone
        (response,) = await h.slack.wait_for("response_url")
        assert response.body["response_type"] == "ephemeral"
        assert messages.ANSWERED_PRIVATELY_HERE in texts(response.body["blocks"])
        assert not any(e.get("action_id") == "emad_share" for e in elements(response.body))  # no sharing here
        assert in_channel(h, "C1") == []

    scenario(engine, body, deny_channels="C1")


def test_a_follow_up_outside_the_allowed_channels_stays_quiet(engine: AnswerEngine, tmp_path: Path) -> None:
    later = {"type": "message", "channel_type": "channel", "user": "U1", "text": "et quand ?",
             "ts": "1.5", "channel": "C3", "thread_ts": "1.0"}  # fmt: skip

    async def before(h: Harness) -> None:  # no lists yet: a conversation starts in C3
        await h.event(mention("<@UBOT> qui a financé Stability AI ?", channel="C3", ts="1.0"), "Ev1")
        await h.slack.wait_for("chat.postMessage")
        await h.event(later, "Ev2")  # a follow-up without a mention: answered
        await h.slack.wait_for("chat.postMessage", count=2)

    scenario(logged(engine, tmp_path), before)
    service = logged(engine, tmp_path)

    async def after(h: Harness) -> None:  # C3 left out of the list: the thread goes quiet
        assert await h.event(later | {"ts": "1.6"}, "Ev3") == 200  # decided before the ack
        assert await asyncio.to_thread(service.received, "slack", "C3:1.6") is None
        await h.event(mention("<@UBOT> et Stability ?", channel="C3", ts="1.7", thread_ts="1.0"), "Ev4")
        (notice,) = await h.slack.wait_for("chat.postEphemeral")
        assert notice.body["thread_ts"] == "1.0" and in_channel(h, "C3") == []

    scenario(service, after, allow_channels="C1")


def test_a_channel_in_both_the_ask_list_and_the_deny_list_is_a_settings_error() -> None:
    with pytest.raises(ValueError, match="SLACK_ASK_CHANNELS"):
        settings(ask_channels="CASK", deny_channels="CASK")
    with pytest.raises(ValueError, match="SLACK_ALLOW_CHANNELS"):
        settings(allow_channels="#général")


def test_a_refused_question_reaches_the_maintainers_once_a_day_and_pings_nobody(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.event(mention(f"<@UBOT> {TYPED_PINGS} Qui a Créé l'Opéra not_found", ts="1.0"), "Ev1")
        (handed,) = await wait_in_channel(h, "CMAINT", 1)
        text = handed["text"]
        assert "Question sans réponse fiable" in text and "refus" in text
        assert "Qui a Créé l'Opéra" in text and "&lt;!channel&gt;" in text
        assert not any(ping in text for ping in PINGS)
        link = "<https://exemple.slack.com/archives/C1/p1.0|voir le message>"
        assert text.endswith(f"posée dans <#C1> ({link})")  # where it was asked
        # The same question, another case and no accents, another day not yet: not again.
        await h.event(mention(f"<@UBOT> {TYPED_PINGS} qui a cree l'opera not_found", ts="2.0"), "Ev2")
        await h.event(mention("<@UBOT> Une autre question not_found", ts="3.0"), "Ev3")
        await h.slack.wait_for("chat.postEphemeral", count=3)  # each asker has their reply
        await service.drain("test")  # and every hand-off is done
        announced = in_channel(h, "CMAINT")
        assert len(announced) == 2 and "Une autre question" in announced[1]["text"]

    service = logged(KindEngine(), tmp_path)
    scenario(service, body, maintainers_channel="CMAINT")
    again = logged(KindEngine(), tmp_path)  # a restart: the log remembers what was announced today

    async def after_restart(h: Harness) -> None:
        await h.event(mention(f"<@UBOT> {TYPED_PINGS} QUI A CRÉÉ L'OPÉRA not_found", ts="4.0"), "Ev4")
        await h.event(mention("<@UBOT> Encore une autre not_found", ts="5.0"), "Ev5")
        await h.slack.wait_for("chat.postEphemeral", count=2)
        await again.drain("test")
        (announced,) = in_channel(h, "CMAINT")
        assert "Encore une autre" in announced["text"]

    scenario(again, after_restart, maintainers_channel="CMAINT")


async def wait_in_channel(h: Harness, channel: str, count: int) -> list[dict[str, Any]]:
    for _ in range(100):
        if len(in_channel(h, channel)) >= count:
            return in_channel(h, channel)
        await h.slack.wait_for("chat.postMessage", count=len(h.slack.of("chat.postMessage")) + 1)
    raise AssertionError(f"{count} message(s) attendu(s) dans {channel}")


def test_a_dislike_with_its_reason_reaches_the_maintainers(engine: AnswerEngine, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.command("qui a financé Stability AI ?")
        (response,) = await h.slack.wait_for("response_url")
        (actions,) = [b for b in response.body["blocks"] if b["type"] == "actions"]
        await click_button(h, next(e for e in actions["elements"] if "👎" in e["text"]["text"]), actions)
        asked = (await h.slack.wait_for("response_url", count=2))[1].body
        reasons = next(b for b in asked["blocks"] if b["type"] == "actions")
        incomplete = next(e for e in reasons["elements"] if e["text"]["text"] == "Incomplet")
        await click_button(h, incomplete, reasons)
        (handed,) = await wait_in_channel(h, "CMAINT", 1)
        assert "👎 : Incomplet" in handed["text"] and "qui a financé Stability AI ?" in handed["text"]
        assert "réponse" in handed["text"].split("—")[1] and "posée dans <#C1>" in handed["text"]

    scenario(logged(engine, tmp_path), body, maintainers_channel="CMAINT")


def test_a_maintainers_channel_that_refuses_the_post_changes_no_answer(tmp_path: Path) -> None:
    service = logged(KindEngine(), tmp_path)

    async def body(h: Harness) -> None:
        h.slack.not_in.add("CMAINT")
        await h.event(mention("<@UBOT> rien à voir not_found", ts="1.0"), "Ev1")
        await h.event(mention("<@UBOT> autre chose not_found", ts="2.0"), "Ev2")
        await h.slack.wait_for("chat.postEphemeral", count=2)  # each asker has their reply
        await wait_in_channel(h, "CMAINT", 2)  # both hand-offs tried (and refused), after settling
        assert await asyncio.to_thread(service.pending, "slack") == []

    scenario(service, body, maintainers_channel="CMAINT")


def elements(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


async def click_share(h: Harness, button: dict[str, Any], number: int) -> dict[str, Any]:
    click = {
        "type": "block_actions", "user": {"id": "U7", "name": "jeanne", "username": "jeanne"},
        "team": {"id": "T1"}, "api_app_id": "A1", "token": "x", "trigger_id": "1.2",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1", "is_ephemeral": True},
        "channel": {"id": "C1"}, "response_url": f"{h.slack.url}/respond/{number}",
        "actions": [button | {"block_id": "b", "action_ts": "1.3"}],
    }  # fmt: skip
    assert await h.post(urllib.parse.urlencode({"payload": json.dumps(click)}),
                        "application/x-www-form-urlencoded") == 200  # fmt: skip
    return (await h.slack.wait_for("response_url", count=number))[-1].body


def test_a_private_answer_is_shared_once_headed_by_its_sharer_without_a_ping(
    engine: AnswerEngine, tmp_path: Path
) -> None:
    async def body(h: Harness) -> None:
        await h.command("qui a financé Stability AI ?")
        (private,) = await h.slack.wait_for("response_url")
        assert private.body["response_type"] == "ephemeral"
        (share,) = [e for e in elements(private.body) if e["action_id"] == "emad_share"]
        assert share["text"]["text"] == messages.SHARE_BUTTON
        told = await click_share(h, share, 2)
        assert told["text"] == messages.SHARED and told["response_type"] == "ephemeral"
        (shared,) = in_channel(h, "C1")
        assert shared["blocks"][0]["elements"][0]["text"] == "partagé par jeanne"
        assert "Coatue" in texts(shared["blocks"]) and "<@" not in json.dumps(shared)
        assert any("👍" in e["text"]["text"] for e in elements(shared))  # votes work on the public copy
        assert (await click_share(h, share, 3))["text"] == messages.SHARE_ALREADY
        assert len(in_channel(h, "C1")) == 1

    scenario(logged(engine, tmp_path), body, answers_for_asker_only=True)


def test_a_private_mention_answer_is_shared_in_its_thread_and_too_old_a_one_is_refused(
    engine: AnswerEngine,
) -> None:
    now = [1000.0]
    service = BotService(engine)
    service.shared = SharedAnswers(clock=lambda: now[0])

    async def body(h: Harness) -> None:
        await h.event(mention("<@UBOT> qui a financé Stability AI ?", ts="1.0"), "Ev1")
        await h.event(mention("<@UBOT> qui a fondé Stability AI ?", ts="2.0"), "Ev2")
        first, second = await h.slack.wait_for("chat.postEphemeral", count=2)
        buttons = {c.body["thread_ts"]: e for c in (first, second) for e in elements(c.body)
                   if e["action_id"] == "emad_share"}  # fmt: skip
        assert (await click_share(h, buttons["1.0"], 1))["text"] == messages.SHARED
        (shared,) = in_channel(h, "C1")
        assert shared["thread_ts"] == "1.0"
        now[0] += 31 * 60  # past the 30 minutes of a Slack response_url
        assert (await click_share(h, buttons["2.0"], 2))["text"] == messages.SHARE_EXPIRED
        assert len(in_channel(h, "C1")) == 1

    scenario(service, body, answers_for_asker_only=True)


def test_a_group_dm_is_answered_like_a_channel_thread(engine: AnswerEngine, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.event(mention("<@UBOT> qui a financé Stability AI ?", channel="G9", ts="1.0"), "Ev1")
        (answer,) = await h.slack.wait_for("chat.postMessage")
        assert answer.body["channel"] == "G9" and answer.body["thread_ts"] == "1.0"
        follow_up = {"type": "message", "channel_type": "mpim", "user": "U1", "text": "et en quelle année ?",
                     "ts": "1.5", "channel": "G9", "thread_ts": "1.0"}  # fmt: skip
        await h.event(follow_up, "Ev2")
        second = (await h.slack.wait_for("chat.postMessage", count=2))[1]
        assert second.body["channel"] == "G9" and second.body["thread_ts"] == "1.0"

    scenario(logged(engine, tmp_path), body)


def test_a_configured_feature_whose_scope_is_missing_is_named_in_the_log(
    engine: AnswerEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        slack = await FakeSlack(scopes="app_mentions:read,chat:write,commands,im:history,im:write").start()
        configured = settings(api_url=f"{slack.url}/api/", ask_channels="CASK")
        stop = asyncio.Event()
        serving = asyncio.create_task(serve(BotService(engine), configured, stop))
        try:
            await slack.wait_for("auth.test")
            for _ in range(200):
                if "SLACK_ASK_CHANNELS" in caplog.text:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.wait_for(serving, 10)
            await slack.stop()

    with caplog.at_level(logging.INFO):
        asyncio.run(main())
    named = [r.getMessage() for r in caplog.records if "SLACK_ASK_CHANNELS" in r.getMessage()]
    assert len(named) == 1 and "channels:history" in named[0] and "--full" in named[0]


def test_emad_in_a_dm_is_unaffected_by_the_lists(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        await h.post(urllib.parse.urlencode({
            "team_id": "T1", "channel_id": "D1", "user_id": "U1", "command": "/emad",
            "text": "qui a financé Stability AI ?", "trigger_id": "9.9.9",
            "response_url": f"{h.slack.url}/respond/1"}), "application/x-www-form-urlencoded")  # fmt: skip
        (response,) = await h.slack.wait_for("response_url")
        assert response.body["response_type"] == "in_channel"  # the DM: the asker's own
        assert messages.ANSWERED_PRIVATELY_HERE not in texts(response.body["blocks"])

    scenario(engine, body, allow_channels="C1")


def test_a_mention_left_pending_in_a_channel_denied_since_gets_only_the_notice(
    engine: AnswerEngine, tmp_path: Path
) -> None:
    question_log = QuestionLog(tmp_path / "q.sqlite3")
    asked = {"kind": "mention", "text": "<@UBOT> qui a financé ?", "user": "U1", "team": "T1",
             "channel": "C1", "ts": f"{time.time():.6f}", "thread_ts": None}  # fmt: skip
    assert question_log.receive("slack", "C1:x", asked)  # received before the lists changed
    service = BotService(engine, question_log=question_log)

    async def main() -> None:
        slack = await FakeSlack().start()
        configured = settings(api_url=f"{slack.url}/api/", deny_channels="C1")
        try:
            await answer_pending(service, web_client(configured), configured)
            (notice,) = slack.of("chat.postEphemeral")
            assert "Je ne réponds pas publiquement ici" in notice.body["text"]
            assert slack.of("chat.postMessage") == [] and service.pending("slack") == []
        finally:
            await slack.stop()

    asyncio.run(main())


def test_a_share_whose_outcome_is_unknown_is_never_posted_again(engine: AnswerEngine) -> None:
    async def body(h: Harness) -> None:
        await h.command("qui a financé Stability AI ?")
        (private,) = await h.slack.wait_for("response_url")
        (share,) = [e for e in elements(private.body) if e["action_id"] == "emad_share"]
        h.slack.post_failure = 500  # Slack fails: the answer may or may not be in the channel
        assert (await click_share(h, share, 2))["text"] == messages.SHARE_UNSURE
        h.slack.post_failure = None
        assert (await click_share(h, share, 3))["text"] == messages.SHARE_ALREADY
        assert len(h.slack.of("chat.postMessage")) == 1  # the one attempt, never a second

    scenario(engine, body, answers_for_asker_only=True)
