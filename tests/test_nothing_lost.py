"""Nothing acknowledged is lost, whatever happens to the process or its question log:
the real `emad-bot slack` process on 127.0.0.1, signed requests, a fake Slack Web
API on 127.0.0.1, and faults done to the process (SIGTERM, SIGKILL, a locked or
impossible database)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.conftest import ROOT
from tests.fake_discord import BOT_USER, FakeDiscord, message_payload, slash_command_payload
from tests.fake_slack import SIGNING_SECRET, FakeSlack, signed_headers
from tests.test_run import CLEAN_ENV

QUESTION = "<@UBOT> qui a financé Stability AI ?"
LISTENING = re.compile(r"Slack en mode HTTP sur (http://127\.0\.0\.1:\d+/slack/events)")


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    events_url: str = ""
    log: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def mention(self, session: aiohttp.ClientSession, number: int, user: str = "U1") -> int:
        event = {
            "type": "app_mention",
            "user": user,
            "text": QUESTION,
            "channel": "C1",
            "ts": f"1700000000.{number:06d}",
        }
        body = json.dumps(
            {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"Ev{number}",
             "event_time": int(time.time()), "event": event}
        )  # fmt: skip
        headers = {"Content-Type": "application/json", **signed_headers(body)}
        async with session.post(self.events_url, data=body.encode(), headers=headers) as response:
            return response.status

    @property
    def text(self) -> str:
        return "".join(self.log)


async def ended(bot: BotProcess) -> None:
    """The process killed if it still runs, and its log read to the end."""
    if bot.process.returncode is None:
        bot.process.kill()
        await bot.process.wait()
    if bot.reader is not None:
        await bot.reader


@asynccontextmanager
async def slack_bot(slack: FakeSlack, database: Path, tmp_path: Path) -> AsyncIterator[BotProcess]:
    env = CLEAN_ENV | {
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_HOST": "127.0.0.1", "SLACK_PORT": "0", "SLACK_API_URL": f"{slack.url}/api/",
        "BOT_DATABASE_PATH": str(database), "BOT_INDEX_DIR": str(tmp_path / "index"),
        "BOT_COOLDOWN_QUESTIONS": "1000", "BOT_WATCH_CORPUS": "false",
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "slack", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    bot = BotProcess(process)
    listening = asyncio.get_running_loop().create_future()

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace")
            bot.log.append(line)
            found = LISTENING.search(line)
            if found and not listening.done():
                listening.set_result(found.group(1))
        if not listening.done():
            listening.set_exception(RuntimeError("".join(bot.log)))

    bot.reader = asyncio.create_task(read())
    try:
        bot.events_url = await asyncio.wait_for(listening, 60)
        yield bot
    finally:
        await ended(bot)


def threads_answered(slack: FakeSlack) -> Counter[str]:
    """How many replies each question's thread got."""
    return Counter(str(m["thread_ts"]) for m in slack.posted)


async def mention_all(bot: BotProcess, numbers: range) -> None:
    async with aiohttp.ClientSession() as session:
        statuses = await asyncio.gather(*(bot.mention(session, n) for n in numbers))
    assert set(statuses) == {200}  # every one acknowledged


def test_sigterm_finishes_what_was_acknowledged_then_exits_0(tmp_path: Path) -> None:
    async def main() -> None:
        slack = await FakeSlack(post_delay=0.5).start()  # a slow Slack: answers are still in flight
        try:
            async with slack_bot(slack, tmp_path / "q.sqlite3", tmp_path) as bot:
                await mention_all(bot, range(100))
                bot.process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(bot.process.wait(), 30)
                await bot.reader
                assert code == 0, bot.text
            answered = threads_answered(slack)
            assert len(answered) >= 95 and max(answered.values()) == 1, bot.text
            assert "en cours" in bot.text  # it said it was finishing them
        finally:
            await slack.stop()

    asyncio.run(main())


