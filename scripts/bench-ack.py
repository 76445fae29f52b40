"""How long Slack waits for its acknowledgement, now that each question is committed to
the inbox first: the real `emad-bot slack` (HTTP mode) on 127.0.0.1 against the tests'
fake Slack, N signed mentions sent C at a time, the time to each 200, in ms.

    .venv-dev/bin/python scripts/bench-ack.py [--mentions 400] [--concurrency 20] [--runs 3]

Prints p50 / p99 / max per run. Loopback only."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fake_slack import FakeSlack
from tests.test_nothing_lost import slack_bot


async def one_run(mentions: int, concurrency: int) -> list[float]:
    slack = await FakeSlack().start()
    latencies: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            async with slack_bot(slack, Path(scratch) / "q.sqlite3", Path(scratch)) as bot:
                gate = asyncio.Semaphore(concurrency)
                async with aiohttp.ClientSession() as session:

                    async def timed(number: int) -> None:
                        async with gate:
                            started = time.perf_counter()
                            assert await bot.mention(session, number) == 200
                            latencies.append((time.perf_counter() - started) * 1000)

                    await asyncio.gather(*(timed(n) for n in range(mentions)))
                bot.process.terminate()
                await bot.process.wait()
    finally:
        await slack.stop()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for run in range(1, args.runs + 1):
        found = sorted(asyncio.run(one_run(args.mentions, args.concurrency)))
        p99 = found[min(len(found) - 1, int(0.99 * len(found)))]
        print(f"run {run}: {len(found)} mentions at concurrency {args.concurrency}: ack p50 "
              f"{statistics.median(found):.1f} ms, p99 {p99:.1f} ms, max {found[-1]:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
