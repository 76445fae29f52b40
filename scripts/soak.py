"""The question log under a long flood: the real `emad-bot slack` (HTTP mode) on
127.0.0.1 against the tests' fake Slack, N signed mentions sent C at a time, then
SIGTERM, then the log is read back.

    .venv-dev/bin/python scripts/soak.py [--mentions 20000] [--concurrency 20]

Prints how many were acknowledged, answered in Slack, logged, noted as pending and
left pending, and the log lines about the question log failing. Exits 1 if any
acknowledged question went unlogged, unrecorded, unanswered or answered twice.
Loopback only."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fake_slack import FakeSlack
from tests.test_nothing_lost import slack_bot, threads_answered

LOG_TROUBLE = ("journal des questions", "non mise en attente", "database is locked")


async def soak(mentions: int, concurrency: int) -> int:
    slack = await FakeSlack().start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            database = Path(scratch) / "q.sqlite3"
            started = time.monotonic()
            async with slack_bot(slack, database, Path(scratch)) as bot:
                gate = asyncio.Semaphore(concurrency)
                statuses: list[int] = []
                async with aiohttp.ClientSession() as session:

                    async def send(number: int) -> None:
                        async with gate:
                            statuses.append(await bot.mention(session, number, f"U{number % 500}"))

                    await asyncio.gather(*(send(n) for n in range(mentions)))
                acknowledged = statuses.count(200)
                answered_so_far = -1
                while answered_so_far < len(slack.of("chat.postMessage")) < acknowledged:
                    answered_so_far = len(slack.of("chat.postMessage"))  # stop if a minute adds none
                    with contextlib.suppress(TimeoutError):
                        await slack.wait_for("chat.postMessage", count=acknowledged, timeout=60)
                bot.process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(bot.process.wait(), 60)
                await bot.reader if bot.reader else None
            took = time.monotonic() - started
            with sqlite3.connect(database) as db:
                logged = db.execute("SELECT count(*) FROM questions").fetchone()[0]
                noted = db.execute("SELECT count(*) FROM inbox").fetchone()[0]
                pending = db.execute("SELECT count(*) FROM inbox WHERE state = 'pending'").fetchone()[0]
        answered = threads_answered(slack)
        trouble = [line.strip() for line in bot.log if any(word in line for word in LOG_TROUBLE)]
        twice = sum(1 for count in answered.values() if count > 1)
        print(f"{mentions} mentions at concurrency {concurrency} in {took:.0f} s (exit {code}): "
              f"{acknowledged} acknowledged, {len(answered)} answered in Slack ({twice} twice), "
              f"{logged} logged, {noted} noted as pending, {pending} left pending")  # fmt: skip
        print(
            f"unlogged {acknowledged - logged}, unrecorded {acknowledged - noted}; "
            f"question-log trouble in the bot's log: {len(trouble)}"
        )
        for line in trouble[:10]:
            print("  " + line)
        lost = acknowledged - len(answered)
        return int(code != 0 or lost or twice or logged != acknowledged or noted != acknowledged or pending)
    finally:
        await slack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    sys.exit(asyncio.run(soak(args.mentions, args.concurrency)))


if __name__ == "__main__":
    main()