def test_after_sigkill_a_restart_answers_each_acknowledged_question_once(tmp_path: Path) -> None:
    async def main() -> None:
        database = tmp_path / "q.sqlite3"
        slack = await FakeSlack(post_delay=60).start()  # posted, but Slack's answer never comes back
        try:
            async with slack_bot(slack, database, tmp_path) as bot:
                await mention_all(bot, range(25))
                await slack.wait_for("chat.postMessage", count=25, timeout=30)
                slack.post_failure = 500  # the next 25 are not posted at all
                await mention_all(bot, range(25, 50))
                await slack.wait_for("chat.postMessage", count=50, timeout=30)
                bot.process.kill()  # SIGKILL: nothing settled, nothing cleaned up
                await bot.process.wait()
            assert len(threads_answered(slack)) == 25
            slack.post_delay, slack.post_failure = 0.0, None
            async with slack_bot(slack, database, tmp_path) as bot:
                for _ in range(300):
                    if len(threads_answered(slack)) == 50:
                        break
                    await asyncio.sleep(0.1)
                bot.process.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(bot.process.wait(), 30) == 0
            answered = threads_answered(slack)
            assert len(answered) == 50 and max(answered.values()) == 1, bot.text
            pending = sqlite3.connect(database).execute("SELECT count(*) FROM inbox WHERE state = 'pending'")
            assert pending.fetchone()[0] == 0
        finally:
            await slack.stop()

    asyncio.run(main())


def test_a_sigkill_right_after_the_last_acknowledgement_loses_no_question(tmp_path: Path) -> None:
    """50 mentions at once, each answered 200, and SIGKILL the moment the last 200
    arrives: the restart answers every one exactly once (the inbox was written before
    each acknowledgement)."""

    async def main() -> None:
        database = tmp_path / "q.sqlite3"
        slack = await FakeSlack().start()
        slack.post_failure = 500  # nothing is delivered before the kill
        try:
            async with slack_bot(slack, database, tmp_path) as bot:
                await mention_all(bot, range(50))
                bot.process.kill()  # at once: the answers are still to be computed and posted
                await bot.process.wait()
            slack.post_failure = None
            async with slack_bot(slack, database, tmp_path) as bot:
                deadline = time.monotonic() + 120
                while len(threads_answered(slack)) < 50 and time.monotonic() < deadline:
                    await slack.wait_for("chat.postMessage", count=len(slack.of("chat.postMessage")) + 1,
                                         timeout=120)  # fmt: skip
                bot.process.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(bot.process.wait(), 30) == 0
            answered = threads_answered(slack)
            assert len(answered) == 50 and max(answered.values()) == 1, bot.text
        finally:
            await slack.stop()

    asyncio.run(main())


def test_a_locked_question_log_slows_nothing_down_to_a_crash(tmp_path: Path) -> None:
    async def main() -> None:
        database = tmp_path / "q.sqlite3"
        slack = await FakeSlack().start()
        try:
            async with slack_bot(slack, database, tmp_path) as bot:
                await mention_all(bot, range(1))
                await slack.wait_for("chat.postMessage", timeout=30)
                locker = sqlite3.connect(database, isolation_level=None)
                locker.execute("BEGIN EXCLUSIVE")  # another process holds the log
                try:
                    await mention_all(bot, range(1, 21))
                    await slack.wait_for("chat.postMessage", count=20, timeout=90)
                finally:
                    locker.execute("ROLLBACK")
                assert bot.process.returncode is None, bot.text  # still alive
                assert "Journal des questions indisponible" in bot.text
                assert bot.text.count("Journal des questions indisponible") <= 3  # logged once per outage
            assert len(threads_answered(slack)) >= 20
        finally:
            await slack.stop()

    asyncio.run(main())


def test_a_question_log_that_cannot_be_created_stops_no_answer(tmp_path: Path) -> None:
    async def main() -> None:
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        slack = await FakeSlack().start()
        try:
            async with slack_bot(slack, blocker / "logs" / "q.sqlite3", tmp_path) as bot:
                await mention_all(bot, range(5))
                await slack.wait_for("chat.postMessage", count=5, timeout=30)
                assert bot.process.returncode is None
                assert "Journal des questions indisponible" in bot.text
            assert len(threads_answered(slack)) == 5
        finally:
            await slack.stop()

    asyncio.run(main())


async def answered(bot: BotProcess, count: int, timeout: float = 120) -> None:
    """Until the process has logged `count` answered questions (its `question …` lines)."""
    deadline = time.monotonic() + timeout
    while bot.text.count("question question_id=") < count:
        assert time.monotonic() < deadline and bot.process.returncode is None, bot.text
        await asyncio.sleep(0.05)


@asynccontextmanager
async def discord_bot(fake: FakeDiscord, database: Path, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The real `emad-bot discord` process, connected to the fake gateway (IDENTIFY seen)."""
    env = CLEAN_ENV | {
        "DISCORD_TOKEN": "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token", "DISCORD_API_URL": f"{fake.url}/api/v10",
        "DISCORD_GATEWAY_URL": fake.url.replace("http", "ws") + "/gateway",
        "BOT_DATABASE_PATH": str(database), "BOT_INDEX_DIR": str(tmp_path / "index"),
        "BOT_COOLDOWN_QUESTIONS": "1000", "BOT_WATCH_CORPUS": "false",
    }  # fmt: skip
    identified = len(fake.of("GATEWAY op 2"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "discord", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    bot = BotProcess(process)

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            bot.log.append(raw.decode(errors="replace"))

    bot.reader = asyncio.create_task(read())
    try:
        await fake.wait_for("GATEWAY op 2", count=identified + 1, timeout=60)
        yield bot
    finally:
        await ended(bot)


def test_discord_questions_received_before_a_sigkill_are_answered_once_after_the_restart(
    tmp_path: Path,
) -> None:
    """20 mentions and 5 `/emad` reach the real process; every reply it sends waits
    forever (nothing delivered, no interaction acknowledged), and SIGKILL comes the moment
    the last answer is ready. The restart answers each once: the mentions in the channel,
    the commands through their interaction's follow-up."""

    async def main() -> None:
        database = tmp_path / "q.sqlite3"
        fake = await FakeDiscord().start()
        fake.hold_replies = True
        mentions = [
            message_payload(f"<@{BOT_USER['id']}> qui a financé Stability AI ? ({n})", mentions=[BOT_USER])
            for n in range(20)
        ]
        commands = [slash_command_payload(f"qui a fondé Stability AI ? ({n})") for n in range(5)]
        try:
            async with discord_bot(fake, database, tmp_path) as bot:
                for asked in mentions:
                    await fake.dispatches.put(("MESSAGE_CREATE", asked))
                for command in commands:
                    await fake.dispatches.put(("INTERACTION_CREATE", command))
                await fake.wait_for("/callback", count=5, timeout=120)  # each interaction's reply tried
                # The channel's first reply is held, and discord.py sends one at a time to a
                # channel whose rate limits it has not learnt: the others wait in the client.
                await answered(bot, 25)
                bot.process.kill()
                await bot.process.wait()
            assert fake.posted == []  # nothing was delivered before the kill
            fake.hold_replies = False
            tried = len(fake.of("POST /channels/3001/messages"))
            async with discord_bot(fake, database, tmp_path) as bot:
                await fake.wait_for("POST /channels/3001/messages", count=tried + 20, timeout=120)
                await fake.wait_for("POST /webhooks/", count=5, timeout=120)
                bot.process.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(bot.process.wait(), 30) == 0, bot.text
            replied = Counter(str(m["message_reference"]["message_id"]) for m in fake.posted
                              if m.get("message_reference"))  # fmt: skip
            assert replied == Counter({m["id"]: 1 for m in mentions}), bot.text
            followed = Counter(c.path.split("/")[3] for c in fake.of("POST /webhooks/"))
            assert followed == Counter({c["token"]: 1 for c in commands}), bot.text
            pending = sqlite3.connect(database).execute("SELECT count(*) FROM inbox WHERE state = 'pending'")
            assert pending.fetchone()[0] == 0
        finally:
            await fake.stop()

    asyncio.run(main())
